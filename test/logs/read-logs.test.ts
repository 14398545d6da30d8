import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readLogs } from '../../src/logs/read-logs.js';
import { auditdReader } from '../../src/logs/auditd-reader.js';
import { collect, DATA, dataPath, streamOf } from './shared-data.js';

const AREAS = ['cloudtrail', 'azure-activity', 'gcp-audit', 'ssh-logs', 'host-events', 'findings'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Files in the shared data that are not logs (notes, metadata, CSV exports, API recordings). */
const NOT_LOGS = /\.(md|yaml|csv)$|DefenderTest|inspector2|insight-2|config-rule/;

const BEDROCK = 'event-cloud-trail-bedrock-create-customization-jobs.json';

describe('readLogs over the shared data', () => {
  it('reads every file of every log area without a crash, each log file by some reader', async () => {
    for (const area of AREAS) {
      const files = filesUnder(path.join(DATA, area));
      const { events, errors } = await collect(readLogs([path.join(DATA, area)], { year: 2020 }));
      const unsupported = errors.filter((e) => e.code === 'UNSUPPORTED_FORMAT').map((e) => e.file);
      expect(unsupported.filter((f) => !NOT_LOGS.test(f))).toEqual([]);
      const eventFiles = new Set(events.map((e) => e.source.file));
      const logFiles = files.filter((f) => !NOT_LOGS.test(f));
      const silent = logFiles.filter((f) => !eventFiles.has(f));
      // The one record in the data without any time: reported, not invented.
      expect(silent.map((f) => path.basename(f))).toEqual(area === 'cloudtrail' ? [BEDROCK] : []);
      expect(errors.every((e) => e.code !== 'IO_ERROR')).toBe(true);
    }
  });

  it('reports the CloudTrail record that has no eventTime', async () => {
    const { events, errors } = await collect(
      readLogs([dataPath('cloudtrail/cloud-custodian-cwe', BEDROCK)]),
    );
    expect(events).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([
      'CloudTrail record CreateModelCustomizationJob has no eventTime',
    ]);
  });

  it('reads gzip files by their magic bytes, whatever their name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'palisade-logs-'));
    const source = dataPath('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
    writeFileSync(path.join(dir, 'auth.log.gz'), gzipSync(readFileSync(source)));
    writeFileSync(path.join(dir, 'auth-rotated'), gzipSync(readFileSync(source)));
    const { events, errors } = await collect(readLogs([dir], { year: 2017 }));
    expect(errors).toEqual([]);
    expect(events).toHaveLength(4000);
    expect(events[0].fields.message).toContain('POSSIBLE BREAK-IN ATTEMPT');
  });

  it("reads a synced trail bucket's digest files as holding no events", async () => {
    // The layout CloudTrail delivers: logs and, beside them, hourly digests of the logs.
    const dir = mkdtempSync(path.join(tmpdir(), 'palisade-logs-'));
    const trail = dataPath(
      'cloudtrail/stratus-red-team/aws.persistence.iam-create-admin-user.json',
    );
    const records = JSON.parse(readFileSync(trail, 'utf8')) as unknown[];
    writeFileSync(
      path.join(dir, '111122223333_CloudTrail_us-east-1_20200101T0000Z_abc.json.gz'),
      gzipSync(JSON.stringify({ Records: records })),
    );
    // The members a digest holds (AWS CloudTrail User Guide, "CloudTrail digest file structure").
    const digest = {
      awsAccountId: '111122223333',
      digestStartTime: '2020-01-01T00:00:00Z',
      digestEndTime: '2020-01-01T01:00:00Z',
      digestS3Bucket: 'trail-bucket',
      digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2020/01/01/d.json.gz',
      digestPublicKeyFingerprint: '809a5f9e7ef4a6d2ab72e2d1d9e8a0e1',
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: '2020-01-01T00:59:00Z',
      oldestEventTime: '2020-01-01T00:00:01Z',
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestHashAlgorithm: null,
      previousDigestSignature: null,
      logFiles: [],
    };
    writeFileSync(
      path.join(
        dir,
        '111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20200101T010000Z.json.gz',
      ),
      gzipSync(JSON.stringify(digest)),
    );
    const { events, errors } = await collect(readLogs([dir]));
    expect(errors).toEqual([]);
    expect(events).toHaveLength(records.length);
  });

  it('reads stdin for -, sniffing its format like a file', async () => {
    const text = readFileSync(
      dataPath('cloudtrail/stratus-red-team/aws.persistence.iam-create-admin-user.json'),
    );
    const { events } = await collect(readLogs('-', { stdin: streamOf(gzipSync(text), 100) }));
    expect(events.map((e) => e.action)).toEqual(
      JSON.parse(text.toString()).map((r: { eventName: string }) => r.eventName),
    );
    expect(events[0].source.file).toBe('-');
  });

  it('reports a missing path and an unknown format, and goes on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'palisade-logs-'));
    writeFileSync(path.join(dir, 'notes.txt'), 'hello\nworld\n');
    const { events, errors } = await collect(
      readLogs([path.join(dir, 'missing'), dir, dataPath('findings/falco')]),
    );
    expect(errors.map((e) => e.code)).toEqual(['IO_ERROR', 'UNSUPPORTED_FORMAT']);
    expect(events).toHaveLength(4);
  });

  it('says a path that is a symbolic link loop is one (ELOOP), naming the link', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'palisade-logs-loop-'));
    symlinkSync('loop2', path.join(dir, 'loop1'));
    symlinkSync('loop1', path.join(dir, 'loop2'));
    const { errors } = await collect(readLogs([path.join(dir, 'loop1')]));
    expect(errors.map((e) => [e.code, e.file])).toEqual([['IO_ERROR', path.join(dir, 'loop1')]]);
    expect(errors[0].message).toMatch(/^is a symbolic link loop \(ELOOP\): /);
    // In a folder, links are not followed, so a loop there is passed over, not walked forever.
    const walked = await collect(readLogs([dir]));
    expect(walked.errors).toEqual([]);
  });

  it('streams a large compact {"Records": [...]} file element by element with lines', async () => {
    const record = JSON.parse(
      readFileSync(
        dataPath('cloudtrail/stratus-red-team/aws.defense-evasion.cloudtrail-delete.json'),
        'utf8',
      ),
    )[0];
    const records = Array.from({ length: 3000 }, (_, i) => ({ ...record, eventID: String(i) }));
    const text = `{"Records":[${records.map((r) => JSON.stringify(r)).join(',\n')}]}`;
    expect(text.length).toBeGreaterThan(64 * 1024);
    const { events, errors } = await collect(readLogs('-', { stdin: streamOf(text, 4096) }));
    expect(errors).toEqual([]);
    expect(events.map((e) => e.fields.eventID)).toEqual(records.map((r) => r.eventID));
    expect(events[2999].source.line).toBe(3000);
  });

  it('stops a broken JSON document at its first error with the line', async () => {
    const { events, errors } = await collect(
      readLogs('-', {
        stdin: streamOf(
          '[\n{"eventVersion":"1","eventName":"A","eventTime":"2024-01-01T00:00:00Z"},\n{"eventName": tru\n]',
        ),
      }),
    );
    expect(events).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'PARSE_ERROR', line: 3, file: '-' });
  });
});

