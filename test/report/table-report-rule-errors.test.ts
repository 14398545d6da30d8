/**
 * The scan table names the findings whose rule could not run: which rule, on which resource, where
 * and why, not only a count.
 */

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules, validateRule } from '../../src/posture/rule-loader.js';
import { renderTable } from '../../src/report/table-report.js';
import { shared } from '../support/paths.js';

/** Reads a key no bucket has, so it cannot run on any of them. */
const broken = validateRule(
  {
    id: 'aws-s3-bucket-reads-missing-key',
    title: 'S3 buckets have a setting no bucket has',
    description: 'Reads a property that does not exist.',
    severity: 'high',
    cloud: 'aws',
    control: 'NS-2',
    mappings: {},
    resource_types: ['AWS::S3::Bucket'],
    check: 'r.DoesNotExist.Foo == 1',
    message: { pass: 'Bucket {{name}} is fine.', fail: 'Bucket {{name}} is not.' },
    remediation: { text: 'Nothing to do.' },
  },
  'broken.yaml',
);

describe('scan table: rule errors', () => {
  it('lists each error finding with its rule, file and line and message', async () => {
    const rules = [...(await loadRules()), broken];
    const a = await assess({ paths: [shared('iac/terragoat/terraform/aws/s3.tf')], rules });
    const table = renderTable(a);
    expect(a.counts.error).toBe(5);
    expect(table).toContain('Rule errors (5 of 5): these rules could not run');
    const listed = table.match(/^ {2}error {4}aws-s3-bucket-reads-missing-key \S*s3\.tf:\d+$/gm);
    expect(listed).toHaveLength(5);
    expect(table).toMatch(/failed on data: No such key: DoesNotExist/);
  });

  it('lists at most ten and leaves the section out when every rule ran', async () => {
    const rules = [...(await loadRules()), broken];
    const a = await assess({ paths: [shared('iac/terragoat/terraform/aws')], rules });
    const many = { ...a, findings: [...a.findings, ...a.findings] };
    const errors = many.findings.filter((f) => f.status === 'error').length;
    expect(errors).toBeGreaterThan(10);
    expect(renderTable(many)).toContain(`Rule errors (10 of ${errors})`);

    const clean = await assess({
      paths: [shared('iac/terragoat/terraform/aws/s3.tf')],
      rules: await loadRules(),
    });
    expect(renderTable(clean)).not.toContain('Rule errors');
  });
});
