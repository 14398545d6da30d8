/**
 * `--var-file`: variable files the user names are read after the root module's own
 * `terraform.tfvars` and `*.auto.tfvars`, later ones winning, as `terraform plan -var-file` does.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-var-files-'));
  writeFileSync(
    join(dir, 'main.tf'),
    `variable "public" {
  type = bool
}
variable "class" {
  default = "db.t3.micro"
}
resource "aws_db_instance" "db" {
  identifier          = "orders"
  engine              = "mysql"
  instance_class      = var.class
  publicly_accessible = var.public
}
`,
  );
  writeFileSync(join(dir, 'terraform.tfvars'), 'public = false\n');
  writeFileSync(join(dir, 'prod.tfvars'), 'public = true\nclass = "db.r6g.large"\n');
  writeFileSync(join(dir, 'small.tfvars.json'), '{ "class": "db.t4g.small" }\n');
  return dir;
}

const db = async (dir: string, varFiles?: string[]) => {
  const read = await readPaths([dir], { varFiles });
  const [instance] = read.resources.filter((r) => r.type === 'AWS::RDS::DBInstance');
  return { properties: instance.properties, files: read.files };
};

describe('Terraform variable files named by the user', () => {
  it('reads them after terraform.tfvars, later files winning', async () => {
    const dir = project();
    expect((await db(dir)).properties).toMatchObject({
      PubliclyAccessible: false,
      DBInstanceClass: 'db.t3.micro',
    });
    const prod = join(dir, 'prod.tfvars');
    expect((await db(dir, [prod])).properties).toMatchObject({
      PubliclyAccessible: true,
      DBInstanceClass: 'db.r6g.large',
    });
    const both = await db(dir, [prod, join(dir, 'small.tfvars.json')]);
    expect(both.properties).toMatchObject({
      PubliclyAccessible: true,
      DBInstanceClass: 'db.t4g.small',
    });
  });

  it('lists a variable file that cannot be read as an error naming it', async () => {
    const dir = project();
    const missing = join(dir, 'staging.tfvars');
    const { files } = await db(dir, [missing]);
    const report = files.find((f) => f.file.endsWith('staging.tfvars'));
    expect(report?.error?.message).toMatch(/ENOENT|no such file|could not be read/i);
  });
});
