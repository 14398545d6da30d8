import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadCatalog } from '../../src/posture/benchmark-catalog.js';
import { loadRules, validateRule } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import {
  AssignmentLoadError,
  decide,
  evaluateForAssignments,
  loadPolicy,
  resolveAssignments,
  validateAssignment,
  validatePolicy,
} from '../../src/enforce/index.js';

const GOAT = join(import.meta.dirname, '../../../shared/data/iac/kubernetes-goat');

let rules: Rule[];
let resources: Resource[];

beforeAll(async () => {
  rules = await loadRules();
  resources = (await readPaths([GOAT])).resources;
});

async function policyFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-policy-'));
  const file = join(dir, 'policy.yaml');
  await writeFile(file, text);
  return file;
}

describe('policy files', () => {
  it('names the file, line and field of an unknown key', async () => {
    const file = await policyFile(
      ['assignments:', '  - id: a', '    benchmark: palisade', '    mdoe: deny', ''].join('\n'),
    );
    const error = await loadPolicy([file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssignmentLoadError);
    expect((error as AssignmentLoadError).field).toBe('assignments.0.mdoe');
    expect((error as AssignmentLoadError).line).toBe(4);
    expect((error as Error).message).toContain(file);
  });

  it('refuses a mode that does not exist and an assignment without a rule set', () => {
    expect(() => validateAssignment({ id: 'a', benchmark: 'palisade', mode: 'block' })).toThrow(
      /field mode.*audit, deny, disabled/,
    );
    expect(() => validateAssignment({ id: 'a' })).toThrow(/needs `benchmark` or `initiative`/);
  });

  it('refuses an initiative rule, a per-rule mode and a parameter that point nowhere', () => {
    const bad = (data: unknown) => () =>
      resolveAssignments(validatePolicy(data, 'p.yaml'), rules, []);
    expect(
      bad({
        initiatives: [{ id: 'i', rules: ['no-such-rule-*'] }],
        assignments: [{ id: 'a', initiative: 'i' }],
      }),
    ).toThrow(/names no loaded rule/);
    expect(
      bad({ assignments: [{ id: 'a', benchmark: 'palisade', rules: { 'not-a-rule': 'deny' } }] }),
    ).toThrow(/field rules.not-a-rule/);
    expect(
      bad({ assignments: [{ id: 'a', benchmark: 'palisade', parameters: { colour: 'red' } }] }),
    ).toThrow(/field parameters.colour/);
  });
});

describe('decide', () => {
  it('denies privileged goat pods only in the assigned namespaces, audits the rest', async () => {
    const catalog = await loadCatalog();
    const policy = validatePolicy(
      {
        initiatives: [
          {
            id: 'pod-baseline',
            rules: ['kubernetes-pod-no-privileged-containers', 'kubernetes-pod-no-host-*'],
          },
        ],
        assignments: [
          {
            id: 'deny-default',
            initiative: 'pod-baseline',
            mode: 'deny',
            scope: { namespaces: ['default'] },
          },
          { id: 'audit-all', initiative: 'pod-baseline', mode: 'audit' },
        ],
      },
      'p.yaml',
    );
    const resolved = resolveAssignments(policy, rules, catalog.standards);
    const findings = evaluate(compileRules(rules), resources);
    const { deny, audit } = decide(findings, resolved);

    const failing = findings.filter(
      (f) =>
        f.status === 'fail' &&
        (f.ruleId === 'kubernetes-pod-no-privileged-containers' ||
          f.ruleId.startsWith('kubernetes-pod-no-host-')),
    );
    expect(failing.length).toBeGreaterThan(0);
    expect(deny.length + audit.length).toBe(failing.length);
    expect(deny.length).toBeGreaterThan(0);
    for (const d of deny) {
      expect(d.finding.resourceId.startsWith('default/')).toBe(true);
      expect(d.assignments).toEqual(['deny-default']);
    }
    for (const d of audit) expect(d.finding.resourceId.startsWith('default/')).toBe(false);
    expect(new Set([...deny, ...audit].map((d) => d.finding.ruleId)).size).toBeGreaterThan(1);
  });

  it('a disabled rule and an excluded namespace deny nothing', () => {
    const policy = validatePolicy(
      {
        assignments: [
          {
            id: 'a',
            benchmark: 'palisade',
            mode: 'deny',
            rules: { 'kubernetes-pod-no-privileged-containers': 'disabled' },
            exclude: { namespaces: ['default'] },
          },
        ],
      },
      'p.yaml',
    );
    const { deny } = decide(
      evaluate(compileRules(rules), resources),
      resolveAssignments(policy, rules),
    );
    expect(deny.length).toBeGreaterThan(0);
    expect(deny.some((d) => d.finding.ruleId === 'kubernetes-pod-no-privileged-containers')).toBe(
      false,
    );
    expect(deny.some((d) => d.finding.resourceId.startsWith('default/'))).toBe(false);
  });

  it('passes assignment parameters to the rule as params', () => {
    const rule = {
      ...validateRule(
        {
          id: 'test-allowed-registries',
          title: 'Images come from allowed registries',
          severity: 'high',
          cloud: 'kubernetes',
          control: 'PV-5',
          resource_types: ['v1/Pod', 'apps/v1/Deployment'],
          check:
            '!has(params.registries) || r.spec.?template.?spec.orValue(r.spec).containers.all(c, params.registries.exists(p, c.image.startsWith(p)))',
          remediation: { text: 'Use an allowed registry.' },
        },
        'inline',
      ),
      parameters: { registries: { type: 'string_list' as const, description: 'prefixes' } },
    };
    const policy = validatePolicy(
      {
        assignments: [
          {
            id: 'strict',
            initiative: 'r',
            mode: 'deny',
            parameters: { registries: ['registry.k8s.io/'] },
          },
        ],
        initiatives: [{ id: 'r', rules: ['test-allowed-registries'] }],
      },
      'p.yaml',
    );
    const resolved = resolveAssignments(policy, [rule]);
    const compiled = compileRules([rule]);
    const base = evaluate(compiled, resources);
    // Without values (defaults only) every workload passes.
    expect(base.filter((f) => f.status === 'fail')).toHaveLength(0);
    const { deny } = decide(evaluateForAssignments(compiled, resources, resolved, base), resolved);
    const judged = base.filter((f) => f.status === 'pass').length;
    expect(judged).toBeGreaterThan(0);
    expect(deny.length).toBeGreaterThan(0);
    expect(deny.length).toBeLessThanOrEqual(judged);
    for (const d of deny) expect(d.assignments).toEqual(['strict']);
  });
});
