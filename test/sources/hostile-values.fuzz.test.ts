/**
 * Structured fuzzing of the posture path: real cloud inventory exports and IaC templates with
 * random values (and keys) replaced by hostile ones (objects whose `toString` is not a function,
 * `__proto__` and `constructor` keys, wrong types, huge numbers, long strings, deep nesting). The
 * first reader that claims the file must give resources or a SourceReadError (no JavaScript error,
 * thrown or caught and turned into a warning); the built-in rules must give each resource a
 * verdict; the secure score must be a number; every report format must render the assessment.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileReport } from '../../src/model/assessment.js';
import { isUnknown, type Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { SourceReadError } from '../../src/model/source-error.js';
import { assessResources } from '../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderCsv } from '../../src/report/csv-report.js';
import { renderHtml } from '../../src/report/html-report.js';
import { renderJson } from '../../src/report/json-report.js';
import { renderSarif } from '../../src/report/sarif-report.js';
import { renderTable } from '../../src/report/table-report.js';
import { parseTemplate } from '../../src/sources/cloudformation/cfn-template-parser.js';
import { mergeInventoryFragments } from '../../src/sources/read-paths.js';
import { evaluateTerraformDirectory } from '../../src/sources/terraform/evaluate-directory.js';
import type { SourceFile } from '../../src/sources/reader.js';
import { fileReaders } from '../../src/sources/registry.js';
import { REPO_ROOT, shared } from '../support/paths.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const HOSTILE: unknown[] = [
  { toString: {} },
  { toString: '', valueOf: {} },
  [{ toString: 1 }],
  { toString: {}, valueOf: {}, length: {} },
  JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  { constructor: { prototype: { polluted: 'yes' } } },
  {},
  [],
  [[[]]],
  null,
  true,
  0,
  -1,
  -0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  1e21,
  '',
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '0x10',
  '9'.repeat(400),
  '\u0000',
  '\uD800',
  'x'.repeat(20_000),
  '*',
  '0.0.0.0/0',
  '999.999.999.999/99',
  '2024-13-45T99:99:99Z',
  '${jndi:ldap://x}',
  '{{ .Values.x }}',
  // Names a lookup by key would find on Object.prototype.
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  JSON.parse('['.repeat(1_000) + ']'.repeat(1_000)),
  JSON.parse('{"a":'.repeat(300) + '1' + '}'.repeat(300)),
];

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
  'x'.repeat(2_000),
];

/** Every file under `dir` (a path under ../shared/data) whose name ends with one of `ends`. */
function sharedFiles(dir: string, ...ends: string[]): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((name) => {
      const full = join(d, name);
      if (statSync(full).isDirectory()) return walk(full);
      return ends.some((e) => name.endsWith(e)) ? [full] : [];
    });
  return walk(shared(dir)).sort();
}

/** Arrays cut to their first few items, so that one run judges a bounded number of resources. */
function cut(value: Json): Json {
  if (Array.isArray(value)) return value.slice(0, 6).map(cut);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v)]));
  }
  return value;
}

interface Sample {
  path: string;
  docs: Json[];
  format: 'json' | 'yaml';
  paths: Path[];
}

function parseSample(path: string, format: Sample['format'], text: string): Sample | undefined {
  let docs: Json[];
  try {
    if (format === 'json') docs = [JSON.parse(text.replace(/^\uFEFF/, '')) as Json];
    else if (/AWSTemplateFormatVersion|^Resources:/m.test(text)) {
      // Short forms (`!Ref x`) as their long forms, which the YAML written back spells plainly.
      docs = [parseTemplate(path, text).template as Json];
    } else {
      const parsed = parseAllDocuments(text);
      if (!Array.isArray(parsed) || parsed.some((d) => d.errors.length > 0)) return undefined;
      docs = parsed.map((d) => d.toJS() as Json).filter((d) => d !== null);
    }
  } catch {
    return undefined;
  }
  docs = docs.map(cut);
  if (docs.length === 0) return undefined;
  const paths: Path[] = [];
  docs.forEach((d, i) => valuePaths(d, [i], paths));
  return { path, docs, format, paths };
}

/** Every value path (document index first), up to a cap, for the edits to pick from. */
function valuePaths(value: Json, at: Path, out: Path[]): void {
  if (out.length >= 3_000) return;
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => valuePaths(v, [...at, i], out));
  else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) valuePaths(value[k], [...at, k], out);
  }
}

/** Defined as an own property, as JSON.parse does for `__proto__`. */
function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

