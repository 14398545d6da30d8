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
