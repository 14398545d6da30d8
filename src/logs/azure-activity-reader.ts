/**
 * Azure Activity Log: Event Hub / storage exports (`{"records": [...]}` or one record a line) and
 * `az monitor activity-log list` output (camelCase, or snake_case as the Python SDK prints it).
 */

import type { LogEvent } from '../model/event.js';
import { azureAdEvent } from './azure-ad-reader.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, firstStr, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const OPERATION = /"(operationName|operation_name)"\s*:/;
const RESOURCE = /"(resourceId|resource_id)"\s*:/;

/** Categories that Entra ID (Azure AD) diagnostic settings export beside the activity log. */
const ENTRA_CATEGORIES = new Set([
  'signinlogs',
  'auditlogs',
  'noninteractiveusersigninlogs',
  'serviceprincipalsigninlogs',
  'managedidentitysigninlogs',
]);

/** Reads Azure Activity Log records. */
export const azureActivityReader = jsonLogReader({
  kind: 'azure-activity',
  detect: (sample) => OPERATION.test(sample.head) && RESOURCE.test(sample.head),
  toEvents: azureActivityEvents,
});

/** Maps one parsed value: a record, an Event Hub batch or a list. */
export function azureActivityEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, azureActivityEvents);
  const obj = asObject(value);
  if (!obj) return ['not an Azure Activity Log record: expected a JSON object'];
  if (Array.isArray(obj.records)) return mapEach(obj.records, place, azureActivityEvents);
  if (Array.isArray(obj.value)) return mapEach(obj.value, place, azureActivityEvents);

  const category = str(valueOf(obj.category)) ?? '';
  if (ENTRA_CATEGORIES.has(category.toLowerCase())) return [azureAdEvent(obj, place)];
  return [toEvent(obj, place)];
}

function toEvent(record: Record<string, unknown>, place: JsonPlace): LogEvent | string {
  const action = str(valueOf(record.operationName ?? record.operation_name));
  if (!action) return 'not an Azure Activity Log record: operationName missing';
  // Activity Log times are UTC (`time`, or `eventTimestamp` in the REST API's shape).
  const read = fieldTime([
    ['time', record.time],
    ['eventTimestamp', record.eventTimestamp],
    ['event_timestamp', record.event_timestamp],
  ]);
  if (!read) return `Azure Activity Log record ${action} has no time`;
  if (read.refused !== undefined) return `Azure Activity Log record ${action}: ${read.refused}`;
  const time = read.time;

  const resourceId = firstStr(record, 'resourceId', 'resource_id');
  return {
    time,
    source: {
      reader: 'azure-activity',
      product: 'azure',
      service: 'activitylogs',
      file: place.file,
      line: place.line,
    },
    account: firstStr(record, 'subscriptionId', 'subscription_id') ?? subscriptionOf(resourceId),
    actor: str(record.caller) ?? claim(record, 'upn') ?? claim(record, 'nameidentifier'),
    sourceIp: firstStr(
      record,
      'callerIpAddress',
      'httpRequest.clientIpAddress',
      'http_request.client_ip_address',
    ),
    action,
    target: resourceId,
    outcome: outcome(record),
    fields: record,
  };
}

/** `{ value, localizedValue }` pairs as `az` prints them, or the plain string. */
function valueOf(field: unknown): unknown {
  const obj = asObject(field);
  return obj ? obj.value : field;
}

function subscriptionOf(resourceId: string | undefined): string | undefined {
  const match = resourceId ? /^\/subscriptions\/([^/]+)/i.exec(resourceId) : null;
  return match?.[1];
}

/** A claim whose URI ends in `name`, whatever its schema prefix (dots in the keys defeat `at`). */
function claim(record: Record<string, unknown>, name: string): string | undefined {
  const claims = asObject(asObject(record.identity)?.claims) ?? asObject(record.claims);
  if (!claims) return undefined;
  for (const [key, value] of Object.entries(claims)) {
    if (key.endsWith(`/${name}`)) return str(value);
  }
  return undefined;
}

function outcome(record: Record<string, unknown>): 'success' | 'failure' | undefined {
  const status = str(valueOf(record.resultType ?? record.status)) ?? '';
  if (/^(failed|failure)$/i.test(status)) return 'failure';
  if (/^(succeeded|success)$/i.test(status)) return 'success';
  return undefined;
}
