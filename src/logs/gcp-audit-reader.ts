/**
 * GCP Cloud Audit Logs: LogEntry records carrying an `AuditLog` in `protoPayload`, as NDJSON,
 * JSON arrays (`gcloud logging read --format=json`) or one entry a file.
 */

import type { LogEvent } from '../model/event.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, at, firstStr, isoTime, str } from './record-fields.js';

const HEAD = /"protoPayload"\s*:/;

/** Reads GCP audit log entries. */
export const gcpAuditReader = jsonLogReader({
  kind: 'gcp-audit',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: gcpAuditEvents,
});

/** Maps one parsed value: a LogEntry or a list of them. */
export function gcpAuditEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, gcpAuditEvents);
  const obj = asObject(value);
  if (!obj) return ['not a GCP LogEntry: expected a JSON object'];
  if (Array.isArray(obj.entries)) return mapEach(obj.entries, place, gcpAuditEvents);
  return [toEvent(obj, place)];
}

function toEvent(entry: Record<string, unknown>, place: JsonPlace): LogEvent | string {
  const payload = asObject(entry.protoPayload);
  // Known gap: non-audit Cloud Logging entries (jsonPayload, textPayload) are reported, not read.
  if (!payload) return 'not a GCP audit log entry: protoPayload missing';
  const time =
    isoTime(entry.timestamp) ??
    isoTime(entry.receiveTimestamp) ??
    isoTime(at(payload, 'requestMetadata.requestAttributes.time'));
  if (!time) return 'GCP audit log entry has no timestamp';

  return {
    time,
    source: {
      reader: 'gcp-audit',
      product: 'gcp',
      service: 'gcp.audit',
      file: place.file,
      line: place.line,
    },
    account: firstStr(entry, 'resource.labels.project_id') ?? projectOf(str(entry.logName)),
    actor: firstStr(
      payload,
      'authenticationInfo.principalEmail',
      'authenticationInfo.principalSubject',
    ),
    sourceIp: firstStr(payload, 'requestMetadata.callerIp'),
    action: str(payload.methodName),
    target: str(payload.resourceName),
    outcome: outcome(payload),
    fields: entry,
  };
}

function projectOf(logName: string | undefined): string | undefined {
  const match = logName ? /^projects\/([^/]+)\//.exec(logName) : null;
  return match?.[1];
}

function outcome(payload: Record<string, unknown>): 'success' | 'failure' {
  const code = at(payload, 'status.code');
  return typeof code === 'number' && code !== 0 ? 'failure' : 'success';
}
