import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LogReadError } from '../../src/logs/log-read-error.js';
import { readLogs } from '../../src/logs/read-logs.js';
import { syslogReader } from '../../src/logs/syslog-reader.js';
import type { SshFields } from '../../src/logs/auth-message.js';
import { collect, dataPath, parseCsv, streamOf } from './shared-data.js';

const OPENSSH = dataPath('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const LINUX = dataPath('ssh-logs/loghub/Linux/Linux_2k.log');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** loghub OpenSSH template id → the sshd event Palisade names it. */
const OPENSSH_EVENTS: Record<string, string> = {
  E1: 'accepted_password',
  E2: 'connection_closed',
  E3: 'no_identification',
  E4: 'too_many_auth_failures',
  E5: 'too_many_auth_failures',
  E6: 'received_disconnect',
  E7: 'received_disconnect',
  E8: 'failed_none',
  E9: 'failed_password',
  E10: 'failed_password',
  E11: 'fatal',
  E12: 'invalid_user_request',
  E13: 'invalid_user',
  E14: 'failed_password',
  E15: 'pam_more_failures',
  E16: 'pam_more_failures',
  E17: 'pam_more_failures',
  E18: 'pam_ignoring_max_retries',
  E19: 'pam_auth_failure',
  E20: 'pam_auth_failure',
  E21: 'pam_user_unknown',
  E22: 'session_closed',
  E23: 'session_opened',
  E24: 'received_disconnect',
  E25: 'received_disconnect',
  E26: 'received_disconnect',
  E27: 'reverse_mapping_failed',
};

/** The values the ground truth's `<*>` slots hold, by template, in Palisade's field names. */
function slotsOf(template: string, content: string): string[] {
  const pattern = template
    .split('<*>')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('(.*?)');
  return (new RegExp(`^${pattern}$`).exec(content.trim())?.slice(1) ?? []).map((s) => s.trim());
}

describe('syslog reader on loghub OpenSSH_2k (ground truth per line)', async () => {
  const truth = parseCsv(readFileSync(`${OPENSSH}_structured.csv`, 'utf8'));
  const { events, errors } = await collect(readLogs([OPENSSH], { year: 2017 }));

  it('reads all 2,000 lines as events, in order, with no error', () => {
    expect(errors).toEqual([]);
    expect(events).toHaveLength(2000);
    expect(truth).toHaveLength(2000);
    expect(events.map((e) => e.source.line)).toEqual(truth.map((t) => Number(t.LineId)));
  });

  it('matches host, pid, message and time of every line', () => {
    events.forEach((event, i) => {
      const t = truth[i];
      expect(event.host).toBe(t.Component);
      expect(event.fields.pid).toBe(Number(t.Pid));
      expect(String(event.fields.message).trim()).toBe(t.Content.trim());
      const month = String(MONTHS.indexOf(t.Date) + 1).padStart(2, '0');
      expect(event.time).toBe(`2017-${month}-${t.Day.padStart(2, '0')}T${t.Time}.000Z`);
    });
  });

  it('names the sshd event of every line as the template says', () => {
    events.forEach((event, i) => {
      const ssh = event.fields.ssh as SshFields | undefined;
      expect({ line: i + 1, event: ssh?.event }).toEqual({
        line: i + 1,
        event: OPENSSH_EVENTS[truth[i].EventId],
      });
      expect(event.source.service).toBe('sshd');
    });
  });

  it('extracts user, source address and port where the template has them', () => {
    let checked = 0;
    events.forEach((event, i) => {
      const t = truth[i];
      const ssh = event.fields.ssh as SshFields;
      const slots = slotsOf(t.EventTemplate, t.Content);
      if (['E1', 'E9', 'E10', 'E8'].includes(t.EventId)) {
        expect([ssh.user?.trim(), ssh.sourceIp, ssh.port]).toEqual([
          slots[0],
          slots[1],
          Number(slots[2]),
        ]);
        expect(event.actor).toBe(ssh.user);
        expect(event.sourceIp).toBe(slots[1]);
        expect(ssh.invalidUser ?? false).toBe(t.EventId === 'E10' || t.EventId === 'E8');
        checked++;
      }
      // loghub trims slots; sshd logged "Invalid user  0101" and Palisade keeps the user as logged.
      if (t.EventId === 'E13')
        expect([ssh.user?.trim(), ssh.sourceIp]).toEqual([slots[0], slots[1]]);
      if (t.EventId === 'E20')
        expect([ssh.sourceIp ?? ssh.sourceHost, ssh.user]).toEqual([slots[2], slots[3]]);
      if (t.EventId === 'E14')
        expect([ssh.repeated, ssh.sourceIp]).toEqual([Number(slots[0]), slots[1]]);
    });
    expect(checked).toBeGreaterThan(400);
  });

  it('fills the envelope: failures and successes, actions named ssh.*', () => {
    const failed = events.filter((e) => e.action === 'ssh.failed_password');
    expect(failed.every((e) => e.outcome === 'failure')).toBe(true);
    const accepted = events.filter((e) => e.action === 'ssh.accepted_password');
    expect(accepted.length).toBe(truth.filter((t) => t.EventId === 'E1').length);
    expect(accepted.every((e) => e.outcome === 'success' && e.actor === 'fztu')).toBe(true);
  });
});

describe('syslog reader on loghub Linux_2k (ground truth per line)', async () => {
  const truth = parseCsv(readFileSync(`${LINUX}_structured.csv`, 'utf8'));
  const { events, errors } = await collect(readLogs([LINUX], { year: 2005 }));

  it('reads every line with program, pid and message as the ground truth has them', () => {
    expect(errors).toEqual([]);
    expect(events).toHaveLength(truth.length);
    events.forEach((event, i) => {
      const t = truth[i];
      const tag = event.fields.pamModule
        ? `${event.fields.program}(${event.fields.pamModule})`
        : event.fields.program;
      expect([i + 1, tag, event.fields.pid ?? '', String(event.fields.message).trim()]).toEqual([
        i + 1,
        t.Component,
        t.PID === '' ? '' : Number(t.PID),
        t.Content.trim(),
      ]);
      expect(event.host).toBe(t.Level);
    });
  });

  it('parses PAM authentication failures with their remote host, and sessions', () => {
    const failures = truth.filter((t) =>
      t.EventTemplate.startsWith('authentication failure;'),
    ).length;
    const parsed = events.filter(
      (e) => (e.fields.pam as { event?: string } | undefined)?.event === 'auth_failure',
    );
    expect(parsed).toHaveLength(failures);
    const sshFailures = parsed.filter((e) => e.fields.program === 'sshd');
    expect(
      sshFailures.every((e) => e.action === 'ssh.pam_auth_failure' && e.outcome === 'failure'),
    ).toBe(true);
    const first = events[0];
    expect(first.sourceIp).toBe('218.188.2.4');
    const sessions = truth.filter((t) => /^session (opened|closed)/.test(t.Content)).length;
    expect(
      events.filter((e) => /^session_/.test(String((e.fields.pam as { event?: string })?.event)))
        .length,
    ).toBe(sessions);
  });

  it('rolls no year over inside a June-July log', () => {
    expect(events.every((e) => e.time.startsWith('2005-'))).toBe(true);
  });
});

describe('auth.log message forms (Filebeat system/auth sample)', async () => {
  const file = dataPath('ssh-logs/elastic-beats/system-auth-test.log');
  const { events, errors } = await collect(readLogs([file], { year: 2020 }));

  it('parses accepted publickey, sudo, useradd and groupadd lines', () => {
    expect(errors).toEqual([]);
    expect(events).toHaveLength(10);
    const [pubkey] = events;
    expect(pubkey.fields.ssh).toMatchObject({
      event: 'accepted_publickey',
      user: 'vagrant',
      sourceIp: '10.0.2.2',
      port: 63673,
      method: 'publickey',
    });
    const sudo = events.find((e) => e.action === 'sudo.command' && e.source.line === 7)!;
    expect(sudo.fields.sudo).toMatchObject({
      user: 'vagrant',
      tty: 'pts/1',
      pwd: '/home/vagrant',
      runAs: 'root',
      command: '/bin/cat /var/log/secure',
    });
    expect(sudo.source.service).toBe('sudo');
    const denied = events[7];
    expect(denied.action).toBe('sudo.not_in_sudoers');
    expect(denied.actor).toBe('tsg');
    expect(denied.outcome).toBe('failure');
    expect(events[8].fields.account).toEqual({ event: 'group_added', name: 'apache', gid: 48 });
    expect(events[9].fields.account).toEqual({
      event: 'user_added',
      name: 'apache',
      uid: 48,
      gid: 48,
      home: '/usr/share/httpd',
      shell: '/sbin/nologin',
    });
    expect(events[9].target).toBe('apache');
  });
});

describe('sshd forms not in the shared logs', () => {
  const lines = [
    'Mar  1 10:00:00 h sshd[1]: Failed password for invalid user admin from 2001:db8::7 port 2222 ssh2',
    'Mar  1 10:00:01 h sshd[1]: Accepted publickey for deploy from ::1 port 50000 ssh2: ED25519 SHA256:abc',
    'Mar  1 10:00:02 h sshd[1]: Disconnected from authenticating user root 203.0.113.9 port 41000 [preauth]',
    'Mar  1 10:00:03 h sshd[1]: Connection closed by invalid user oracle 198.51.100.4 port 5000 [preauth]',
    'Mar  1 10:00:04 h sshd[1]: Disconnecting invalid user test 198.51.100.5 port 6000: Too many authentication failures [preauth]',
    'Mar  1 10:00:05 h sshd[1]: Received disconnect from 198.51.100.6 port 7000:11: Bye Bye [preauth]',
    'Mar  1 10:00:06 h sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:db8::8  user=root',
    'Mar  1 10:00:07 h sshd[1]: error: maximum authentication attempts exceeded for root from 192.0.2.1 port 22 ssh2 [preauth]',
  ];

  it('parses IPv6 sources, preauth disconnects and newer OpenSSH wordings', async () => {
    const { events, errors } = await collect(
      syslogReader.read(streamOf(lines.join('\n')), { file: 'auth.log', year: 2024 }),
    );
    expect(errors).toEqual([]);
    const ssh = events.map((e) => e.fields.ssh as SshFields);
    expect(ssh[0]).toMatchObject({
      event: 'failed_password',
      invalidUser: true,
      user: 'admin',
      sourceIp: '2001:db8::7',
      port: 2222,
    });
    expect(ssh[1]).toMatchObject({
      event: 'accepted_publickey',
      sourceIp: '::1',
      key: 'ED25519 SHA256:abc',
    });
    expect(ssh[2]).toMatchObject({
      event: 'disconnected',
      user: 'root',
      sourceIp: '203.0.113.9',
      preauth: true,
    });
    expect(ssh[3]).toMatchObject({
      event: 'connection_closed',
      invalidUser: true,
      user: 'oracle',
      sourceIp: '198.51.100.4',
    });
    expect(ssh[4]).toMatchObject({
      event: 'too_many_auth_failures',
      user: 'test',
      sourceIp: '198.51.100.5',
    });
    expect(ssh[5]).toMatchObject({
      event: 'received_disconnect',
      sourceIp: '198.51.100.6',
      port: 7000,
      preauth: true,
    });
    expect(ssh[6]).toMatchObject({
      event: 'pam_auth_failure',
      sourceIp: '2001:db8::8',
      user: 'root',
    });
    expect(ssh[7]).toMatchObject({
      event: 'too_many_auth_failures',
      user: 'root',
      sourceIp: '192.0.2.1',
    });
    expect(events[0].sourceIp).toBe('2001:db8::7');
    expect(events[1].outcome).toBe('success');
  });

  it('reads RFC 5424 and RFC 3339 stamped lines with their zone', async () => {
    const text = [
      '<38>1 2024-03-01T10:00:00.123+02:00 web sshd 77 - - Invalid user bob from 192.0.2.3 port 1',
      '2024-03-01T08:00:01.500000+00:00 web sudo: alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id',
    ].join('\n');
    const { events } = await collect(syslogReader.read(streamOf(text), { file: 'x' }));
    expect(events[0]).toMatchObject({
      time: '2024-03-01T08:00:00.123Z',
      host: 'web',
      action: 'ssh.invalid_user',
      sourceIp: '192.0.2.3',
    });
    expect(events[0].fields).toMatchObject({ facility: 4, severity: 6, program: 'sshd', pid: 77 });
    expect(events[1]).toMatchObject({
      time: '2024-03-01T08:00:01.500Z',
      action: 'sudo.command',
      actor: 'alice',
    });
  });
});

describe('line separators inside a message (U+2028, U+2029)', () => {
  // JavaScript's `.` stops at them: a user name or command carrying one must not hide the line
  // from detection, in any of the three header forms, in sudo, and in journald's MESSAGE.
  const user = 'a\u2028b\u2029c';
  const lines = [
    `Dec  1 05:00:00 h sshd[7]: Failed password for invalid user ${user} from 203.0.113.99 port 22 ssh2`,
    `<38>1 2024-12-01T05:00:01Z h sshd 7 - - Invalid user ${user} from 203.0.113.99 port 22`,
    `2024-12-01T05:00:02Z h sshd[7]: Failed password for ${user} from 203.0.113.99 port 22 ssh2`,
    `Dec  1 05:00:03 h sudo: alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/echo ${user}`,
  ];

  it('are read as part of the message, and the message means what it says', async () => {
    const { events, errors } = await collect(
      syslogReader.read(streamOf(lines.join('\n')), { file: 'auth.log', year: 2024 }),
    );
    expect(errors).toEqual([]);
    expect(events.map((e) => e.action)).toEqual([
      'ssh.failed_password',
      'ssh.invalid_user',
      'ssh.failed_password',
      'sudo.command',
    ]);
    expect(events.map((e) => e.actor)).toEqual([user, user, user, 'alice']);
    expect(events[3].fields.sudo).toMatchObject({ command: `/bin/echo ${user}` });
    const journal = JSON.stringify({
      __REALTIME_TIMESTAMP: '1700000000123456',
      SYSLOG_IDENTIFIER: 'sshd',
      MESSAGE: `Failed password for ${user} from 192.0.2.9 port 4242 ssh2`,
    });
    const read = await collect(readLogs('-', { stdin: streamOf(`${journal}\n`) }));
    expect(read.events[0]).toMatchObject({ action: 'ssh.failed_password', actor: user });
  });
});

describe('syslog year inference', () => {
  const log = [
    'Dec 31 23:59:58 h cron[1]: a',
    'Jan  1 00:00:02 h cron[1]: b',
    'Jan  1 00:00:03 h cron[1]: c',
  ].join('\n');

  it('moves to the next year when December rolls over to January', async () => {
    const { events } = await collect(syslogReader.read(streamOf(log), { file: 'x', year: 2023 }));
    expect(events.map((e) => e.time)).toEqual([
      '2023-12-31T23:59:58.000Z',
      '2024-01-01T00:00:02.000Z',
      '2024-01-01T00:00:03.000Z',
    ]);
  });

  it('puts the first record before the file mtime when no year is given', async () => {
    const modified = new Date('2024-01-02T00:00:00Z');
    const { events } = await collect(syslogReader.read(streamOf(log), { file: 'x', modified }));
    expect(events[0].time).toBe('2023-12-31T23:59:58.000Z');
    expect(events[2].time).toBe('2024-01-01T00:00:03.000Z');
    const june = await collect(
      syslogReader.read(streamOf('Jun  3 10:00:00 h a: b'), { file: 'x', modified }),
    );
    expect(june.events[0].time).toBe('2023-06-03T10:00:00.000Z');
  });

  it('puts a first record later in the mtime month than the mtime in the year before', async () => {
    // loghub's OpenSSH log starts on December 10th; a copy made on December 4th is last year's.
    const modified = new Date('2026-12-04T12:00:00Z');
    const read = (line: string) =>
      collect(syslogReader.read(streamOf(line), { file: 'x', modified }));
    expect((await read('Dec 10 06:55:46 h sshd[1]: b')).events[0].time).toBe(
      '2025-12-10T06:55:46.000Z',
    );
    expect((await read('Dec  4 06:55:46 h sshd[1]: b')).events[0].time).toBe(
      '2026-12-04T06:55:46.000Z',
    );
  });

  it('places a log that opens on February 29 in the latest leap year, not on March 1', async () => {
    const modified = new Date('2026-12-04T12:00:00Z');
    const { events } = await collect(
      syslogReader.read(streamOf('Feb 29 02:30:01 h sshd[1]: b\nMar  1 00:00:00 h sshd[1]: c'), {
        file: 'x',
        modified,
      }),
    );
    expect(events.map((e) => e.time)).toEqual([
      '2024-02-29T02:30:01.000Z',
      '2024-03-01T00:00:00.000Z',
    ]);
  });

  it('reports February 29 of a given year that has none, naming it, and goes on', async () => {
    const lines = [
      'Feb 28 23:59:59 h sshd[1]: Failed password for root from 203.0.113.50 port 1 ssh2',
      'Feb 29 02:30:01 h sshd[1]: Failed password for root from 203.0.113.50 port 1 ssh2',
      'Feb 29 02:30:02 h cron[1]: a',
      'Mar  1 00:00:00 h cron[1]: b',
    ].join('\n');
    // Both paths: lines built into events, and sshd lines skimmed when no rule needs them.
    for (const quiet of [false, true]) {
      const errors: LogReadError[] = [];
      if (quiet) {
        const batches = syslogReader.readQuiet!(
          streamOf(lines),
          { file: 'x', year: 2025 },
          () => true,
        );
        for await (const batch of batches)
          for (const item of batch) if (item instanceof LogReadError) errors.push(item);
      } else {
        errors.push(
          ...(await collect(syslogReader.read(streamOf(lines), { file: 'x', year: 2025 }))).errors,
        );
      }
      expect(errors.map((e) => [e.line, e.code])).toEqual([
        [2, 'PARSE_ERROR'],
        [3, 'PARSE_ERROR'],
      ]);
      expect(errors[0].message).toContain('dated Feb 29, a day Feb 2025 does not have');
    }
  });

  it('reports a line with no syslog header and goes on', async () => {
    const { events, errors } = await collect(
      syslogReader.read(streamOf('Jun  3 10:00:00 h a: b\ngarbage\nJun  3 10:00:01 h a: c'), {
        file: 'x',
        year: 2024,
      }),
    );
    expect(events).toHaveLength(2);
    expect(errors.map((e) => [e.line, e.code])).toEqual([[2, 'PARSE_ERROR']]);
  });
});
