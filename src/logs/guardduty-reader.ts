/**
 * Amazon GuardDuty findings: the API shape (`GetFindings`, PascalCase) and the EventBridge event
 * "GuardDuty Finding" (camelCase `detail`).
 */

import type { LogEvent } from '../model/event.js';
import { named, responseBody } from './finding-shapes.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, at, firstStr } from './record-fields.js';
import { fieldTime } from './record-time.js';
import type { TimeField } from './record-time.js';

const HEAD = /"GuardDuty Finding"|"(detectorId|DetectorId)"\s*:/;
/** CloudTrail records of GuardDuty API calls also name a detectorId. */
const CLOUDTRAIL = /"eventVersion"\s*:/;

/** Paths to the remote address of each GuardDuty action type (camelCase; PascalCase is mapped). */
const REMOTE_IPS = [
  'service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
  'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4',
  'service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4',
  'service.action.rdsLoginAttemptAction.remoteIpDetails.ipAddressV4',
];

/** Reads GuardDuty findings. */
export const guardDutyReader = jsonLogReader({
  kind: 'guardduty',
  detect: (sample) => HEAD.test(sample.head) && !CLOUDTRAIL.test(sample.head),
  toEvents: guardDutyEvents,
});

/** Maps one parsed value: a finding, a GetFindings page or an EventBridge event. */
export function guardDutyEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, guardDutyEvents);
  const raw = asObject(value);
  if (!raw) return ['not a GuardDuty finding: expected a JSON object'];
  const obj = responseBody(raw);
  if (Array.isArray(obj.Findings)) return mapEach(obj.Findings, place, guardDutyEvents);
  const detail = asObject(obj.detail);
  if (detail) return [toEvent(detail, place, ['time', obj.time])];
  return [toEvent(obj, place, undefined)];
}

function toEvent(
  finding: Record<string, unknown>,
  place: JsonPlace,
  fallback?: TimeField,
): LogEvent | string {
  // GuardDuty writes a part it lacks as "null" at times: such a value names nothing.
  const f = (path: string) =>
    named(firstStr(finding, path)) ?? named(firstStr(finding, pascal(path)));
  const type = f('type');
  if (!type) return 'not a GuardDuty finding: type missing';
  // RFC 3339 texts in UTC; an EventBridge envelope's `time` when the finding has none.
  const read = fieldTime([
    ['updatedAt', f('updatedAt')],
    ['service.eventLastSeen', f('service.eventLastSeen')],
    ['createdAt', f('createdAt')],
    ...(fallback ? [fallback] : []),
  ]);
  if (!read) return `GuardDuty finding ${type} has no updatedAt`;
  if (read.refused !== undefined) {
    const id = f('id');
    return `GuardDuty finding ${type}${id ? ` (${id})` : ''}: ${read.refused}`;
  }
  const time = read.time;

  const instanceId = f('resource.instanceDetails.instanceId');
  return {
    time,
    source: {
      reader: 'guardduty',
      product: 'aws',
      service: 'guardduty',
      file: place.file,
      line: place.line,
    },
    account: f('accountId'),
    actor: f('resource.accessKeyDetails.userName') ?? f('resource.accessKeyDetails.principalId'),
    sourceIp: REMOTE_IPS.map(f).find((ip) => ip !== undefined) ?? portProbeIp(finding),
    action: type,
    target: instanceId ?? f('resource.accessKeyDetails.accessKeyId') ?? f('arn'),
    host: instanceId,
    fields: finding,
  };
}

function portProbeIp(finding: Record<string, unknown>): string | undefined {
  const details =
    at(finding, 'service.action.portProbeAction.portProbeDetails') ??
    at(finding, 'Service.Action.PortProbeAction.PortProbeDetails');
  if (!Array.isArray(details)) return undefined;
  return named(firstStr(details[0], 'remoteIpDetails.ipAddressV4', 'RemoteIpDetails.IpAddressV4'));
}

/** `service.action.x` → `Service.Action.X`, the API's spelling. */
function pascal(path: string): string {
  return path
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('.');
}
