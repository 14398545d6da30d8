/**
 * An alert's timeline says when detection raised it, before any status change: a new alert's
 * timeline was empty (and the console said "No status changes yet") until an analyst acted.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import type { Alert } from '../../src/model/alert.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { shared } from '../support/paths.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let analyst: string;
let alert: Alert;

const call = async (method: 'GET' | 'PATCH', url: string, payload?: object) => {
  const res = await h.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${analyst}` },
    ...(payload ? { payload } : {}),
  });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  h = await startHarness();
  const found = await detect({
    paths: [shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log')],
    year: 2025,
  });
  await saveAlerts(h.db, found.alerts, found.incidents);
  alert = found.alerts[0];
  analyst = await h.token('security-operator');
}, 60_000);
afterAll(() => h.close());

describe("a new alert's timeline", () => {
  const raised = () => ({
    id: 0,
    alertId: alert.id,
    at: alert.firstSeen,
    actor: { kind: 'system', id: null, name: 'detection' },
    from: 'active',
    to: 'active',
    comment: 'raised by detection (its first event)',
  });

  it('says when detection raised it, at its first event, before any status change', async () => {
    const timeline = await call('GET', `/alerts/${alert.id}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items).toEqual([raised()]);
  });

  it('keeps that first, then the status changes in order', async () => {
    const changed = await call('PATCH', `/alerts/${alert.id}`, {
      status: 'in_progress',
      comment: 'looking',
    });
    expect(changed.status).toBe(200);
    const timeline = await call('GET', `/alerts/${alert.id}/timeline`);
    expect(timeline.body.items).toHaveLength(2);
    expect(timeline.body.items[0]).toEqual(raised());
    expect(timeline.body.items[1]).toMatchObject({
      from: 'active',
      to: 'in_progress',
      comment: 'looking',
    });
    expect(timeline.body.items[1].id).toBeGreaterThan(0);
  });

  it('is still 404 for an alert that does not exist', async () => {
    expect((await call('GET', '/alerts/no-such-alert/timeline')).status).toBe(404);
  });
});
