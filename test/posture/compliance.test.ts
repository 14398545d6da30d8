import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/posture/benchmark-catalog.js';
import { computeCompliance } from '../../src/posture/compliance.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import type { Finding } from '../../src/model/finding.js';
import type { Rule } from '../../src/model/rule.js';

describe('regulatory compliance', () => {
  it('maps every rule mapping onto a control its standard file names', async () => {
    const [catalog, rules] = await Promise.all([loadCatalog(), loadRules()]);
    const missing: string[] = [];
    for (const rule of rules) {
      for (const standard of catalog.standards) {
        if (standard.cloud && standard.cloud !== rule.cloud) continue;
        const known = new Set(standard.controls.map((c) => c.id));
        for (const id of rule.mappings[standard.key] ?? []) {
          if (!known.has(id)) missing.push(`${rule.id} -> ${standard.id} ${id}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('fails a control when any mapped rule fails, passes it when all pass, manual without rules', () => {
    const rule = (id: string, nist: string[]): Rule => ({
      id,
      title: id,
      description: '',
      severity: 'high',
      cloud: 'aws',
      control: 'NS-1',
      mappings: { nist_800_53: nist },
      resource_types: ['T'],
      remediation: { text: '' },
      references: [],
    });
    const rules = [rule('a', ['SC-7']), rule('b', ['SC-7', 'AC-3']), rule('c', ['AU-2'])];
    const f = (ruleId: string, status: 'pass' | 'fail'): Finding => ({
      ruleId,
      status,
      resourceId: 'r',
      resourceType: 'T',
      resourceName: 'r',
      severity: 'high',
      control: 'NS-1',
      message: '',
    });
    const [nist] = computeCompliance(
      [
        {
          id: 'nist',
          key: 'nist_800_53',
          name: 'NIST',
          version: '5',
          controls: [{ id: 'SI-4', title: 'System Monitoring' }],
        },
      ],
      rules,
      [f('a', 'pass'), f('b', 'fail')],
    );
    const state = Object.fromEntries(nist.controls.map((c) => [c.id, c.state]));
    expect(state).toEqual({
      'AC-3': 'failed',
      'AU-2': 'not_assessed',
      'SC-7': 'failed',
      'SI-4': 'manual',
    });
    expect(nist).toMatchObject({ passed: 0, failed: 2, notAssessed: 1, manual: 1 });
  });
});

describe('controls that no rule can judge alone', () => {
  it('leaves CIS AWS 5.3 (::/0) to a group open over IPv4 alone, and 5.2 fails', async () => {
    const { assess } = await import('../../src/posture/assess.js');
    const { shared } = await import('../support/paths.js');
    // terragoat's web-node group opens 22 to 0.0.0.0/0 and sets no ipv6_cidr_blocks.
    const result = await assess({
      paths: [shared('iac/terragoat/terraform/aws')],
      rules: await loadRules(),
    });
    const cis = result.compliance.find((s) => s.id === 'cis-aws')!;
    const control = (id: string) => cis.controls.find((c) => c.id === id)!;
    expect(control('5.2').state).toBe('failed');
    expect(control('5.3')).toMatchObject({ state: 'manual', rules: [] });
  });

  it('maps the default-namespace rule to CIS Kubernetes 5.7.4 only', async () => {
    const rules = await loadRules();
    const rule = rules.find((r) => r.id === 'kubernetes-resource-not-in-default-namespace')!;
    expect(rule.mappings.cis).toEqual(['5.7.4']);
  });
});
