/**
 * Changing exports and automation rules through the API and the CLI: a paused export sends
 * nothing and catches up once enabled again, a paused rule acts on nothing and, enabled again,
 * only on changes from then on (against a real syslog listener); a sink or action sent back as
 * the listing shows it keeps its stored secrets; every change is audited by field, never with a
 * secret; a bad change is refused naming the field and leaves what is stored as it was.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAutomationAdd, runAutomationUpdate } from '../../src/cli/automation-command.js';
import { runExportAdd, runExportUpdate } from '../../src/cli/export-command.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { automationActions, findAutomationRow } from '../../src/store/automation-repository.js';
import { openStore } from '../../src/store/database.js';
import { exportSinkConfig, findExportRow } from '../../src/store/export-repository.js';
import { auditEntries, startHarness, type Harness } from '../server/harness.js';
import { testAlert } from './support/alerts.js';
import { loopbackExporter, passesUntilSent, sentBodies } from './support/exporter-passes.js';
import { startSyslogListener, type SyslogListener } from './support/syslog-listener.js';
import { allowLoopbackExports } from './support/allow-loopback.js';

allowLoopbackExports();

const jira = {
  kind: 'jira',
  baseUrl: 'https://example.atlassian.net',
  email: 'soc@example.com',
  apiToken: 'jira-api-token-value-1',
  projectKey: 'SEC',
  consoleUrl: 'https://palisade.example.com',
};

let h: Harness;
let admin: string;
let reader: string;
/** Where the exports send, and (apart, so the two do not mix) where the rules send. */
let listener: SyslogListener;
let ruleListener: SyslogListener;
const dir = mkdtempSync(join(tmpdir(), 'palisade-sink-updates-'));
beforeAll(async () => {
  h = await startHarness();
  admin = await h.token('security-admin');
  reader = await h.token('reader');
  listener = await startSyslogListener();
  ruleListener = await startSyslogListener();
});
afterAll(async () => {
  await listener.close();
  await ruleListener.close();
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

const call = (token: string, method: string, url: string, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${token}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

const auditOf = async (action: string, id: string) =>
  (await auditEntries(h.db, action)).filter((a) => a.target_id === id);

let out = '';
let err = '';
/** Keeps what a CLI command prints from here on. */
const capture = () => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
};

describe('PATCH /exports/:id', () => {
  it('pauses an export, which then sends nothing, and resumes it where it stopped', async () => {
    const made = await call(admin, 'POST', '/exports', {
      name: 'syslog',
      types: ['alert'],
      sink: { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: listener.port },
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().export.id as string;
    const e = loopbackExporter(h);

    const sent = () => sentBodies(listener);
    await saveAlerts(h.db, [testAlert(1)], []);
    await passesUntilSent(e, listener, 'without MFA #1"');
    expect(sent()).toContain('without MFA #1"');

    const paused = await call(admin, 'PATCH', `/exports/${id}`, { enabled: false });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json().export).toMatchObject({ id, enabled: false, name: 'syslog' });
    await saveAlerts(h.db, [testAlert(2), testAlert(3)], []);
    await passesUntilSent(e, listener, 'without MFA #3"');
    expect(sent()).not.toContain('without MFA #2"');
    expect(sent()).not.toContain('without MFA #3"');

    const resumed = await call(admin, 'PATCH', `/exports/${id}`, { enabled: true });
    expect(resumed.statusCode, resumed.body).toBe(200);
    await passesUntilSent(e, listener, 'without MFA #3"');
    expect(sent()).toContain('without MFA #2"');
    expect(sent()).toContain('without MFA #3"');
    await e.stop();

    const audit = await auditOf('export.update', id);
    expect(audit.map((a) => a.details.changed)).toEqual([['enabled'], ['enabled']]);
  });

  it('keeps the sealed secret when the listed sink comes back with a new URL', async () => {
    const secret = 'a-very-long-shared-secret-456';
    const made = await call(admin, 'POST', '/exports', {
      name: 'hook',
      sink: { kind: 'webhook', url: 'https://siem.example.com/in?key=q-secret-1', secret },
    });
    expect(made.statusCode, made.body).toBe(201);
    const listed = made.json().export;
    expect(listed.sink).toMatchObject({ url: 'https://siem.example.com/in', secret: '********' });

    // Sent back unchanged but for the minimum severity: the sealed URL query and secret stay.
    const same = await call(admin, 'PATCH', `/exports/${listed.id}`, {
      sink: listed.sink,
      minSeverity: 'high',
    });
    expect(same.statusCode, same.body).toBe(200);
    let row = (await findExportRow(h.db, listed.id))!;
    expect(exportSinkConfig(row, h.serverKey)).toMatchObject({
      url: 'https://siem.example.com/in?key=q-secret-1',
      secret,
    });
    expect(row.min_severity).toBe('high');

    const moved = await call(admin, 'PATCH', `/exports/${listed.id}`, {
      sink: { ...listed.sink, url: 'https://siem2.example.com/in' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    row = (await findExportRow(h.db, listed.id))!;
    expect(exportSinkConfig(row, h.serverKey)).toMatchObject({
      url: 'https://siem2.example.com/in',
      secret,
    });
    expect(moved.body).not.toContain(secret);

    const audit = await auditOf('export.update', listed.id);
    expect(audit.map((a) => a.details)).toEqual([
      expect.objectContaining({ changed: ['minSeverity'] }),
      expect.objectContaining({
        changed: ['sink.url'],
        destination: 'https://siem2.example.com/in',
        previousDestination: 'https://siem.example.com/in',
      }),
    ]);
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(JSON.stringify(audit)).not.toContain('q-secret-1');
  });

  it('refuses a bad change naming the field, and the export stays as it was', async () => {
    const made = await call(admin, 'POST', '/exports', {
      name: 'kept',
      sink: {
        kind: 'webhook',
        url: 'https://siem.example.com/in',
        secret: 'kept-secret-0123456789',
      },
    });
    const id = made.json().export.id as string;
    const before = await findExportRow(h.db, id);
    const refusals: [unknown, number, RegExp][] = [
      [
        { sink: { kind: 'webhook', url: 'http://169.254.169.254/latest', secret: '********' } },
        400,
        /sink\.url/,
      ],
      [
        { sink: { kind: 'splunk-hec', url: 'https://hec.example.com', token: '********' } },
        400,
        /sink\.token/,
      ],
      [{ minSeverity: 'urgent' }, 400, /minSeverity/],
      [{ scope: 'planet:earth' }, 400, /scope/],
      [{ createdBy: 'someone' }, 400, /body\/createdBy is not a known field/],
      [{}, 400, /nothing to change/],
      [{ name: 'bad\u0007name' }, 400, /name/],
    ];
    for (const [body, status, field] of refusals) {
      const res = await call(admin, 'PATCH', `/exports/${id}`, body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.body).toMatch(field);
    }
    expect((await call(reader, 'PATCH', `/exports/${id}`, { enabled: false })).statusCode).toBe(
      403,
    );
    expect((await call(admin, 'PATCH', '/exports/nope', { enabled: false })).statusCode).toBe(404);
    expect(await findExportRow(h.db, id)).toEqual(before);
    expect(await auditOf('export.update', id)).toEqual([]);
  });
});

describe('PATCH /automations/:id', () => {
  it('pauses a rule, and once enabled again it acts on new changes only', async () => {
    const made = await call(admin, 'POST', '/automations', {
      name: 'alerts to syslog',
      triggers: ['alert.created'],
      actions: [
        { sink: { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: ruleListener.port } },
      ],
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().rule.id as string;
    const e = loopbackExporter(h);
    const sent = () => sentBodies(ruleListener);

    await saveAlerts(h.db, [testAlert(11)], []);
    await passesUntilSent(e, ruleListener, 'without MFA #11"');
    expect(sent()).toContain('without MFA #11"');

    const paused = await call(admin, 'PATCH', `/automations/${id}`, { enabled: false });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json().rule).toMatchObject({ id, enabled: false, name: 'alerts to syslog' });
    await saveAlerts(h.db, [testAlert(12)], []);
    await passesUntilSent(e, ruleListener, 'without MFA #12"');
    expect(sent()).not.toContain('without MFA #12"');

    expect((await call(admin, 'PATCH', `/automations/${id}`, { enabled: true })).statusCode).toBe(
      200,
    );
    await saveAlerts(h.db, [testAlert(13)], []);
    await passesUntilSent(e, ruleListener, 'without MFA #13"');
    expect(sent()).toContain('without MFA #13"');
    // What happened while it was paused is not acted on late.
    await e.runOnce();
    expect(sent()).not.toContain('without MFA #12"');
    await e.stop();

    const audit = await auditOf('automation.update', id);
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
    const audit = await auditOf('automation.update', listed.id);
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
      [{ createdBy: 'someone' }, /body\/createdBy is not a known field/],
      [{}, /nothing to change/],
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
    expect(await auditOf('automation.update', id)).toEqual([]);
  });
});

describe('palisade export update', () => {
  const db = join(dir, 'exports.db');
  it('pauses and renames an export, audited, and exits 2 when nothing or too much is asked', async () => {
    capture();
    const secret = 'cli-shared-secret-0123456789';
    expect(
      await runExportAdd({
        db,
        name: 'siem',
        sink: JSON.stringify({ kind: 'webhook', url: 'https://siem.example.com/in', secret }),
      }),
      err,
    ).toBe(0);
    const id = out.trim();

    capture();
    expect(await runExportUpdate(id, { db, disable: true, name: 'siem (paused)' }), err).toBe(0);
    expect(err).toContain('paused');
    capture();
    expect(await runExportUpdate(id, { db }), err).toBe(2);
    expect(err).toContain('nothing to change');
    capture();
    expect(await runExportUpdate(id, { db, enable: true, disable: true }), err).toBe(2);
    capture();
    expect(await runExportUpdate(id, { db, minSeverity: 'urgent' }), err).toBe(2);
    expect(err).toContain('minSeverity');

    const store = await openStore(db);
    try {
      const row = (await findExportRow(store, id))!;
      expect(row).toMatchObject({ name: 'siem (paused)', enabled: 0, min_severity: null });
      expect(exportSinkConfig(row, loadServerKey({ storeLocation: db }))).toMatchObject({ secret });
      const audit = await auditEntries(store, 'export.update');
      expect(audit).toHaveLength(1);
      expect(audit[0].details.changed.sort()).toEqual(['enabled', 'name']);
      expect(audit[0].actor_kind).toBe('cli');
    } finally {
      await store.destroy();
    }
  });
});

describe('palisade automation update', () => {
  const db = join(dir, 'automations.db');
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