type Edit =
  | { kind: 'value'; pick: number; value: unknown }
  | { kind: 'rename'; pick: number; key: string }
  | { kind: 'add'; pick: number; key: string; value: unknown };

/** `doc` with the edit applied at `path` (copies along the way; the sample is never changed). */
function edited(doc: Json, path: Path, edit: Edit): Json {
  const last = path.length === 0;
  if (last && edit.kind === 'value') return edit.value as Json;
  // An earlier edit may have put a scalar where this path led: nothing left to edit.
  if (doc === null || typeof doc !== 'object') return doc;
  const [head, ...rest] = path;
  // The value picked keeps its place under a hostile key.
  if (edit.kind === 'rename' && rest.length === 0 && !Array.isArray(doc)) {
    const copy = {};
    for (const [k, v] of Object.entries(doc)) setOwn(copy, k === head ? edit.key : k, v);
    return copy as Json;
  }
  if (last) {
    if (edit.kind !== 'add') return doc;
    if (Array.isArray(doc)) return [...doc, edit.value as Json];
    const copy = {};
    for (const [k, v] of Object.entries(doc)) setOwn(copy, k, v);
    setOwn(copy, edit.key, edit.value);
    return copy as Json;
  }
  const copy = Array.isArray(doc) ? [...doc] : {};
  if (!Array.isArray(doc)) for (const [k, v] of Object.entries(doc)) setOwn(copy, k, v);
  const inner = (doc as Record<string | number, Json>)[head];
  setOwn(copy, head, edited(inner, rest, edit));
  return copy as Json;
}

function describeEdit(doc: number, path: Path, e: Edit): string {
  const at = `doc ${doc} ${path.join('.')}`;
  const value = 'value' in e ? JSON.stringify(e.value).slice(0, 60) : '';
  if (e.kind === 'value') return `${at} = ${value}`;
  return e.kind === 'rename' ? `${at} renamed ${e.key.slice(0, 20)}` : `${at} + ${e.key}: ${value}`;
}

function serialise(sample: Sample, docs: Json[]): string {
  if (sample.format === 'json') return JSON.stringify(docs[0]);
  return docs.map((d) => stringify(d, { aliasDuplicateObjects: false })).join('---\n');
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('value' as const),
      pick: fc.nat(),
      value: fc.constantFrom(...HOSTILE),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('rename' as const),
      pick: fc.nat(),
      key: fc.constantFrom(...HOSTILE_KEYS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: fc.constantFrom(...HOSTILE_KEYS),
      value: fc.constantFrom(...HOSTILE),
    }),
  },
);

/** A sample of the family with one to six hostile edits, as the text a reader gets. */
function hostileFile(samples: Sample[]): fc.Arbitrary<SourceFile> {
  return fc
    .record({
      sample: fc.nat({ max: samples.length - 1 }),
      edits: fc.array(edit, { minLength: 1, maxLength: 6 }),
    })
    .map(({ sample: i, edits }) => {
      const sample = samples[i];
      const docs = [...sample.docs];
      const shown: string[] = [];
      for (const e of edits) {
        const [doc, ...path] = sample.paths[e.pick % sample.paths.length] as [number, ...Path];
        docs[doc] = edited(docs[doc], path, e);
        shown.push(describeEdit(doc, path, e));
      }
      const file = { path: sample.path, text: serialise(sample, docs) };
      // A failure names the file and the edits, not the whole text.
      return Object.assign(file, { [fc.toStringMethod]: () => `${sample.path}: ${shown}` });
    });
}

/**
 * Plan JSON for terragoat's real configuration (no plan of it is shared): its blocks as
 * evaluated, values Terraform cannot know yet as null, six resources a plan.
 */
async function terragoatPlans(): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const cloud of ['aws', 'azure', 'gcp']) {
    const { blocks } = await evaluateTerraformDirectory(shared(`iac/terragoat/terraform/${cloud}`));
    const resources = blocks
      .filter((b) => b.mode === 'managed')
      .map((b) => ({
        address: b.address,
        mode: 'managed',
        type: b.type,
        name: b.name,
        ...(b.index === undefined ? {} : { index: b.index }),
        values: b.attributes,
      }));
    for (let i = 0; i < resources.length; i += 6) {
      const plan = {
        format_version: '1.2',
        planned_values: { root_module: { resources: resources.slice(i, i + 6) } },
      };
      const text = JSON.stringify(plan, (_, v: unknown) => (isUnknown(v) ? null : v));
      const sample = parseSample(`terragoat-${cloud}-plan-${i / 6}.json`, 'json', text);
      if (sample) out.push(sample);
    }
  }
  return out;
}

