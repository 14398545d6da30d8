import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isUnknown } from '../../../src/model/resource.js';
import {
  evaluateTerraformDirectory,
  type DirectoryEvaluation,
} from '../../../src/sources/terraform/evaluate-directory.js';
import type { TerraformBlock } from '../../../src/sources/terraform/terraform-block.js';

/** Walks into nested attributes: `at(v, 'rule', 0, 'x')`. */
function at(value: unknown, ...keys: (string | number)[]): unknown {
  return keys.reduce<unknown>(
    (x, k) => (x as Record<string | number, unknown> | undefined)?.[k],
    value,
  );
}

const terragoat = path.resolve(process.cwd(), '../shared/data/iac/terragoat/terraform');

/** Resource and data headers written in the folder's files, counted from the text. */
function headersIn(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.tf'))) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    for (const m of text.matchAll(/^(resource|data)\s+"?([\w-]+)"?\s+"?([\w-]+)"?\s*\{/gm)) {
      found.push(m[1] === 'data' ? `data.${m[2]}.${m[3]}` : `${m[2]}.${m[3]}`);
    }
  }
  return found.sort();
}

function countByType(blocks: TerraformBlock[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const b of blocks) counts[b.type] = (counts[b.type] ?? 0) + 1;
  return counts;
}

describe.each(['aws', 'azure', 'gcp'])('terragoat %s', (cloud) => {
  let result: DirectoryEvaluation;
  beforeAll(async () => {
    result = await evaluateTerraformDirectory(path.join(terragoat, cloud));
  });

  it('parses every file and yields one block per resource and data header', () => {
    expect(result.errors).toEqual([]);
    expect(result.blocks.map((b) => b.address).sort()).toEqual(
      headersIn(path.join(terragoat, cloud)),
    );
  });

  it('finds each block header line in its file', () => {
    for (const b of result.blocks) {
      const lines = readFileSync(b.file!, 'utf8').split('\n');
      expect(lines[b.line! - 1]).toMatch(
        new RegExp(`^(resource|data)\\s+"?${b.type}"?\\s+"?${b.name}"?`),
      );
    }
  });
});

describe('terragoat values', () => {
  const get = (r: DirectoryEvaluation, address: string): TerraformBlock => {
    const b = r.blocks.find((x) => x.address === address);
    if (!b) throw new Error(`missing ${address}`);
    return b;
  };

  it('reads AWS buckets, security groups and policies as configured', async () => {
    const aws = await evaluateTerraformDirectory(path.join(terragoat, 'aws'));
    const counts = countByType(aws.blocks);
    expect(counts).toMatchObject({
      aws_s3_bucket: 6,
      aws_rds_cluster: 9,
      aws_security_group: 2,
      aws_subnet: 4,
    });
    expect(get(aws, 'aws_s3_bucket.data_science').attributes.acl).toBe('private');
    expect(get(aws, 'aws_s3_bucket.logs').attributes.acl).toBe('log-delivery-write');
    const sse = at(
      get(aws, 'aws_s3_bucket.logs').attributes,
      ...['server_side_encryption_configuration', 0, 'rule', 0],
      ...['apply_server_side_encryption_by_default', 0],
    );
    expect(at(sse, 'sse_algorithm')).toBe('aws:kms');
    expect(isUnknown(at(sse, 'kms_master_key_id'))).toBe(true);

    const ingress = get(aws, 'aws_security_group.web-node').attributes.ingress as unknown[];
    const ssh = ingress.find((i) => at(i, 'from_port') === 22);
    expect(at(ssh, 'cidr_blocks')).toEqual(['0.0.0.0/0']);
    expect(get(aws, 'aws_security_group_rule.ingress').attributes.cidr_blocks).toEqual([
      '172.16.0.0/16',
    ]);

    const policy = JSON.parse(
      get(aws, 'aws_iam_user_policy.userpolicy').attributes.policy as string,
    );
    expect(policy.Statement[0].Resource).toBe('*');
    // The bucket name is built from the caller's account id: known only at apply.
    expect(isUnknown(get(aws, 'aws_s3_bucket.data').attributes.bucket)).toBe(true);
    expect(get(aws, 'aws_s3_bucket.data_science').references).toEqual(
      expect.arrayContaining(['data.aws_caller_identity.current', 'aws_s3_bucket.logs']),
    );
  });

  it('reads Azure network rules and resolves the resource group name', async () => {
    const azure = await evaluateTerraformDirectory(path.join(terragoat, 'azure'));
    const nsg = get(azure, 'azurerm_network_security_group.bad_sg').attributes;
    expect(nsg.resource_group_name).toBe('terragoat-dev');
    const rules = nsg.security_rule as unknown[];
    const fields = ['name', 'destination_port_range', 'source_address_prefix'];
    expect(rules.map((r) => fields.map((f) => at(r, f)))).toEqual([
      ['AllowSSH', '22-22', '*'],
      ['AllowRDP', '3389-3389', '*'],
    ]);
    expect(get(azure, 'azurerm_storage_account_network_rules.test').attributes.default_action).toBe(
      'Deny',
    );
  });

  it('reads GCP firewalls and public bucket bindings', async () => {
    const gcp = await evaluateTerraformDirectory(path.join(terragoat, 'gcp'));
    expect(get(gcp, 'google_compute_firewall.allow_all').attributes.source_ranges).toEqual([
      '0.0.0.0/0',
    ]);
    expect(
      get(gcp, 'google_storage_bucket_iam_binding.allow_public_read').attributes.members,
    ).toEqual(['allUsers']);
    expect(get(gcp, 'google_storage_bucket_iam_binding.allow_public_read').references).toEqual([
      'google_storage_bucket.terragoat_website',
    ]);
  });
});
