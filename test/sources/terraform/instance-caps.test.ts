/**
 * The caps on a Terraform configuration's size (instances of one block, instances in all, module
 * depth) never cut it silently: each cut is an input error at the file and line of the block cut,
 * naming the cap, and what was read before the cut is still there.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  evaluateTerraformDirectory,
  MAX_INSTANCES,
  MAX_MODULE_DEPTH,
} from '../../../src/sources/terraform/evaluate-directory.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-caps-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('Terraform instance caps', () => {
  it('a for_each over more items than the cap is an error at the block, not a silent cut', async () => {
    const dir = folder({
      'main.tf': `locals {
  names = [for i in range(8) : "sg-\${i}"]
}

resource "aws_security_group" "many" {
  for_each = toset(local.names)
  name     = each.key
}
`,
    });
    const result = await evaluateTerraformDirectory(dir, { maxInstances: 5 });
    expect(result.blocks).toHaveLength(5);
    expect(result.errors).toEqual([
      expect.objectContaining({ file: path.join(dir, 'main.tf'), line: 5, code: 'TOO_LARGE' }),
    ]);
    expect(result.errors[0].message).toContain(
      'aws_security_group.many: for_each over 8 items, more than the 5 instances',
    );
  });

  it('a count over the cap is an error (it was a warning only)', async () => {
    const dir = folder({
      'main.tf': `resource "aws_security_group" "many" {
  count = 7
  name  = "sg-\${count.index}"
}
`,
    });
    const result = await evaluateTerraformDirectory(dir, { maxInstances: 5 });
    expect(result.blocks).toHaveLength(5);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 1, code: 'TOO_LARGE' });
    expect(result.errors[0].message).toContain('count 7 is more than the 5 instances');
  });

  it('a dynamic block over more items than the cap is an error at its resource', async () => {
    const dir = folder({
      'main.tf': `resource "aws_security_group" "wide" {
  name = "wide"
  dynamic "ingress" {
    for_each = range(9)
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
`,
    });
    const result = await evaluateTerraformDirectory(dir, { maxInstances: 5 });
    expect((result.blocks[0].attributes.ingress as unknown[]).length).toBe(5);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 1, code: 'TOO_LARGE' });
    expect(result.errors[0].message).toContain(
      'aws_security_group.wide: dynamic "ingress" iterates over 9 items, more than the 5',
    );
  });

  it('running out of instances for the whole folder is an error at the block left short', async () => {
    const dir = folder({
      'main.tf': `resource "aws_security_group" "a" {
  count = 4
  name  = "a-\${count.index}"
}

resource "aws_security_group" "b" {
  count = 4
  name  = "b-\${count.index}"
}
`,
    });
    const result = await evaluateTerraformDirectory(dir, { maxTotalInstances: 6 });
    expect(result.blocks).toHaveLength(6);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 6, code: 'TOO_LARGE' });
    expect(result.errors[0].message).toContain('more than the 6 instances read in one root module');
  });

  it('cuts at two blocks of one file are one error that says both', async () => {
    const dir = folder({
      'main.tf': `resource "aws_security_group" "a" {
  count = 6
}

resource "aws_security_group" "b" {
  for_each = toset(["1", "2", "3", "4", "5", "6"])
}
`,
    });
    const result = await evaluateTerraformDirectory(dir, { maxInstances: 5 });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].message).toMatch(/count 6 .*; .*main\.tf:5: .*for_each over 6 items/);
  });

  it('the default cap reads a for_each over a few thousand items whole', async () => {
    expect(MAX_INSTANCES).toBeGreaterThanOrEqual(5000);
    const dir = folder({
      'main.tf': `resource "aws_security_group" "many" {
  for_each = toset([for i in range(3000) : tostring(i)])
  name     = each.key
}
`,
    });
    const result = await evaluateTerraformDirectory(dir);
    expect(result.blocks).toHaveLength(3000);
    expect(result.errors).toEqual([]);
  });

  it('modules nested deeper than the cap are an error at the module call left out', async () => {
    const files: Record<string, string> = {
      'root/main.tf': 'module "m1" {\n  source = "../m1"\n}\n',
    };
    const levels = MAX_MODULE_DEPTH + 2;
    for (let i = 1; i <= levels; i++) {
      files[`m${i}/main.tf`] =
        `resource "aws_security_group" "s${i}" {\n  name = "s${i}"\n}\n` +
        (i < levels ? `\nmodule "m${i + 1}" {\n  source = "../m${i + 1}"\n}\n` : '');
    }
    const dir = folder(files);
    const result = await evaluateTerraformDirectory(path.join(dir, 'root'));
    expect(result.blocks).toHaveLength(MAX_MODULE_DEPTH);
    const last = `m${MAX_MODULE_DEPTH}`;
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: path.join(dir, 'root', '..', last, 'main.tf'),
        line: 5,
        code: 'TOO_LARGE',
      }),
    ]);
    expect(result.errors[0].message).toContain(
      `module "m${MAX_MODULE_DEPTH + 1}" is nested deeper than the ${MAX_MODULE_DEPTH} levels`,
    );
  });
});

describe('what a configuration is evaluated from', () => {
  it('lists the module folders and the files file() read', async () => {
    const dir = folder({
      'root/main.tf': `module "net" {
  source = "../modules/net"
}

resource "aws_iam_policy" "p" {
  policy = file("policy.json")
}
`,
      'root/policy.json': '{}',
      'modules/net/main.tf': 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    });
    const root = path.join(dir, 'root');
    const result = await evaluateTerraformDirectory(root);
    expect(result.inputs.folders.map((f) => path.resolve(f))).toEqual([
      root,
      path.join(dir, 'modules/net'),
    ]);
    expect(result.inputs.files).toContain(path.join(root, 'policy.json'));
  });
});
