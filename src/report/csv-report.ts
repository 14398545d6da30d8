/** Findings as CSV (RFC 4180), one row per finding, safe to open in a spreadsheet. */

import type { AssessmentResult } from '../model/assessment.js';
import { printable } from './terminal-text.js';

const COLUMNS = [
  'rule_id',
  'severity',
  'control',
  'status',
  'exempt',
  'resource_type',
  'resource_id',
  'resource_name',
  'file',
  'line',
  'message',
] as const;

/**
 * Quotes a cell; a leading = + - @ is neutralised so spreadsheets never run it as a formula, and
 * control characters (a resource name's escape sequences) are written as escapes, since CSV is
 * printed to terminals as often as it is saved.
 */
export function csvCell(value: unknown): string {
  let text = printable(value === undefined || value === null ? '' : String(value));
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(a: AssessmentResult): string {
  const rows = [COLUMNS.join(',')];
  for (const f of a.findings) {
    rows.push(
      [
        f.ruleId,
        f.severity,
        f.control,
        f.status,
        f.exemption ? f.exemption.category : '',
        f.resourceType,
        f.resourceId,
        f.resourceName,
        f.file,
        f.line,
        f.message,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}
