/**
 * `palisade resources`: what a rule author needs to write `resource_types` and `r.<property>`,
 * read from TerraGoat as a scan reads it.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const TERRAGOAT_AWS = shared('iac/terragoat/terraform/aws');

describe('palisade resources', () => {
  it("prints TerraGoat's buckets in the API shape rules read, Terraform's names translated", () => {
    const run = runPalisade(['resources', TERRAGOAT_AWS, '--type', 'aws::s3::bucket', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const resources = JSON.parse(run.stdout) as Array<Record<string, any>>;
    expect(resources.length).toBeGreaterThanOrEqual(4);
    for (const r of resources) {
      expect(r.type).toBe('AWS::S3::Bucket');
      // Terraform's `bucket` argument is the API's `Name`, as rules read it.
      expect(r.r).toHaveProperty('Name');
      expect(r.r).not.toHaveProperty('bucket');
      expect(r.file).toMatch(/\.tf$/);
      expect(r.line).toBeGreaterThan(0);
    }
  });

  it('lists types with the property names by default, and exits 2 naming a file it cannot read', () => {
    const run = runPalisade(['resources', TERRAGOAT_AWS]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^AWS::EC2::SecurityGroup {2}\(\d+ resources?\)$/m);
    expect(run.stdout).toMatch(/r: .*IpPermissions/);

    const dir = mkdtempSync(join(tmpdir(), 'palisade-resources-'));
    writeFileSync(
      join(dir, 'main.tf'),
      'variable "n" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.n\n}\n',
    );
    const missing = runPalisade(['resources', dir, '--var-file', join(dir, 'nope.tfvars')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.tfvars');
  });
});
