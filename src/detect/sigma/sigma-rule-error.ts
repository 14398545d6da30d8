/**
 * A Sigma rule that cannot be used: the loader and compiler raise it with the place (file, line,
 * field path) so the rule is listed as unsupported with an exact reason instead of crashing.
 */

/** Why a rule cannot be loaded or compiled; `path` is the YAML path of the offending field. */
export class SigmaRuleError extends Error {
  readonly path: (string | number)[];
  file?: string;
  line?: number;

  constructor(message: string, path: (string | number)[] = []) {
    super(message);
    this.name = 'SigmaRuleError';
    this.path = path;
  }

  /** The field as people read it: `detection.selection.CommandLine|re`. */
  get field(): string | undefined {
    return this.path.length > 0 ? this.path.join('.') : undefined;
  }
}
