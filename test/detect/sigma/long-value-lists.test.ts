/**
 * A long list of values under one field (an IOC list) is tested as one set or trie lookup; its
 * verdicts must be those of the same rule matched value by value, which the oracles below do.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { detect } from '../../../src/detect/detect.js';
import { LONG_LIST } from '../../../src/detect/sigma/pattern-list.js';
import { createSigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import { readLogs } from '../../../src/logs/read-logs.js';
import type { LogEvent } from '../../../src/model/event.js';
import { shared } from '../../support/paths.js';
import { matcher, ruleFrom } from './sigma-test-support.js';

const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');

/** Deterministic pseudo-random numbers (a failure reproduces). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

/** `count` random 16-digit hex strings, none of which occurs in the log. */
function hexValues(count: number, seed: number): string[] {
  const rand = random(seed);
  return Array.from({ length: count }, () => {
    let hex = '';
    for (let i = 0; i < 16; i++) hex += '0123456789abcdef'[rand(16)];
    return hex;
  });
}

/** Values found in OpenSSH_2k.log, in other cases than the log writes them, by modifier. */
const FOUND: Record<string, string[]> = {
  contains: [
    '173.234.31.186',
    'INVALID USER WEBMASTER',
    'Possible Break-In',
    'pam_unix(sshd:auth)',
  ],
  startswith: ['Invalid user ', 'received disconnect from', 'PAM 1 MORE'],
  endswith: ['[PREAUTH]', 'port 22 ssh2', ' tty=ssh ruser= rhost=183.62.140.253  user=root'],
  equals: [
    'Connection closed by 187.141.143.180 [preauth]',
    'PAM SERVICE(SSHD) IGNORING MAX RETRIES; 6 > 3',
  ],
};

const KEY = { contains: '|contains', startswith: '|startswith', endswith: '|endswith', equals: '' };
type Shape = keyof typeof KEY;

/** A rule on the sshd message, its values in one list or in lists of `chunk` (one by one). */
function sshRule(shape: Shape, values: string[], chunk = values.length): string {
  const lists: string[] = [];
  for (let i = 0; i < values.length; i += chunk) {
    const items = values.slice(i, i + chunk).map((v) => `      - ${JSON.stringify(v)}\n`);
    lists.push(`  selection_${lists.length}:\n    message${KEY[shape]}:\n${items.join('')}`);
  }
  return (
    `title: IOC list ${shape}\nid: 3d0c1b2a-1f00-4c00-8000-00000000000${Object.keys(KEY).indexOf(shape)}\n` +
    'logsource:\n  product: linux\n  service: sshd\nlevel: high\ndetection:\n' +
    `${lists.join('')}  condition: 1 of selection_*\n`
  );
}

function ruleDir(rules: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-ioc-'));
  rules.forEach((text, i) => writeFileSync(join(dir, `ioc-${i}.yml`), text));
  return dir;
}

