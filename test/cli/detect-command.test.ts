/** `palisade detect` as a user runs it: real process, real logs, exit codes and stored alerts. */

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { changeAlertStatus, storedAlerts } from '../../src/store/alert-repository.js';
import { verifyAuditChain } from '../../src/audit/verify-audit-chain.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-detect-'));

const palisade = runPalisade;

describe('palisade detect', () => {
  it('prints alerts with their rule authors and an incident, and stores them once', async () => {
    const db = join(work, 'alerts.db');
    const args = [
      'detect',
      shared('cloudtrail/invictus-ir-aws_dataset'),
      '--rules',
      shared('sigma-rules'),
      '--db',
      db,
    ];
    const run = palisade(args);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Alerts by severity \(8\)/);
    expect(run.stdout).toContain('by jamesc-grafana, DRL-1.1');
    expect(run.stdout).toContain('Incidents (1)');
    expect(run.stdout).toContain(`Stored 8 alerts and 1 incident in ${db}`);
    expect(palisade(args).code).toBe(0);
    const store = await openStore(db);
    try {
      expect(await storedAlerts(store)).toHaveLength(8);
      // Each run that stored alerts is on the record, sealed with the store's key.
      const entries = await store
        .selectFrom('audit_log')
        .select(['action', 'actor_kind', 'details'])
        .where('action', '=', 'alerts.store')
        .execute();
      expect(entries).toHaveLength(2);
      expect(entries[0].actor_kind).toBe('cli');
      expect(JSON.parse(entries[0].details)).toMatchObject({ alerts: 8, incidents: 1 });
      const verdict = await verifyAuditChain(store, loadServerKey({ storeLocation: db }));
      expect(verdict.intact).toBe(true);
    } finally {
      await store.destroy();
    }
  });

  it('grows and reopens a stored alert that a later log repeats, and keeps its incident whole', async () => {
    const db = join(work, 'later.db');
    const later = join(work, 'later.log');
    writeFileSync(
      later,
      [1, 2, 3, 4, 5, 6]
        .map(
          (s) =>
            `Dec 10 11:30:0${s} LabSZ sshd[30000]: Failed password for admin from 103.99.0.122 ` +
            'port 5000 ssh2\n',
        )
        .join(''),
    );
    const openssh = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
    const first = palisade(['detect', openssh, '--year', '2025', '--db', db, '-q']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Stored 19 alerts and 3 incidents');
    const store = await openStore(db);
    try {
      // The attacker's last brute force, resolved by an analyst.
      const alert = await store
        .selectFrom('alerts')
        .selectAll()
        .where('title', '=', 'SSH brute force from one source')
        .where('entities', 'like', '%"103.99.0.122"%')
        .orderBy('last_seen', 'desc')
        .executeTakeFirstOrThrow();
      expect(alert.incident_id).not.toBeNull();
      await store
        .transaction()
        .execute((trx) =>
          changeAlertStatus(
            trx,
            alert.id,
            { status: 'resolved', actor: { kind: 'user', name: 'analyst' } },
            new Date(),
          ),
        );
      const incident = await store
        .selectFrom('incidents')
        .selectAll()
        .where('id', '=', alert.incident_id!)
        .executeTakeFirstOrThrow();

      const run = palisade(['detect', later, '--year', '2025', '--db', db, '-q']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Stored 1 alert and 1 incident');
      expect(await storedAlerts(store)).toHaveLength(19);
      const grown = await store
        .selectFrom('alerts')
        .selectAll()
        .where('id', '=', alert.id)
        .executeTakeFirstOrThrow();
      expect(grown).toMatchObject({
        status: 'active',
        event_count: alert.event_count + 6,
        last_seen: '2025-12-10T11:30:06.000Z',
        incident_id: incident.id,
      });
      const extended = await store
        .selectFrom('incidents')
        .selectAll()
        .where('id', '=', incident.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(extended.alerts)).toEqual(JSON.parse(incident.alerts));
      expect(extended.first_seen).toBe(incident.first_seen);
      expect(extended.last_seen).toBe('2025-12-10T11:30:06.000Z');
    } finally {
      await store.destroy();
    }
  });

  it('labels rules that name no licence with --rule-license, and with DRL-1.1 without it', () => {
    const args = [
      'detect',
      shared('cloudtrail/invictus-ir-aws_dataset'),
      '--rules',
      shared('sigma-rules'),
      '--no-store',
    ];
    const own = palisade([...args, '--rule-license', 'LicenseRef-internal']);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain('by jamesc-grafana, LicenseRef-internal');
    expect(own.stdout).not.toContain('DRL-1.1');
  });

  it('writes OCSF Detection Findings, one JSON object a line', () => {
    const run = palisade([
      'detect',
      shared('cloudtrail/stratus-red-team/aws.persistence.iam-backdoor-user.json'),
      '--rules',
      shared('sigma-rules'),
      '--format',
      'ocsf',
      '--no-store',
    ]);
    const findings = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(findings.length).toBe(2);
    for (const f of findings) {
      expect(f).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1 });
      expect(f.finding_info.analytic.desc).toMatch(/^Rule by /);
    }
  });

  it('reads stdin, and exits 1 when an alert reaches --fail-on', () => {
    const line = (i: number) =>
      `Jan  5 03:00:0${i} host sshd[9${i}]: Failed password for admin from 203.0.113.9 port 5000${i} ssh2`;
    const log = Array.from({ length: 6 }, (_, i) => line(i)).join('\n') + '\n';
    expect(
      palisade(['detect', '-', '--no-store', '--year', '2024', '--fail-on', 'medium'], log).code,
    ).toBe(1);
    expect(
      palisade(['detect', '-', '--no-store', '--year', '2024', '--fail-on', 'high'], log).code,
    ).toBe(0);
  });

  it('with stream set, prints each OCSF finding when raised and once final: the batch run, no incident', () => {
    const text = readFileSync(shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8');
    const file = join(work, 'openssh.log');
    writeFileSync(file, text);
    // The option is not on the command line yet (main.ts): runDetect is called as main.ts would.
    const script = join(work, 'stream.mts');
    writeFileSync(
      script,
      `import { runDetect } from ${JSON.stringify(join(REPO_ROOT, 'src/cli/detect-command.ts'))};
      process.exitCode = await runDetect(['-'], { format: 'ocsf', rules: [], placeholder: [],
        failOn: 'medium', db: '', store: false, year: 2023, color: false, quiet: true, stream: true });`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      input: text,
      timeout: 120_000,
    });
    const batch = palisade([
      'detect',
      file,
      '--no-store',
      '--year',
      '2023',
      '--format',
      'ocsf',
      '--fail-on',
      'medium',
    ]);
    // The log holds brute forces (medium): both runs exit 1.
    expect(run.status, run.stderr).toBe(1);
    expect(batch.code, batch.stderr).toBe(1);
    const parse = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line.replaceAll(JSON.stringify(file).slice(1, -1), '-')));
    // Compared without the activity (Create or Update) and the incident, which a stream has not.
    const finding = (f: Record<string, any>) => {
      const { activity_id: _a, activity_name: _n, type_uid: _t, type_name: _tn, ...rest } = f;
      delete rest.unmapped.incident_uid;
      return JSON.stringify(rest);
    };
    const streamed = parse(run.stdout);
    const batchFindings = parse(batch.stdout);
    const created = streamed.filter((f) => f.activity_id === 1);
    const final = streamed.filter((f) => f.activity_id === 2);
    expect(final.length).toBeGreaterThan(10);
    expect(created.length + final.length).toBe(streamed.length);
    expect(final.map(finding).sort()).toEqual(batchFindings.map(finding).sort());
    // Every alert was printed when raised too, before its final form.
    const uids = (list: Record<string, any>[]) => list.map((f) => f.finding_info.uid as string);
    expect(uids(created).sort()).toEqual(uids(final).sort());
    for (const uid of uids(final)) {
      const at = (list: Record<string, any>[]) =>
        streamed.indexOf(list.find((f) => f.finding_info.uid === uid)!);
      expect(at(created)).toBeLessThan(at(final));
    }
    expect(run.stdout).not.toContain('incident_uid');
  });

  it('with stream set, prints a brute force while the pipe is still open, and ends quietly when the reader stops', async () => {
    // `tail -f auth.log | palisade detect - --stream ... | head -1`: the input never ends.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'detect', '-', '--stream', '--format', 'ocsf'].concat([
        '--no-store',
        '--year',
        '2024',
      ]),
      { cwd: REPO_ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    const firstLine = new Promise<string>((done) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) done(out.split('\n')[0]);
      });
    });
    const failure = (i: number) =>
      `Jan  5 03:00:${String(i).padStart(2, '0')} host sshd[9${i}]: Failed password for admin from 203.0.113.9 port 5000${i} ssh2\n`;
    for (let i = 0; i < 6; i++) child.stdin.write(failure(i));
    const line = await Promise.race([
      firstLine,
      new Promise<string>((_, fail) =>
        setTimeout(() => fail(new Error('no finding in 60 s')), 60_000),
      ),
    ]);
    expect(JSON.parse(line)).toMatchObject({ class_uid: 2004, activity_id: 1 });
    expect(JSON.parse(line).finding_info.title).toMatch(/failure|brute force/i);

    // The reader goes away; the next findings meet a closed pipe.
    child.stdout.destroy();
    for (let i = 10; i < 40; i++)
      child.stdin.write(failure(i).replace('203.0.113.9', `198.51.100.${i}`));
    child.stdin.end();
    await exited;
    expect(stderr).not.toMatch(/EPIPE|Error/);
  });

  it('refuses stream without OCSF on stdout (exit 2, naming the option)', () => {
    const script = join(work, 'stream-table.mts');
    writeFileSync(
      script,
      `import { runDetect } from ${JSON.stringify(join(REPO_ROOT, 'src/cli/detect-command.ts'))};
      process.exitCode = await runDetect(['-'], { format: 'table', rules: [], placeholder: [],
        db: '', store: false, color: false, quiet: true, stream: true });`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      input: '',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--stream');
  });

  /** The invictus trail as a JSON report, within a time range. */
  const invictusBetween = (since: string, until: string, ...more: string[]) =>
    palisade([
      'detect',
      shared('cloudtrail/invictus-ir-aws_dataset'),
      '--no-store',
      '--format',
      'json',
      '--since',
      since,
      '--until',
      until,
      ...more,
    ]);

  it('honours --since and --until', () => {
    const run = invictusBetween('2023-07-10T12:10:00Z', '2023-07-10T12:20:00Z');
    const report = JSON.parse(run.stdout);
    expect(report.skipped).toBeGreaterThan(0);
    for (const a of report.alerts) {
      expect(a.firstSeen >= '2023-07-10T12:10:00').toBe(true);
      expect(a.lastSeen <= '2023-07-10T12:20:00.999Z').toBe(true);
    }
  });

  it('reads an empty log as no events (exit 0); a --rules file that is no rule exits 2', () => {
    const empty = join(work, 'empty.log');
    writeFileSync(empty, '');
    const none = palisade(['detect', empty, '--no-store', '--format', 'json']);
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject({ events: 0, alerts: [], readErrors: [] });
    const log = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
    const mistaken = palisade(['detect', log, '--no-store', '--rules', log]);
    expect(mistaken.code).toBe(2);
    expect(mistaken.stderr).toMatch(/rule not used: .*OpenSSH_2k\.log.*YAML/);
    // A YAML mapping with none of a rule's parts (a config file) is no rule either.
    const config = join(work, 'config-not-rule');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'settings.yml'), 'foo: bar\n');
    const notRule = palisade(['detect', empty, '--no-store', '--rules', config]);
    expect(notRule.code).toBe(2);
    expect(notRule.stderr).toMatch(/settings\.yml:1: no Sigma rule/);
  });

  it('takes a date alone as the whole day for --until, and names a mistyped placeholder', () => {
    const day = invictusBetween(
      '2023-07-10',
      '2023-07-10',
      '--placeholder',
      'BreakglassAccounts=root',
    );
    const report = JSON.parse(day.stdout);
    expect(report.events).toBeGreaterThan(0);
    expect(report.alerts.length).toBeGreaterThan(0);
    expect(day.stderr).toMatch(
      /--placeholder BreakglassAccounts names no placeholder.*BreakGlassAccounts/,
    );
  });

  it('exits 2 naming the file for a path that does not exist or a log it cannot read', () => {
    const missing = palisade(['detect', 'no/such.log', '--no-store']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such.log');
    const junk = join(work, 'junk.bin');
    writeFileSync(junk, Buffer.from([0, 159, 146, 150, 0, 1, 2, 3]));
    const unreadable = palisade(['detect', junk, '--no-store']);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('junk.bin');
  });
  it('lists a hundred unread records in JSON and counts them all', () => {
    const broken = join(work, 'broken.ndjson');
    const good =
      '{"eventVersion":"1.08","eventTime":"2023-07-10T11:45:02Z","eventName":"ListBuckets"}';
    writeFileSync(
      broken,
      [good, ...Array.from({ length: 150 }, (_, i) => `{"eventVersion": ${i}`)].join('\n'),
    );
    const json = palisade(['detect', broken, '--no-store', '--format', 'json', '--quiet']);
    const report = JSON.parse(json.stdout);
    expect(report.readErrors).toHaveLength(100);
    expect(report.readErrorCount).toBe(150);
  });

  it('counts and names every record or file it did not read, skipped files too; a bad record exits 2', () => {
    const folder = shared('host-events');
    const table = palisade(['detect', folder, '--no-store', '--fail-on', 'low', '--quiet']);
    const json = palisade(['detect', folder, '--no-store', '--format', 'json', '--quiet']);
    const listed = JSON.parse(json.stdout).readErrors as { file: string; code: string }[];
    // plaso's selinux.log has records that are not audit records; msticpy's CSV and OTRF's
    // YAML files are not logs Palisade reads.
    expect(listed.filter((e) => e.code === 'UNSUPPORTED_FORMAT').length).toBeGreaterThan(0);
    expect(listed.filter((e) => e.code === 'PARSE_ERROR').length).toBeGreaterThan(0);
    expect(table.stdout).toContain(`${listed.length} records or files could not be read`);
    // JSON lists the first hundred and says how many there were.
    expect(JSON.parse(json.stdout).readErrorCount).toBe(listed.length);
    const named = table.stderr.split('\n').filter((l) => l.startsWith(`palisade: ${folder}/`));
    expect(named).toHaveLength(listed.length);
    for (const e of listed) expect(table.stderr).toContain(e.file);
    // Unreadable input wins over alerts crossing --fail-on, as for scan.
    expect(table.code).toBe(2);
  });

  it('skips the files of a folder that are not logs without failing', () => {
    const folder = mkdtempSync(join(work, 'mixed-'));
    writeFileSync(join(folder, 'notes.csv'), 'a,b\n1,2\n');
    writeFileSync(
      join(folder, 'auth.log'),
      'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n',
    );
    const run = palisade(['detect', folder, '--no-store', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('notes.csv: no log reader recognises this file; it was skipped');
    expect(run.stdout).toContain('1 record or file could not be read');
  });
});
