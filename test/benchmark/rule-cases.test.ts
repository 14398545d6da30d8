/**
 * Every benchmark rule, run by the real readers and the real engine on one resource that must
 * pass and one that must fail (test/benchmark/cases/<cloud>.yaml; format in
 * docs/contributing-rules.md). At least one side of each case is real data from ../shared/data.
 * Preview rules (kinds ../shared/data does not hold) have their cases in preview-cases/.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Finding } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

interface Side {
  shared?: string;
  fixture?: string;
  inline?: { type: string; name: string; properties: Record<string, unknown>; id?: string };
  resource?: string;
}

interface Case {
  rule: string;
  /** Why neither side can come from ../shared/data: it holds no resource of this kind. */
  no_shared_data?: string;
  pass: Side;
  fail: Side;
}

/** Cases by file name (`aws`, `preview azure`, ...) from one folder. */
function readCases(folder: string, prefix = ''): [string, Case[]][] {
  const dir = join(REPO_ROOT, 'test/benchmark', folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => [
      prefix + f.replace(/\.yaml$/, ''),
      (parse(readFileSync(join(dir, f), 'utf8')) ?? []) as Case[],
    ]);
}

const cases = new Map<string, Case[]>(readCases('cases'));
const previewCases = new Map<string, Case[]>(readCases('preview-cases', 'preview '));
const rules = await loadRules();
const withPreview = await loadRules([], { preview: true });
const bundledIds = new Set(rules.map((r) => r.id));
const previewRules = withPreview.filter((r) => !bundledIds.has(r.id));
const ruleById = new Map(withPreview.map((r) => [r.id, r]));
const readCache = new Map<string, Promise<Resource[]>>();

function readSide(path: string): Promise<Resource[]> {
  let pending = readCache.get(path);
  if (!pending) {
    pending = readPaths([path]).then((r) => r.resources);
    readCache.set(path, pending);
  }
  return pending;
}

async function resolveSide(side: Side, rule: Rule): Promise<{ target: Resource; all: Resource[] }> {
  if (side.inline) {
    const { type, name, properties, id } = side.inline;
    const target: Resource = {
      cloud: rule.cloud,
      type,
      name,
      id: id ?? name,
      tags: {},
      properties,
      relationships: [],
      source: { kind: 'aws-api' },
    };
    return { target, all: [target] };
  }
  const path = side.shared ? shared(side.shared) : resolve(REPO_ROOT, side.fixture ?? '');
  const all = await readSide(path);
  const types = new Set(rule.resource_types.map((t) => t.toLowerCase()));
  const candidates = all.filter((r) => types.has(r.type.toLowerCase()));
  const wanted = side.resource;
  const exact = candidates.filter(
    (r) => wanted === undefined || [r.name, r.id, r.source.address].includes(wanted),
  );
  const loose =
    wanted === undefined
      ? candidates
      : candidates.filter((r) =>
          [r.name, r.id, r.source.address ?? ''].some((v) => v.includes(wanted)),
        );
  const chosen = exact.length === 1 ? exact : loose;
  if (chosen.length !== 1) {
    const names = candidates
      .map((r) => r.source.address ?? r.name)
      .slice(0, 12)
      .join(', ');
    throw new Error(
      `${path}: ${chosen.length} resources of ${[...types].join('/')} match "${wanted}" (have: ${names})`,
    );
  }
  return { target: chosen[0], all };
}

async function verdict(side: Side, rule: Rule): Promise<Finding> {
  const { target, all } = await resolveSide(side, rule);
  const [compiled] = compileRules([rule]);
  const findings = evaluate([compiled], all).filter(
    (f) =>
      f.resourceId === target.id && f.resourceType === target.type && f.file === target.source.file,
  );
  expect(findings, `one finding for ${target.id}`).toHaveLength(1);
  return findings[0];
}

for (const [cloud, list] of [...cases, ...previewCases]) {
  describe(`${cloud} rules`, () => {
    for (const c of list) {
      it(`${c.rule} passes on ${c.pass.resource ?? c.pass.inline?.name} and fails on ${c.fail.resource ?? c.fail.inline?.name}`, async () => {
        const rule = ruleById.get(c.rule);
        expect(rule, `rule ${c.rule} exists`).toBeDefined();
        const pass = await verdict(c.pass, rule!);
        expect(pass.status, pass.message).toBe('pass');
        const fail = await verdict(c.fail, rule!);
        expect(fail.status, fail.message).toBe('fail');
        expect(fail.message, 'the failure sentence names the resource').toContain(
          fail.resourceName,
        );
      });
    }
  });
}

describe('benchmark coverage', () => {
  const covered = new Map<string, Case>();
  for (const list of cases.values()) for (const c of list) covered.set(c.rule, c);

  it('has a pass and a fail case for every bundled rule', () => {
    const missing = rules.filter((r) => !covered.has(r.id)).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it('takes at least one side of every bundled rule case from ../shared/data', () => {
    const synthetic = [...covered.values()].filter((c) => !c.pass.shared && !c.fail.shared);
    expect(synthetic.map((c) => c.rule)).toEqual([]);
    expect([...covered.values()].filter((c) => c.no_shared_data).map((c) => c.rule)).toEqual([]);
  });

  it('keeps out of the default benchmark only rules whose kind ../shared/data lacks, saying so', () => {
    const previewCovered = new Map<string, Case>();
    for (const list of previewCases.values()) for (const c of list) previewCovered.set(c.rule, c);
    expect(previewRules.filter((r) => !previewCovered.has(r.id)).map((r) => r.id)).toEqual([]);
    const unexplained = [...previewCovered.values()].filter((c) => !c.no_shared_data?.trim());
    expect(unexplained.map((c) => c.rule)).toEqual([]);
    // A preview rule that real data can test belongs in the default benchmark.
    const ready = [...previewCovered.values()].filter((c) => c.pass.shared || c.fail.shared);
    expect(ready.map((c) => c.rule)).toEqual([]);
    expect([...previewCovered.keys()].filter((id) => bundledIds.has(id))).toEqual([]);
  });

  it('ships at least 150 rules: AWS 50, Azure 40, GCP 30, Kubernetes 30', () => {
    const count = (cloud: string) => rules.filter((r) => r.cloud === cloud).length;
    expect(count('aws')).toBeGreaterThanOrEqual(50);
    expect(count('azure')).toBeGreaterThanOrEqual(40);
    expect(count('gcp')).toBeGreaterThanOrEqual(30);
    expect(count('kubernetes')).toBeGreaterThanOrEqual(30);
    expect(rules.length).toBeGreaterThanOrEqual(150);
  });
});
