/**
 * AWS Security Hub findings in the AWS Security Finding Format: `GetFindings` output and the
 * EventBridge events Security Hub sends ("Security Hub Findings - Imported" / custom actions).
 */

import type { LogEvent } from '../model/event.js';
import { responseBody } from './finding-shapes.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, firstStr, isoTime, str } from './record-fields.js';

const HEAD = /"(ProductArn|GeneratorId)"\s*:|"Security Hub Findings/;
/** CloudTrail records of Security Hub API calls carry findings in their request parameters. */
const CLOUDTRAIL = /"eventVersion"\s*:/;

/** Reads Security Hub ASFF findings. */
export const asffReader = jsonLogReader({
  kind: 'asff',
  detect: (sample) => HEAD.test(sample.head) && !CLOUDTRAIL.test(sample.head),
  toEvents: (value, place) => asffEvents(value, place, undefined),
});

/** Maps one parsed value: a finding, a GetFindings page or an EventBridge event. */
export function asffEvents(
  value: unknown,
  place: JsonPlace,
  eventTime: string | undefined,
): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, (v, p) => asffEvents(v, p, eventTime));
  const raw = asObject(value);
  if (!raw) return ['not a Security Hub finding: expected a JSON object'];
  const obj = responseBody(raw);

  const findings = obj.Findings ?? asObject(obj.detail)?.findings;
  if (Array.isArray(findings)) {
    const time = isoTime(obj.time) ?? eventTime;
    return mapEach(findings, place, (v, p) => asffEvents(v, p, time));
  }
  if (asObject(obj.detail)) return ['Security Hub event carries no findings'];
  return [toEvent(obj, place, eventTime)];
}

function toEvent(
  finding: Record<string, unknown>,
  place: JsonPlace,
  fallback?: string,
): LogEvent | string {
  const time =
    isoTime(finding.UpdatedAt) ??
    isoTime(finding.LastObservedAt) ??
    isoTime(finding.CreatedAt) ??
    fallback;
  const title = str(finding.Title);
  if (!title && !str(finding.Id)) return 'not a Security Hub finding: Id and Title missing';
  if (!time) return `Security Hub finding ${title ?? finding.Id} has no UpdatedAt or CreatedAt`;

  const resources = Array.isArray(finding.Resources) ? finding.Resources : [];
  return {
    time,
    source: {
      reader: 'asff',
      product: 'aws',
      service: 'securityhub',
      file: place.file,
      line: place.line,
    },
    account: str(finding.AwsAccountId),
    action: title ?? str(finding.GeneratorId),
    target: firstStr(resources[0], 'Id'),
    fields: finding,
  };
}
