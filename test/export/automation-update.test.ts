/**
 * Changing an automation rule through the API and the CLI: a paused rule acts on nothing, and
 * once enabled again acts on changes from then on, not on what happened meanwhile (against a real
 * syslog listener); an action sent back as the listing shows it keeps its stored secret; changes
 * are audited by field; a bad change is refused naming the field and leaves the rule as it was.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAutomationAdd, runAutomationUpdate } from '../../src/cli/automation-command.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { automationActions, findAutomationRow } from '../../src/store/automation-repository.js';
import { openStore } from '../../src/store/database.js';
import { auditEntries, startHarness, type Harness } from '../server/harness.js';
import { testAlert } from './support/alerts.js';
import { loopbackExporter, passesUntilSent, sentBodies } from './support/exporter-passes.js';
import { startSyslogListener, type SyslogListener } from './support/syslog-listener.js';

const jira = {
  kind: 'jira',
  baseUrl: 'https://example.atlassian.net',
  email: 'soc@example.com',
  apiToken: 'jira-api-token-value-1',
  projectKey: 'SEC',
  consoleUrl: 'https://palisade.example.com',
};

describe('PATCH /automations/:id', () => {
  let h: Harness;
  let admin: string;
  let reader: string;
  let listener: SyslogListener;
  beforeAll(async () => {
    h = await startHarness();
    admin = await h.token('security-admin');
    reader = await h.token('reader');
    listener = await startSyslogListener();
  });
  afterAll(async () => {
    await listener.close();
    await h.close();
  });

  const call = (token: string, method: string, url: string, payload?: unknown) =>
    h.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  const auditOf = async (id: string) =>
    (await auditEntries(h.db, 'automation.update')).filter((a) => a.target_id === id);

  it('pauses a rule, and once enabled again it acts on new changes only', async () => {
    const made = await call(admin, 'POST', '/automations', {
      name: 'alerts to syslog',
      triggers: ['alert.created'],
      actions: [
        { sink: { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: listener.port } },
      ],
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().rule.id as string;
    const e = loopbackExporter(h);
    const sent = () => sentBodies(listener);

    await saveAlerts(h.db, [testAlert(11)], []);
    await passesUntilSent(e, listener, 'without MFA #11"');
    expect(sent()).toContain('without MFA #11"');

    const paused = await call(admin, 'PATCH', `/automations/${id}`, { enabled: false });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json().rule).toMatchObject({ id, enabled: false, name: 'alerts to syslog' });
    await saveAlerts(h.db, [testAlert(12)], []);
    await passesUntilSent(e, listener, 'without MFA #12"');
    expect(sent()).not.toContain('without MFA #12"');

    expect((await call(admin, 'PATCH', `/automations/${id}`, { enabled: true })).statusCode).toBe(
      200,
    );
    await saveAlerts(h.db, [testAlert(13)], []);
    await passesUntilSent(e, listener, 'without MFA #13"');
    expect(sent()).toContain('without MFA #13"');
    // What happened while it was paused is not acted on late.
    await e.runOnce();
    expect(sent()).not.toContain('without MFA #12"');
    await e.stop();

    const audit = await auditOf(id);
    expect(audit.map((a) => a.details.changed)).toEqual([['enabled'], ['enabled']]);
  });

  it('keeps the sealed token when the listed action comes back changed', async () => {
    const made = await call(admin, 'POST', '/automations', {
      name: 'critical to Jira',
      triggers: ['alert.created'],
      conditions: { minSeverity: 'critical', scope: 'account:111122223333' },
      actions: [{ sink: jira }],
    });
    expect(made.statusCode, made.body).toBe(201);
    const listed = made.json().rule;
    expect(listed.actions[0].sink.apiToken).toBe('********');

    const res = await call(admin, 'PATCH', `/automations/${listed.id}`, {
      name: 'critical to Jira OPS',
      actions: [{ sink: { ...listed.actions[0].sink, projectKey: 'OPS' } }],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(jira.apiToken);
    const row = (await findAutomationRow(h.db, listed.id))!;
    expect(automationActions(row, h.serverKey)[0].sink).toMatchObject({
      apiToken: jira.apiToken,
      projectKey: 'OPS',
    });
    // The conditions not named stay, the scope among them.
    expect(res.json().rule.conditions).toEqual({
      minSeverity: 'critical',
      scope: { kind: 'account', value: '111122223333' },
    });
    const audit = await auditOf(listed.id);
    expect(audit[0].details.changed).toEqual(['name', 'actions[0].sink.projectKey']);
    expect(JSON.stringify(audit)).not.toContain(jira.apiToken);
  });

  it('refuses a rule whose rules glob expands past the bound, naming it, and stores nothing', async () => {
    const before = (await call(admin, 'GET', '/automations')).json().items.length;
    for (const rules of [['{a,b}'.repeat(38)], [`aws-s3-${'{a,b}'.repeat(11)}`]]) {
      const res = await call(admin, 'POST', '/automations', {
        name: 'too many alternatives',
        triggers: ['alert.created'],
        conditions: { rules },
        actions: [{ sink: jira }],
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(/conditions\.rules\[0\].*expands to more than 64/);
    }
    expect((await call(admin, 'GET', '/automations')).json().items).toHaveLength(before);
    const fine = await call(admin, 'POST', '/automations', {
      name: 'a few alternatives',
      triggers: ['alert.created'],
      conditions: { rules: ['aws-{s3,ec2,rds}-*'] },
      actions: [{ sink: jira }],
    });
    expect(fine.statusCode, fine.body).toBe(201);
  });

  it('refuses a bad change naming the field, and the rule stays as it was', async () => {
    const made = await call(admin, 'POST', '/automations', {
      name: 'kept',
      triggers: ['alert.created'],
      actions: [{ sink: jira }],
    });
    const id = made.json().rule.id as string;
    const before = await findAutomationRow(h.db, id);
    const refusals: [unknown, RegExp][] = [
      [{ triggers: ['alert.deleted'] }, /triggers\[0\]/],
      [{ conditions: { color: 'red' } }, /conditions\.color/],
      [
        {
          actions: [
            { sink: { kind: 'webhook', url: 'https://x.example.com', secret: '********' } },
          ],
        },
        /actions\[0\]\.sink\.secret/,
      ],
      [{ actions: [{ sink: { ...jira, baseUrl: 'http://169.254.169.254/' } }] }, /baseUrl/],
      [{ createdBy: 'someone' }, /nothing to change/],
      // 2^38 patterns once the {a,b} groups are expanded: every exporter pass would fail on it.
      [{ conditions: { rules: ['aws-*', '{a,b}'.repeat(38)] } }, /conditions\.rules\[1\]/],
    ];
    for (const [body, field] of refusals) {
      const res = await call(admin, 'PATCH', `/automations/${id}`, body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(400);
      expect(res.body).toMatch(field);
    }
    expect((await call(reader, 'PATCH', `/automations/${id}`, { enabled: false })).statusCode).toBe(
      403,
    );
    const scoped = await h.token('security-admin', ['111122223333']);
    expect((await call(scoped, 'PATCH', `/automations/${id}`, { enabled: false })).statusCode).toBe(
      403,
    );
    expect((await call(admin, 'PATCH', '/automations/nope', { enabled: false })).statusCode).toBe(
      404,
    );
    expect(await findAutomationRow(h.db, id)).toEqual(before);
    expect(await auditOf(id)).toEqual([]);
  });
});

describe('palisade automation update', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-automation-update-'));
  const db = join(dir, 'palisade.db');
  let out = '';
  let err = '';
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const capture = () => {
    out = '';
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  };

  it('pauses a rule and changes its conditions from a file, audited; bad input exits 2', async () => {
    capture();
    const rule = { name: 'to jira', triggers: ['alert.created'], actions: [{ sink: jira }] };
    expect(await runAutomationAdd({ db, rule: JSON.stringify(rule) }), err).toBe(0);
    const id = out.trim();

    const file = join(dir, 'change.yaml');
    writeFileSync(file, 'conditions:\n  minSeverity: high\n');
    capture();
    expect(await runAutomationUpdate(id, { db, file, disable: true }), err).toBe(0);
    expect(err).toContain('paused');
    capture();
    expect(await runAutomationUpdate(id, { db }), err).toBe(2);
    expect(err).toContain('nothing to change');
    writeFileSync(file, 'triggers: [alert.deleted]\n');
    capture();
    expect(await runAutomationUpdate(id, { db, file }), err).toBe(2);
    expect(err).toContain('triggers[0]');

    const store = await openStore(db);
    try {
      const row = (await findAutomationRow(store, id))!;
      expect(row.enabled).toBe(0);
      expect(JSON.parse(row.conditions)).toEqual({ minSeverity: 'high' });
      const key = loadServerKey({ storeLocation: db });
      expect(automationActions(row, key)[0].sink).toMatchObject({ apiToken: jira.apiToken });
      const audit = await auditEntries(store, 'automation.update');
      expect(audit).toHaveLength(1);
      expect(audit[0].details.changed).toEqual(['enabled', 'conditions']);
    } finally {
      await store.destroy();
    }
  });
});
