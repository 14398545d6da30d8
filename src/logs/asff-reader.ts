/**
 * AWS Security Hub findings in the AWS Security Finding Format: `GetFindings` output and the
 * EventBridge events Security Hub sends ("Security Hub Findings - Imported" / custom actions).
 */

import type { LogEvent } from '../model/event.js';
import { named, namedId, responseBody } from './finding-shapes.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, at, str } from './record-fields.js';
import { fieldTime } from './record-time.js';
import type { TimeField } from './record-time.js';

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
  eventTime: TimeField | undefined,
): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, (v, p) => asffEvents(v, p, eventTime));
  const raw = asObject(value);
  if (!raw) return ['not a Security Hub finding: expected a JSON object'];
  const obj = responseBody(raw);

  const findings = obj.Findings ?? asObject(obj.detail)?.findings;
  if (Array.isArray(findings)) {
    const time: TimeField | undefined = obj.time !== undefined ? ['time', obj.time] : eventTime;
    return mapEach(findings, place, (v, p) => asffEvents(v, p, time));
  }
  if (asObject(obj.detail)) return ['Security Hub event carries no findings'];
  return [toEvent(obj, place, eventTime)];
}

function toEvent(
  finding: Record<string, unknown>,
  place: JsonPlace,
  fallback?: TimeField,
): LogEvent | string {
  const title = str(finding.Title);
  if (!title && !str(finding.Id)) return 'not a Security Hub finding: Id and Title missing';
  // When the activity was seen, not when the finding record was written or last touched: a
  // finding updated days later still dates the activity it reports. ASFF times are ISO 8601
  // with Z or an offset; an EventBridge envelope's `time` when the finding has none.
  const read = fieldTime([
    ['LastObservedAt', finding.LastObservedAt],
    ['FirstObservedAt', finding.FirstObservedAt],
    ['UpdatedAt', finding.UpdatedAt],
    ['CreatedAt', finding.CreatedAt],
    ...(fallback ? [fallback] : []),
  ]);
  const what = `Security Hub finding ${title ?? str(finding.Id)}`;
  if (!read) return `${what} has no UpdatedAt or CreatedAt`;
  if (read.refused !== undefined) return `${what}: ${read.refused}`;
  const time = read.time;

  return {
    time,
    source: {
      reader: 'asff',
      product: 'aws',
      service: 'securityhub',
      file: place.file,
      line: place.line,
    },
    account: named(finding.AwsAccountId),
    actor: asffPrincipals(finding)[0],
    sourceIp: asffRemoteIp(finding),
    action: title ?? str(finding.GeneratorId),
    target: asffResourceIds(finding)[0],
    fields: finding,
  };
}

/** The ids of the finding's resources that name one (not `AWS::IAM::AccessKey:null`). */
export function asffResourceIds(finding: Record<string, unknown>): string[] {
  const resources = Array.isArray(finding.Resources) ? finding.Resources : [];
  const ids = resources.map((r) => namedId(at(r, 'Id')));
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

/** Where ASFF resource details name a user or principal. */
const PRINCIPAL_PATHS = [
  'Details.AwsIamAccessKey.PrincipalName',
  'Details.AwsIamAccessKey.UserName',
  'Details.AwsIamUser.UserName',
  'Details.AwsIamRole.RoleName',
];

/** The users and principals the finding's resources name. */
export function asffPrincipals(finding: Record<string, unknown>): string[] {
  const resources = Array.isArray(finding.Resources) ? finding.Resources : [];
  const out = new Set<string>();
  for (const r of resources) {
    for (const path of PRINCIPAL_PATHS) {
      const name = named(at(r, path));
      if (name) {
        out.add(name);
        break;
      }
    }
  }
  return [...out];
}

/** The remote address of each ASFF action type. */
const REMOTE_IP_PATHS = [
  'Action.AwsApiCallAction.RemoteIpDetails.IpAddressV4',
  'Action.NetworkConnectionAction.RemoteIpDetails.IpAddressV4',
];

/**
 * The remote address: the `Action` object's, a port probe's, then the one GuardDuty flattens
 * into `ProductFields` (`action/awsApiCallAction/remoteIpDetails/ipAddressV4`, newer findings
 * with an `aws/guardduty/service/` prefix), which older findings carry alone.
 */
export function asffRemoteIp(finding: Record<string, unknown>): string | undefined {
  for (const path of REMOTE_IP_PATHS) {
    const ip = named(at(finding, path));
    if (ip) return ip;
  }
  const probes = at(finding, 'Action.PortProbeAction.PortProbeDetails');
  if (Array.isArray(probes)) {
    for (const p of probes) {
      const ip = named(at(p, 'RemoteIpDetails.IpAddressV4'));
      if (ip) return ip;
    }
  }
  const product = asObject(finding.ProductFields);
  if (!product) return undefined;
  for (const [key, value] of Object.entries(product)) {
    if (!/(^|\/)remoteIpDetails\/ipAddressV4$/.test(key)) continue;
    const ip = named(value);
    if (ip) return ip;
  }
  return undefined;
}
