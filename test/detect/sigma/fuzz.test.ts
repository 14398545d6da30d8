import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MODIFIERS } from '../../../src/detect/sigma/field-matcher.js';
import { loadSigmaRules, loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import { createSigmaEngine, type SigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import type { SigmaLoadResult } from '../../../src/detect/sigma/types.js';
import { shared } from '../../support/paths.js';
import { CLOUDTRAIL, event } from './sigma-test-support.js';

const RULE_DIR = shared('sigma-rules/rules/cloud/aws/cloudtrail');
const samples = readdirSync(RULE_DIR)
  .slice(0, 20)
  .map((f) => readFileSync(join(RULE_DIR, f), 'utf8'));

/** Loads text and checks the contract: a result, never an exception, within a time bound. */
function loadWithinBound(text: string): SigmaLoadResult {
  const started = performance.now();
  const result = loadSigmaText(text, 'fuzz.yml', { placeholders: { x: ['a', 'b*'] } });
  expect(performance.now() - started).toBeLessThan(2_000);
  for (const u of result.unsupported) {
    expect(u.file).toBe('fuzz.yml');
    expect(typeof u.reason).toBe('string');
    expect(u.reason.length).toBeGreaterThan(0);
    expect(u.reason).not.toMatch(/^cannot compile/);
  }
  return result;
}

function mutate(text: string, at: number, cut: number, insert: string): string {
  const i = at % (text.length + 1);
  return text.slice(0, i) + insert + text.slice(i + cut);
}

const fieldName = fc.constantFrom(
  'eventName',
  'userIdentity.arn',
  'requestParameters.name',
  'a.b.c',
  'x',
  '',
);
const modifierChain = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.array(
      fc.constantFrom('contains', 'startswith', 'endswith', 'all', 'cased', 'neq', 'windash'),
      { maxLength: 2 },
    ),
  },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...MODIFIERS, 'bogus'), { maxLength: 3 }) },
);
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('*', '?', '\\*', '%x%', '10.0.0.0/8', '(a+)+$', '2024-01-01T00:00:00Z'),
);
const itemValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));
const selection = fc.oneof(
  fc.dictionary(
    fc.tuple(fieldName, modifierChain).map(([f, m]) => [f, ...m].join('|')),
    itemValue,
    { maxKeys: 4 },
  ),
  fc.array(scalar, { maxLength: 3 }),
);
const { condition: validCondition } = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('sel1', 'sel2', '1 of sel*', 'all of them', 'not sel1'),
    fc
      .tuple(tie('condition'), fc.constantFrom('and', 'or', 'and not'), tie('condition'))
      .map(([a, op, b]) => `(${a}) ${op} ${b}`),
  ),
}));
const garbageCondition = fc
  .array(
    fc.constantFrom(
      'sel1',
      'sel2',
      'and',
      'or',
      'not',
      '(',
      ')',
      '1 of sel*',
      'all of them',
      'missing',
      '|',
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((w) => w.join(' '));
const randomRule = fc.record({
  title: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constant('')),
  logsource: fc.record({ product: fc.constantFrom('aws', 'linux') }, { requiredKeys: [] }),
  detection: fc.record({
    sel1: selection,
    sel2: selection,
    condition: fc.oneof(
      { weight: 4, arbitrary: validCondition },
      { weight: 1, arbitrary: garbageCondition },
    ),
  }),
  level: fc.constantFrom('low', 'high', 'critical', 'bad'),
});

const randomEvent = fc.dictionary(
  fc.constantFrom('eventName', 'userIdentity', 'requestParameters', 'a', 'x', 'sourceIPAddress'),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 6 },
);

describe('Sigma loader fuzzing', () => {
  it('never throws on mutated real rules', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.nat(40),
        fc.string({ maxLength: 20 }),
        (text, at, cut, insert) => {
          loadWithinBound(mutate(text, at, cut, insert));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => void loadWithinBound(text)),
      { numRuns: 300 },
    );
  });

  it('reports or compiles random rules, and compiled ones never throw on random events', () => {
    let loaded = 0;
    fc.assert(
      fc.property(randomRule, fc.array(randomEvent, { maxLength: 5 }), (rule, events) => {
        const { rules } = loadWithinBound(stringify(rule));
        if (rules.length > 0) loaded++;
        const engine = createSigmaEngine(rules, { placeholders: { x: ['a'] } });
        expect(engine.unsupported).toEqual([]);
        const started = performance.now();
        for (const fields of events) engine.process(event(fields));
        expect(performance.now() - started).toBeLessThan(2_000);
      }),
      { numRuns: 500 },
    );
    expect(loaded).toBeGreaterThan(25);
  });
});

describe('Sigma matcher fuzzing', () => {
  let engine: SigmaEngine;
  beforeAll(async () => {
    const { rules } = await loadSigmaRules([shared('sigma-rules/rules')]);
    engine = createSigmaEngine(rules);
  });

  it('runs every shared rule on random events of every log source without throwing', () => {
    const sources = fc.constantFrom(
      CLOUDTRAIL,
      { reader: 'auditd', product: 'linux', service: 'auditd' },
      { reader: 'syslog', product: 'linux', service: 'sshd' },
      { reader: 'azure-activity', product: 'azure', service: 'activitylogs' },
      { reader: 'gcp-audit', product: 'gcp', service: 'gcp.audit' },
      { reader: 'unknown' },
    );
    fc.assert(
      fc.property(
        sources,
        fc.jsonValue({ maxDepth: 4 }),
        fc.string({ maxLength: 30 }),
        (source, value, time) => {
          const fields =
            value !== null && typeof value === 'object' && !Array.isArray(value)
              ? value
              : { value };
          const started = performance.now();
          const matches = engine.process({
            time,
            source,
            fields: fields as Record<string, unknown>,
            action: 'execve',
          });
          expect(Array.isArray(matches)).toBe(true);
          expect(performance.now() - started).toBeLessThan(1_000);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
