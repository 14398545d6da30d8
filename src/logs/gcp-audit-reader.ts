/**
 * GCP Cloud Audit Logs: LogEntry records carrying an `AuditLog` in `protoPayload`, as NDJSON,
 * JSON arrays (`gcloud logging read --format=json`) or one entry a file.
 */

import type { LogEvent } from '../model/event.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import { LogReadError } from './log-read-error.js';
import { flattenBatches } from './log-reader.js';
import type { LogItem, LogReader, ReadContext } from './log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, at, firstStr, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const HEAD = /"protoPayload"\s*:/;

const entries = jsonLogReader({
  kind: 'gcp-audit',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: gcpAuditEvents,
});

/** Events of Cloud Logging entries that carry no audit log (see `toEvent`). */
export const GCP_LOGGING_SERVICE = 'gcp.logging';

/**
 * Reads GCP audit log entries. A `gcloud logging read` export mixes in other Cloud Logging
 * entries (`jsonPayload`, `textPayload`): they are read, as events no audit rule applies to, and
 * said once per file in a notice.
 */
export const gcpAuditReader: LogReader = {
  ...entries,
  read: (input, context) =>
    flattenBatches(withNotice(entries.readBatches!(input, context), context)),
  readBatches: (input, context) => withNotice(entries.readBatches!(input, context), context),
};

async function* withNotice(
  batches: AsyncIterable<LogItem[]>,
  context: ReadContext,
): AsyncGenerator<LogItem[]> {
  let other = 0;
  let first: number | undefined;
  for await (const batch of batches) {
    for (const item of batch) {
      if (item instanceof LogReadError || item.source.service !== GCP_LOGGING_SERVICE) continue;
      other++;
      first ??= item.source.line;
    }
    yield batch;
  }
  if (other === 0) return;
  const what =
    other === 1
      ? '1 Cloud Logging entry is not an audit log'
      : `${other} Cloud Logging entries are not audit logs`;
  yield [
    new LogReadError({
      file: context.file,
      code: 'NOTICE',
      message:
        `${what} (no protoPayload${first ? `; the first at line ${first}` : ''}): ` +
        'read, but no audit rule applies to them',
    }),
  ];
}

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
  if (!payload) return otherEntry(entry, place);
  const read = fieldTime([
    ...entryTimes(entry),
    [
      'requestMetadata.requestAttributes.time',
      at(payload, 'requestMetadata.requestAttributes.time'),
    ],
  ]);
  if (!read) return 'GCP audit log entry has no timestamp';
  if (read.refused !== undefined) return `GCP audit log entry${insertId(entry)}: ${read.refused}`;
  const time = read.time;

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

/**
 * A LogEntry's times: protobuf Timestamps, RFC 3339 in UTC (written with a Z), never numbers.
 */
function entryTimes(entry: Record<string, unknown>): Array<[string, unknown]> {
  return [
    ['timestamp', entry.timestamp],
    ['receiveTimestamp', entry.receiveTimestamp],
  ];
}

/** ` insertId` for messages, or nothing. */
function insertId(entry: Record<string, unknown>): string {
  const id = str(entry.insertId);
  return id ? ` ${id}` : '';
}

/**
 * A Cloud Logging entry with another payload (`jsonPayload`, `textPayload`): an event of its own
 * service, which no `gcp.audit` rule matches. Not a LogEntry at all is still an error.
 */
function otherEntry(entry: Record<string, unknown>, place: JsonPlace): LogEvent | string {
  const logName = str(entry.logName);
  const hasPayload = OTHER_PAYLOADS.some((key) => entry[key] !== undefined);
  if (!logName || !hasPayload) return 'not a GCP audit log entry: protoPayload missing';
  const read = fieldTime(entryTimes(entry));
  if (!read) return 'GCP log entry has no timestamp';
  if (read.refused !== undefined) return `GCP log entry${insertId(entry)}: ${read.refused}`;
  const time = read.time;
  return {
    time,
    source: {
      reader: 'gcp-audit',
      product: 'gcp',
      service: GCP_LOGGING_SERVICE,
      file: place.file,
      line: place.line,
    },
    account: firstStr(entry, 'resource.labels.project_id') ?? projectOf(logName),
    // The log's id: `projects/p/logs/testlog` -> `testlog` (ids are URL-encoded in the name).
    action: logIdOf(logName),
    fields: entry,
  };
}

const OTHER_PAYLOADS = ['jsonPayload', 'textPayload'];

function logIdOf(logName: string): string {
  const id = logName.slice(logName.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

function projectOf(logName: string | undefined): string | undefined {
  const match = logName ? /^projects\/([^/]+)\//.exec(logName) : null;
  return match?.[1];
}

function outcome(payload: Record<string, unknown>): 'success' | 'failure' {
  const code = at(payload, 'status.code');
  return typeof code === 'number' && code !== 0 ? 'failure' : 'success';
}
