/**
 * Changing an export through the API and the CLI: a paused export sends nothing and catches up
 * once enabled again (against a real syslog listener); a sink sent back as the listing shows it
 * keeps its stored secrets; every change is audited by field, never with a secret; and a bad
 * change is refused naming the field, leaving the stored export as it was.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runExportAdd, runExportUpdate } from '../../src/cli/export-command.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { openStore } from '../../src/store/database.js';
import { exportSinkConfig, findExportRow } from '../../src/store/export-repository.js';
import { auditEntries, startHarness, type Harness } from '../server/harness.js';
import { testAlert } from './support/alerts.js';
import { loopbackExporter, passesUntilSent, sentBodies } from './support/exporter-passes.js';
import { startSyslogListener, type SyslogListener } from './support/syslog-listener.js';

describe('PATCH /exports/:id', () => {
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
    (await auditEntries(h.db, 'export.update')).filter((a) => a.target_id === id);

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

    const audit = await auditOf(id);
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

    const audit = await auditOf(listed.id);
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
      [{ createdBy: 'someone' }, 400, /nothing to change/],
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
    expect(await auditOf(id)).toEqual([]);
  });
});

describe('palisade export update', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-export-update-'));
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
