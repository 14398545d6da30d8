/**
 * The JSON body: the export record itself, as the data type's versioned JSON Schema describes it
 * (`schemas/export/<type>.v<N>.json`), on one line so line-oriented receivers keep it whole.
 */

import type { ExportRecord } from '../../model/export-record.js';

/** One record as a single line of JSON. */
export function toJsonBody(record: ExportRecord): string {
  return JSON.stringify(record);
}
