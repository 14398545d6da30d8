/**
 * OpenSSH 9.8 logs each connection's authentication as `sshd-session` (10.0: `sshd-auth`), not
 * `sshd`: brute force logged so must be counted as sshd's, in syslog files and journal exports.
 * A program name that is an Object member (`constructor`) is a program like any other.
 */

import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { readLogs } from '../../src/logs/read-logs.js';
import type { LogEvent } from '../../src/model/event.js';

async function* stream(lines: string[]) {
  yield lines.join('\n') + '\n';
}

const failures = (program: string) =>
  Array.from(
    { length: 6 },
    (_, i) =>
      `Dec  5 10:00:0${i} web1 ${program}[${120 + i}]: Failed password for root from 198.51.100.7 port ${44100 + i} ssh2`,
  );

const bruteForceIps = (alerts: { title: string; entities: { kind: string; value: string }[] }[]) =>
  alerts
    .filter((a) => a.title === 'SSH brute force from one source')
    .flatMap((a) => a.entities.filter((e) => e.kind === 'ip').map((e) => e.value));

describe('sshd under its newer program names', () => {
  it.each(['sshd', 'sshd-session', 'sshd-auth'])(
    'alerts on brute force logged by %s in syslog',
    async (program) => {
      const result = await detect({ paths: '-', stdin: stream(failures(program)), year: 2026 });
      expect(bruteForceIps(result.alerts)).toEqual(['198.51.100.7']);
    },
  );

  it('alerts on brute force logged by sshd-session in a journal export', async () => {
    const entries = failures('sshd-session').map((line, i) =>
      JSON.stringify({
        __REALTIME_TIMESTAMP: String(Date.UTC(2026, 11, 5, 10, 0, i) * 1000),
        SYSLOG_IDENTIFIER: 'sshd-session',
        _HOSTNAME: 'web1',
        MESSAGE: line.slice(line.indexOf(']: ') + 3),
      }),
    );
    const result = await detect({ paths: '-', stdin: stream(entries) });
    expect(bruteForceIps(result.alerts)).toEqual(['198.51.100.7']);
  });

  it('gives a program named like an Object member the plain syslog service', async () => {
    const lines = ['constructor', 'toString', '__proto__'].map(
      (program) => `Dec  5 10:00:00 web1 ${program}[1]: hello`,
    );
    const services: unknown[] = [];
    for await (const item of readLogs('-', { stdin: stream(lines), year: 2026 })) {
      services.push((item as LogEvent).source.service);
    }
    expect(services).toEqual(['syslog', 'syslog', 'syslog']);
  });
});
