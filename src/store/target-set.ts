/**
 * The key of a set of scan targets: continuous assessment compares an assessment with the
 * previous one of the same targets. Stored in the database, so the derivation must never change.
 */

import { createHash } from 'node:crypto';

/** A stable key for `targets`, whatever their order or repetition. */
export function targetSetKey(targets: readonly string[]): string {
  const canonical = JSON.stringify([...new Set(targets)].sort());
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
