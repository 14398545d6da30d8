/**
 * Names a user controls (resource types, kinds, logical ids, keys) that collide with JavaScript
 * object prototype members must be read as plain names, never crash a reader.
 */

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';

const NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];

function inputs(name: string): Record<string, string> {
  return {
    'cfn.yaml': `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  ${name}:\n    Type: ${name}\n    Properties:\n      ${name}: 1\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref ${name}\n`,
    'arm.json': JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { [name]: { type: 'string', defaultValue: name } },
      variables: { [name]: `[parameters('${name}')]` },
      resources: [
        {
          type: name,
          apiVersion: '2020-01-01',
          name: `[variables('${name}')]`,
          properties: { [name]: 1 },
        },
      ],
    }),
    'k8s.yaml': `apiVersion: ${name}\nkind: ${name}\nmetadata:\n  name: ${name}\n  namespace: ${name}\n  labels:\n    ${name}: x\nspec: {}\n`,
    'config.json': JSON.stringify({
      configurationItems: [
        {
          resourceType: name,
          resourceId: name,
          resourceName: name,
          configuration: { [name]: 1 },
          supplementaryConfiguration: { [name]: {} },
          awsRegion: 'us-east-1',
          accountId: '1',
        },
      ],
    }),
    'arm-list.json': JSON.stringify({
      value: [
        {
          id: `/subscriptions/s/resourceGroups/g/providers/${name}/${name}/x`,
          name,
          type: `${name}/${name}`,
          properties: { [name]: 1 },
        },
      ],
    }),
    'cai.json': JSON.stringify([
      {
        name: `//${name}/${name}`,
        asset_type: name,
        resource: { data: { [name]: 1 } },
        iam_policy: { bindings: [{ role: name, members: [name] }] },
      },
    ]),
    'tf/types.tf': `resource "${name}" "x" {}\nresource "aws_s3_bucket" "kept_${name.replace(/_/g, '')}" {\n  bucket = "kept"\n}\n`,
    'tf/main.tf': `variable "${name}" {\n  default = "${name}"\n}\nlocals {\n  ${name} = var.${name}\n}\nresource "aws_s3_bucket" "${name}" {\n  bucket = local.${name}\n  tags = { ${name} = "x" }\n}\n`,
  };
}

describe('readers and prototype-colliding names', () => {
  for (const name of NAMES) {
    it(`reads inputs that use "${name}" as a type, kind, id and key`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'palisade-proto-'));
      mkdirSync(join(dir, 'tf'));
      for (const [file, text] of Object.entries(inputs(name))) writeFileSync(join(dir, file), text);
      const { files, resources } = await readPaths([dir]);
      const crashed = files.filter((f) => f.error && /could not be read/.test(f.error.message));
      expect(crashed.map((f) => f.error!.message)).toEqual([]);
      // Nothing beside the odd name is lost: the CloudFormation resource named after it, and
      // the Terraform bucket in the folder whose other block has that type.
      const names = resources.map((r) => r.source.address ?? r.name);
      expect(names).toContain(name);
      expect(names.some((n) => n.startsWith('aws_s3_bucket.kept_'))).toBe(true);
    });
  }
});
