/**
 * A record nested thousands of levels deep parses, but every later recursive step (storing an
 * alert's evidence with JSON.stringify, a keyword rule walking all fields) overflows the stack.
 * Readers refuse it as a LogReadError naming file and line, and read on.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { MAX_NESTING, nestedDeeperThan } from '../../src/model/json-depth.js';

const DEEP = '['.repeat(6_000) + ']'.repeat(6_000);

function stopLogging(): Record<string, unknown> {
  const trail = JSON.parse(readFileSync('samples/logs/cloudtrail.json', 'utf8')) as {
    Records: Record<string, unknown>[];
  };
  return trail.Records.find((r) => r.eventName === 'StopLogging')!;
}

/** `record` as JSON text with a `deep` member nested 6,000 levels (built as text). */
function withDeepMember(record: Record<string, unknown>): string {
  return `${JSON.stringify(record).slice(0, -1)},"deep":${DEEP}}`;
}

describe('records nested too deeply', () => {
  it('measures nesting with an early stop', () => {
    expect(nestedDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestedDeeperThan({ a: [1] }, 1)).toBe(true);
    expect(nestedDeeperThan('x', 0)).toBe(false);
    expect(nestedDeeperThan(JSON.parse(DEEP))).toBe(true);
  });

  it('are refused by the reader, and the records around them still raise their alerts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-deep-'));
    const record = stopLogging();
    const ndjson = join(dir, 'trail.ndjson');
    writeFileSync(ndjson, `${withDeepMember(record)}\n${JSON.stringify(record)}\n`);
    // LookupEvents output: the record is a JSON string inside the envelope.
    const lookup = join(dir, 'lookup.json');
    writeFileSync(
      lookup,
      JSON.stringify({ Events: [{ EventId: 'x', CloudTrailEvent: withDeepMember(record) }] }),
    );

    const result = await detect({ paths: [ndjson, lookup] });
    expect(result.readErrors.map((e) => [e.file, e.line, e.code, e.message])).toEqual([
      [ndjson, 1, 'TOO_LARGE', `record nested deeper than ${MAX_NESTING} levels; not read`],
      [lookup, 1, 'TOO_LARGE', `record nested deeper than ${MAX_NESTING} levels; not read`],
    ]);
    expect(result.events).toBe(1);
    expect(result.alerts.map((a) => a.title)).toEqual([
      expect.stringMatching(/^AWS audit logging stopped/),
    ]);
    // What the store and every report do with alerts works.
    expect(() => JSON.stringify(result)).not.toThrow();
  });
});
