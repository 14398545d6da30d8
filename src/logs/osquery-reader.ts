/**
 * osquery result logs: differential results (`action` added/removed, one row a line, or batched as
 * `diffResults`) and snapshot results (`snapshot: [rows]` or one row a line with action snapshot).
 */

import type { LogEvent } from '../model/event.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, str } from './record-fields.js';
import { fieldTime, rfc3339Ms } from './record-time.js';

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
  // unixTime is epoch seconds (a number, or a digit string in older osquery); calendarTime is
  // `Tue Sep 30 17:37:30 2014 UTC`.
  const read = fieldTime([
    ['unixTime', result.unixTime, { epoch: 's' }],
    ['calendarTime', result.calendarTime, { text: calendarTimeMs }],
  ]);
  if (!read) return `osquery result ${name} has no unixTime`;
  if (read.refused !== undefined) return `osquery result ${name}: ${read.refused}`;
  const time = read.time;

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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CALENDAR_TIME =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}:\d{2}:\d{2}) (\d{4}) UTC$/;

/** Epoch ms of osquery's `calendarTime` (`Tue Sep 30 17:37:30 2014 UTC`), or the reason. */
function calendarTimeMs(text: string): number | string {
  const m = CALENDAR_TIME.exec(text);
  const month = m ? MONTHS.indexOf(m[1]) + 1 : 0;
  if (!m || month === 0) return "expected osquery's form, e.g. Tue Sep 30 17:37:30 2014 UTC";
  const day = m[2].trim().padStart(2, '0');
  return rfc3339Ms(`${m[4]}-${String(month).padStart(2, '0')}-${day}T${m[3]}Z`);
}
