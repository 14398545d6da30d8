/**
 * Values the posture fuzz test (hostile-values.fuzz.test.ts) found crashing a reader, each in the
 * real input it was found in: an object whose `toString` is not a function (`{"toString":{}}`)
 * where text or a number was expected. The reader passes over the value; it does not throw.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isUnknown, type Resource } from '../../src/model/resource.js';
import { armReaders } from '../../src/sources/arm/index.js';
import { armInventoryReader } from '../../src/sources/azure/arm-inventory-reader.js';
import { parseTemplate } from '../../src/sources/cloudformation/cfn-template-parser.js';
import { cloudformationReaders } from '../../src/sources/cloudformation/index.js';
import { restResponseReader } from '../../src/sources/gcp/rest-response-reader.js';
import type { SourceFile } from '../../src/sources/reader.js';
import { fileReaders } from '../../src/sources/registry.js';
import { evaluateTerraformDirectory } from '../../src/sources/terraform/evaluate-directory.js';
import { shared } from '../support/paths.js';

/** Objects String() and Number() throw on, as JSON.parse gives them. */
const NO_TO_STRING = JSON.parse('{"toString":{}}') as unknown;

/** A shared file as a reader sees it, its parsed JSON changed by `edit`. */
function editedJson(path: string, edit: (doc: any) => void): SourceFile {
  const full = shared(path);
  const doc = JSON.parse(readFileSync(full, 'utf8')) as unknown;
  edit(doc);
  return { path: full, text: JSON.stringify(doc) };
}

/** A shared CloudFormation template (YAML short forms in long form) changed by `edit`, as JSON. */
function editedTemplate(path: string, edit: (resources: any) => void): SourceFile {
  const full = shared(path);
  const { template } = parseTemplate(full, readFileSync(full, 'utf8'));
  edit(template.Resources);
  return { path: full, text: JSON.stringify(template) };
}

async function readTemplate(file: SourceFile) {
  const reader = cloudformationReaders.find((r) => r.detect(file));
  expect(reader).toBeDefined();
  return (await reader!.read(file)).resources;
}

const VPC = 'iac/aws-cloudformation-templates/VPC/VPC_With_Managed_NAT_And_Private_Subnet.yaml';
const ELASTICACHE = 'iac/aws-cloudformation-templates/ElastiCache/Elasticache-snapshot.yaml';

type PlanValues = Record<string, Record<string, unknown>>;

/**
 * Plan JSON of terragoat's `cloud` configuration (values Terraform cannot know yet as null), its
 * resources' values by address changed by `edit` (which may add resources).
 */
async function terragoatPlan(cloud: string, edit: (values: PlanValues) => void) {
  const { blocks } = await evaluateTerraformDirectory(shared(`iac/terragoat/terraform/${cloud}`));
  const values: PlanValues = JSON.parse(
    JSON.stringify(
      Object.fromEntries(
        blocks.filter((b) => b.mode === 'managed').map((b) => [b.address, b.attributes]),
      ),
      (_, v: unknown) => (isUnknown(v) ? null : v),
    ),
  );
  edit(values);
  const resources = Object.entries(values).map(([address, v]) => {
    const [type, name] = address.split('.');
    return { address, mode: 'managed', type, name, values: v };
  });
  const plan = { format_version: '1.2', planned_values: { root_module: { resources } } };
  return { path: `terragoat-${cloud}-plan.json`, text: JSON.stringify(plan) };
}

/** What the plan reader makes of a plan; a translator that failed would show as a warning. */
async function readPlan(file: SourceFile): Promise<Resource[]> {
  const reader = fileReaders.find((r) => r.detect(file));
  expect(reader?.kind).toBe('terraform-plan');
  const { resources, warnings } = await reader!.read(file);
  expect((warnings ?? []).filter((w) => w.includes('translator failed'))).toEqual([]);
  return resources;
}

function byAddress(resources: Resource[], address: string): Resource | undefined {
  return resources.find((r) => r.source.address === address);
}

