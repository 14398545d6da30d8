/**
 * A list, map or block list whose value Terraform knows only at apply (a variable without a
 * default, a data source's attribute) stays unknown in the translated resource: a rule reading it
 * cannot be judged, and never passes as if the list were empty.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/model/finding.js';
import { compileRules, evaluate, type CompiledRule } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { readPaths } from '../../../src/sources/read-paths.js';

let compiled: CompiledRule[];
const dirs: string[] = [];

beforeAll(async () => {
  compiled = compileRules(await loadRules());
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function scan(text: string): Promise<Finding[]> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-unknown-lists-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'main.tf'), text);
  const { resources } = await readPaths([dir]);
  return evaluate(compiled, resources);
}

function finding(findings: Finding[], ruleId: string, resourceName: string): Finding {
  const found = findings.filter((f) => f.ruleId === ruleId && f.resourceName === resourceName);
  expect(found, `${ruleId} on ${resourceName}`).toHaveLength(1);
  return found[0]!;
}

/** A group opening SSH to `var.cidrs`, declared as `variable`. */
const sshFrom = (variable: string, rule = 'ingress') => `${variable}
resource "aws_security_group" "bastion" {
  name = "bastion"
  ${rule}
}
`;

const INLINE = `ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }`;

describe('an unknown Terraform list is never read as an empty one', () => {
  it('cannot judge public SSH on a group whose ingress CIDRs come from a variable without a default', async () => {
    const findings = await scan(sshFrom('variable "cidrs" {}', INLINE));
    const ssh = finding(findings, 'aws-ec2-sg-no-public-ssh', 'bastion');
    expect(ssh.status).toBe('not_applicable');
    expect(ssh.message).toContain('cannot be judged');
    expect(ssh.message).toContain('IpPermissions.0.IpRanges is unknown');
  });

  it('fails with a default open to the internet and passes with a private one', async () => {
    const open = await scan(sshFrom('variable "cidrs" { default = ["0.0.0.0/0"] }', INLINE));
    expect(finding(open, 'aws-ec2-sg-no-public-ssh', 'bastion').status).toBe('fail');
    const closed = await scan(sshFrom('variable "cidrs" { default = ["10.0.0.0/8"] }', INLINE));
    expect(finding(closed, 'aws-ec2-sg-no-public-ssh', 'bastion').status).toBe('pass');
  });

  it('still fails a group with another rule open to the internet beside the unknown one', async () => {
    const findings = await scan(
      sshFrom(
        'variable "cidrs" {}',
        `${INLINE}
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }`,
      ),
    );
    expect(finding(findings, 'aws-ec2-sg-no-public-ssh', 'bastion').status).toBe('fail');
  });

  it('cannot judge a standalone rule whose CIDRs come from a data source', async () => {
    const findings = await scan(`data "aws_ip_ranges" "cf" {
  services = ["cloudfront"]
}
resource "aws_security_group" "bastion" {
  name = "bastion"
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = data.aws_ip_ranges.cf.cidr_blocks
  security_group_id = aws_security_group.bastion.id
}
`);
    const ssh = finding(findings, 'aws-ec2-sg-no-public-ssh', 'bastion');
    expect(ssh.status).toBe('not_applicable');
    expect(ssh.message).toContain('cannot be judged');
  });

  it('cannot judge public SSH when the ingress blocks come from an unknown dynamic block', async () => {
    const findings = await scan(
      sshFrom(
        'variable "rules" {}',
        `dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = ingress.value.cidrs
    }
  }`,
      ),
    );
    const ssh = finding(findings, 'aws-ec2-sg-no-public-ssh', 'bastion');
    expect(ssh.status).toBe('not_applicable');
    expect(ssh.message).toContain('cannot be judged');
  });

  it('cannot judge a network ACL whose inline rules come from an unknown dynamic block', async () => {
    const findings = await scan(`variable "rules" {}
resource "aws_network_acl" "edge" {
  vpc_id = "vpc-0abc"
  dynamic "ingress" {
    for_each = var.rules
    content {
      rule_no    = ingress.value.no
      protocol   = "tcp"
      action     = "allow"
      cidr_block = ingress.value.cidr
      from_port  = 22
      to_port    = 22
    }
  }
  tags = { Name = "edge" }
}
`);
    const nacl = finding(findings, 'aws-ec2-nacl-no-public-admin-ports', 'edge');
    expect(nacl.status).toBe('not_applicable');
    expect(nacl.message).toContain('cannot be judged');
  });

  it('cannot judge a bucket ACL written as grants over an unknown value', async () => {
    const findings = await scan(`variable "grants" {}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  dynamic "grant" {
    for_each = var.grants
    content {
      type        = "Group"
      uri         = grant.value.uri
      permissions = ["READ"]
    }
  }
}
`);
    const acl = finding(findings, 'aws-s3-bucket-no-public-acl', 'logs');
    expect(acl.status).toBe('not_applicable');
    expect(acl.message).toContain('cannot be judged');
  });

  it('cannot judge an IAM policy whose statements come from an unknown dynamic block', async () => {
    const findings = await scan(`variable "statements" {}
data "aws_iam_policy_document" "doc" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = ["*"]
    }
  }
}
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = aws_iam_role.app.name
  policy = data.aws_iam_policy_document.doc.json
}
`);
    const admin = finding(findings, 'aws-iam-no-full-admin-policies', 'app');
    expect(admin.status).toBe('not_applicable');
    expect(admin.message).toContain('cannot be judged');
  });

  it('cannot judge EKS secrets encryption set by an unknown dynamic block', async () => {
    const findings = await scan(`variable "kms" {}
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
  dynamic "encryption_config" {
    for_each = var.kms
    content {
      resources = ["secrets"]
      provider {
        key_arn = encryption_config.value
      }
    }
  }
}
`);
    const eks = finding(findings, 'aws-eks-secrets-encryption', 'main');
    expect(eks.status).toBe('not_applicable');
    expect(eks.message).toContain('cannot be judged');
  });

  it('cannot judge GCP rules on firewall, instance and SQL blocks from unknown dynamic blocks', async () => {
    const findings = await scan(`variable "ports" {}
variable "nets" {}
variable "nat" {}
resource "google_compute_firewall" "ssh" {
  name          = "ssh"
  network       = "default"
  source_ranges = ["0.0.0.0/0"]
  dynamic "allow" {
    for_each = var.ports
    content {
      protocol = "tcp"
      ports    = allow.value
    }
  }
}
resource "google_compute_instance" "vm" {
  name         = "vm"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
    dynamic "access_config" {
      for_each = var.nat
      content {}
    }
  }
}
resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_15"
  settings {
    tier = "db-f1-micro"
    ip_configuration {
      dynamic "authorized_networks" {
        for_each = var.nets
        content {
          value = authorized_networks.value
        }
      }
    }
  }
}
`);
    for (const [rule, name] of [
      ['gcp-compute-firewall-ssh-restricted', 'ssh'],
      ['gcp-compute-instance-no-public-ip', 'vm'],
      ['gcp-sql-instance-no-open-authorized-networks', 'db'],
    ] as const) {
      const f = finding(findings, rule, name);
      expect(f.status, rule).toBe('not_applicable');
      expect(f.message).toContain('cannot be judged');
    }
  });

  it('cannot judge an Azure custom role whose permissions come from an unknown dynamic block', async () => {
    const findings = await scan(`variable "perms" {}
resource "azurerm_role_definition" "ops" {
  name  = "ops"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
  dynamic "permissions" {
    for_each = var.perms
    content {
      actions = permissions.value
    }
  }
  assignable_scopes = ["/subscriptions/00000000-0000-0000-0000-000000000000"]
}
`);
    const role = finding(findings, 'azure-custom-role-no-subscription-owner', 'ops');
    expect(role.status).toBe('not_applicable');
    expect(role.message).toContain('cannot be judged');
  });

  it('cannot judge full admin on a role whose managed policy ARNs come from a variable', async () => {
    const role = (arns: string) => `variable "arns" {${arns}}
resource "aws_iam_role" "ops" {
  name                = "ops"
  assume_role_policy  = "{}"
  managed_policy_arns = var.arns
}
`;
    const unknown = finding(await scan(role('')), 'aws-iam-no-full-admin-policies', 'ops');
    expect(unknown.status).toBe('not_applicable');
    expect(unknown.message).toContain('cannot be judged');
    const admin = await scan(role(' default = ["arn:aws:iam::aws:policy/AdministratorAccess"] '));
    expect(finding(admin, 'aws-iam-no-full-admin-policies', 'ops').status).toBe('fail');
  });

  it('reads a single nested block from an unknown dynamic block as unknown, not absent', async () => {
    const findings = await scan(`variable "imds" {}
variable "versioning" {}
resource "aws_instance" "web" {
  ami           = "ami-0abc"
  instance_type = "t3.micro"
  dynamic "metadata_options" {
    for_each = var.imds
    content {
      http_tokens = "required"
    }
  }
  tags = { Name = "web" }
}
resource "aws_s3_bucket" "data" {
  bucket = "data"
  dynamic "versioning" {
    for_each = var.versioning
    content {
      enabled = true
    }
  }
}
`);
    for (const [rule, name] of [
      ['aws-ec2-instance-imdsv2-required', 'web'],
      ['aws-s3-bucket-versioning-enabled', 'data'],
    ] as const) {
      const f = finding(findings, rule, name);
      expect(f.status, rule).toBe('not_applicable');
      expect(f.message).toContain('cannot be judged');
    }
  });

  it('keeps ingress blocks written beside a dynamic one, in either order', async () => {
    const dynamic = (forEach: string, cidrs: string) => `dynamic "ingress" {
    for_each = ${forEach}
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ${cidrs}
    }
  }`;
    const written = (port: number, cidr: string) => `ingress {
    from_port   = ${port}
    to_port     = ${port}
    protocol    = "tcp"
    cidr_blocks = ["${cidr}"]
  }`;
    const ssh = async (body: string) =>
      finding(
        await scan(sshFrom('variable "ports" {}', body)),
        'aws-ec2-sg-no-public-ssh',
        'bastion',
      ).status;
    // A known dynamic block written first opens SSH: the written block after it must not hide it.
    expect(await ssh(`${dynamic('[22]', '["0.0.0.0/0"]')}\n  ${written(443, '10.0.0.0/8')}`)).toBe(
      'fail',
    );
    // An unknown dynamic block beside a written open rule: the open rule still fails the group.
    expect(
      await ssh(`${written(22, '0.0.0.0/0')}\n  ${dynamic('var.ports', '["0.0.0.0/0"]')}`),
    ).toBe('fail');
    expect(
      await ssh(`${dynamic('var.ports', '["0.0.0.0/0"]')}\n  ${written(22, '0.0.0.0/0')}`),
    ).toBe('fail');
    // Beside a private rule, what the unknown dynamic block opens cannot be judged.
    expect(
      await ssh(`${written(22, '10.0.0.0/8')}\n  ${dynamic('var.ports', '["0.0.0.0/0"]')}`),
    ).toBe('not_applicable');
  });
});
