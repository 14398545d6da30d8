/** Exit codes of every command: CI scripts branch on them. */

/** The scan ran and nothing crossed the `--fail-on` threshold. */
export const EXIT_OK = 0;
/** A failing finding at or above the `--fail-on` severity. */
export const EXIT_FINDINGS = 1;
/**
 * Bad input: a path that does not exist, a file that cannot be read, a bad rule or option; for
 * `scan --fail-on` and `check`, also an enforced rule that could not run (it cannot vouch); for
 * `fix`, a fixed file it refused to write or show.
 */
export const EXIT_INPUT_ERROR = 2;
/** `palisade serve` stopped on its own: another server took its store (see docs/server.md). */
export const EXIT_STORE_LOST = 3;