describe('readers given a value that cannot become text', () => {
  it('GCP REST recording: a status of {"toString":{}} is no success; nothing read, no crash', () => {
    const path =
      'cloud-inventory/gcp/cloud-custodian-flights/bucket-iam-policy/get-storage-v1-b_1.json';
    const file = editedJson(path, (doc) => (doc.headers.status = NO_TO_STRING));
    expect(restResponseReader.detect(file)).toBe(true);
    const result = restResponseReader.read(file) as ReturnType<typeof restResponseReader.read>;
    expect(result).toEqual({
      resources: [],
      warnings: [`${file.path}: recorded HTTP status ?`],
    });
  });

  it('Azure cassette: an interaction whose uri is {"toString":{}} is passed over', async () => {
    const path = 'cloud-inventory/azure/cloud-custodian-cassettes/KeyVaultTest.test_whitelist.json';
    const whole = editedJson(path, () => {});
    const file = editedJson(path, (doc) =>
      doc.interactions.unshift({ request: { uri: NO_TO_STRING } }),
    );
    expect(armInventoryReader.detect(file)).toBe(true);
    const expected = (await armInventoryReader.read(whole)).resources.map((r) => r.id);
    expect(expected.length).toBeGreaterThan(0);
    expect((await armInventoryReader.read(file)).resources.map((r) => r.id)).toEqual(expected);
  });

  it('CloudFormation: Fn::GetAtt naming a resource or attribute {"toString":{}} is unknown', async () => {
    for (const args of [
      [NO_TO_STRING, 'Arn'],
      ['EnableShapshot', NO_TO_STRING],
    ]) {
      const file = editedTemplate(ELASTICACHE, (resources) => {
        resources.EnableShapshotTrigger.Properties.ServiceToken = { 'Fn::GetAtt': args };
      });
      const trigger = (await readTemplate(file)).find((r) => r.name === 'EnableShapshotTrigger');
      expect(trigger?.properties.ServiceToken).toEqual({
        __palisade_unknown__: args[0] === NO_TO_STRING ? 'GetAtt ?.Arn' : 'GetAtt EnableShapshot.?',
      });
    }
  });

  it('CloudFormation: Fn::Join of a list holding {"toString":{}} is unknown, the tag not read', async () => {
    const file = editedTemplate(VPC, (resources) => {
      resources.PublicSubnet0.Properties.Tags[2].Value['Fn::Join'][1] = [NO_TO_STRING, '-public-'];
    });
    const subnet = (await readTemplate(file)).find((r) => r.id.endsWith('#PublicSubnet0'));
    expect(subnet?.tags).toEqual({ Network: 'Public' });
  });

  it('CloudFormation: Fn::Select at index {"toString":{}} is unknown', async () => {
    const file = editedTemplate(VPC, (resources) => {
      resources.PublicSubnet1.Properties.AvailabilityZone = { 'Fn::Select': [NO_TO_STRING, ['a']] };
    });
    const subnet = (await readTemplate(file)).find((r) => r.id.endsWith('#PublicSubnet1'));
    expect(subnet?.properties.AvailabilityZone).toEqual({
      __palisade_unknown__: 'Fn::Select out of range',
    });
  });

  it('CloudFormation: a network ACL entry whose Protocol is {"toString":{}} keeps it as it is', async () => {
    const file = editedTemplate(VPC, (resources) => {
      resources.InboundHTTPPublicNetworkAclEntry.Properties.Protocol = NO_TO_STRING;
    });
    const acl = (await readTemplate(file)).find((r) => r.id.endsWith('#PublicNetworkAcl'));
    const entries = acl?.properties.Entries as { Protocol: unknown; Egress: boolean }[];
    expect(entries.map((e) => [e.Egress, e.Protocol])).toEqual([
      [false, NO_TO_STRING],
      [true, '-1'],
    ]);
  });

  it('CloudFormation YAML: a mapping key that is a map {toString: {}} is named by its text', async () => {
    const full = shared('iac/aws-cloudformation-templates/SNS/SNSTopic.yaml');
    const text = readFileSync(full, 'utf8').replace(
      'Resources:\n',
      'Resources:\n  ? {toString: {}}\n  : {Type: AWS::SNS::Topic}\n',
    );
    const resources = await readTemplate({ path: full, text });
    expect(resources.map((r) => r.source.address)).toEqual([
      '{"toString":{}}',
      'SNSTopic',
      'SNSSubscription',
    ]);
  });

  it('CloudFormation: Fn::FindInMap with a fourth item {"toString":{}} still finds its value', async () => {
    const file = editedTemplate(VPC, (resources) => {
      resources.VPC.Properties.CidrBlock['Fn::FindInMap'].push(NO_TO_STRING);
      resources.PublicSubnet0.Properties.CidrBlock = {
        'Fn::FindInMap': ['SubnetConfig', 'VPC', 'toString'],
      };
    });
    const resources = await readTemplate(file);
    expect(resources.find((r) => r.id.endsWith('#VPC'))?.properties.CidrBlock).toBe('10.0.0.0/16');
    const subnet = resources.find((r) => r.id.endsWith('#PublicSubnet0'));
    expect(subnet?.properties.CidrBlock).toEqual({
      __palisade_unknown__: 'Fn::FindInMap SubnetConfig.VPC.toString',
    });
  });

  it('CloudFormation: Ref toString or constructor names no parameter', async () => {
    const file = editedTemplate(VPC, (resources) => {
      resources.PublicSubnet0.Properties.CidrBlock = { Ref: 'toString' };
      resources.PublicSubnet1.Properties.CidrBlock = { Ref: 'constructor' };
    });
    const subnets = (await readTemplate(file)).filter((r) => /#PublicSubnet[01]$/.test(r.id));
    expect(subnets.map((s) => s.properties.CidrBlock)).toEqual([
      { __palisade_unknown__: 'Ref toString' },
      { __palisade_unknown__: 'Ref constructor' },
    ]);
  });

  it('Terraform plan: an S3 bucket whose acl is {"toString":{}} grants its owner only', async () => {
    const plan = await terragoatPlan(
      'aws',
      (v) => (v['aws_s3_bucket.operations'].acl = NO_TO_STRING),
    );
    const resources = await readPlan(plan);
    expect(resources).toHaveLength((await readPlan(await terragoatPlan('aws', () => {}))).length);
    const grants = byAddress(resources, 'aws_s3_bucket.operations')?.properties.Acl;
    expect(grants).toEqual({
      Grants: [{ Grantee: { Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }],
    });
  });

  it('Terraform plan: an SQS queue whose delay_seconds is {"toString":{}} keeps it as it is', async () => {
    const plan = await terragoatPlan('aws', (v) => {
      v['aws_sqs_queue.q'] = { name: 'q', delay_seconds: NO_TO_STRING };
    });
    const queue = byAddress(await readPlan(plan), 'aws_sqs_queue.q');
    expect((queue?.properties.Attributes as any).DelaySeconds).toEqual(NO_TO_STRING);
  });

  it('Terraform plan: azurerm values of {"toString":{}} are left out as empty; the rest is read', async () => {
    const whole = await readPlan(await terragoatPlan('azure', () => {}));
    const plan = await terragoatPlan('azure', (v) => {
      (v['azurerm_network_security_group.bad_sg'].security_rule as any[])[0].protocol =
        NO_TO_STRING;
      v['azurerm_key_vault_key.generated'].expiration_date = NO_TO_STRING;
      v['azurerm_storage_account.example'].account_tier = NO_TO_STRING;
      v['azurerm_mssql_database.db'] = { name: 'db', server_id: 's', max_size_gb: NO_TO_STRING };
      v['azurerm_cosmosdb_account.db'] = { name: 'c', ip_range_filter: NO_TO_STRING };
    });
    const resources = await readPlan(plan);
    expect(resources).toHaveLength(whole.length + 2);
    const body = (address: string) => byAddress(resources, address)?.properties as any;
    const rule = body('azurerm_network_security_group.bad_sg').properties.securityRules[0];
    expect(rule.name).toBe('AllowSSH');
    expect(rule.properties.protocol).toBeUndefined();
    expect(body('azurerm_key_vault_key.generated').properties.attributes).toBeUndefined();
    expect(body('azurerm_storage_account.example').sku).toBeUndefined();
    expect(body('azurerm_mssql_database.db').properties).toEqual({});
    expect(body('azurerm_cosmosdb_account.db').properties.ipRules).toEqual([{}]);
  });

  it('Terraform plan: azurerm lists written as one value of the wrong type are read as one item', async () => {
    const whole = await readPlan(await terragoatPlan('azure', () => {}));
    const plan = await terragoatPlan('azure', (v) => {
      v['azurerm_linux_virtual_machine.linux_machine'].network_interface_ids = 'nic';
      v['azurerm_storage_account_network_rules.test'].ip_rules = 7;
      v['azurerm_storage_account_network_rules.test'].bypass = [NO_TO_STRING];
      v['azurerm_subnet.example'].service_endpoints = NO_TO_STRING;
      v['azurerm_key_vault.example'].network_acls = [
        { default_action: 'Deny', bypass: 'None', ip_rules: '10.0.0.1' },
      ];
      v['azurerm_postgresql_configuration.example'].value = NO_TO_STRING;
      v['azurerm_storage_container.c'] = { name: 'c', container_access_type: NO_TO_STRING };
      v['azurerm_storage_container.d'] = { name: 'd', container_access_type: 'constructor' };
    });
    const resources = await readPlan(plan);
    expect(resources).toHaveLength(whole.length + 2);
    const body = (address: string) => byAddress(resources, address)?.properties as any;
    expect(body('azurerm_linux_virtual_machine.linux_machine').properties.networkProfile).toEqual({
      networkInterfaces: [{ id: 'nic' }],
    });
    expect(body('azurerm_subnet.example').properties.serviceEndpoints).toEqual([{}]);
    expect(body('azurerm_key_vault.example').properties.networkAcls.ipRules).toEqual([
      { value: '10.0.0.1' },
    ]);
    expect(body('azurerm_storage_container.d').properties.publicAccess).toBe('constructor');
  });

  describe('ARM template', () => {
    const path =
      'iac/azure-quickstart-templates/quickstarts/microsoft.storage/storage-account-create/azuredeploy.json';

    async function readArm(edit: (template: any) => void) {
      const file = editedJson(path, edit);
      const reader = armReaders.find((r) => r.detect(file));
      expect(reader).toBeDefined();
      const { resources, warnings } = await reader!.read(file);
      return { resources: resources.map((r) => r.type), warnings: warnings ?? [] };
    }

    it('a copy count of {"toString":{}} reads no copy and says so', async () => {
      const { resources, warnings } = await readArm((t) => {
        t.resources[0].copy = { name: 'c', count: NO_TO_STRING };
      });
      expect(resources).toEqual([]);
      expect(warnings).toEqual([
        `${shared(path)}: copy count {"toString":{}} is not a number; none read`,
      ]);
    });

    it('a user function parameter named {"toString":{}} names no parameter', async () => {
      const { resources } = await readArm((t) => {
        t.functions = [
          {
            namespace: 'ns',
            members: {
              f: {
                parameters: [{ name: NO_TO_STRING, type: 'string' }],
                output: { type: 'string', value: 'x' },
              },
            },
          },
        ];
      });
      expect(resources).toEqual(['Microsoft.Storage/storageAccounts']);
    });

    it('a nested deployment whose evaluation scope is {"toString":{}} is read in the outer scope', async () => {
      const { resources } = await readArm((t) => {
        t.resources.push({
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'nested',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: NO_TO_STRING },
            template: { resources: [{ ...t.resources[0], name: 'nestedaccount' }] },
          },
        });
      });
      expect(resources).toEqual([
        'Microsoft.Storage/storageAccounts',
        'Microsoft.Resources/deployments',
        'Microsoft.Storage/storageAccounts',
      ]);
    });
  });
});
