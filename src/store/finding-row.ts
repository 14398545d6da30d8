/** Stored finding rows as the posture engine's findings. */

import type { Finding, FindingStatus } from '../model/finding.js';
import type { Severity } from '../model/rule.js';
import type { FindingTable } from './schema.js';

/** The columns of a `findings` row a finding is made from. */
export type FindingRow = Omit<FindingTable, 'id' | 'assessment_id'>;

/** A stored finding row as the posture engine's finding. */
export function findingOfRow(row: FindingRow): Finding {
  return {
    ruleId: row.rule_id,
    resourceId: row.resource_id,
    resourceType: row.resource_type,
    resourceName: row.resource_name,
    status: row.status as FindingStatus,
    severity: row.severity as Severity,
    control: row.control,
    message: row.message,
    file: row.file ?? undefined,
    line: row.line ?? undefined,
    exemption: row.exemption ? (JSON.parse(row.exemption) as Finding['exemption']) : undefined,
  };
}
