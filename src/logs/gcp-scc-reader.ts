/**
 * GCP Security Command Center findings: `findings.list` pages (`findings` or `listFindingsResults`)
 * and Pub/Sub notifications (`{"notificationConfigName", "finding"}`).
 */

import type { LogEvent } from '../model/event.js';
import { named, responseBody } from './finding-shapes.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, firstStr, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const HEAD =
  /"(listFindingsResults|notificationConfigName)"\s*:|securitycenter\.googleapis\.com|"findings"\s*:\s*\[[\s\S]{0,400}"(parent|resourceName)"\s*:/;

/** Reads Security Command Center findings. */
export const gcpSccReader = jsonLogReader({
  kind: 'gcp-scc',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: gcpSccEvents,
});

/** Maps one parsed value: a page of findings, a notification or a finding. */
export function gcpSccEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, gcpSccEvents);
  const raw = asObject(value);
  if (!raw) return ['not a Security Command Center finding: expected a JSON object'];
  const obj = responseBody(raw);
  if (Array.isArray(obj.listFindingsResults))
    return mapEach(obj.listFindingsResults, place, gcpSccEvents);
  if (Array.isArray(obj.findings)) return mapEach(obj.findings, place, gcpSccEvents);
  return [toEvent(obj, place)];
}

/** `record` is a bare finding, or a wrapper (list result, notification) holding it in `finding`. */
function toEvent(record: Record<string, unknown>, place: JsonPlace): LogEvent | string {
  const finding = asObject(record.finding) ?? record;
  const category = str(finding.category);
  if (!category || !str(finding.name))
    return 'not a Security Command Center finding: name or category missing';
  // Protobuf Timestamps: RFC 3339 in UTC.
  const read = fieldTime([
    ['eventTime', finding.eventTime],
    ['createTime', finding.createTime],
  ]);
  if (!read) return `Security Command Center finding ${category} has no eventTime`;
  if (read.refused !== undefined) {
    return `Security Command Center finding ${category}: ${read.refused}`;
  }
  const time = read.time;

  return {
    time,
    source: {
      reader: 'gcp-scc',
      product: 'gcp',
      service: 'scc',
      file: place.file,
      line: place.line,
    },
    account:
      named(firstStr(record, 'resource.projectDisplayName')) ??
      named(firstStr(record, 'resource.project')) ??
      orgOf(str(finding.parent)),
    action: category,
    target: named(finding.resourceName),
    fields: record,
  };
}

function orgOf(parent: string | undefined): string | undefined {
  const match = parent ? /^(organizations|projects|folders)\/[^/]+/.exec(parent) : null;
  return match?.[0];
}