/** The alerts of the rules, in a form that compares: ids, counts, times and entities. */
async function alertsOf(rules: string[]) {
  const result = await detect({ paths: [OPENSSH], ruleDirs: [ruleDir(rules)], year: 2023 });
  return result.alerts
    .filter((a) => a.title.startsWith('IOC list'))
    .map((a) => ({
      id: a.id,
      title: a.title,
      eventCount: a.eventCount,
      firstSeen: a.firstSeen,
      lastSeen: a.lastSeen,
      entities: a.entities,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

describe('long value lists', () => {
  it('raise on OpenSSH_2k the alerts of the same rules matched value by value', async () => {
    const shapes = Object.keys(KEY) as Shape[];
    const values = (shape: Shape, i: number) => [...hexValues(2_000, 17 + i), ...FOUND[shape]];
    const long = shapes.map((shape, i) => sshRule(shape, values(shape, i)));
    // Lists shorter than LONG_LIST are tested value by value: the verdicts to match.
    const oneByOne = shapes.map((shape, i) => sshRule(shape, values(shape, i), LONG_LIST - 1));

    const expected = await alertsOf(oneByOne);
    expect(new Set(expected.map((a) => a.title)).size).toBe(shapes.length);
    expect(await alertsOf(long)).toEqual(expected);
  });

  it('fold an event value once, not once a value, however long the list', () => {
    for (const key of ['f|contains', 'f|startswith', 'f|endswith', 'f']) {
      const values = hexValues(1_000, 5).map((v) => `        - '${v}'\n`);
      const rule = matcher(`    selection:\n      ${key}:\n${values.join('')}`);
      const lower = vi.spyOn(String.prototype, 'toLowerCase');
      try {
        expect(rule({ f: 'GET /Payload.bin HTTP/1.1' })).toBe(false);
        expect(lower.mock.calls.length, key).toBeLessThanOrEqual(1);
      } finally {
        lower.mockRestore();
      }
    }
  });

  it('match with 20,000 contains values the events a search for each value finds', async () => {
    const values = [...hexValues(19_996, 3), ...FOUND.contains];
    const engine = createSigmaEngine([ruleFrom(sshRule('contains', values))]);
    const lowered = values.map((v) => v.toLowerCase());
    const matched: number[] = [];
    const expected: number[] = [];
    for await (const item of readLogs([OPENSSH], { year: 2023 })) {
      const event = item as LogEvent;
      if (engine.process(event).length > 0) matched.push(event.source.line!);
      const message = String(event.fields.message).toLowerCase();
      if (lowered.some((v) => message.includes(v))) expected.push(event.source.line!);
    }
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.length).toBeLessThan(2_000);
    expect(matched).toEqual(expected);
  });
});

/** Characters that fold oddly, mean something to globs, or that windash swaps. */
const CHAR = fc.constantFrom(
  'a',
  'B',
  'İ',
  'i',
  'ß',
  'Σ',
  'ς',
  'K',
  '*',
  '?',
  '\\',
  '-',
  '/',
  ' ',
  'é',
);
const WORD = fc.array(CHAR, { minLength: 0, maxLength: 5 }).map((c) => c.join(''));

const MODIFIERS = fc.record({
  shape: fc.constantFrom('', '|contains', '|startswith', '|endswith'),
  windash: fc.boolean(),
  cased: fc.boolean(),
  withNull: fc.boolean(),
});

describe('a long list item', () => {
  it('answers as its values tested one by one, whatever the values and modifiers', () => {
    fc.assert(
      fc.property(
        fc.array(WORD, { minLength: LONG_LIST, maxLength: 40 }),
        MODIFIERS,
        fc.array(fc.oneof(WORD, fc.array(WORD, { maxLength: 3 })), { minLength: 1, maxLength: 8 }),
        (words, mods, seen) => {
          const key = `f${mods.shape}${mods.windash ? '|windash' : ''}${mods.cased ? '|cased' : ''}`;
          const values: (string | null)[] = mods.withNull ? [...words, null] : words;
          const yaml = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
          const long = matcher(
            `    selection:\n        ${key}:\n${values.map((v) => `            - ${yaml(v)}\n`).join('')}`,
          );
          const oneByOne = matcher(
            values.map((v, i) => `    selection_${i}:\n        ${key}: ${yaml(v)}\n`).join(''),
            {},
            '1 of selection_*',
          );
          // Values from the list in other cases, as well as random ones; and an absent field.
          const events = [...seen, ...words.map((w) => w.toUpperCase()), ...words.slice(0, 3)];
          for (const value of events) {
            expect(
              long({ f: value }),
              `${key} ${JSON.stringify(values)} on ${JSON.stringify(value)}`,
            ).toBe(oneByOne({ f: value }));
          }
          expect(long({})).toBe(oneByOne({}));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers as its keywords searched one by one', () => {
    fc.assert(
      fc.property(
        fc.array(WORD, { minLength: LONG_LIST, maxLength: 40 }),
        fc.array(WORD),
        (words, seen) => {
          const long = matcher(
            `    keywords:\n${words.map((w) => `        - ${JSON.stringify(w)}\n`).join('')}`,
            {},
            'keywords',
          );
          const oneByOne = matcher(
            words.map((w, i) => `    keywords_${i}:\n        - ${JSON.stringify(w)}\n`).join(''),
            {},
            '1 of keywords_*',
          );
          const fields = Object.fromEntries(
            [...seen, ...words.slice(0, 2)].map((v, i) => [`f${i}`, v]),
          );
          expect(long(fields)).toBe(oneByOne(fields));
        },
      ),
      { numRuns: 300 },
    );
  });
});
