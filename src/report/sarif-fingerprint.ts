/**
 * A finding's fingerprint: the same violation gets the same value run after run, whatever lines
 * move around it, so code scanning keeps one alert and a baseline can accept it as known debt.
 */

import { createHash } from 'node:crypto';
import type { Finding } from '../model/finding.js';
import { repositoryPath } from '../store/target-set.js';

/** The `partialFingerprints` key Palisade's SARIF results carry. */
export const FINGERPRINT_KEY = 'palisadeFinding/v1';

/**
 * Hash of the rule, the resource (type and id: an IaC address or Kubernetes `ns/kind/name`) and
 * the file path from the root of its git work tree (else as given) with forward slashes, so a run
 * from another folder of the repository matches; never the line or the message.
 *
 * ```ts
 * findingFingerprint(f); // '4c1d…' (32 hex characters)
 * ```
 */
export function findingFingerprint(
  f: Pick<Finding, 'ruleId' | 'resourceType' | 'resourceId' | 'file'>,
): string {
  const given = (f.file ?? '').split('\\').join('/').replace(/^\.\//, '');
  const file = given ? repositoryPath(given) : given;
  return createHash('sha256')
    .update([f.ruleId, f.resourceType, f.resourceId, file].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}
