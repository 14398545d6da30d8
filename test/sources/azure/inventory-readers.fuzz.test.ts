/** Fuzzing the Azure inventory readers: mutated real exports either read or fail with SourceReadError. */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import { azureReaders } from '../../../src/sources/azure/index.js';
import { shared } from '../../support/paths.js';

const DIR = shared('cloud-inventory/azure/cloud-custodian-cassettes');
const SEEDS = readdirSync(DIR).map((f) => readFileSync(join(DIR, f), 'utf8'));

/** Offers text to every Azure reader that claims it; only SourceReadError may escape. */
async function readAll(text: string): Promise<void> {
  const file = { path: 'fuzz.json', text };
  for (const reader of azureReaders) {
    let claimed = false;
    try {
      claimed = reader.detect(file);
    } catch (error) {
      throw new Error(`detect threw: ${String(error)}`);
    }
    if (!claimed) continue;
    try {
      const { resources } = await reader.read(file);
      for (const r of resources) expect(typeof r.id).toBe('string');
    } catch (error) {
      if (!(error instanceof SourceReadError)) throw error;
    }
  }
}

/** Random JSON values in place of parts of a real export. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || typeof value !== 'object' || value === null) return replacement;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key] = entries[path[0] % entries.length];
  const copy: any = Array.isArray(value) ? [...value] : { ...value };
  copy[key] = mutate(copy[key], path.slice(1), replacement);
  return copy;
}

describe('Azure inventory readers under fuzzing', () => {
  it('survive random JSON put anywhere in real cassettes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.jsonValue(),
        async (seed, path, replacement) => {
          const text = JSON.stringify(mutate(JSON.parse(SEEDS[seed]), path, replacement));
          await readAll(text);
        },
      ),
      { numRuns: 400, interruptAfterTimeLimit: 20_000 },
    );
  }, 30_000);

  it('skip an interaction whose method or status code is an object that cannot become text', async () => {
    const body = { id: '/subscriptions/s/providers/Microsoft.Security/pricings/p', name: 'p' };
    const data = JSON.stringify({ ...body, type: 'Microsoft.Security/pricings', properties: {} });
    const uri = 'https://management.azure.com/x';
    const cassette = (request: object, status: object) =>
      JSON.stringify({ interactions: [{ request, response: { status, body: { data } } }] });
    // Found by the property above (seed 1880312826): String() of {"toString":{}} throws.
    await readAll(cassette({ method: { toString: {} }, uri }, { code: 200 }));
    await readAll(cassette({ method: 'GET', uri }, { code: { valueOf: {} } }));
    const [reader] = azureReaders.filter((r) =>
      r.detect({ path: 'c.json', text: cassette({ method: 'GET', uri }, { code: 200 }) }),
    );
    const read = (text: string) => reader.read({ path: 'c.json', text });
    expect((await read(cassette({ method: 'GET', uri }, { code: 200 }))).resources).toHaveLength(1);
    expect(
      (await read(cassette({ method: { toString: {} }, uri }, { code: 200 }))).resources,
    ).toHaveLength(0);
    expect(
      (await read(cassette({ method: 'get', uri }, { code: { valueOf: {} } }))).resources,
    ).toHaveLength(0);
  });

  it('survive truncated and byte-flipped cassettes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.nat(),
        fc.string({ maxLength: 8 }),
        async (seed, at, insert) => {
          const text = SEEDS[seed];
          const cut = at % (text.length + 1);
          await readAll(text.slice(0, cut) + insert + text.slice(cut + insert.length));
        },
      ),
      { numRuns: 300, interruptAfterTimeLimit: 20_000 },
    );
  }, 30_000);

  it('read a deeply nested or huge list response quickly', async () => {
    const body = {
      id: '/subscriptions/s/providers/Microsoft.Security/pricings/p',
      type: 'Microsoft.Security/pricings',
      name: 'p',
      properties: {},
    };
    const value = Array.from({ length: 20_000 }, (_, i) => ({
      ...body,
      id: `${body.id}${i}`,
      name: `p${i}`,
    }));
    const started = Date.now();
    const [reader] = azureReaders.filter((r) =>
      r.detect({ path: 'big.json', text: JSON.stringify({ value }) }),
    );
    const { resources } = await reader.read({ path: 'big.json', text: JSON.stringify({ value }) });
    expect(resources).toHaveLength(20_000);
    expect(Date.now() - started).toBeLessThan(5_000);

    const depth = 5_000;
    const deep = '{"value":['.repeat(depth) + JSON.stringify(body) + ']}'.repeat(depth);
    const request = '{"method":"GET","uri":"https://management.azure.com/x"}';
    await readAll(`{"interactions":[{"request":${request},"response":{"body":{"data":${deep}}}}]}`);
  });
});
