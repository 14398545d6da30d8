/**
 * `|re` values run on RE2 (linear time), so no rule can hang the engine with catastrophic
 * backtracking. Sigma's i/m/s sub-modifiers become RE2 flags; patterns RE2 rejects (look-around,
 * back-references) make the rule unsupported with RE2's own message.
 */

import { RE2JS } from 're2js';
import { SigmaRuleError } from './sigma-rule-error.js';

/** Sigma regular-expression flags. */
export interface RegexFlags {
  ignoreCase: boolean;
  multiLine: boolean;
  dotAll: boolean;
}

/** Compiles a Sigma regular expression; the test finds a match anywhere in the value. */
export function compileSigmaRegex(
  pattern: string,
  flags: RegexFlags,
  path: (string | number)[],
): (value: string) => boolean {
  let bits = 0;
  if (flags.ignoreCase) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.multiLine) bits |= RE2JS.MULTILINE;
  if (flags.dotAll) bits |= RE2JS.DOTALL;

  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, bits);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SigmaRuleError(
      `regular expression ${JSON.stringify(pattern)} is not RE2: ${reason}`,
      path,
    );
  }
  return (value) => compiled.matcher(value).find();
}
