/** Rule files' `parameters` and `fix` sections: bad ones are errors naming the file and field. */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleFile, loadRules, RuleLoadError } from '../../src/posture/rule-loader.js';

const BASE = [
  'id: test-volume-encrypted',
  'title: Volumes are encrypted',
  'severity: high',
  'cloud: aws',
  'control: DP-4',
  'resource_types: [AWS::EC2::Volume]',
  'check: r.?Encrypted.orValue(false) == true',
  'remediation: { text: Encrypt it. }',
];

async function ruleFile(extra: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-rule-'));
  const file = join(dir, 'rule.yaml');
  await writeFile(file, [...BASE, ...extra, ''].join('\n'));
  return file;
}

describe('rule sections', () => {
  it('loads a fix and parameters', async () => {
    const rule = await loadRuleFile(
      await ruleFile([
        'parameters:',
        '  min_size: { type: number, description: Smallest size, default: 8 }',
        'fix:',
        '  description: Encrypt the volume',
        '  terraform:',
        "    - { resource_types: [aws_ebs_volume], set: { encrypted: 'true' } }",
      ]),
    );
    expect(rule.parameters).toEqual({
      min_size: { type: 'number', description: 'Smallest size', default: 8 },
    });
    expect(rule.fix?.terraform?.[0].set).toEqual({ encrypted: 'true' });
  });

  it('names the file, line and field of a bad section', async () => {
    const cases: [string[], string, number][] = [
      [
        ['fix:', '  description: x', '  terraform:', '    - { resource_types: [aws_ebs_volume] }'],
        'fix.terraform.0',
        12,
      ],
      [
        ['fix:', '  description: x', '  kubernetes: { containers: { sett: {} } }'],
        'fix.kubernetes.containers.sett',
        11,
      ],
      [['parameters:', '  ports: { type: list, description: d }'], 'parameters.ports.type', 10],
      [
        ['parameters:', '  ports: { type: number_list, description: d, default: [a] }'],
        'parameters.ports.default',
        10,
      ],
    ];
    for (const [extra, field, line] of cases) {
      const file = await ruleFile(extra);
      const error = await loadRuleFile(file).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(RuleLoadError);
      expect((error as RuleLoadError).field).toBe(field);
      expect((error as RuleLoadError).line).toBe(line);
      expect((error as Error).message).toContain(file);
    }
  });

  it('every bundled fix names Terraform types or Kubernetes edits', async () => {
    const withFix = (await loadRules()).filter((r) => r.fix);
    expect(withFix.length).toBeGreaterThanOrEqual(50);
    for (const rule of withFix) {
      if (rule.cloud === 'kubernetes') expect(rule.fix!.kubernetes, rule.id).toBeDefined();
      else expect(rule.fix!.terraform?.length, rule.id).toBeGreaterThan(0);
    }
  });
});