describe('auditd reader', () => {
  it('merges the records of each event of the msticpy log (938 serials → 938 events)', async () => {
    const { events, errors } = await collect(
      readLogs([dataPath('host-events/msticpy/auditd_log.txt')]),
    );
    expect(errors).toEqual([]);
    expect(events).toHaveLength(938);
  });

  it('exposes EXECVE arguments, SYSCALL fields and PATH names flat', async () => {
    const { events } = await collect(
      readLogs([
        dataPath('host-events/otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log'),
      ]),
    );
    expect(events).toHaveLength(1);
    const [dd] = events;
    expect(dd.fields).toMatchObject({
      a0: 'dd',
      a1: 'if=/dev/zero',
      a2: 'bs=1',
      a3: 'count=1',
      argc: '4',
      syscall: '59',
      exe: '/bin/dd',
      comm: 'dd',
      cwd: '/home/wardog',
      cmdline: 'dd if=/dev/zero bs=1 count=1',
      name: ['/bin/dd', '/lib64/ld-linux-x86-64.so.2'],
    });
    expect(dd.fields.type).toEqual(['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE']);
    expect(dd).toMatchObject({
      action: 'execve',
      actor: '1000',
      outcome: 'success',
      time: '2020-11-10T08:19:44.965Z',
      source: { service: 'auditd', line: 1 },
    });
  });

  it('merges interleaved events by serial and decodes hex arguments', async () => {
    const lines = [
      'type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 comm="sh" exe="/bin/sh" key="exec"',
      'type=SYSCALL msg=audit(1700000000.101:11): arch=c000003e syscall=59 success=no exit=-2 comm="cat" exe="/bin/cat" key=(null)',
      'type=EXECVE msg=audit(1700000000.100:10): argc=3 a0="sh" a1="-c" a2=6563686F2068656C6C6F',
      'type=EXECVE msg=audit(1700000000.101:11): argc=2 a0="cat" a1="/etc/shadow"',
      'type=PROCTITLE msg=audit(1700000000.100:10): proctitle=7368002D63',
      'type=EOE msg=audit(1700000000.101:11): ',
      'type=EOE msg=audit(1700000000.100:10): ',
    ];
    const { events } = await collect(
      auditdReader.read(streamOf(lines.join('\n')), { file: 'audit.log' }),
    );
    expect(events.map((e) => e.fields.serial)).toEqual([11, 10]);
    expect(events[1].fields).toMatchObject({
      a0: 'sh',
      a1: '-c',
      a2: 'echo hello',
      cmdline: 'sh -c echo hello',
      proctitle: 'sh -c',
      key: 'exec',
    });
    expect(events[0]).toMatchObject({ outcome: 'failure', fields: { a1: '/etc/shadow' } });
  });

  it('keeps at most the pending window of open events', async () => {
    const lines = Array.from(
      { length: 2000 },
      (_, i) => `type=SYSCALL msg=audit(1700000000.000:${i}): syscall=2 success=yes`,
    );
    let seen = 0;
    for await (const item of auditdReader.read(streamOf(lines.join('\n'), 512), { file: 'x' })) {
      if (!(item instanceof Error)) seen++;
    }
    expect(seen).toBe(2000);
  });

  it('reads enriched logs with names and user-space msg fields', async () => {
    const { events } = await collect(readLogs([dataPath('host-events/plaso/audit_enriched.log')]));
    const add = events.find((e) => e.fields.type === 'ADD_USER')!;
    expect(add.fields).toMatchObject({
      op: 'add-user',
      acct: 'specimenuser',
      exe: '/usr/sbin/useradd'.replace('/sbin', '/bin'),
      res: 'success',
      AUID: 'root',
    });
    expect(add).toMatchObject({ actor: 'root', outcome: 'success' });
  });
});

