/**
 * AWS CloudTrail: S3 delivery files (`{"Records": [...]}`), JSON arrays, NDJSON, EventBridge
 * envelopes (record under `detail`) and LookupEvents output (record as a `CloudTrailEvent` string).
 */

import { isIP } from 'node:net';
import type { LogEvent } from '../model/event.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, at, firstStr, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const HEAD = /"eventVersion"\s*:|"CloudTrailEvent"\s*:|"AWS API Call via CloudTrail"/;

/** Request parameters that name the thing acted on, most specific first. */
const TARGET_PARAMETERS = [
  'bucketName',
  'roleName',
  'userName',
  'groupName',
  'policyArn',
  'functionName',
  'trailName',
  'name',
  'instanceId',
  'keyId',
  'secretId',
  'dBInstanceIdentifier',
  'snapshotId',
  'groupId',
  'volumeId',
  'clusterName',
  'logGroupName',
  'detectorId',
  'resourceArn',
];

/** Members every CloudTrail digest file has, in whatever order. */
const DIGEST_MEMBERS = [
  /"digestStartTime"\s*:/,
  /"digestSignatureAlgorithm"\s*:/,
  /"logFiles"\s*:/,
];

/**
 * True for a CloudTrail digest file (hourly hashes of the delivered log files, written beside
 * them under `CloudTrail-Digest/`): it holds no events, so a synced trail bucket's digests are
 * read as empty rather than reported one by one as unreadable.
 */
export function isCloudTrailDigest(head: string): boolean {
  return /^\s*\{/.test(head) && DIGEST_MEMBERS.every((member) => member.test(head));
}

/** Reads CloudTrail records in every delivery shape. */
export const cloudTrailReader = jsonLogReader({
  kind: 'cloudtrail',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: cloudTrailEvents,
});

/** Maps one parsed value (a record, a delivery file, an envelope, a LookupEvents item). */
export function cloudTrailEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, cloudTrailEvents);
  const obj = asObject(value);
  if (!obj) return ['not a CloudTrail record: expected a JSON object'];

  if (Array.isArray(obj.Records)) return mapEach(obj.Records, place, cloudTrailEvents);
  if (Array.isArray(obj.Events)) return mapEach(obj.Events, place, cloudTrailEvents);
  if (typeof obj.CloudTrailEvent === 'string') return lookupEvent(obj.CloudTrailEvent, place);
  const detail = asObject(obj.detail);
  const isEnvelope =
    detail !== undefined && (obj['detail-type'] !== undefined || 'eventName' in detail);
  if (isEnvelope) return cloudTrailEvents(detail, place);
  return [toEvent(obj, place)];
}

function lookupEvent(text: string, place: JsonPlace): JsonMapping {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return ['CloudTrailEvent is not valid JSON'];
  }
  const obj = asObject(record);
  return obj ? [toEvent(obj, place)] : ['CloudTrailEvent is not a JSON object'];
}

function toEvent(record: Record<string, unknown>, place: JsonPlace): LogEvent | string {
  const action = str(record.eventName);
  if (!action) return 'not a CloudTrail record: eventName missing';
  // CloudTrail writes eventTime in UTC with a Z, never a number. Logstash-shipped records (OTRF)
  // lost eventTime but kept it as @timestamp.
  const read = fieldTime([
    ['eventTime', record.eventTime],
    ['@timestamp', record['@timestamp']],
  ]);
  if (!read) return `CloudTrail record ${named(action, record)} has no eventTime`;
  if (read.refused !== undefined)
    return `CloudTrail record ${named(action, record)}: ${read.refused}`;
  const time = read.time;

  const event: LogEvent = {
    time,
    source: {
      reader: 'cloudtrail',
      product: 'aws',
      service: 'cloudtrail',
      file: place.file,
      line: place.line,
    },
    account: firstStr(record, 'recipientAccountId', 'userIdentity.accountId'),
    actor: firstStr(
      record,
      'userIdentity.arn',
      'userIdentity.principalId',
      'userIdentity.userName',
      'userIdentity.invokedBy',
    ),
    // AWS's own calls name the service instead (`autoscaling.amazonaws.com`): no address.
    sourceIp: addressOf(str(record.sourceIPAddress)),
    action,
    target: target(record),
    outcome: outcome(record),
    fields: record,
  };
  return event;
}

/** `StopLogging (event 3f2a...)`: the name, and the event's id when it has one. */
function named(action: string, record: Record<string, unknown>): string {
  const id = str(record.eventID);
  return id ? `${action} (event ${id})` : action;
}

function target(record: Record<string, unknown>): string | undefined {
  const resources = record.resources;
  if (Array.isArray(resources)) {
    for (const resource of resources) {
      const arn = firstStr(resource, 'ARN', 'arn');
      if (arn) return arn;
    }
  }
  const params = asObject(record.requestParameters);
  if (!params) return undefined;
  // Walk the record's few keys rather than probing all the known ones: the best-ranked wins.
  let best: string | undefined;
  let bestRank = TARGET_PARAMETERS.length;
  for (const key in params) {
    if (!Object.hasOwn(params, key)) continue;
    const rank = TARGET_RANK.get(key);
    if (rank === undefined || rank >= bestRank) continue;
    const value = str(params[key]);
    if (!value) continue;
    best = value;
    bestRank = rank;
  }
  return best;
}

const TARGET_RANK = new Map(TARGET_PARAMETERS.map((key, i) => [key, i]));

function outcome(record: Record<string, unknown>): 'success' | 'failure' {
  if (record.errorCode !== undefined && record.errorCode !== null) return 'failure';
  const login = str(at(record, 'responseElements.ConsoleLogin'));
  return login === 'Failure' ? 'failure' : 'success';
}

/**
 * The text when it is an address (IPv4 or IPv6; dotted digits count, as samples with leading
 * zeros are written), else undefined: `autoscaling.amazonaws.com`, `AWS Internal`.
 */
function addressOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return isIP(text) !== 0 || /^[\d.]+$/.test(text) ? text : undefined;
}
