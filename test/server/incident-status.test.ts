import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { startHarness, type Harness } from './harness.js';
import { INVICTUS, STRATUS } from './ingest-helpers.js';

let h: Harness;
let operator: string;
let incidentId: string;
let account: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await startHarness();
  const found = await detect({ paths: [STRATUS, INVICTUS] });
  expect(found.incidents.length).toBeGreaterThan(0);
  await saveAlerts(h.db, found.alerts, found.incidents);
  const incident = found.incidents[0];
  incidentId = incident.id;
  account = incident.entities.find((e) => e.kind === 'cloud-account')?.value ?? '';
  operator = await h.token('security-operator');
}, 60_000);
afterAll(() => h.close());

const patch = (token: string, id: string, payload: object) =>
  h.app.inject({
    method: 'PATCH',
    url: `/api/v1/incidents/${id}`,
    headers: auth(token),
    payload,
  });

describe('PATCH /api/v1/incidents/:id', () => {
  it('changes the status with a comment, audited, and shows it in the timeline', async () => {
    const res = await patch(operator, incidentId, {
      status: 'in_progress',
      comment: 'Looking at the CloudTrail deletion',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().incident).toMatchObject({ id: incidentId, status: 'in_progress' });
    expect(res.json().entry).toMatchObject({
      incidentId,
      from: 'active',
      to: 'in_progress',
      comment: 'Looking at the CloudTrail deletion',
      actor: { kind: 'token', name: 'test-security-operator' },
    });

    const comment = await patch(operator, incidentId, { comment: 'Same actor as last week' });
    expect(comment.json().entry).toMatchObject({ from: 'in_progress', to: 'in_progress' });

    const detail = await h.app.inject({
      url: `/api/v1/incidents/${incidentId}`,
      headers: auth(operator),
    });
    expect(detail.json().status).toBe('in_progress');
    const timeline = await h.app.inject({
      url: `/api/v1/incidents/${incidentId}/timeline`,
      headers: auth(await h.token('reader')),
    });
    expect(timeline.statusCode).toBe(200);
    expect(timeline.json().items.map((e: { comment: string }) => e.comment)).toEqual([
      'Looking at the CloudTrail deletion',
      'Same actor as last week',
    ]);

    const audit = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'incident.status')
      .orderBy('seq')
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ target_kind: 'incident', target_id: incidentId });
    expect(JSON.parse(audit[0].details)).toMatchObject({ from: 'active', to: 'in_progress' });
  });

  it('refuses Readers, unknown incidents, empty changes and callers scoped elsewhere', async () => {
    expect(
      (await patch(await h.token('reader'), incidentId, { status: 'resolved' })).statusCode,
    ).toBe(403);
    expect((await patch(operator, 'no-such-incident', { status: 'resolved' })).statusCode).toBe(
      404,
    );
    const empty = await patch(operator, incidentId, {});
    expect(empty.statusCode).toBe(400);
    const bad = await patch(operator, incidentId, { status: 'closed-forever' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/body\/status/);
    if (account) {
      const elsewhere = await h.token('security-operator', ['000000000000']);
      expect((await patch(elsewhere, incidentId, { status: 'resolved' })).statusCode).toBe(404);
      const inside = await h.token('security-operator', [account]);
      expect((await patch(inside, incidentId, { status: 'resolved' })).statusCode).toBe(200);
    }
  });
});
