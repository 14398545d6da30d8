/**
 * Microsoft 365 Unified Audit Log records (Search-UnifiedAuditLog / Management Activity API):
 * Exchange, SharePoint, Entra ID workloads, one JSON record each.
 */

import type { LogEvent } from '../model/event.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const HEAD = /"CreationTime"\s*:[\s\S]{0,2000}"Operation"\s*:[\s\S]{0,2000}"Workload"\s*:/;

/** Reads Unified Audit Log records. */
export const m365AuditReader = jsonLogReader({
  kind: 'm365-audit',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: m365Events,
});

/** Maps one parsed value: a record or a list. */
export function m365Events(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, m365Events);
  const record = asObject(value);
  if (!record) return ['not a Unified Audit Log record: expected a JSON object'];
  // The audit log writes UTC times without a zone designator: read as UTC.
  const read = fieldTime([['CreationTime', record.CreationTime]]);
  const action = str(record.Operation);
  if (!read || !action) {
    return ['not a Unified Audit Log record: CreationTime or Operation missing'];
  }
  if (read.refused !== undefined) {
    const id = str(record.Id);
    return [`Unified Audit Log record ${action}${id ? ` (${id})` : ''}: ${read.refused}`];
  }
  const time = read.time;

  const event: LogEvent = {
    time,
    source: {
      reader: 'm365-audit',
      product: 'm365',
      service: 'audit',
      file: place.file,
      line: place.line,
    },
    account: str(record.OrganizationId),
    actor: str(record.UserId),
    sourceIp: str(record.ClientIP) ?? str(record.ClientIPAddress),
    action,
    target: str(record.ObjectId),
    outcome: outcome(record.ResultStatus),
    fields: record,
  };
  return [event];
}

function outcome(status: unknown): 'success' | 'failure' | undefined {
  const text = str(status) ?? (typeof status === 'boolean' ? String(status) : undefined);
  if (!text) return undefined;
  if (/^(true|succeeded|success)$/i.test(text)) return 'success';
  if (/^(false|failed|failure)$/i.test(text)) return 'failure';
  return undefined;
}
