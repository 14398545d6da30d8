/**
 * Passwords written into IaC as literals: the readers record which attribute holds one under
 * `Palisade.literalSecrets`, never the value, and the `*-iac-no-literal-secrets` rules fail on
 * them. A variable or parameter without a value, a reference, a secret store lookup or a
 * Terraform plan's resolved value is not a literal.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { assess, type Assessment } from '../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

let rules: Rule[];
let compiled: CompiledRule[];
const dirs: string[] = [];

beforeAll(async () => {
  rules = (await loadRules()).filter((r) => r.id.endsWith('-iac-no-literal-secrets'));
  compiled = compileRules(rules);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding `files`, read and judged by the literal-secret rules. */
async function scan(files: Record<string, string>): Promise<Assessment> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-literal-secrets-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return assess({ paths: [dir], rules, compiled, now: new Date('2026-01-01T00:00:00Z') });
}

function facts(r: Resource | undefined): unknown {
  return (r?.properties.Palisade as { literalSecrets?: string[] } | undefined)?.literalSecrets;
}

function byAddress(resources: Resource[], address: string): Resource | undefined {
  return resources.find((r) => r.source.address === address);
}

describe('TerraGoat Azure (administrator_login_password = "Aa12345678")', () => {
  const dir = shared('iac/terragoat/terraform/azure');

  it('records the attribute, not the value, on the SQL and PostgreSQL servers', async () => {
    const { resources } = await readPaths([dir]);
    expect(facts(byAddress(resources, 'azurerm_sql_server.example'))).toEqual([
      'administrator_login_password',
    ]);
    expect(facts(byAddress(resources, 'azurerm_postgresql_server.example'))).toEqual([
      'administrator_login_password',
    ]);
    // random_string.password.result is known only after apply: not written in the code.
    expect(facts(byAddress(resources, 'azurerm_mysql_server.example'))).toBeUndefined();
    expect(
      facts(byAddress(resources, 'azurerm_linux_virtual_machine.linux_machine')),
    ).toBeUndefined();
    expect(JSON.stringify(resources)).not.toContain('Aa12345678');
  });

  it('fails the SQL server with a message naming the attribute and the file, not the value', async () => {
    const result = await assess({ paths: [dir], rules, compiled, now: new Date() });
    const failed = result.findings.filter((f) => f.status === 'fail');
    expect(failed.map((f) => f.resourceName).sort()).toEqual(['example', 'example']);
    const sql = failed.find((f) => f.resourceType === 'Microsoft.Sql/servers')!;
    expect(sql.ruleId).toBe('azure-iac-no-literal-secrets');
    expect(sql.severity).toBe('high');
    expect(sql.message).toContain('administrator_login_password');
    expect(sql.file).toMatch(/terraform\/azure\/sql\.tf$/);
    expect(sql.line).toBe(9);
    expect(JSON.stringify(result)).not.toContain('Aa12345678');
  });
});

describe('Terraform variables', () => {
  const server = (password: string) => `
resource "azurerm_mssql_server" "db" {
  name                         = "db"
  resource_group_name          = "rg"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = ${password}
}
`;

  it('counts a variable with a literal default as written in the code', async () => {
    const result = await scan({
      'main.tf': server('var.admin_password'),
      'variables.tf': 'variable "admin_password" {\n  default = "Hunter2-in-repo"\n}\n',
    });
    const finding = result.findings.find((f) => f.resourceName === 'db')!;
    expect(finding.status).toBe('fail');
    expect(JSON.stringify(result)).not.toContain('Hunter2-in-repo');
  });

  it('passes a sensitive variable with no default and a Key Vault secret', async () => {
    const fromVariable = await scan({
      'main.tf': server('var.admin_password'),
      'variables.tf': 'variable "admin_password" {\n  sensitive = true\n}\n',
    });
    expect(fromVariable.findings.find((f) => f.resourceName === 'db')?.status).toBe('pass');
    const fromVault = await scan({
      'main.tf':
        'data "azurerm_key_vault_secret" "pw" {\n  name = "pw"\n  key_vault_id = "kv"\n}\n' +
        server('data.azurerm_key_vault_secret.pw.value'),
    });
    expect(fromVault.findings.find((f) => f.resourceName === 'db')?.status).toBe('pass');
  });

  it('fails an RDS instance, cluster and ElastiCache auth token written in the code', async () => {
    const result = await scan({
      'main.tf': `
resource "aws_db_instance" "db" {
  identifier = "db"
  username   = "admin"
  password   = "Literal-Password-1"
}
resource "aws_rds_cluster" "c" {
  cluster_identifier  = "c"
  master_password     = "Literal-Password-2"
}
resource "aws_elasticache_replication_group" "r" {
  replication_group_id = "r"
  auth_token           = "Literal-Token-3"
}
resource "aws_db_instance" "managed" {
  identifier                  = "managed"
  manage_master_user_password = true
}
`,
    });
    const status = Object.fromEntries(result.findings.map((f) => [f.resourceName, f.status]));
    expect(status).toEqual({ db: 'fail', c: 'fail', r: 'fail', managed: 'pass' });
    const messages = result.findings.map((f) => f.message).join('\n');
    expect(messages).toContain('"password"');
    expect(messages).toContain('"master_password"');
    expect(messages).toContain('"auth_token"');
    expect(JSON.stringify(result)).not.toMatch(/Literal-(Password|Token)/);
  });

  it('ignores values in a Terraform plan, which holds them resolved, not as written', async () => {
    const plan = JSON.stringify({
      format_version: '1.2',
      planned_values: {
        root_module: {
          resources: [
            {
              address: 'aws_db_instance.db',
              mode: 'managed',
              type: 'aws_db_instance',
              name: 'db',
              values: { identifier: 'db', password: 'From-A-Vault' },
            },
          ],
        },
      },
    });
    const { resources } = await readPaths([
      (() => {
        const dir = mkdtempSync(join(tmpdir(), 'palisade-literal-secrets-plan-'));
        dirs.push(dir);
        writeFileSync(join(dir, 'plan.json'), plan);
        return join(dir, 'plan.json');
      })(),
    ]);
    const db = resources.find((r) => r.type === 'AWS::RDS::DBInstance');
    expect(db?.source.kind).toBe('terraform-plan');
    expect(db?.properties.Palisade).toBeUndefined();
  });
});

