/**
 * Exports and automation rules through the API: security admins change them (audited, secrets
 * stored encrypted and never returned), readers list them, scoped callers see their own only,
 * bad configurations are refused naming the field, dead letters are listed and replayed.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDeadLetters } from '../../src/store/delivery-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { startHarness, type Harness } from '../server/harness.js';

const webhook = {
  kind: 'webhook',
  url: 'https://siem.example.com/ingest',
  secret: 'a-very-long-shared-secret-123',
};

describe('export and automation API', () => {
  let h: Harness;
  let admin: string;
  let reader: string;
  beforeAll(async () => {
    h = await startHarness();
    admin = await h.token('security-admin');
    reader = await h.token('reader');
  });
  afterAll(() => h.close());

  const call = (token: string, method: string, url: string, payload?: unknown) =>
    h.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  it('creates an export with its secret sealed, lists it redacted, and audits the change', async () => {
    const res = await call(admin, 'POST', '/exports', {
      name: 'SIEM',
      sink: webhook,
      types: ['alert', 'compliance'],
      minSeverity: 'high',
      scope: 'tag:env=prod',
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().export;
    expect(created).toMatchObject({
      name: 'SIEM',
      scope: { kind: 'tag', value: 'env=prod' },
      types: ['alert', 'compliance'],
      minSeverity: 'high',
      secretFields: ['secret'],
      sink: { kind: 'webhook', secret: '********' },
    });
    expect(res.body).not.toContain(webhook.secret);

    const stored = await exportStore(h.db).selectFrom('exports').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(webhook.secret);
    expect(stored[0].sink_secrets).toMatch(/^palisade-secret:v1:/);

    const list = await call(reader, 'GET', '/exports');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((e: { id: string }) => e.id)).toEqual([created.id]);
    expect(list.body).not.toContain(webhook.secret);

    const audit = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'export.create')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].target_id).toBe(created.id);
    expect(audit[0].details).not.toContain(webhook.secret);

    const one = await call(reader, 'GET', `/exports/${created.id}`);
    expect(one.json()).toMatchObject({ delivery: { attempts: 0 }, deadLetters: 0 });
  });

  it('refuses readers changes and bad configurations, naming the field', async () => {
    expect((await call(reader, 'POST', '/exports', { name: 'x', sink: webhook })).statusCode).toBe(
      403,
    );
    const bad = await call(admin, 'POST', '/exports', {
      name: 'x',
      sink: { ...webhook, secret: 'short' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/sink\.secret/);
    const badScope = await call(admin, 'POST', '/exports', {
      name: 'x',
      sink: webhook,
      scope: 'team:a',
    });
    expect(badScope.json().message).toMatch(/scope/);
  });

  it('shows a scoped caller only the exports of its accounts', async () => {
    const scoped = await h.token('security-admin', ['111122223333']);
    const denied = await call(scoped, 'POST', '/exports', { name: 'all', sink: webhook });
    expect(denied.statusCode).toBe(403);
    const own = await call(scoped, 'POST', '/exports', {
      name: 'mine',
      sink: webhook,
      scope: 'account:111122223333',
    });
    expect(own.statusCode).toBe(201);
    const seen = (await call(scoped, 'GET', '/exports'))
      .json()
      .items.map((e: { name: string }) => e.name);
    expect(seen).toEqual(['mine']);
  });

  it('lists dead letters and replays them, then deletes the export', async () => {
    const id = (await call(admin, 'GET', '/exports')).json().items[0].id as string;
    await addDeadLetters(
      h.db,
      `export:${id}`,
      [
        { seq: 1, recordId: 'alert-00000000000000000000000000000001' },
        { seq: 2, recordId: 'alert-00000000000000000000000000000002' },
      ],
      8,
      'webhook answered 503',
      new Date(),
    );
    const dead = await call(reader, 'GET', `/exports/${id}/dead-letters`);
    expect(dead.json().items.map((d: { status: string }) => d.status)).toEqual(['dead', 'dead']);
    const first = dead.json().items[1].id as number;
    // An id that is no dead letter of this export queues nothing and says so.
    const wrong = await call(admin, 'POST', `/exports/${id}/dead-letters/replay`, {
      ids: [first, 99_999],
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toBe(`no dead letter 99999 of export ${id}`);
    const one = await call(admin, 'POST', `/exports/${id}/dead-letters/replay`, { ids: [first] });
    expect(one.json()).toEqual({ queued: 1 });
    const again = await call(admin, 'POST', `/exports/${id}/dead-letters/replay`, { ids: [first] });
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toMatch(/is not dead: only dead ones are sent again/);
    const rest = await call(admin, 'POST', `/exports/${id}/dead-letters/replay`, {});
    expect(rest.json()).toEqual({ queued: 1 });
    const waiting = await call(reader, 'GET', `/exports/${id}/dead-letters?status=replay`);
    expect(waiting.json().items).toHaveLength(2);

    expect((await call(reader, 'DELETE', `/exports/${id}`)).statusCode).toBe(403);
    expect((await call(admin, 'DELETE', `/exports/${id}`)).statusCode).toBe(200);
    expect((await call(admin, 'GET', `/exports/${id}`)).statusCode).toBe(404);
    const actions = await h.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'export.%')
      .orderBy('seq')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'export.create',
      'export.create',
      'export.replay',
      'export.replay',
      'export.delete',
    ]);
  });

  it('manages automation rules with their runs, audited and redacted', async () => {
    const res = await call(admin, 'POST', '/automations', {
      name: 'Critical alerts to Jira',
      triggers: ['alert.created', 'alert.changed'],
      conditions: { minSeverity: 'critical', rules: ['aws-*'], tags: { env: 'prod' } },
      actions: [
        {
          sink: {
            kind: 'jira',
            baseUrl: 'https://example.atlassian.net',
            email: 'soc@example.com',
            apiToken: 'jira-api-token-value',
            projectKey: 'SEC',
            consoleUrl: 'https://palisade.example.com',
          },
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain('jira-api-token-value');
    const rule = res.json().rule;
    expect(rule.actions[0].sink.apiToken).toBe('********');

    const bad = await call(admin, 'POST', '/automations', {
      name: 'x',
      triggers: ['alert.deleted'],
      actions: [{ sink: webhook }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/triggers\[0\]/);

    expect((await call(reader, 'GET', '/automations')).json().items).toHaveLength(1);
    expect((await call(reader, 'GET', `/automations/${rule.id}/runs`)).json()).toEqual({
      items: [],
    });
    expect((await call(reader, 'DELETE', `/automations/${rule.id}`)).statusCode).toBe(403);

    // A caller limited to accounts may neither make nor delete a rule that sees every account.
    const scoped = await h.token('security-admin', ['111122223333']);
    const made = await call(scoped, 'POST', '/automations', {
      name: 'Scoped',
      triggers: ['alert.created'],
      actions: [{ sink: webhook }],
    });
    expect(made.statusCode).toBe(403);
    expect(made.json().message).toMatch(/cannot make them/);
    const removed = await call(scoped, 'DELETE', `/automations/${rule.id}`);
    expect(removed.statusCode).toBe(403);
    expect(removed.json().message).toMatch(/cannot delete them/);

    // The records the rule gave up on: listed to readers, replayed by admins, never to scoped.
    await addDeadLetters(
      h.db,
      `automation:${rule.id}`,
      [{ seq: 3, recordId: 'alert-00000000000000000000000000000003' }],
      5,
      'jira answered 503',
      new Date(),
    );
    const dead = await call(reader, 'GET', `/automations/${rule.id}/dead-letters`);
    expect(dead.json().items).toMatchObject([
      { recordId: 'alert-00000000000000000000000000000003', status: 'dead', attempts: 5 },
    ]);
    expect((await call(scoped, 'GET', `/automations/${rule.id}/dead-letters`)).statusCode).toBe(
      403,
    );
    // Nor its runs, which name the same records of every account and their errors.
    const runs = await call(scoped, 'GET', `/automations/${rule.id}/runs`);
    expect(runs.statusCode).toBe(403);
    expect(runs.json().message).toMatch(/cannot read the runs of them/);
    const replayPath = `/automations/${rule.id}/dead-letters/replay`;
    expect((await call(reader, 'POST', replayPath, {})).statusCode).toBe(403);
    expect((await call(admin, 'POST', replayPath, {})).json()).toEqual({ queued: 1 });
    expect((await call(admin, 'GET', '/automations/nope/dead-letters')).statusCode).toBe(404);

    expect((await call(admin, 'DELETE', `/automations/${rule.id}`)).statusCode).toBe(200);
    const audit = await h.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'automation.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'automation.create',
      'automation.replay',
      'automation.delete',
    ]);
  });
});