const FAMILIES: Record<string, () => Sample[] | Promise<Sample[]>> = {
  'AWS inventory': () => samples(sharedFiles('cloud-inventory/aws', '.json'), 'json'),
  'Azure inventory': () => samples(sharedFiles('cloud-inventory/azure', '.json'), 'json'),
  'GCP inventory': () => samples(sharedFiles('cloud-inventory/gcp', '.json'), 'json'),
  'Terraform plan JSON': async () => [
    ...samples([join(REPO_ROOT, 'test/fixtures/terraform/plan/plan.json')], 'json'),
    ...(await terragoatPlans()),
  ],
  'CloudFormation JSON and YAML': () => [
    ...samples(sharedFiles('iac/aws-cloudformation-templates', '.json'), 'json'),
    ...samples(sharedFiles('iac/aws-cloudformation-templates', '.yaml'), 'yaml'),
  ],
  'ARM templates': () => [
    ...samples(sharedFiles('iac/azure-quickstart-templates', '.json'), 'json'),
    ...samples(sharedFiles('iac/cloud-custodian-arm', '.json'), 'json'),
  ],
  'Kubernetes YAML': () => [
    ...samples(sharedFiles('iac/kubernetes-examples', '.yaml'), 'yaml'),
    ...samples(sharedFiles('iac/kubernetes-goat', '.yaml'), 'yaml'),
  ],
};

function samples(files: string[], format: Sample['format']): Sample[] {
  return files.flatMap((f) => parseSample(f, format, readFileSync(f, 'utf8')) ?? []);
}

const VERDICTS = ['pass', 'fail', 'not_applicable', 'error'];

/** What a JavaScript type error says, as opposed to a reader's own complaint about a value. */
const JS_ERROR =
  /Cannot convert|is not a function|Cannot read propert|is not iterable|Maximum call stack/;

/**
 * The scan's path for one file: the first reader that claims it, fragment merging, assessment
 * with the built-in rules, and every report format.
 */
async function throughPosture(file: SourceFile, rules: Rule[], compiled: CompiledRule[]) {
  const reader = fileReaders.find((r) => r.detect(file));
  let resources: Resource[] = [];
  const report: FileReport = {
    file: file.path,
    kind: reader?.kind ?? 'unrecognised',
    resources: 0,
  };
  if (reader) {
    try {
      const read = await reader.read(file);
      // A reader that catches a JavaScript error and reports it as a warning lost resources.
      for (const w of read.warnings ?? []) expect(w).not.toMatch(JS_ERROR);
      resources = mergeInventoryFragments(read.resources);
      report.resources = resources.length;
    } catch (error) {
      if (!(error instanceof SourceReadError)) throw error;
      report.kind = 'error';
      report.error = error.toSourceError();
    }
  }
  for (const r of resources) {
    for (const key of ['cloud', 'type', 'id', 'name'] as const)
      expect(typeof r[key]).toBe('string');
  }

  const a = await assessResources({ resources, files: [report], rules, compiled });
  // A rule that cannot judge a value is an error finding, whatever the message (the CEL library
  // itself may say "Cannot convert object to primitive value" when a list is indexed by a map).
  for (const f of a.findings) expect(VERDICTS).toContain(f.status);
  expect(Number.isFinite(a.secureScore)).toBe(true);
  expect(typeof renderJson(a, { withResources: true })).toBe('string');
  expect(typeof renderCsv(a)).toBe('string');
  expect(typeof renderSarif(a, rules)).toBe('string');
  expect(typeof renderHtml(a, rules, { history: [] })).toBe('string');
  expect(typeof renderTable(a, { findingsLimit: 1_000, color: true, elapsedMs: 1 })).toBe('string');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('posture path under hostile values in real inputs', () => {
  let rules: Rule[];
  let compiled: CompiledRule[];
  beforeAll(async () => {
    rules = await loadRules();
    compiled = compileRules(rules);
  }, 30_000);

  for (const [family, load] of Object.entries(FAMILIES)) {
    it(`${family}: resources or SourceReadErrors, findings and every report`, async () => {
      const familySamples = await load();
      expect(familySamples.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(hostileFile(familySamples), (file) =>
          throughPosture(file, rules, compiled),
        ),
        {
          numRuns: Number(process.env.FUZZ_RUNS ?? 100),
          interruptAfterTimeLimit: Number(process.env.FUZZ_MS ?? 1_500),
        },
      );
    }, 30_000);
  }
});
