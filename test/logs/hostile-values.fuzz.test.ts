/**
 * Structured fuzzing of the JSON log readers and the detection after them: real records with
 * random values replaced by hostile ones (objects whose `toString` is not a function, `__proto__`
 * keys, wrong types, huge numbers, long strings, bad times). Reading and detection with the
 * built-in rules and the shared Sigma rules must yield events, LogReadErrors and alerts only,
 * and every export format must render those alerts.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { detect, loadDetectionRules, type LoadedRules } from '../../src/detect/detect.js';
import { EXPORT_FORMATS, formatRecord } from '../../src/export/formats/index.js';
import { alertRecord } from '../../src/export/outbox/alert-records.js';
import { LogReadError } from '../../src/logs/log-read-error.js';
import { LOG_READERS } from '../../src/logs/reader-registry.js';
import { collect, dataPath, READER_SAMPLES, streamOf } from './shared-data.js';

/** Real JSON inputs per reader (whole documents or NDJSON), cut to their first records. */
const TEXT_READERS = new Set(['journald', 'auditd', 'syslog']);
const SAMPLES = Object.fromEntries(
  Object.entries(READER_SAMPLES).filter(([kind]) => !TEXT_READERS.has(kind)),
);

const HOSTILE: unknown[] = [
  { toString: '' },
  { toString: {}, valueOf: {} },
  JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  { constructor: { prototype: { polluted: 'yes' } } },
  [],
  [[[]]],
  [{ toString: 1 }],
  null,
  true,
  0,
  -1,
  1e308,
  -0.5,
  '',
  '\u0000',
  '\uD800',
  'x'.repeat(20_000),
  '2024-13-45T99:99:99Z',
  '999.999.999.999',
  '${jndi:ldap://x}',
  // Nested past MAX_NESTING (and still within what this test's own JSON.stringify can write).
  JSON.parse('['.repeat(1_000) + ']'.repeat(1_000)),
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every value path of a document (up to a cap), for the replacements to pick from. */
function paths(value: Json, at: (string | number)[] = [], out: (string | number)[][] = []) {
  if (out.length >= 2_000) return out;
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) paths(value[k], [...at, k], out);
  }
  return out;
}

function replaced(doc: Json, path: (string | number)[], value: unknown): Json {
  if (path.length === 0) return value as Json;
  // An earlier replacement may have put a scalar where this path led: nothing left to replace.
  if (doc === null || typeof doc !== 'object') return doc;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const copy = [...doc];
    copy[head as number] = replaced(doc[head as number], rest, value);
    return copy;
  }
  const copy = { ...(doc as Record<string, Json>) };
  // Defined as an own property, as JSON.parse does for `__proto__`.
  Object.defineProperty(copy, head, {
    value: replaced((doc as Record<string, Json>)[head], rest, value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/** The sample as documents: one JSON document, or one per NDJSON line. */
function documents(file: string): { docs: Json[]; ndjson: boolean } {
  const text = readFileSync(dataPath(file), 'utf8').replace(/^\uFEFF/, '');
  try {
    return { docs: [JSON.parse(text) as Json], ndjson: false };
  } catch {
    const docs = text
      .split('\n')
      .slice(0, 40)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Json];
        } catch {
          return [];
        }
      });
    return { docs, ndjson: true };
  }
}

/** Up to six replacements of random values of random documents by hostile ones. */
function hostileInput(file: string): fc.Arbitrary<string> {
  const { docs, ndjson } = documents(file);
  const all = docs.map((d) => paths(d));
  return fc
    .array(
      fc.record({
        doc: fc.nat({ max: docs.length - 1 }),
        pick: fc.nat(),
        value: fc.constantFrom(...HOSTILE),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((edits) => {
      const out = [...docs];
      for (const e of edits) {
        const candidates = all[e.doc];
        out[e.doc] = replaced(out[e.doc], candidates[e.pick % candidates.length], e.value);
      }
      return ndjson ? out.map((d) => JSON.stringify(d)).join('\n') + '\n' : JSON.stringify(out[0]);
    });
}

describe('JSON log readers and detection under hostile values', () => {
  let rules: LoadedRules;
  beforeAll(async () => {
    rules = await loadDetectionRules({ ruleDirs: [dataPath('sigma-rules')] });
  }, 60_000);

  for (const [kind, file] of Object.entries(SAMPLES)) {
    const reader = LOG_READERS.find((r) => r.kind === kind)!;
    it(`${kind}: events or LogReadErrors from the reader, alerts from detection`, async () => {
      expect(reader).toBeDefined();
      await fc.assert(
        fc.asyncProperty(hostileInput(file), async (input) => {
          const { events, errors } = await collect(
            reader.read(streamOf(input, 4096), { file: 'fuzz', year: 2024 }),
          );
          for (const e of events) expect(Number.isNaN(Date.parse(e.time))).toBe(false);
          for (const e of errors) expect(e).toBeInstanceOf(LogReadError);
          const result = await detect({
            paths: '-',
            stdin: streamOf(input, 4096),
            loaded: rules,
            year: 2024,
          });
          expect(result.events + result.readErrors.length).toBeGreaterThan(0);
          // Every view of the alerts: each export format, and the incidents built from them.
          for (const alert of result.alerts) {
            const record = alertRecord(alert, { change: 'created' }, alert.lastSeen);
            for (const format of EXPORT_FORMATS) {
              expect(typeof formatRecord(record, format)).toBe('string');
            }
          }
          expect(Array.isArray(result.incidents)).toBe(true);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        }),
        {
          numRuns: Number(process.env.FUZZ_RUNS ?? 40),
          interruptAfterTimeLimit: Number(process.env.FUZZ_MS ?? 8_000),
        },
      );
    }, 30_000);
  }
});
