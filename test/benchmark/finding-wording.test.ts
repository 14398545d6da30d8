/**
 * Failure sentences say what the input holds in plain words: an absent property is "not set", the
 * host root is the whole host, a database is named by a noun, a server without any alert policy is
 * told so; and a rule that cannot meet a CloudFormation resource does not apply to it.
 */

import { describe, expect, it } from 'vitest';
import type { Cloud, Resource, SourceKind } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const rules = await loadRules();

function verdict(ruleId: string, resource: Resource) {
  const rule = rules.find((r) => r.id === ruleId)!;
  const [finding] = evaluate(compileRules([rule]), [resource]);
  return finding!;
}

function resource(
  cloud: Cloud,
  type: string,
  properties: Record<string, unknown>,
  kind: SourceKind = 'aws-api',
): Resource {
  return {
    cloud,
    type,
    id: 'r1',
    name: 'r1',
    tags: {},
    properties,
    relationships: [],
    source: { kind },
  };
}

describe('failure sentences', () => {
  it('says a host path of "/" is the whole host filesystem', () => {
    const pod = resource('kubernetes', 'v1/Pod', {
      kind: 'Pod',
      spec: { containers: [{ name: 'c' }], volumes: [{ name: 'root', hostPath: { path: '/' } }] },
    });
    const finding = verdict('kubernetes-pod-no-container-runtime-socket', pod);
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('the whole host filesystem');
  });

  it('says purge protection is not set rather than false when the property is absent', () => {
    const vault = resource('azure', 'Microsoft.KeyVault/vaults', { properties: {} }, 'azure-arm');
    const finding = verdict('azure-keyvault-purge-protection', vault);
    expect(finding.message).toContain('enablePurgeProtection is not set (off unless set to true)');
  });

  it('says a SQL server has no alert policy when it has none', () => {
    const server = resource('azure', 'Microsoft.Sql/servers', { children: {} }, 'azure-arm');
    const finding = verdict('azure-sql-server-threat-detection', server);
    expect(finding.message).toContain('has no enabled security alert policy');
  });

  it('names an RDS cluster as a database, not by its type name', () => {
    const cluster = resource('aws', 'AWS::RDS::DBCluster', { BackupRetentionPeriod: 1 });
    const finding = verdict('aws-rds-backup-retention', cluster);
    expect(finding.message).toBe('Database r1 keeps backups for 1 days.');
  });
});

describe('default security group rule', () => {
  it('does not apply to security groups CloudFormation declares', async () => {
    const { resources } = await readPaths([shared('iac/aws-cloudformation-templates')]);
    const groups = resources.filter((r) => r.type === 'AWS::EC2::SecurityGroup');
    expect(groups.length).toBeGreaterThan(0);
    const rule = rules.find((r) => r.id === 'aws-ec2-default-sg-restricts-all')!;
    const findings = evaluate(compileRules([rule]), groups);
    expect(findings.map((f) => f.message).filter((m) => m.includes('cannot be judged'))).toEqual(
      [],
    );
    expect(new Set(findings.map((f) => f.status))).toEqual(new Set(['not_applicable']));
  });
});
