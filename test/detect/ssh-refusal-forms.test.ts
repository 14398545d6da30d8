/**
 * sshd's refusals and PAM failures that fail2ban's sshd filter counts (AllowUsers/DenyUsers and
 * group refusals, `error: PAM: Authentication failure`, users PAM does not know, `ROOT LOGIN
 * REFUSED`, tcp_wrappers' `refused connect`, a change of user name inside one connection): each
 * is read into its fields and counts as an authentication failure, so six of them from one
 * source are brute force.
 */

import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { readLogs } from '../../src/logs/read-logs.js';
import type { LogEvent } from '../../src/model/event.js';

async function* stream(lines: string[]) {
  yield lines.join('\n') + '\n';
}

const FORMS: [message: string, fields: Record<string, unknown>][] = [
  [
    'User root from 198.51.100.9 not allowed because not listed in AllowUsers',
    {
      event: 'user_not_allowed',
      user: 'root',
      sourceIp: '198.51.100.9',
      reason: 'not listed in AllowUsers',
    },
  ],
  [
    "User carol from 2001:db8::16 not allowed because none of user's groups are listed in AllowGroups",
    { event: 'user_not_allowed', user: 'carol', sourceIp: '2001:db8::16' },
  ],
  [
    'error: PAM: Authentication failure for illegal user admin from 198.51.100.12',
    { event: 'auth_failure', invalidUser: true, user: 'admin', sourceIp: '198.51.100.12' },
  ],
  [
    'error: PAM: Authentication failure for invalid user admin from 198.51.100.17 port 2222 ssh2',
    {
      event: 'auth_failure',
      invalidUser: true,
      user: 'admin',
      sourceIp: '198.51.100.17',
      port: 2222,
    },
  ],
  [
    'User not known to the underlying authentication module for bob from 198.51.100.13',
    { event: 'user_unknown', user: 'bob', invalidUser: true, sourceIp: '198.51.100.13' },
  ],
  [
    'Disconnecting invalid user admin 198.51.100.18 port 50022: Change of username or service not allowed: (admin,ssh-connection) -> (root,ssh-connection) [preauth]',
    {
      event: 'user_change_refused',
      invalidUser: true,
      user: 'admin',
      sourceIp: '198.51.100.18',
      port: 50022,
    },
  ],
  [
    'ROOT LOGIN REFUSED FROM 198.51.100.14',
    { event: 'root_login_refused', user: 'root', sourceIp: '198.51.100.14' },
  ],
  [
    'refused connect from scanner.example.net (198.51.100.15)',
    { event: 'refused_connect', sourceIp: '198.51.100.15', sourceHost: 'scanner.example.net' },
  ],
];

const line = (message: string, i: number) => `Dec  5 10:00:0${i} web1 sshd[${500 + i}]: ${message}`;

describe('sshd refusal and PAM failure forms', () => {
  it.each(FORMS)('reads %j into its fields', async (message, fields) => {
    const events: LogEvent[] = [];
    for await (const item of readLogs('-', { stdin: stream([line(message, 0)]), year: 2026 })) {
      events.push(item as LogEvent);
    }
    expect(events).toHaveLength(1);
    expect(events[0].source.service).toBe('sshd');
    expect(events[0].fields.ssh).toMatchObject(fields);
  });

  it.each(FORMS)('counts %j as a failure: six make brute force', async (message, fields) => {
    const lines = Array.from({ length: 6 }, (_, i) => line(message, i));
    const result = await detect({ paths: '-', stdin: stream(lines), year: 2026 });
    const brute = result.alerts.filter((a) => a.title === 'SSH brute force from one source');
    expect(brute).toHaveLength(1);
    expect(brute[0].eventCount).toBe(6);
    expect(brute[0].entities).toContainEqual({ kind: 'ip', value: fields.sourceIp });
  });

  it('does not count a refusal that names no source', async () => {
    const lines = Array.from({ length: 6 }, (_, i) =>
      line('User dave not allowed because account is locked', i),
    );
    const result = await detect({ paths: '-', stdin: stream(lines), year: 2026 });
    expect(result.alerts.filter((a) => a.title.startsWith('SSH brute force'))).toEqual([]);
  });
});
