/**
 * Read replicas and Aurora cluster instances keep no backups of their own (their source or
 * cluster does), so the backup retention rule does not apply to them: Cloud Custodian's recorded
 * DescribeDBInstances flagged two replicas (retention 0 and 1) and the CloudFormation sample's
 * replica (no retention set) as failing, noise on every scan.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { shared } from '../support/paths.js';

const rules = await loadRules();

async function backupVerdicts(path: string): Promise<Record<string, string>> {
  const result = await assess({ paths: [path.startsWith('/') ? path : shared(path)], rules });
  return Object.fromEntries(
    result.findings
      .filter((f) => f.ruleId === 'aws-rds-backup-retention')
      .map((f) => [f.resourceName, f.status]),
  );
}

describe('RDS backup retention', () => {
  it('does not apply to read replicas in recorded describe output', async () => {
    expect(
      await backupVerdicts('cloud-inventory/aws/cloud-custodian-placebo/test_rds_retention'),
    ).toEqual({
      oneness: 'pass',
      sbbdev: 'pass',
      qapipfitread: 'not_applicable',
      sbbdevslave: 'not_applicable',
      qpsoaread: 'not_applicable',
    });
  });

  it('does not apply to a CloudFormation replica whose source is a reference', async () => {
    expect(
      await backupVerdicts('iac/aws-cloudformation-templates/RDS/RDS_MySQL_With_Read_Replica.yaml'),
    ).toEqual({ MainDB: 'pass', ReplicaDB: 'not_applicable' });
  });

  it('does not apply to a Terraform replica (replicate_source_db)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-rds-replica-'));
    try {
      writeFileSync(
        join(dir, 'main.tf'),
        [
          'resource "aws_db_instance" "main" {',
          '  identifier              = "orders"',
          '  backup_retention_period = 14',
          '}',
          'resource "aws_db_instance" "replica" {',
          '  identifier          = "orders-replica"',
          '  replicate_source_db = aws_db_instance.main.identifier',
          '}',
          '',
        ].join('\n'),
      );
      expect(await backupVerdicts(dir)).toEqual({
        orders: 'pass',
        'orders-replica': 'not_applicable',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
