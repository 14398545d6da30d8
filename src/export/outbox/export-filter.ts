/**
 * Which outbox records an export carries: its data types, its scope (everything, one cloud
 * account, one resource tag) and its minimum severity. An account's export takes a secure score
 * or compliance state only when it concerns that account alone. Records without a severity (secure score,
 * compliance) pass the severity filter. A tag scope takes recommendations by their resource's
 * tags and alerts by those of the assessed resources they concern; records without tags (score,
 * compliance, alerts about no assessed resource) never match it.
 */

import type { ExportDataType, ExportRecord } from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import { resourcesWithin } from '../../store/alert-resources.js';
import type { ExportScope } from '../exporter-config.js';
import {
  recordSeverity,
  recordTags,
  severityRank,
  type OutboxRow,
} from '../../store/outbox-repository.js';

/** The filters of an export. */
export interface ExportFilter {
  scope: ExportScope;
  types: readonly ExportDataType[];
  minSeverity: Severity | null;
}

/** True when the scope takes a record concerning `accounts` with resource `tags`. */
export function inScope(scope: ExportScope, accounts: readonly string[], tags: readonly string[]) {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'account') return accounts.includes(scope.value);
  return tags.includes(scope.value);
}

/** True when the export carries the outbox row. */
export function exportTakes(filter: ExportFilter, row: OutboxRow): boolean {
  return takes(
    filter,
    row.type,
    row.severity_rank,
    () => JSON.parse(row.accounts) as string[],
    () => JSON.parse(row.tags) as string[],
  );
}

/** `exportTakes` for a record not yet in the outbox. */
export function exportTakesRecord(filter: ExportFilter, record: ExportRecord): boolean {
  const severity = recordSeverity(record);
  return takes(
    filter,
    record.type,
    severity === undefined ? null : severityRank(severity),
    () => record.accounts,
    () => recordTags(record),
  );
}

function takes(
  filter: ExportFilter,
  type: string,
  rank: number | null,
  accounts: () => readonly string[],
  tags: () => readonly string[],
): boolean {
  if (!filter.types.includes(type as ExportDataType)) return false;
  if (filter.minSeverity !== null && rank !== null && rank < severityRank(filter.minSeverity)) {
    return false;
  }
  if (filter.scope.kind === 'all') return true;
  // A secure score or compliance state sums up every account it names: an account's export
  // carries it only when it is about that account alone, not an estate it is one part of.
  const scope = filter.scope;
  if (scope.kind === 'account' && (type === 'secure_score' || type === 'compliance')) {
    const of = accounts();
    return of.length > 0 && of.every((a) => a === scope.value);
  }
  return inScope(scope, accounts(), tags());
}

/**
 * `record` as an export of `scope` may carry it: an account's export gets an alert's linked
 * resources of that account only (`resourcesWithin`), as the API shows alerts to a caller
 * limited to accounts.
 */
export function scopedRecord(scope: ExportScope, record: ExportRecord): ExportRecord {
  if (scope.kind !== 'account' || record.type !== 'alert') return record;
  const data = record.data as { alert?: { resources?: { account?: string }[] } };
  const resources = data.alert?.resources;
  if (!resources) return record;
  const kept = resourcesWithin(resources, [scope.value]);
  if (kept.length === resources.length) return record;
  return {
    ...record,
    data: { ...data, alert: { ...data.alert, resources: kept } },
  } as ExportRecord;
}
