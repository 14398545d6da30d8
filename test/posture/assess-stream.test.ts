import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import type { Rule } from '../../src/model/rule.js';
import { assess } from '../../src/posture/assess.js';
import { assessStream, isStreamed } from '../../src/posture/assess-stream.js';
import { compileRules, type CompiledRule } from '../../src/posture/engine.js';
import { loadExemptions, type Exemption } from '../../src/posture/exemptions.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { writeGeneratedInventory } from '../support/generated-inventory.js';
import { REPO_ROOT, shared } from '../support/paths.js';

let rules: Rule[];
let compiled: CompiledRule[];
let generated: string;

beforeAll(async () => {
  rules = await loadRules();
  compiled = compileRules(rules);
  generated = writeGeneratedInventory(600, 150);
});
afterAll(() => rmSync(generated, { recursive: true, force: true }));

const key = (f: Finding) =>
  [f.ruleId, f.resourceType, f.resourceId, f.status, f.message, f.file, f.line].join('|') +
  (f.exemption ? `|exempt:${f.exemption.source}` : '');

async function both(paths: string[], exemptions: Exemption[] = []) {
  const now = new Date('2026-01-01T00:00:00Z');
  const whole = await assess({ paths, rules, compiled, exemptions, now });
  const streamed = await assessStream({ paths, rules, compiled, exemptions, now });
  return { whole, streamed };
}

async function expectSameVerdicts(paths: string[], exemptions: Exemption[] = []) {
  const { whole, streamed } = await both(paths, exemptions);
  expect(whole.counts.fail).toBeGreaterThan(0);
  expect(isStreamed(streamed)).toBe(true);
  expect(streamed.secureScore).toBe(whole.secureScore);
  expect(streamed.controls).toEqual(whole.controls);
  expect(streamed.recommendations).toEqual(whole.recommendations);
  expect(streamed.compliance).toEqual(whole.compliance);
  expect(streamed.counts).toEqual(whole.counts);
  expect(streamed.files).toEqual(whole.files);
  const kept = whole.findings.filter((f) => f.status === 'fail' || f.status === 'error');
  expect(streamed.findings.map(key).sort()).toEqual(kept.map(key).sort());
  expect(streamed.resources.map((r) => `${r.type}|${r.id}|${r.source.file ?? ''}`)).toEqual(
    whole.resources.map((r) => `${r.type}|${r.id}|${r.source.file ?? ''}`),
  );
  expect(streamed.resources.every((r) => Object.keys(r.properties).length === 0)).toBe(true);
  return { whole, streamed };
}

describe('assessStream on a resource repeated across files', () => {
  it('names the repeats a whole scan merges and a streamed one counts twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-stream-repeat-'));
    try {
      const snapshot = shared('cloud-inventory/aws/cloud-custodian-config-items/rds-cluster.json');
      copyFileSync(snapshot, join(dir, 'day-1.json'));
      copyFileSync(snapshot, join(dir, 'day-2.json'));
      const { whole, streamed } = await both([dir]);
      const once = await assess({ paths: [snapshot], rules, compiled });
      expect(once.counts.resources).toBeGreaterThan(0);
      // The whole scan merges the second day's copy into the first; the streamed one cannot.
      expect(whole.counts.resources).toBe(once.counts.resources);
      expect(streamed.counts.resources).toBe(2 * once.counts.resources);
      const warning = streamed.warnings.find((w) => w.includes('more than one input file'));
      expect(warning).toMatch(new RegExp(`^${once.counts.resources} resources appear`));
      expect(warning).toContain('--no-stream');
      expect(whole.warnings.some((w) => w.includes('more than one input file'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says nothing when no resource repeats', async () => {
    const streamed = await assessStream({ paths: [generated], rules, compiled });
    expect(streamed.warnings.some((w) => w.includes('more than one input file'))).toBe(false);
  });
});

describe('assessStream gives the verdicts of assess', () => {
  it('on the sample estate', async () => {
    await expectSameVerdicts([join(REPO_ROOT, 'samples/estate')]);
  });

  it('on every IaC input in ../shared/data/iac', async () => {
    await expectSameVerdicts([shared('iac')]);
  }, 120_000);

  it('on a generated multi-file inventory, with exemptions applied', async () => {
    const file = join(generated, '..', `exemptions-${process.pid}.yaml`);
    writeFileSync(
      file,
      [
        // A resource pattern as wide as *-1? needs a rule pattern that names something.
        'exemptions:',
        '  - rule: "aws-*"',
        "    resource: '*-1?'",
        '    category: mitigated',
        '    justification: Test fleet.',
        '  - rule: "gcp-*"',
        "    resource: '*-2?'",
        '    justification: Expired waiver.',
        '    expires: 2020-01-01',
      ].join('\n'),
    );
    try {
      const exemptions = await loadExemptions(file);
      const { whole, streamed } = await expectSameVerdicts([generated], exemptions);
      expect(whole.files.filter((f) => f.kind !== 'unrecognised')).toHaveLength(8);
      expect(whole.counts.resources).toBeGreaterThanOrEqual(1200);
      expect(whole.warnings.some((w) => w.includes('expired'))).toBe(true);
      expect(whole.counts.exempt).toBeGreaterThan(0);
      expect(streamed.warnings.sort()).toEqual(whole.warnings.sort());
    } finally {
      rmSync(file, { force: true });
    }
  }, 120_000);

  it('keeps only failing and error findings, none holding the properties of its resource', async () => {
    const { streamed } = await both([generated]);
    expect(streamed.findings.length).toBeLessThan(streamed.counts.pass + streamed.counts.fail);
    for (const f of streamed.findings) {
      expect(['fail', 'error']).toContain(f.status);
      expect(Object.getOwnPropertySymbols(f)).toEqual([]);
      const plain = JSON.parse(JSON.stringify(f));
      expect(Object.keys(plain)).not.toContain('properties');
      expect(plain.message).toBe(f.message);
    }
  }, 120_000);
});
