/**
 * One record as a message body in the format a sink was configured with: JSON (the record),
 * OCSF (Detection or Compliance Finding), CEF or LEEF 2.0.
 */

import type { ExportFormat, ExportRecord } from '../../model/export-record.js';
import { toCef } from './cef.js';
import { toJsonBody } from './json.js';
import { toLeef } from './leef.js';
import { toOcsfCompliance, toOcsfRecommendation } from './ocsf-compliance-finding.js';
import { alertActivity, toOcsf } from './ocsf-detection-finding.js';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'ocsf', 'cef', 'leef'];

/** Options some formats take. */
export interface FormatOptions {
  /** Console base URL, for links back to a record's page. */
  consoleUrl?: string;
  /** LEEF attribute delimiter (`^` by default). */
  leefDelimiter?: string;
}

/**
 * One record as an OCSF event. The secure score has no OCSF class: it travels as the JSON record.
 *
 * ```ts
 * const event = toOcsfEvent(record); // class_uid 2004 for alerts, 2003 otherwise
 * ```
 */
export function toOcsfEvent(record: ExportRecord): Record<string, unknown> {
  const time = Date.parse(record.occurredAt);
  switch (record.type) {
    case 'alert': {
      const { alert, change, comment } = record.data;
      const event = toOcsf(alert, alertActivity(change, alert), time);
      event.metadata = { ...(event.metadata as object), uid: record.id };
      if (comment) event.comment = comment;
      return event;
    }
    case 'recommendation':
      return toOcsfRecommendation(record.data, time, record.id);
    case 'compliance':
      return toOcsfCompliance(record.data, time, record.id);
    // Known gap: incidents and scores have no OCSF class mapped yet (OCSF Incident Finding,
    // class 2005, would suit incidents), so their records go as Palisade's own JSON.
    case 'incident':
    case 'secure_score':
      return record as unknown as Record<string, unknown>;
  }
}

/** The message body for one record. */
export function formatRecord(
  record: ExportRecord,
  format: ExportFormat,
  options: FormatOptions = {},
): string {
  switch (format) {
    case 'json':
      return toJsonBody(record);
    case 'ocsf':
      return JSON.stringify(toOcsfEvent(record));
    case 'cef':
      return toCef(record, { consoleUrl: options.consoleUrl });
    case 'leef':
      return toLeef(record, { consoleUrl: options.consoleUrl, delimiter: options.leefDelimiter });
  }
}
