/** Which records an export carries by its scope, for records that sum up several accounts. */

import { describe, expect, it } from 'vitest';
import { exportTakesRecord, type ExportFilter } from '../../src/export/outbox/export-filter.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { alertRecord } from '../../src/export/outbox/alert-records.js';
import { testAlert } from './support/alerts.js';

const score = (accounts: string[]): ExportRecord =>
  ({
    id: `secure_score-${accounts.join('-')}`,
    schemaVersion: 1,
    kind: 'snapshot',
    type: 'secure_score',
    occurredAt: '2026-01-01T00:00:00.000Z',
    accounts,
    data: { assessmentId: 'a1', overall: { current: 47.2 }, controls: [] },
  }) as unknown as ExportRecord;

const filter = (value: string): ExportFilter => ({
  scope: { kind: 'account', value },
  types: ['alert', 'recommendation', 'secure_score', 'compliance'],
  minSeverity: null,
});

describe('export scope', () => {
  it("carries a score to an account's export only when the score is that account's alone", () => {
    expect(exportTakesRecord(filter('111122223333'), score(['111122223333']))).toBe(true);
    // An estate score that includes the account also sums up others: not the account's to see.
    expect(exportTakesRecord(filter('111122223333'), score(['111122223333', '444455556666']))).toBe(
      false,
    );
    expect(exportTakesRecord(filter('111122223333'), score([]))).toBe(false);
    const all: ExportFilter = { ...filter('x'), scope: { kind: 'all' } };
    expect(exportTakesRecord(all, score(['111122223333', '444455556666']))).toBe(true);
  });

  it('still carries an alert that concerns the account among others', () => {
    const record = alertRecord(testAlert(3), { change: 'created' }, '2026-01-01T00:00:00.000Z');
    expect(exportTakesRecord(filter('111122223333'), record)).toBe(true);
    expect(exportTakesRecord(filter('999988887777'), record)).toBe(false);
  });
});
