/**
 * osquery result logs: differential results (`action` added/removed, one row a line, or batched as
 * `diffResults`) and snapshot results (`snapshot: [rows]` or one row a line with action snapshot).
 */

import type { LogEvent } from '../model/event.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, isoTime, str } from './record-fields.js';

const HEAD = /"hostIdentifier"\s*:[\s\S]{0,2000}"(columns|snapshot|diffResults)"\s*:/;

/** Reads osquery differential and snapshot result logs. */
export const osqueryReader = jsonLogReader({
  kind: 'osquery',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: osqueryEvents,
});

/** Maps one parsed value into one event per result row. */
export function osqueryEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, osqueryEvents);
  const result = asObject(value);
  if (!result) return ['not an osquery result: expected a JSON object'];
  const { snapshot, diffResults, ...rest } = result;

  if (Array.isArray(snapshot)) return snapshot.map((row) => rowEvent(rest, row, 'snapshot', place));
  const diff = asObject(diffResults);
  if (diff) {
    const added = Array.isArray(diff.added) ? diff.added : [];
    const removed = Array.isArray(diff.removed) ? diff.removed : [];
    return [
      ...added.map((row) => rowEvent(rest, row, 'added', place)),
      ...removed.map((row) => rowEvent(rest, row, 'removed', place)),
    ];
  }
  if (!asObject(result.columns))
    return ['not an osquery result: no columns, snapshot or diffResults'];
  return [rowEvent(result, result.columns, str(result.action) ?? 'added', place)];
}

function rowEvent(
  result: Record<string, unknown>,
  row: unknown,
  action: string,
  place: JsonPlace,
): LogEvent | string {
  const columns = asObject(row);
  const name = str(result.name);
  if (!columns || !name) return 'not an osquery result row: name or columns missing';
  const time = isoTime(result.unixTime, 's') ?? isoTime(result.calendarTime);
  if (!time) return `osquery result ${name} has no unixTime`;

  return {
    time,
    source: { reader: 'osquery', service: 'osquery', file: place.file, line: place.line },
    host: str(result.hostIdentifier),
    actor: str(columns.username) ?? str(columns.user),
    action: `${name}.${action}`,
    target: str(columns.path) ?? str(columns.name),
    fields: { ...result, columns, action },
  };
}