describe('journald and osquery readers', () => {
  it('reads journalctl -o json with microsecond times and byte-array messages', async () => {
    const entries = [
      {
        __REALTIME_TIMESTAMP: '1700000000123456',
        _HOSTNAME: 'web',
        SYSLOG_IDENTIFIER: 'sshd',
        _PID: '42',
        MESSAGE: 'Failed password for root from 192.0.2.9 port 4242 ssh2',
      },
      {
        __REALTIME_TIMESTAMP: '1700000001000000',
        _HOSTNAME: 'web',
        SYSLOG_IDENTIFIER: 'kernel',
        MESSAGE: [104, 105, 255],
      },
    ];
    const { events } = await collect(
      readLogs('-', { stdin: streamOf(entries.map((e) => JSON.stringify(e)).join('\n')) }),
    );
    expect(events[0]).toMatchObject({
      time: '2023-11-14T22:13:20.123Z',
      action: 'ssh.failed_password',
      sourceIp: '192.0.2.9',
      actor: 'root',
      host: 'web',
      source: { reader: 'journald', service: 'sshd' },
    });
    expect(events[1].fields.MESSAGE).toEqual([104, 105, 255]);
    expect(String(events[1].fields.message).startsWith('hi')).toBe(true);
  });

  it('reads osquery differential and snapshot logs, one event per row', async () => {
    const results = dataPath('host-events/msticpy/osquery/osqueryd.results.log');
    const rows = readFileSync(results, 'utf8').trim().split('\n').length;
    const { events } = await collect(readLogs([results]));
    expect(events).toHaveLength(rows);
    expect(events[0]).toMatchObject({
      host: 'jumpvm',
      action: 'pack_osquery-custom-pack_processes.removed',
      actor: 'root',
      time: '2023-03-16T03:08:58.000Z',
    });
    const snaps = await collect(
      readLogs([dataPath('host-events/msticpy/osquery/osqueryd.snapshots.log')]),
    );
    expect(snaps.events.every((e) => e.action?.endsWith('.snapshot'))).toBe(true);
  });
});
