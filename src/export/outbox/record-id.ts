/**
 * Idempotency keys of export records: a hash of what identifies the change, so the same change
 * always gets the same key and a receiver that sees a key twice keeps one record.
 */

import { createHash } from 'node:crypto';
import type { ExportDataType } from '../../model/export-record.js';

/**
 * The key of the change named by `parts` (e.g. alert id and change), `<type>-` and 32 hex digits.
 *
 * ```ts
 * recordId('alert', [alert.id, 'created']); // 'alert-3f9c...'
 * ```
 */
export function recordId(type: ExportDataType, parts: readonly (string | number | null)[]): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([type, ...parts]))
    .digest('hex');
  return `${type}-${hash.slice(0, 32)}`;
}