describe('CloudFormation', () => {
  it('fails a literal MasterUserPassword and passes dynamic references and parameters', async () => {
    const result = await scan({
      'template.yaml': `
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
Resources:
  Literal:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: literal
      MasterUserPassword: Literal-Cfn-Password
  Resolved:
    Type: AWS::RDS::DBCluster
    Properties:
      DBClusterIdentifier: resolved
      MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'
  FromParameter:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: fromparameter
      MasterUserPassword: !Ref DbPassword
`,
    });
    const status = Object.fromEntries(result.findings.map((f) => [f.resourceName, f.status]));
    expect(status).toEqual({ literal: 'fail', resolved: 'pass', fromparameter: 'pass' });
    const fail = result.findings.find((f) => f.status === 'fail')!;
    expect(fail.message).toContain('MasterUserPassword');
    expect(fail.line).toBe(8);
    expect(JSON.stringify(result)).not.toContain('Literal-Cfn-Password');
  });
});

describe('ARM templates', () => {
  it('fails a literal administratorLoginPassword and drops every password from the body', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { adminPassword: { type: 'securestring' } },
      resources: [
        {
          type: 'Microsoft.Sql/servers',
          apiVersion: '2021-11-01',
          name: 'literal-sql',
          location: 'westeurope',
          properties: { administratorLogin: 'a', administratorLoginPassword: 'Literal-Arm-1' },
        },
        {
          type: 'Microsoft.DBforPostgreSQL/flexibleServers',
          apiVersion: '2022-12-01',
          name: 'escaped-pg',
          location: 'westeurope',
          // `[[` escapes text that begins with `[`: still a literal.
          properties: { administratorLogin: 'a', administratorLoginPassword: '[[Literal-Arm-2' },
        },
        {
          type: 'Microsoft.Compute/virtualMachines',
          apiVersion: '2023-03-01',
          name: 'param-vm',
          location: 'westeurope',
          properties: {
            osProfile: {
              computerName: 'vm',
              adminUsername: 'a',
              adminPassword: "[parameters('adminPassword')]",
            },
          },
        },
      ],
    };
    const result = await scan({ 'azuredeploy.json': JSON.stringify(template, null, 2) });
    const status = Object.fromEntries(result.findings.map((f) => [f.resourceName, f.status]));
    expect(status).toEqual({ 'literal-sql': 'fail', 'escaped-pg': 'fail', 'param-vm': 'pass' });
    expect(result.findings.find((f) => f.status === 'fail')!.message).toContain(
      'administratorLoginPassword',
    );
    const { resources } = await readPaths([dirs[dirs.length - 1]!]);
    const vm = resources.find((r) => r.name === 'param-vm')!;
    expect(vm.properties.properties).toEqual({
      osProfile: { computerName: 'vm', adminUsername: 'a' },
    });
    expect(JSON.stringify(resources)).not.toMatch(/Literal-Arm/);
    expect(JSON.stringify(result)).not.toMatch(/Literal-Arm/);
  });
});
