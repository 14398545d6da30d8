import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogReadError } from '../../src/logs/log-read-error.js';
import type { LogItem, LogReader } from '../../src/logs/log-reader.js';
import { readLogs } from '../../src/logs/read-logs.js';
import { LOG_READERS } from '../../src/logs/reader-registry.js';
import { dataPath, READER_SAMPLES, streamOf } from './shared-data.js';

/** A real sample per reader, fed mutated to that reader. */
const SAMPLES = READER_SAMPLES;

const JOURNAL =
  '{"__REALTIME_TIMESTAMP":"1700000000123456","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Failed password for root from 192.0.2.9 port 4242 ssh2"}\n';

function sample(kind: string): string {
  const file = SAMPLES[kind];
  if (!file) return JOURNAL;
  return readFileSync(dataPath(file), 'utf8').slice(0, 6000);
}

/** True when every item is a well-formed event or a LogReadError. */
function wellFormed(items: LogItem[]): boolean {
  return items.every((item) => {
    if (item instanceof LogReadError)
      return typeof item.message === 'string' && item.file.length > 0;
    return (
      typeof item.time === 'string' &&
      !Number.isNaN(Date.parse(item.time)) &&
      typeof item.source.reader === 'string' &&
      typeof item.fields === 'object'
    );
  });
}

async function drain(items: AsyncIterable<LogItem>): Promise<LogItem[]> {
  const out: LogItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Real text with random splices: deleted ranges, inserted junk, duplicated ranges. */
const mutation = (text: string) =>
  fc
    .array(
      fc.record({
        at: fc.nat({ max: Math.max(0, text.length - 1) }),
        cut: fc.nat({ max: 40 }),
        insert: fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom(
            '"',
            '{',
            '[',
            ']',
            '}',
            '\n',
            '\\',
            ':',
            ',',
            '\u0000',
            '\uFFFD',
            'null',
            '1e999',
          ),
        ),
      }),
      { maxLength: 8 },
    )
    .map((edits) =>
      edits.reduce((t, e) => t.slice(0, e.at) + e.insert + t.slice(e.at + e.cut), text),
    );

describe('log readers under fuzzing', () => {
  for (const reader of LOG_READERS) {
    it(`${reader.kind}: mutated real input yields only events or LogReadErrors`, async () => {
      const text = sample(reader.kind);
      await fc.assert(
        fc.asyncProperty(mutation(text), fc.integer({ min: 1, max: 300 }), async (input, chunk) => {
          const items = await drain(
            reader.read(streamOf(input, chunk), { file: 'fuzz', year: 2024 }),
          );
          expect(wellFormed(items)).toBe(true);
        }),
        { numRuns: 60, interruptAfterTimeLimit: 8000 },
      );
    }, 20000);
  }

  it('any reader: random bytes yield only events or LogReadErrors, quickly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom(...LOG_READERS),
        async (bytes, reader: LogReader) => {
          const started = Date.now();
          const items = await drain(
            reader.read(streamOf(Buffer.from(bytes), 64), { file: 'fuzz' }),
          );
          expect(wellFormed(items)).toBe(true);
          expect(Date.now() - started).toBeLessThan(2000);
        },
      ),
      { numRuns: 300, interruptAfterTimeLimit: 10000 },
    );
  }, 20000);

  it('readLogs: random and mutated stdin is sniffed and read without a throw', async () => {
    const corpus = Object.keys(SAMPLES).map(sample);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...corpus).chain(mutation), async (input) => {
        const items = await drain(readLogs('-', { stdin: streamOf(input, 97), year: 2024 }));
        expect(wellFormed(items)).toBe(true);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 10000 },
    );
  }, 20000);

  it('an endless line or a deeply nested document ends in a bounded error, not a hang', async () => {
    const nested = '['.repeat(100000);
    const items = await drain(readLogs('-', { stdin: streamOf(nested, 4096) }));
    expect(items.every((i) => i instanceof LogReadError)).toBe(true);
    const long = `Jan  1 00:00:00 h a: ${'x'.repeat(9 * 1024 * 1024)}\nJan  1 00:00:01 h a: ok\n`;
    const syslog = LOG_READERS.find((r) => r.kind === 'syslog')!;
    const out = await drain(syslog.read(streamOf(long, 65536), { file: 'x', year: 2024 }));
    expect(out.map((i) => (i instanceof LogReadError ? i.code : 'event'))).toEqual([
      'TOO_LARGE',
      'event',
    ]);
  }, 20000);
});
