/**
 * `palisade export` and `palisade automation` on a real store file: add, list, replay,
 * remove, each audited; bad input exits 2 naming the file, line or field.
 */

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  runAutomationAdd,
  runAutomationDeadLetters,
  runAutomationList,
  runAutomationRemove,
  runAutomationReplay,
  runAutomationRuns,
} from '../../src/cli/automation-command.js';
import {
  runExportAdd,
  runExportDeadLetters,
  runExportList,
  runExportRemove,
  runExportReplay,
} from '../../src/cli/export-command.js';
import { openStore } from '../../src/store/database.js';
import { automationConsumer, insertAutomationRun } from '../../src/store/automation-repository.js';
import { addDeadLetters } from '../../src/store/delivery-repository.js';
import { exportStore } from '../../src/store/export-store.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'palisade.db');

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('palisade export', () => {
  it('adds an export from a YAML sink file, lists it redacted, replays and removes it', async () => {
    const sinkFile = join(dir, 'sink.yaml');
    writeFileSync(
      sinkFile,
      'kind: webhook\nurl: https://siem.example.com/in\nsecret: cli-shared-secret-0123456789\n',
    );
    const code = await runExportAdd({
      db,
      name: 'siem',
      sinkFile,
      types: 'alert,secure_score',
      minSeverity: 'high',
    });
    expect(code, err).toBe(0);
    const id = out.trim();
    expect(err).toContain('secrets kept encrypted: secret');

    out = '';
    expect(await runExportList({ db, json: true })).toBe(0);
    const listed = JSON.parse(out);
    expect(listed[0]).toMatchObject({
      id,
      types: ['alert', 'secure_score'],
      sink: { secret: '********' },
    });
    expect(out).not.toContain('cli-shared-secret');

    expect(await runExportReplay(id, { db, id: [] })).toBe(0);
    expect(err).toContain('Queued 0 dead letter(s)');
    // A dead letter that does not exist is named, not taken for a replay of nothing.
    err = '';
    expect(await runExportReplay(id, { db, id: [99999] })).toBe(2);
    expect(err).toContain(`no dead letter 99999 of export ${id}`);
    expect(err).not.toContain('Queued');
    expect(await runExportDeadLetters(id, { db, limit: 10 })).toBe(0);
    expect(out).toContain('No dead letters.');
    expect(await runExportRemove(id, { db })).toBe(0);

    const store = await openStore(db);
    try {
      expect(await exportStore(store).selectFrom('exports').selectAll().execute()).toEqual([]);
      const audit = await store
        .selectFrom('audit_log')
        .select(['action', 'actor_kind', 'details'])
        .execute();
      expect(audit.map((a) => a.action)).toEqual([
        'export.create',
        'export.replay',
        'export.delete',
      ]);
      expect(new Set(audit.map((a) => a.actor_kind))).toEqual(new Set(['cli']));
      const destination = { sink: 'webhook', destination: 'https://siem.example.com/in' };
      expect(JSON.parse(audit[0].details)).toMatchObject(destination);
      expect(JSON.parse(audit[2].details)).toMatchObject(destination);
    } finally {
      await store.destroy();
    }
  });

  it('exits 2 naming the field, the file line, or the unknown export', async () => {
    expect(await runExportAdd({ db, name: 'x', sink: '{"kind":"syslog","transport":"tcp"}' })).toBe(
      2,
    );
    expect(err).toMatch(/export sink\.host/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kind: syslog\nhost: [unclosed\n');
    expect(await runExportAdd({ db, name: 'x', sinkFile: broken })).toBe(2);
    expect(err).toMatch(/broken\.yaml line \d/);
    expect(await runExportAdd({ db, name: 'x', sinkFile: join(dir, 'missing.yaml') })).toBe(2);
    expect(err).toMatch(/cannot read .*missing\.yaml/);
    expect(
      await runExportAdd({
        db,
        name: 'x',
        sink: '{"kind":"syslog","transport":"tcp","host":"h"}',
        scope: 'team:x',
      }),
    ).toBe(2);
    expect(err).toMatch(/export scope/);
    expect(await runExportRemove('nope', { db })).toBe(2);
    expect(err).toMatch(/no export nope/);

    // A mistyped --db is named, and no empty store (or key) is left there.
    const typo = join(dir, 'palisade-typo.db');
    expect(await runExportList({ db: typo })).toBe(2);
    expect(err).toContain(`no store at ${typo}`);
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(`${typo}.key`)).toBe(false);
  });

  it('lists exports, dead letters and automation rules without the server key, creating none', async () => {
    // A store the scan made (no export yet, so no key file beside it).
    const scanned = join(dir, 'scanned.db');
    await (await openStore(scanned)).destroy();
    expect(existsSync(`${scanned}.key`)).toBe(false);

    expect(await runExportList({ db: scanned, json: true })).toBe(0);
    expect(JSON.parse(out)).toEqual([]);
    expect(await runAutomationList({ db: scanned })).toBe(0);
    expect(await runExportDeadLetters('none', { db: scanned, limit: 5 })).toBe(2);
    expect(err).toMatch(/no export none/);
    expect(existsSync(`${scanned}.key`)).toBe(false);
  });
});

describe('palisade automation', () => {
  it('adds a rule from a file, lists it and removes it; a bad trigger exits 2', async () => {
    const file = join(dir, 'rule.yaml');
    writeFileSync(
      file,
      [
        'name: critical to syslog',
        'triggers: [alert.created]',
        'conditions: { minSeverity: critical }',
        'actions:',
        '  - sink: { kind: syslog, transport: tcp, host: siem.example.com }',
      ].join('\n'),
    );
    expect(await runAutomationAdd({ db, file })).toBe(0);
    const id = out.trim();
    out = '';
    expect(await runAutomationList({ db })).toBe(0);
    expect(out).toContain(`${id}  critical to syslog  on alert.created  → syslog`);

    // A record the rule gave up on: listed, then queued to run again, audited.
    const store = await openStore(db);
    try {
      await addDeadLetters(
        store,
        automationConsumer(id),
        [{ seq: 1, recordId: 'alert-0123' }],
        5,
        'syslog siem.example.com: connect ECONNREFUSED',
        new Date('2026-12-05T03:00:00Z'),
      );
    } finally {
      await store.destroy();
    }
    out = '';
    expect(await runAutomationDeadLetters(id, { db, limit: 10 })).toBe(0);
    expect(out).toMatch(/dead {2}alert-0123 {2}attempts 5 .*ECONNREFUSED/);
    expect(await runAutomationReplay(id, { db, id: [] })).toBe(0);
    expect(err).toContain(`Queued 1 dead letter(s) of ${id}`);
    out = '';
    expect(await runAutomationDeadLetters(id, { db, limit: 10, status: 'replay' })).toBe(0);
    expect(out).toContain('alert-0123');
    // Queued already: asking again by its id says so instead of queuing nothing.
    const letter = out.split(/\s+/)[0];
    err = '';
    expect(await runAutomationReplay(id, { db, id: [Number(letter)] })).toBe(2);
    expect(err).toContain(`dead letter ${letter} (replay) is not dead`);
    expect(await runAutomationDeadLetters('nope', { db, limit: 10 })).toBe(2);
    expect(err).toMatch(/no automation rule nope/);

    // A retry that sent only the failed action: the other one reads as skipped, not as sent.
    const runs = await openStore(db);
    try {
      await insertAutomationRun(runs, {
        ruleId: id,
        recordId: 'alert-0123',
        outboxSeq: 1,
        trigger: 'alert.created',
        startedAt: '2026-12-05T03:01:00.000Z',
        finishedAt: '2026-12-05T03:01:01.000Z',
        outcome: 'success',
        actions: [
          { kind: 'syslog', ok: true, earlier: true },
          { kind: 'webhook', ok: true },
        ],
      });
    } finally {
      await runs.destroy();
    }
    out = '';
    expect(await runAutomationRuns(id, { db, limit: 10 })).toBe(0);
    expect(out).toContain('alert-0123  syslog:skipped (already sent) webhook:ok\n');

    expect(await runAutomationRemove(id, { db })).toBe(0);

    expect(
      await runAutomationAdd({ db, rule: '{"name":"x","triggers":["alert.gone"],"actions":[]}' }),
    ).toBe(2);
    expect(err).toMatch(/automation triggers\[0\]/);
  });
});
