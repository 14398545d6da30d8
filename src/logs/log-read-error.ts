/**
 * A record a log reader could not turn into an event. Readers yield it in the event stream and go
 * on with the next record, so one bad line never stops a log.
 */

export type LogReadErrorCode =
  | 'PARSE_ERROR'
  | 'UNSUPPORTED_FORMAT'
  | 'IO_ERROR'
  | 'TOO_LARGE'
  // Continuous detection: an event stamped too far after the server's clock.
  | 'FUTURE_TIME'
  // Compressed input cut short: what came before the cut was read.
  | 'TRUNCATED'
  // An event that was read but that detection failed on (the other events are still judged).
  | 'DETECTION_ERROR'
  // Not an error: a remark on records that were read (a mixed export's non-audit entries).
  | 'NOTICE';

/**
 * Where and why a record was skipped.
 *
 * ```ts
 * for await (const item of readLogs(['auth.log'])) {
 *   if (item instanceof LogReadError) warn(item.toString());
 * }
 * ```
 */
export class LogReadError {
  readonly file: string;
  readonly line?: number;
  readonly code: LogReadErrorCode;
  readonly message: string;

  constructor(props: { file: string; code: LogReadErrorCode; message: string; line?: number }) {
    this.file = props.file;
    this.line = props.line;
    this.code = props.code;
    this.message = props.message;
  }

  toString(): string {
    const place = this.line ? `${this.file}:${this.line}` : this.file;
    return `${place}: ${this.message}`;
  }
}

/** True for the errors mixed into a reader's event stream. */
export function isLogReadError(item: unknown): item is LogReadError {
  return item instanceof LogReadError;
}
