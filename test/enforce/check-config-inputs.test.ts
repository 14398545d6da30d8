/**
 * `check --diff-base` judges a resource when any input it is evaluated from changed, not only the
 * file it is written in: a variable default, a `.tfvars` file, a module it calls, an ARM
 * parameters file. And a Terraform configuration cut by a cap fails the gate with exit 2.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { checkHere } from './check-runner.js';
import { git } from '../support/git.js';

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A git repository holding `files`, committed. */
function repository(files: Record<string, string>): string {
  const repo = mkdtempSync(join(tmpdir(), 'palisade-inputs-'));
  git(repo, 'init', '-q', '-b', 'main');
  write(repo, files);
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  return repo;
}

const POLICY = `assignments:
  - {id: net, benchmark: palisade, mode: audit, rules: {aws-ec2-sg-no-public-ssh: deny, azure-nsg-no-ssh-from-internet: deny}}
`;

/** A security group whose SSH ingress comes from a variable. */
const SSH_FROM_VARIABLE = `resource "aws_security_group" "admin" {
  name = "admin"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
`;

async function gate(repo: string, path: string, format: 'json' | 'table' = 'json') {
  const policy = join(repo, '..', `${repo.split('/').pop()}-policy.yaml`);
  writeFileSync(policy, POLICY);
  return checkHere([path], { policy: [policy], diffBase: 'HEAD', format });
}

interface Report {
  passed: boolean;
  resources: number;
  inputsChanged: number;
  deny: { ruleId: string; file: string }[];
  inputErrors: { code: string; message: string }[];
}

