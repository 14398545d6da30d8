import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import { readKubernetesManifest } from '../../../src/sources/kubernetes/manifest-reader.js';
import { EXAMPLES, GOAT, sharedFile, sharedFiles } from './shared-data.js';

/** Real manifests the mutations start from. */
const SEEDS = [...sharedFiles(GOAT), ...sharedFiles(EXAMPLES)]
  .filter((p) => /\.ya?ml$/.test(p))
  .map((p) => sharedFile(p).text);

/** Fragments that stress YAML and the reader: anchors, aliases, tags, templating, lists. */
const FRAGMENTS = [
  '---\n',
  '&a ',
  '*a',
  '!!binary ',
  '{{ .Values.x }}',
  '"{{ x }}"',
  '\t',
  '- ',
  ': ',
  'kind: List\nitems:\n',
  'kind: PodList\n',
  'apiVersion: 5\n',
  'metadata: []\n',
  'metadata:\n  namespace: [x]\n',
  '[',
  ']',
  '{',
  '}',
  '? ',
  '%YAML 1.1\n',
  '...\n',
  '\uFEFF',
  '# palisade:ignore a b\n',
  'items: 3\n',
  '<<: *a\n',
  '!!str ',
  '|\n',
  '>-\n',
  '\0',
];

type Mutation = (text: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...FRAGMENTS)).map(
    ([at, frag]) =>
      (t: string) =>
        t.slice(0, at % (t.length + 1)) + frag + t.slice(at % (t.length + 1)),
  ),
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(
    ([at, len]) =>
      (t: string) =>
        t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + len),
  ),
  fc.tuple(fc.nat(), fc.string({ maxLength: 12 })).map(
    ([at, s]) =>
      (t: string) =>
        t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1)),
  ),
  fc.nat().map((n) => (t: string) => {
    const lines = t.split('\n');
    const i = n % lines.length;
    return [...lines.slice(0, i), ` ${lines[i]}`, ...lines.slice(i + 1)].join('\n');
  }),
);

/** Reads `text`; anything other than resources or a SourceReadError fails the property. */
function readsOrRefuses(text: string): void {
  const started = performance.now();
  try {
    const result = readKubernetesManifest({ path: '/tmp/fuzz.yaml', text });
    for (const r of result.resources) {
      expect(typeof r.id).toBe('string');
      expect(r.type).toMatch(/\/./);
      expect(Number.isInteger(r.source.line)).toBe(true);
    }
  } catch (err) {
    if (!(err instanceof SourceReadError)) throw err;
    expect(err.file).toBe('/tmp/fuzz.yaml');
  }
  expect(performance.now() - started).toBeLessThan(1000);
}

describe('kubernetes manifest reader under fuzzing', () => {
  it('reads or refuses mutated real manifests, never crashing or hanging', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (seed, mutations) => readsOrRefuses(mutations.reduce((t, m) => m(t), seed)),
      ),
      { numRuns: 1500 },
    );
  });

  it('reads or refuses arbitrary text that carries apiVersion and kind', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) =>
        readsOrRefuses(`${a}\napiVersion: v1\nkind: ${b}\n${a}`),
      ),
      { numRuns: 1000 },
    );
  });

  it('reads or refuses random JSON values shaped like objects', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.jsonValue({ maxDepth: 3 }), (meta, spec) =>
        readsOrRefuses(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec })),
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses deeply nested flow collections quickly', () => {
    readsOrRefuses(`apiVersion: v1\nkind: Pod\nspec: ${'['.repeat(50_000)}`);
    readsOrRefuses(`apiVersion: v1\nkind: Pod\nspec: ${'{{'.repeat(100_000)}`);
  });
});
