/**
 * Override files (`override.tf`, `*_override.tf`) are merged into the blocks they name, as
 * Terraform merges them: an override that only adds tags leaves a security group's SSH ingress
 * open, and the gate still denies it.
 */

import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { checkHere } from '../../enforce/check-runner.js';
import { folderOf, OPEN_SSH } from './terraform-fixtures.js';

const TAGS_ONLY = `resource "aws_security_group" "sg" {
  tags = { Team = "platform" }
}
`;

/** A folder holding `files` (name to text). */
function folder(files: Record<string, string>): string {
  return folderOf('palisade-override-', files);
}

async function securityGroup(dir: string) {
  const read = await readPaths([dir]);
  const groups = read.resources.filter((r) => r.type === 'AWS::EC2::SecurityGroup');
  expect(groups).toHaveLength(1);
  return { group: groups[0], errors: read.files.flatMap((f) => (f.error ? [f.error] : [])) };
}

const sshRanges = (properties: Record<string, unknown>) =>
  (properties.IpPermissions as { FromPort: number; IpRanges: { CidrIp: string }[] }[]).map(
    (p) => `${p.FromPort} ${p.IpRanges.map((r) => r.CidrIp).join(',')}`,
  );

describe('Terraform override files', () => {
  for (const name of ['override.tf', 'main_override.tf']) {
    it(`merges ${name} into the original block, whose ingress stays`, async () => {
      const dir = folder({ 'main.tf': OPEN_SSH, [name]: TAGS_ONLY });
      const { group, errors } = await securityGroup(dir);
      expect(errors).toEqual([]);
      expect(sshRanges(group.properties)).toEqual(['22 0.0.0.0/0']);
      expect(group.tags).toEqual({ Team: 'platform' });
      expect(group.name).toBe('bastion');
      // The resource is where it is declared, not where it is overridden.
      expect(group.source.file).toMatch(/main\.tf$/);
      expect(group.source.line).toBe(1);

      const run = await checkHere([dir]);
      expect(run.code).toBe(1);
      expect(run.report).toContain('aws-ec2-sg-no-public-ssh');
    });
  }

  it('replaces every nested block of a type the override writes, dynamic ones too', async () => {
    const dir = folder({
      'main.tf': `resource "aws_security_group" "sg" {
  name = "web"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  dynamic "ingress" {
    for_each = [22]
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
`,
      'override.tf': `resource "aws_security_group" "sg" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`,
    });
    const { group } = await securityGroup(dir);
    expect(sshRanges(group.properties)).toEqual(['22 10.0.0.0/8']);
    expect(group.name).toBe('web');
  });

  it('applies override files in name order, later ones winning', async () => {
    const dir = folder({
      'main.tf': OPEN_SSH,
      'a_override.tf': `resource "aws_security_group" "sg" {
  name = "first"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`,
      'b_override.tf': `resource "aws_security_group" "sg" {
  name = "second"
}
`,
    });
    const { group } = await securityGroup(dir);
    expect(group.name).toBe('second');
    expect(sshRanges(group.properties)).toEqual(['22 10.0.0.0/8']);
  });

  it('overrides local values and variable defaults one by one', async () => {
    // The override file sorts first: it is applied after the others all the same.
    const dir = folder({
      'zz.tf': `variable "ssh_from" {
  type    = string
  default = "10.0.0.0/8"
}
locals {
  port = 3389
  name = "admin"
}
resource "aws_security_group" "sg" {
  name = local.name
  ingress {
    from_port   = local.port
    to_port     = local.port
    protocol    = "tcp"
    cidr_blocks = [var.ssh_from]
  }
}
`,
      'a_override.tf': `variable "ssh_from" {
  default = "0.0.0.0/0"
}
locals {
  port = 22
}
`,
    });
    const { group, errors } = await securityGroup(dir);
    expect(errors).toEqual([]);
    expect(sshRanges(group.properties)).toEqual(['22 0.0.0.0/0']);
    expect(group.name).toBe('admin');
  });

  it('overrides a local value whatever its name, __proto__ too', async () => {
    const dir = folder({
      'main.tf': `locals {
  __proto__ = "10.0.0.0/8"
}
resource "aws_security_group" "sg" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.__proto__]
  }
}
`,
      'override.tf': 'locals {\n  __proto__ = "0.0.0.0/0"\n}\n',
    });
    const { group, errors } = await securityGroup(dir);
    expect(errors).toEqual([]);
    expect(sshRanges(group.properties)).toEqual(['22 0.0.0.0/0']);
  });

  it('merges provider configurations by name and alias', async () => {
    const dir = folder({
      'zz.tf': `provider "aws" {
  region = "eu-west-1"
}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
`,
      'a_override.tf': `provider "aws" {
  region = "us-east-1"
}
`,
    });
    const read = await readPaths([dir]);
    const bucket = read.resources.find((r) => r.type === 'AWS::S3::Bucket');
    expect(bucket?.region).toBe('us-east-1');
  });

  it('refuses an override of a block that does not exist, naming file and line', async () => {
    const dir = folder({
      'main.tf': OPEN_SSH,
      'override.tf': `# tags for the group
resource "aws_security_group" "sgg" {
  tags = { Team = "platform" }
}
`,
    });
    const read = await readPaths([dir]);
    const error = read.files.find((f) => f.file.endsWith('override.tf'))?.error;
    expect(error).toMatchObject({ code: 'INVALID_STRUCTURE', line: 2 });
    expect(error?.message).toMatch(
      /override\.tf:2: resource "aws_security_group" "sgg" overrides nothing/,
    );
    expect((await checkHere([dir])).code).toBe(2);
  });

  it('refuses depends_on in an override block', async () => {
    const dir = folder({
      'main.tf': OPEN_SSH,
      'override.tf': `resource "aws_security_group" "sg" {
  depends_on = [aws_vpc.main]
}
`,
    });
    const read = await readPaths([dir]);
    const error = read.files.find((f) => f.file.endsWith('override.tf'))?.error;
    expect(error?.message).toMatch(/sets depends_on, which Terraform refuses in an override/);
  });
});
