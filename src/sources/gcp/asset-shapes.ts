/**
 * What the GCP readers know about asset types whose state comes in two halves (resource data
 * and IAM policy), so a half-seen resource says which half it is missing.
 */

import { ANY_OTHER_PROPERTY } from '../../posture/unknown-tracker.js';

/** Top-level resource-data fields that are unknown when only an asset's IAM policy was read. */
export const DATA_FIELDS: Record<string, string[]> = {
  'storage.googleapis.com/Bucket': [
    'iamConfiguration',
    'versioning',
    'logging',
    'acl',
    'defaultObjectAcl',
    'encryption',
    'retentionPolicy',
    'location',
  ],
  'cloudkms.googleapis.com/CryptoKey': ['rotationPeriod', 'nextRotationTime', 'purpose', 'primary'],
};

/**
 * Asset types whose IAM policy lives apart from their resource data. A resource of these types
 * read without its policy lists `iamPolicy` as unknown; a scan that also reads the policy
 * export merges the two halves (same type and id).
 */
export const SEPARATE_IAM_TYPES = new Set([
  'storage.googleapis.com/Bucket',
  'cloudkms.googleapis.com/CryptoKey',
  'cloudresourcemanager.googleapis.com/Project',
  'cloudresourcemanager.googleapis.com/Folder',
]);

/** The `unknown` list for a resource of `type` that was read with or without each half. */
export function missingHalves(type: string, sawData: boolean, sawPolicy: boolean): string[] {
  const missing: string[] = [];
  if (!sawData && Object.hasOwn(DATA_FIELDS, type)) missing.push(...DATA_FIELDS[type]);
  // Read without its resource data (`gcloud asset list` or `export` without
  // `--content-type=resource`, an IAM-policy export), a record holds none of the resource's
  // settings, whatever its type: every property it does not hold is unknown.
  if (!sawData) missing.push(ANY_OTHER_PROPERTY);
  if (!sawPolicy && SEPARATE_IAM_TYPES.has(type)) missing.push('iamPolicy');
  return missing;
}
