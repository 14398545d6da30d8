/**
 * A caller limited to accounts sees only its accounts' resources on an alert, found by a
 * penetration test: an alert of account 111122223333 naming an IaC bucket (which names no
 * account) handed that bucket and its tags to a Reader scoped to the account, who was refused
 * the same bucket by the resources routes.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/model/alert.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { alertFromRow, alertRecord } from '../../src/export/outbox/alert-records.js';
import { scopedRecord } from '../../src/export/outbox/export-filter.js';
import { saveAlerts, storedAlerts } from '../../src/store/alert-repository.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { startHarness, type Harness } from './harness.js';

const ACCOUNT = '111122223333';
const alert: Alert = {
  id: 'bucket-policy-changed',
  title: 'AWS S3 bucket policy changed',
  description: '',
  severity: 'high',
  status: 'active',
  attack: { tactics: [], techniques: [] },
  entities: [
    { kind: 'cloud-resource', value: 'arn:aws:s3:::orders-prod-invoices' },
    { kind: 'cloud-account', value: ACCOUNT },
  ],
  firstSeen: '2026-12-01T10:00:00.000Z',
  lastSeen: '2026-12-01T10:00:00.000Z',
  eventCount: 1,
  evidence: [],
  remediation: [],
  rule: { kind: 'sigma', id: 'r-1', title: 'bucket policy changed' },
};

describe('resources on an alert', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await saveAssessment(
      h.db,
      await assess({ paths: ['samples/estate'], rules: await loadRules() }),
    );
    await saveAlerts(h.db, [alert], []);
  });
  afterAll(() => h.close());

  const get = async (token: string, url: string) => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.statusCode, body: res.json() };
  };

  it('are all shown to an unscoped caller, and only its accounts to a scoped one', async () => {
    const everyone = await get(await h.token('reader'), `/alerts/${alert.id}`);
    expect(everyone.status).toBe(200);
    const linked = everyone.body.resources as { name: string; account?: string }[];
    expect(linked.map((r) => r.name)).toContain('orders-prod-invoices');
    expect(linked.find((r) => r.name === 'orders-prod-invoices')!.account).toBeUndefined();

    const scopedToken = await h.token('reader', [ACCOUNT]);
    const scoped = await get(scopedToken, `/alerts/${alert.id}`);
    expect(scoped.status).toBe(200);
    expect(scoped.body.resources).toEqual([]);
    expect(JSON.stringify(scoped.body)).not.toContain('billing-team');
    expect(JSON.stringify(scoped.body)).not.toContain('payments-team');
    // The resources routes refuse it the same bucket.
    const direct = await get(
      scopedToken,
      `/resources/detail?id=${encodeURIComponent('arn:aws:s3:::orders-prod-invoices')}`,
    );
    expect(direct.status).toBe(404);
  });

  it('reach an account-scoped export only when they are of that account', async () => {
    const [row] = await storedAlerts(h.db);
    const record = alertRecord(alertFromRow(row), { change: 'created' }, row.first_seen);
    const resourcesOf = (r: typeof record) =>
      ((r.data as { alert: Alert }).alert.resources ?? []).map((x) => x.name);
    expect(resourcesOf(record)).toContain('orders-prod-invoices');
    expect(resourcesOf(scopedRecord({ kind: 'all' }, record))).toContain('orders-prod-invoices');
    expect(resourcesOf(scopedRecord({ kind: 'account', value: ACCOUNT }, record))).toEqual([]);
    // The record itself, shared by every export, is left as it was.
    expect(resourcesOf(record)).toContain('orders-prod-invoices');
  });
});
