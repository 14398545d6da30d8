import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import { awsConfigReader } from '../../../src/sources/aws/aws-config-reader.js';
import { describeReader } from '../../../src/sources/aws/describe-reader.js';
import { placeboReader } from '../../../src/sources/aws/placebo-reader.js';
import type { Reader } from '../../../src/sources/reader.js';

const INVENTORY = path.resolve(process.cwd(), '../shared/data/cloud-inventory/aws');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const files = walk(INVENTORY).map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
const readers: Reader[] = [placeboReader, awsConfigReader, describeReader];

/** Offers `text` to every reader that claims it: resources or SourceReadError, quickly. */
function check(file: string, text: string): void {
  for (const reader of readers) {
    const source = { path: file, text };
    const started = Date.now();
    if (!reader.detect(source)) continue;
    try {
      const result = reader.read(source);
      if (result instanceof Promise) throw new Error('reader must be synchronous here');
      JSON.stringify(result.resources);
    } catch (err) {
      if (!(err instanceof SourceReadError)) throw err;
    }
    expect(Date.now() - started).toBeLessThan(2000);
  }
}

/** Replaces one JSON value somewhere in the document with an arbitrary one. */
function mutateValue(doc: unknown, pick: number, replacement: unknown): unknown {
  let seen = 0;
  const walkValue = (v: unknown): unknown => {
    seen += 1;
    if (seen === pick) return replacement;
    if (Array.isArray(v)) return v.map(walkValue);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walkValue(x)]));
    return v;
  };
  return walkValue(doc);
}

/** Offers file `i` with its `pick`-th JSON value replaced by `replacement` (JSON files only). */
function replaceOneValue(i: number, pick: number, replacement: unknown): void {
  const source = files[i]!;
  let doc: unknown;
  try {
    doc = JSON.parse(source.text);
  } catch {
    return;
  }
  check(source.path, JSON.stringify(mutateValue(doc, pick, replacement)));
}

describe('AWS inventory readers under fuzzing', () => {
  it('survive text mutations of real inventory files', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: files.length - 1 }),
        fc.nat(),
        fc.nat({ max: 30 }),
        fc.string({ maxLength: 10 }),
        (i, at, cut, insert) => {
          const source = files[i]!;
          const pos = at % (source.text.length + 1);
          check(source.path, source.text.slice(0, pos) + insert + source.text.slice(pos + cut));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('survive structural mutations: any value replaced by any JSON', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: files.length - 1 }),
        fc.nat({ max: 400 }),
        fc.jsonValue(),
        replaceOneValue,
      ),
      { numRuns: 600 },
    );
  });

  it('survive objects whose keys shadow what JavaScript calls to make text or numbers', () => {
    // JSON can name keys toString and valueOf: an object carrying them as plain values throws
    // when a reader turns it into a string or a number (String(x), `${x}`, Number(x)).
    const hostile = fc.constantFrom<unknown>(
      { toString: '' },
      { valueOf: 1, toString: 2 },
      [{ toString: null }],
      { Symbol: {}, toJSON: 'x' },
    );
    fc.assert(
      fc.property(
        fc.nat({ max: files.length - 1 }),
        fc.nat({ max: 400 }),
        hostile,
        replaceOneValue,
      ),
      { numRuns: 3000 },
    );
  });
});
