/** The readers' fast paths (plain RFC 3164 headers, canonical ISO times) agree with the general parsers. */

import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authMeaning, sshFields } from '../../src/logs/auth-message.js';
import { fieldTime, rfc3339Ms } from '../../src/logs/record-time.js';
import { parseSyslogLine } from '../../src/logs/syslog-line.js';
import { syslogEvent } from '../../src/logs/syslog-reader.js';
import { SyslogYear } from '../../src/logs/syslog-year.js';

const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
  'Foo',
];
const pad = (n: number) => String(n).padStart(2, '0');

describe('fast paths', () => {
  it('a plain RFC 3164 header parses as the regex path does (compared through a <PRI> prefix)', () => {
    const line = fc
      .tuple(
        fc.constantFrom(...MONTHS),
        fc.integer({ min: 0, max: 39 }),
        fc.constantFrom('pad', 'zero', 'one-space'),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.constantFrom(' ', '  '),
        fc.string({ maxLength: 12 }),
        fc.constantFrom('sshd[42]: ', 'sshd: ', 'cron[1]:', '', 'x(pam_unix)[7]: '),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('', '\r', '\u2028', '\n'),
      )
      .map(([mon, day, style, h, m, s, gap, host, tag, msg, brk]) => {
        const d =
          style === 'pad' ? String(day).padStart(2) : style === 'zero' ? pad(day) : String(day);
        return `${mon} ${d} ${pad(h)}:${pad(m)}:${pad(s)}${gap}${host} ${tag}${msg}${brk}${msg}`;
      });
    fc.assert(
      fc.property(line, (text) => {
        const fast = parseSyslogLine(text);
        const slow = parseSyslogLine(`<13>${text}`);
        if (slow === undefined) expect(fast).toBeUndefined();
        else expect(fast).toEqual({ ...slow, priority: undefined });
      }),
      { numRuns: 3000 },
    );
  });

  it('canonical ISO times come out as the strict RFC 3339 reading gives them', () => {
    const digits = (n: number) =>
      fc
        .array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n })
        .map((a) => a.join(''));
    const stamp = fc
      .tuple(
        fc.constantFrom('1969', '1970', '2023', '2024', '9999', '0000'),
        digits(4),
        digits(2),
        digits(2),
        digits(2),
        digits(2),
        digits(2),
        fc.option(digits(3)),
      )
      .map(
        ([y0, y, mo, d, h, mi, s, ms]) =>
          `${y0 === '0000' ? y : y0}-${mo}-${d}T${h}:${mi}:${s}${ms ? `.${ms}` : ''}Z`,
      );
    const reference = (v: string) => {
      const ms = rfc3339Ms(v);
      if (typeof ms === 'string') return undefined;
      return ms < 0 ? undefined : new Date(ms).toISOString();
    };
    fc.assert(
      fc.property(stamp, (v) => {
        expect(fieldTime([['t', v]])?.time).toBe(reference(v));
      }),
      { numRuns: 5000 },
    );
    for (const v of ['2023-02-29T00:00:00Z', '2023-07-10T24:00:00Z', '2023-07-31T23:59:59.999Z']) {
      expect(fieldTime([['t', v]])?.time).toBe(reference(v));
    }
    expect(fieldTime([['t', '2023-07-31T23:59:59.999Z']])?.time).toBe('2023-07-31T23:59:59.999Z');
    expect(fieldTime([['t', '2023-02-29T00:00:00Z']])?.time).toBeUndefined();
  });

  it('the syslog tag is split as the tag regex splits it', () => {
    const TAG = /^([^:[\]]{1,64}?)(?:\[(\d{1,10})\])?: ?(.*)$/s;
    const piece = fc.constantFrom('sshd', 'a', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(65), ' ');
    const body = fc
      .array(
        fc.oneof(
          piece,
          fc.constantFrom(
            '[',
            ']',
            ':',
            ': ',
            '[42]',
            '[1234567890]',
            '[12345678901]',
            '[]',
            '[x]',
          ),
          fc.string({ maxLength: 6 }),
          fc.stringMatching(/^\d{0,12}$/),
        ),
        { maxLength: 6 },
      )
      .map((parts) => parts.join(''))
      .filter((b) => !/[\n\r\u2028\u2029]/.test(b) && b.trimStart() === b && b.length > 0);
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseSyslogLine(`Jan  1 00:00:00 host ${text}`);
        const tag = TAG.exec(text);
        expect(parsed?.program).toBe(tag ? tag[1].trim() : undefined);
        expect(parsed?.pid).toBe(tag?.[2] ? Number(tag[2]) : undefined);
        expect(parsed?.message).toBe(tag ? tag[3] : text);
      }),
      { numRuns: 5000 },
    );
  });

  it('year-less times come out as Date.UTC + toISOString would give them, leap days included, and days a month lacks as none', () => {
    const months = [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ];
    const stamp = fc.tuple(
      fc.constantFrom(1999, 2000, 2023, 2024, 2100, 9999),
      fc.integer({ min: 0, max: 11 }),
      fc.integer({ min: 1, max: 31 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 60 }),
    );
    fc.assert(
      fc.property(stamp, ([year, month, day, h, m, sec]) => {
        const line = `${months[month]} ${String(day).padStart(2)} ${pad(h)}:${pad(m)}:${pad(sec)} h sshd[1]: x`;
        const event = syslogEvent(line, new SyslogYear(year));
        const ms = Date.UTC(year, month, day, h, m, sec);
        // A day the month does not have (Feb 29 of 2023, Apr 31) is no date: no event.
        const exists = new Date(Date.UTC(year, month, day)).getUTCMonth() === month;
        expect(event?.time).toBe(exists ? new Date(ms).toISOString() : undefined);
      }),
      { numRuns: 5000 },
    );
  });

  it("PAM's key list is read as the key=value regex reads it", () => {
    const word = fc.oneof(
      fc.constantFrom(
        'rhost=1.2.3.4',
        'uid=0',
        'euid=x',
        'ruser=',
        'tty=ssh',
        'user=root',
        'a=b=c',
      ),
      fc.constantFrom('x.y=z', '=v', '.=a=b', 'logname=', '__proto__=x', 'event=e', 'module=m'),
      // Near misses of the key names the reader keeps as constants.
      fc.constantFrom('xrhost=a', 'users=b', 'rhos=c', 'ttyx=d', 'e.uid=1', 'lognam=f'),
      fc.stringMatching(/^[\w.=:/-]{0,10}$/),
      fc.string({ maxLength: 8 }),
    );
    const list = fc.array(word, { maxLength: 8 }).map((words) => words.join(' '));
    const reference = (text: string, pamModule?: string) => {
      const out: Record<string, unknown> = {};
      for (const m of text.matchAll(/(\w+)=(\S*)/g)) {
        if (m[2] === '') continue;
        out[m[1]] = m[1] === 'uid' || m[1] === 'euid' ? Number(m[2]) : m[2];
      }
      const head = pamModule
        ? { module: pamModule, service: 'login', type: undefined }
        : { module: 'pam_unix', service: 'login', type: 'auth' };
      const all: Record<string, unknown> = { ...head, event: 'auth_failure', ...out };
      return Object.fromEntries(
        Object.entries(all).filter(([, v]) => v !== undefined && v !== false),
      );
    };
    fc.assert(
      fc.property(list, fc.boolean(), (text, oldTag) => {
        const meaning = oldTag
          ? authMeaning('login', `authentication failure;${text}`, 'pam_unix')
          : authMeaning('login', `pam_unix(login:auth): authentication failure;${text}`);
        if (/[\n\r\u2028\u2029]/.test(text)) return;
        const pam = meaning?.fields.pam as Record<string, unknown> | undefined;
        const expected = reference(text, oldTag ? 'pam_unix' : undefined);
        expect(pam).toEqual(expected);
        expect(Object.keys(pam ?? {})).toEqual(Object.keys(expected));
      }),
      { numRuns: 3000 },
    );
  });

  it("sshd's PAM failures and unknown users keep PAM's fields and name the user and address", () => {
    const value = fc.oneof(
      fc.constantFrom('', 'root', '1.2.3.4', '::ffff:10.0.0.1', 'host.example', '[::1]', '0'),
      fc.stringMatching(/^[\w.:-]{0,8}$/),
    );
    const pair = fc.tuple(
      fc.constantFrom('logname', 'uid', 'euid', 'tty', 'ruser', 'rhost', 'user'),
      value,
    );
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), fc.boolean(), (pairs, unknown) => {
        const text = pairs.map(([k, v]) => ` ${k}=${v}`).join('');
        const message = unknown
          ? `pam_unix(sshd:auth): check pass; user unknown${text}`
          : `pam_unix(sshd:auth): authentication failure;${text}`;
        const meaning = authMeaning('sshd', message);
        if (unknown) {
          expect(meaning?.fields).toEqual({
            ssh: { event: 'pam_user_unknown' },
            pam: { module: 'pam_unix', service: 'sshd', type: 'auth', event: 'user_unknown' },
          });
          return;
        }
        const kv: Record<string, unknown> = {};
        for (const [k, v] of pairs)
          if (v !== '') kv[k] = k === 'uid' || k === 'euid' ? Number(v) : v;
        const pam = {
          module: 'pam_unix',
          service: 'sshd',
          type: 'auth',
          event: 'auth_failure',
          ...kv,
        };
        const ssh: Record<string, unknown> = { event: 'pam_auth_failure' };
        if (kv.user !== undefined) ssh.user = kv.user;
        const rhost = kv.rhost as string | undefined;
        if (rhost) {
          const bare = rhost.replace(/^\[|\]$/g, '').replace(/^::ffff:(?=\d+\.)/i, '');
          if (isIP(bare)) ssh.sourceIp = bare;
          else ssh.sourceHost = rhost;
          ssh.remoteAddress = isIP(bare) ? bare : rhost;
        }
        const fields = meaning?.fields as Record<string, Record<string, unknown>>;
        expect(JSON.stringify(fields.pam)).toBe(JSON.stringify(pam));
        expect(JSON.stringify(fields.ssh)).toBe(JSON.stringify(ssh));
        expect(meaning?.outcome).toBe('failure');
        expect(meaning?.sourceIp).toBe(ssh.sourceIp);
      }),
      { numRuns: 2000 },
    );
  });

  it('sshd source addresses are told from host names as isIP tells them', () => {
    const octet = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom('00', '01', '010', '255', '256', '1000', '', 'a'),
    );
    const address = fc.oneof(
      fc.array(octet, { minLength: 2, maxLength: 5 }).map((parts) => parts.join('.')),
      fc.constantFrom('::1', '[::1]', '::ffff:1.2.3.4', 'fe80::1', 'host.example.com', '1.2.3.4.'),
    );
    fc.assert(
      fc.property(address, (addr) => {
        const ssh = sshFields(`Failed password for root from ${addr} port 22 ssh2`);
        if (!ssh) return;
        const bare = addr.replace(/^\[|\]$/g, '').replace(/^::ffff:(?=\d+\.)/i, '');
        expect(ssh.sourceIp).toBe(isIP(bare) ? bare : undefined);
        expect(ssh.sourceHost).toBe(isIP(bare) ? undefined : addr);
      }),
      { numRuns: 3000 },
    );
  });
});
