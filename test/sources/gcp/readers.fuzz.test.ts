import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import type { SourceFile } from '../../../src/sources/reader.js';
import { readAssetInventory } from '../../../src/sources/gcp/asset-inventory-reader.js';
import { readRestResponse } from '../../../src/sources/gcp/rest-response-reader.js';
import { gcpReaders } from '../../../src/sources/gcp/index.js';
import { GCP_INVENTORY, filesUnder, sourceFile } from './shared-data.js';

const REAL = filesUnder(GCP_INVENTORY).map(sourceFile);

/** Reads with the reader that claims the file (or both); only SourceReadError may escape. */
async function readsOrRejects(file: SourceFile): Promise<void> {
  const started = Date.now();
  for (const read of [readAssetInventory, readRestResponse]) {
    try {
      const { resources } = await read(file);
      for (const r of resources) expect(typeof r.id).toBe('string');
    } catch (err) {
      if (!(err instanceof SourceReadError)) throw err;
    }
  }
  for (const reader of gcpReaders) reader.detect(file);
  expect(Date.now() - started).toBeLessThan(2_000);
}

/** A real file with a slice cut out, a slice duplicated or a character replaced. */
const mutated = fc
  .tuple(
    fc.constantFrom(...REAL),
    fc.nat(),
    fc.nat(),
    fc.constantFrom('cut', 'dup', 'char'),
    fc.string({ maxLength: 3 }),
  )
  .map(([file, a, b, how, s]) => {
    const t = file.text;
    const i = a % (t.length + 1);
    const j = Math.min(t.length, i + (b % 200));
    const text =
      how === 'cut'
        ? t.slice(0, i) + t.slice(j)
        : how === 'dup'
          ? t.slice(0, j) + t.slice(i)
          : t.slice(0, i) + s + t.slice(i + 1);
    return { path: file.path, text };
  });

/** Structurally valid JSON of random shape under real file names. */
const randomJson = fc
  .tuple(fc.constantFrom(...REAL.map((f) => f.path)), fc.jsonValue({ maxDepth: 5 }))
  .map(([path, value]) => ({ path, text: JSON.stringify(value) }));

/** Asset records and REST bodies with random values in the places the readers look. */
const wildRecords = fc
  .record(
    {
      name: fc.oneof(
        fc.string(),
        fc.constant('//compute.googleapis.com/projects/p/zones/z/instances/i'),
      ),
      asset_type: fc.oneof(fc.string(), fc.constant('container.googleapis.com/Cluster')),
      resource: fc.oneof(fc.anything(), fc.record({ data: fc.object(), parent: fc.anything() })),
      iam_policy: fc.anything(),
      ancestors: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .map((rec) => ({ path: 'export.json', text: JSON.stringify([rec]) }));

describe('GCP readers under fuzzing', () => {
  it('never crash on mutated real files: resources or a SourceReadError', async () => {
    await fc.assert(fc.asyncProperty(mutated, readsOrRejects), { numRuns: 400 });
  });

  it('never crash on random JSON under real file names', async () => {
    await fc.assert(fc.asyncProperty(randomJson, readsOrRejects), { numRuns: 300 });
  });

  it('never crash on asset records with random field values', async () => {
    await fc.assert(fc.asyncProperty(wildRecords, readsOrRejects), { numRuns: 300 });
  });

  it('match long hostile flight file names in bounded time', () => {
    const name = `get-compute-v1-projects-${'a-'.repeat(2_000)}zones-x-instances_1.json`;
    const started = Date.now();
    expect(gcpReaders[1].detect({ path: name, text: '{}' })).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
