/**
 * What every OCSF event Palisade writes shares: the schema version it follows, the product
 * metadata, and the severity scale (OCSF severity_id 1 Informational to 5 Critical).
 */

import type { Severity } from '../../model/rule.js';
import { VERSION } from '../../version.js';

/** The OCSF schema release the events follow. */
export const OCSF_VERSION = '1.3.0';

export const OCSF_SEVERITY_ID: Record<Severity, number> = {
  informational: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};

/** `defense-evasion` → `Defense Evasion`, `high` → `High`. */
export function titleCase(text: string): string {
  return text.replace(
    /(^|[-_\s])([a-z])/g,
    (_m, sep: string, c: string) => `${sep === '-' || sep === '_' ? ' ' : sep}${c.toUpperCase()}`,
  );
}

/** The metadata object: schema version, the event's own id, and Palisade as the product. */
export function ocsfMetadata(uid: string): Record<string, unknown> {
  return {
    version: OCSF_VERSION,
    uid,
    product: { name: 'Palisade', vendor_name: 'Palisade', version: VERSION },
  };
}

/** Finding activities: Create (1), Update (2), Close (3). */
export type FindingActivity = 1 | 2 | 3;

const ACTIVITY_NAME: Record<FindingActivity, string> = { 1: 'Create', 2: 'Update', 3: 'Close' };

/**
 * The class and activity fields of an event in the Findings category (category_uid 2).
 *
 * ```ts
 * findingClassFields(2004, 'Detection Finding', 1); // type_uid 200401, "Detection Finding: Create"
 * ```
 */
export function findingClassFields(
  classUid: number,
  className: string,
  activity: FindingActivity,
): Record<string, unknown> {
  return {
    activity_id: activity,
    activity_name: ACTIVITY_NAME[activity],
    category_uid: 2,
    category_name: 'Findings',
    class_uid: classUid,
    class_name: className,
    type_uid: classUid * 100 + activity,
    type_name: `${className}: ${ACTIVITY_NAME[activity]}`,
  };
}
