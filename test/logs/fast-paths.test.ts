/** The readers' fast paths (plain RFC 3164 headers, canonical ISO times) agree with the general parsers. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/logs/record-fields.js';
import { parseSyslogLine } from '../../src/logs/syslog-line.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Foo'];
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
        const d = style === 'pad' ? String(day).padStart(2) : style === 'zero' ? pad(day) : String(day);
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

  it('canonical ISO times come out as Date.parse + toISOString would give them', () => {
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
    const stamp = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3)))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms ? `.${ms}` : ''}Z`);
    const reference = (v: string) => {
      const ms = Date.parse(v);
      return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
    };
    fc.assert(
      fc.property(stamp, (v) => {
        expect(isoTime(v)).toBe(reference(v));
      }),
      { numRuns: 5000 },
    );
    for (const v of ['2023-02-29T00:00:00Z', '2023-07-10T24:00:00Z', '2023-07-31T23:59:59.999Z']) {
      expect(isoTime(v)).toBe(reference(v));
    }
  });
});
