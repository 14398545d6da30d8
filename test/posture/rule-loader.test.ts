import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/posture/engine.js';
import { loadRules, RuleLoadError } from '../../src/posture/rule-loader.js';

describe('rule loader', () => {
  it('loads and compiles the bundled benchmark', async () => {
    const rules = await loadRules();
    expect(() => compileRules(rules)).not.toThrow();
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it('adds a user folder of rules to the benchmark', async () => {
    const bundled = await loadRules();
    const rules = await loadRules(['test/fixtures/rules/custom']);
    expect(rules.length).toBe(bundled.length + 1);
    expect(rules.find((r) => r.id === 'custom-aws-s3-bucket-owner-tag')?.control).toBe('AM-1');
  });

  it('names the file and line of a rule that is not valid YAML', async () => {
    await expect(loadRules(['test/fixtures/rules/bad-yaml'])).rejects.toThrow(RuleLoadError);
    await expect(loadRules(['test/fixtures/rules/bad-yaml'])).rejects.toThrow(/broken\.yaml:[23]:/);
  });

  it('names the field of a rule with a bad control id', async () => {
    await expect(loadRules(['test/fixtures/rules/missing-control'])).rejects.toThrow(
      /rule\.yaml:6 \(field control\)/,
    );
  });

  it('names a resource type no reader gives, the way users guess them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-rule-types-'));
    const rule = (cloud: string, type: string) => `id: my-rule
title: Mine
severity: high
cloud: ${cloud}
control: DP-3
resource_types:
  - ${type}
check: 'false'
remediation:
  text: Fix it.
`;
    const cases: [string, string, RegExp][] = [
      [
        'aws',
        'aws_s3_bucket',
        /"aws_s3_bucket" is not an AWS resource type .*AWS::S3::Bucket.*Terraform blocks are read into their cloud API types/,
      ],
      [
        'kubernetes',
        'Deployment',
        /"Deployment" is not a Kubernetes type \(apiVersion\/kind, e\.g\. apps\/v1\/Deployment/,
      ],
      ['aws', 'v1/Pod', /"v1\/Pod" is not an AWS resource type/],
      ['azure', 'azurerm_storage_account', /is not an Azure resource type/],
      ['gcp', 'google_storage_bucket', /is not a GCP asset type/],
    ];
    for (const [cloud, type, message] of cases) {
      const folder = join(dir, `${cloud}-${type.replace(/\W/g, '')}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'rule.yaml'), rule(cloud, type));
      await expect(loadRules([folder])).rejects.toThrow(/rule\.yaml:7 \(field resource_types\)/);
      await expect(loadRules([folder])).rejects.toThrow(message);
    }
    // The forms readers give, CRDs included, load.
    for (const [cloud, type] of [
      ['kubernetes', 'monitoring.coreos.com/v1/ServiceMonitor'],
      ['azure', 'Microsoft.Sql/servers/databases'],
      ['gcp', 'container.googleapis.com/Cluster'],
    ]) {
      const folder = join(dir, `ok-${cloud}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'rule.yaml'), rule(cloud, type));
      expect((await loadRules([folder])).some((r) => r.resource_types.includes(type))).toBe(true);
    }
  });

  it('says a policy or exemptions file in a rules folder is not a rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-rule-kinds-'));
    writeFileSync(join(dir, 'policy.yaml'), 'assignments:\n  - id: a\n    mode: deny\n');
    await expect(loadRules([dir])).rejects.toThrow(
      /policy\.yaml: is a policy \(assignments\) file, not a rule: pass it with --policy/,
    );
  });

  it('refuses a rules path that is not a folder', async () => {
    await expect(loadRules(['test/fixtures/rules/nowhere'])).rejects.toThrow(/is not a folder/);
  });
});
