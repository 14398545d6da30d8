/**
 * Microsoft Entra ID (Azure AD) audit and sign-in logs, in the Log Analytics shape (`AuditLogs`,
 * `SigninLogs` tables, nested columns as JSON strings), the Graph API shape, and diagnostic exports.
 */

import type { LogEvent } from '../model/event.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, at, firstStr, parseJsonString, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const HEAD =
  /"(InitiatedBy|initiatedBy|LoggedByService|loggedByService|UserPrincipalName|userPrincipalName|AuthenticationRequirement|appDisplayName)"\s*:/;

/** Reads Entra ID audit and sign-in records. */
export const azureAdReader = jsonLogReader({
  kind: 'azure-ad',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: azureAdEvents,
});

/** Maps one parsed value: a record, a diagnostic export batch or a Graph page. */
export function azureAdEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, azureAdEvents);
  const obj = asObject(value);
  if (!obj) return ['not an Entra ID record: expected a JSON object'];
  if (Array.isArray(obj.records)) return mapEach(obj.records, place, azureAdEvents);
  if (Array.isArray(obj.value)) return mapEach(obj.value, place, azureAdEvents);
  return [azureAdEvent(obj, place)];
}

/** One audit or sign-in record as an event (`service` auditlogs or signinlogs). */
export function azureAdEvent(record: Record<string, unknown>, place: JsonPlace): LogEvent | string {
  // Diagnostic exports wrap the Graph-shaped record in `properties`.
  const body = asObject(record.properties) ?? record;
  const signIn = isSignIn(record, body);
  // Log Analytics, diagnostic settings and Graph all write these times in UTC.
  const read = fieldTime([
    ['TimeGenerated', record.TimeGenerated],
    ['time', record.time],
    ['createdDateTime', body.createdDateTime],
    ['activityDateTime', body.activityDateTime],
  ]);
  if (!read) return 'Entra ID record has no TimeGenerated or time';
  if (read.refused !== undefined) {
    const id = firstStr(body, 'Id', 'id') ?? firstStr(record, 'CorrelationId', 'correlationId');
    return `Entra ID record${id ? ` ${id}` : ''}: ${read.refused}`;
  }
  const time = read.time;

  const source = {
    reader: 'azure-ad',
    product: 'azure',
    service: signIn ? 'signinlogs' : 'auditlogs',
    file: place.file,
    line: place.line,
  };
  const account =
    firstStr(record, 'TenantId', 'AADTenantId', 'tenantId') ?? firstStr(body, 'tenantId');
  if (signIn) {
    return {
      time,
      source,
      account,
      actor: firstStr(body, 'UserPrincipalName', 'userPrincipalName', 'Identity', 'identity'),
      sourceIp: firstStr(body, 'IPAddress', 'ipAddress') ?? firstStr(record, 'callerIpAddress'),
      action: firstStr(record, 'OperationName', 'operationName') ?? 'Sign-in activity',
      target: firstStr(body, 'AppDisplayName', 'appDisplayName', 'ResourceDisplayName'),
      outcome: signInOutcome(body),
      fields: record,
    };
  }

  const initiatedBy = asObject(parseJsonString(body.InitiatedBy ?? body.initiatedBy));
  const targets = parseJsonString(body.TargetResources ?? body.targetResources);
  const firstTarget = Array.isArray(targets) ? targets[0] : undefined;
  return {
    time,
    source,
    account,
    actor: firstStr(
      initiatedBy,
      'user.userPrincipalName',
      'app.displayName',
      'app.servicePrincipalId',
    ),
    sourceIp:
      firstStr(initiatedBy, 'user.ipAddress', 'app.ipAddress') ??
      firstStr(record, 'callerIpAddress'),
    action:
      firstStr(body, 'OperationName', 'operationName', 'activityDisplayName') ??
      firstStr(record, 'OperationName', 'operationName'),
    target: firstStr(firstTarget, 'userPrincipalName', 'displayName', 'id'),
    outcome: auditOutcome(str(body.Result ?? body.result)),
    fields: record,
  };
}

function isSignIn(record: Record<string, unknown>, body: Record<string, unknown>): boolean {
  const kind = (str(record.Type) ?? str(record.category) ?? '').toLowerCase();
  if (kind.includes('signin')) return true;
  if (kind.includes('audit')) return false;
  const hasUser = body.UserPrincipalName !== undefined || body.userPrincipalName !== undefined;
  const hasIp = body.IPAddress !== undefined || body.ipAddress !== undefined;
  return hasUser && hasIp;
}

function signInOutcome(body: Record<string, unknown>): 'success' | 'failure' | undefined {
  const code =
    str(body.ResultType) ??
    str(at(body, 'status.errorCode')) ??
    str(at(parseJsonString(body.Status), 'errorCode'));
  if (code === undefined) return undefined;
  return code === '0' ? 'success' : 'failure';
}

function auditOutcome(result: string | undefined): 'success' | 'failure' | undefined {
  if (!result) return undefined;
  if (/^success/i.test(result)) return 'success';
  if (/^fail/i.test(result)) return 'failure';
  return undefined;
}
