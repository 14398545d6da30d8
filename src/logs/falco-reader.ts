/**
 * Falco alerts as Falco writes them with `json_output: true`: one JSON object a line with the rule,
 * priority, output text and `output_fields`.
 */

import type { LogEvent } from '../model/event.js';
import { named } from './finding-shapes.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const HEAD = /"output_fields"\s*:|"priority"\s*:[\s\S]{0,4000}"rule"\s*:/;

/** Reads Falco JSON alerts. */
export const falcoReader = jsonLogReader({
  kind: 'falco',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: falcoEvents,
});

/** Maps one parsed value: an alert or a list of alerts. */
export function falcoEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, falcoEvents);
  const alert = asObject(value);
  if (!alert) return ['not a Falco alert: expected a JSON object'];
  const rule = str(alert.rule);
  if (!rule) return ['not a Falco alert: rule missing'];
  // Falco writes `time` as RFC 3339 in UTC, to the nanosecond.
  const read = fieldTime([['time', alert.time]]);
  if (!read) return [`Falco alert ${rule} has no time`];
  if (read.refused !== undefined) return [`Falco alert ${rule}: ${read.refused}`];
  const time = read.time;

  const fields = asObject(alert.output_fields) ?? {};
  const event: LogEvent = {
    time,
    source: {
      reader: 'falco',
      product: 'linux',
      service: 'falco',
      file: place.file,
      line: place.line,
    },
    // The file or process an alert is about is no cloud resource: it is not the envelope's
    // `target` (which alerts list as one) but an entity of its own kind (see external-findings).
    actor: named(fields['user.name']),
    action: rule,
    host: named(alert.hostname),
    fields: alert,
  };
  return [event];
}
