/** A sink configuration that cannot work, naming the field and what it should hold. */

export class SinkConfigError extends Error {
  readonly code = 'sink_config_invalid';
  /** Dotted path of the bad field: `port`, `ack.channel`, `to[1]`. */
  readonly field: string;

  constructor(kind: string, field: string, message: string) {
    super(`${kind} sink: ${field} ${message}`);
    this.name = 'SinkConfigError';
    this.field = field;
  }
}