describe('check --diff-base: a change to what a resource is evaluated from', () => {
  it('judges resources whose variable default changed in another file', async () => {
    const repo = repository({
      'infra/main.tf': SSH_FROM_VARIABLE,
      'infra/variables.tf': 'variable "admin_cidr" { default = "10.0.0.0/8" }\n',
      'README.md': 'infra\n',
    });
    const infra = join(repo, 'infra');

    // A change outside the configuration judges nothing.
    writeFileSync(join(repo, 'README.md'), 'infra, changed\n');
    const unrelated = await gate(repo, infra);
    expect(unrelated.code).toBe(0);
    expect(JSON.parse(unrelated.report)).toMatchObject({ resources: 0, inputsChanged: 0 });

    writeFileSync(join(infra, 'variables.tf'), 'variable "admin_cidr" { default = "0.0.0.0/0" }\n');
    const json = await gate(repo, infra);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.report) as Report;
    expect(report).toMatchObject({ passed: false, resources: 1, inputsChanged: 1 });
    expect(report.deny.map((d) => [d.ruleId, d.file.split('/').pop()])).toEqual([
      ['aws-ec2-sg-no-public-ssh', 'main.tf'],
    ]);

    const table = await gate(repo, infra, 'table');
    expect(table.code).toBe(1);
    expect(table.report).toContain(
      "1 resource judged: its configuration's inputs changed (a variable, .tfvars, module or " +
        'other file it is evaluated from), not the file it is written in',
    );
  });

  it('judges them when a .tfvars file is added, changed or deleted', async () => {
    const repo = repository({
      'main.tf': SSH_FROM_VARIABLE,
      'variables.tf': 'variable "admin_cidr" { default = "0.0.0.0/0" }\n',
      'terraform.tfvars': 'admin_cidr = "10.0.0.0/8"\n',
    });
    const unchanged = await gate(repo, repo);
    expect(JSON.parse(unchanged.report)).toMatchObject({ resources: 0 });

    // Deleting the file that narrowed the CIDR opens SSH: the deletion is a change.
    rmSync(join(repo, 'terraform.tfvars'));
    const deleted = await gate(repo, repo);
    expect(deleted.code).toBe(1);
    expect(JSON.parse(deleted.report)).toMatchObject({ resources: 1, inputsChanged: 1 });

    // A new (untracked) auto.tfvars is a change too.
    git(repo, 'commit', '-q', '-am', 'no tfvars');
    write(repo, { 'wide.auto.tfvars.json': '{ "admin_cidr": "0.0.0.0/0" }\n' });
    const added = await gate(repo, repo);
    expect(added.code).toBe(1);
    expect(JSON.parse(added.report)).toMatchObject({ resources: 1, inputsChanged: 1 });
  });

  it('judges the calling configuration when a module folder it calls changed', async () => {
    const repo = repository({
      'infra/main.tf': `module "admin" {
  source = "./modules/admin"
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
`,
      'infra/modules/admin/main.tf': SSH_FROM_VARIABLE,
      'infra/modules/admin/variables.tf': 'variable "admin_cidr" { default = "10.0.0.0/8" }\n',
    });
    writeFileSync(
      join(repo, 'infra/modules/admin/variables.tf'),
      'variable "admin_cidr" { default = "0.0.0.0/0" }\n',
    );
    const json = await gate(repo, join(repo, 'infra'));
    const report = JSON.parse(json.report) as Report;
    expect(json.code).toBe(1);
    // Both resources of the configuration count, the root's bucket too: conservative.
    expect(report).toMatchObject({ resources: 2, inputsChanged: 2 });
    expect(report.deny.map((d) => d.ruleId)).toEqual(['aws-ec2-sg-no-public-ssh']);
  });

  it('judges a root in envs/prod when the ../../modules folder it calls changed', async () => {
    const repo = repository({
      'envs/prod/main.tf': 'module "admin" {\n  source = "../../modules/admin"\n}\n',
      'modules/admin/main.tf': SSH_FROM_VARIABLE,
      'modules/admin/variables.tf': 'variable "admin_cidr" { default = "10.0.0.0/8" }\n',
    });
    writeFileSync(
      join(repo, 'modules/admin/variables.tf'),
      'variable "admin_cidr" { default = "0.0.0.0/0" }\n',
    );
    for (const path of [join(repo, 'envs/prod'), repo]) {
      const report = JSON.parse((await gate(repo, path)).report) as Report;
      expect(report).toMatchObject({ resources: 1, inputsChanged: 1 });
      expect(report.deny.map((d) => d.ruleId)).toEqual(['aws-ec2-sg-no-public-ssh']);
    }
  });

  it('judges resources whose file() input changed', async () => {
    const repo = repository({
      'main.tf': `resource "aws_security_group" "admin" {
  name = "admin"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [trimspace(file("cidr.txt"))]
  }
}
`,
      'cidr.txt': '10.0.0.0/8\n',
    });
    writeFileSync(join(repo, 'cidr.txt'), '0.0.0.0/0\n');
    const json = await gate(repo, repo);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.report)).toMatchObject({ resources: 1, inputsChanged: 1 });
  });

  it('judges an ARM template whose parameters file changed', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { sshSource: { type: 'string', defaultValue: '10.0.0.0/8' } },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          apiVersion: '2023-04-01',
          name: 'admin-nsg',
          location: 'westeurope',
          properties: {
            securityRules: [
              {
                name: 'ssh',
                properties: {
                  priority: 100,
                  direction: 'Inbound',
                  access: 'Allow',
                  protocol: 'Tcp',
                  sourcePortRange: '*',
                  destinationPortRange: '22',
                  sourceAddressPrefix: "[parameters('sshSource')]",
                  destinationAddressPrefix: '*',
                },
              },
            ],
          },
        },
      ],
    };
    const parameters = (source: string) =>
      JSON.stringify({
        $schema:
          'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
        contentVersion: '1.0.0.0',
        parameters: { sshSource: { value: source } },
      });
    const repo = repository({
      'azuredeploy.json': JSON.stringify(template, null, 2),
      'azuredeploy.parameters.json': parameters('10.0.0.0/8'),
    });
    writeFileSync(join(repo, 'azuredeploy.parameters.json'), parameters('*'));
    const json = await gate(repo, repo);
    const report = JSON.parse(json.report) as Report;
    expect(report).toMatchObject({ resources: 1, inputsChanged: 1 });
    expect(report.deny.map((d) => d.ruleId)).toEqual(['azure-nsg-no-ssh-from-internet']);
    expect(json.code).toBe(1);
  });

  it('counts a cut made in an unchanged file when the configuration changed', async () => {
    const repo = repository({
      'main.tf': `resource "null_resource" "many" {
  count = var.n
}
`,
      'variables.tf': 'variable "n" { default = 10 }\n',
    });
    writeFileSync(join(repo, 'variables.tf'), 'variable "n" { default = 10001 }\n');
    const json = await gate(repo, repo);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.report) as Report;
    expect(report.inputErrors).toEqual([
      expect.objectContaining({ code: 'TOO_LARGE', message: expect.stringContaining('main.tf:1') }),
    ]);
  });
});

describe('a Terraform configuration cut by a cap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cut-'));
  write(dir, {
    'main.tf': `resource "null_resource" "many" {
  count = 10001
}

resource "aws_security_group" "open" {
  name = "open"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    'pol.yaml': POLICY,
  });

  it('fails check with exit 2, the rest still judged', () => {
    const run = runPalisade(['check', dir, '--policy', join(dir, 'pol.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('aws-ec2-sg-no-public-ssh');
    expect(run.stdout).toContain('NOT CHECKED (1)');
    expect(run.stdout).toContain(
      'null_resource.many: count 10001 is more than the 10000 instances one block may expand to',
    );
  });

  it('fails scan --fail-on with exit 2 and lists the file as errored', () => {
    const run = runPalisade(['scan', dir, '--fail-on', 'critical', '--no-store', '-f', 'json']);
    expect(run.code).toBe(2);
    const files = (JSON.parse(run.stdout) as { files: { file: string; error?: unknown }[] }).files;
    expect(files.filter((f) => f.error).map((f) => f.file.split('/').pop())).toEqual(['main.tf']);
  });
});
