/**
 * A module that declares a resource (or a variable, local value, module call, output) twice is
 * refused, as Terraform refuses it: a second `resource "aws_security_group" "sg"` in a later file
 * no longer replaces the first in silence, and the gate fails closed.
 */

import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { evaluateTerraformDirectory } from '../../../src/sources/terraform/index.js';
import { checkHere } from '../../enforce/check-runner.js';
import { folderOf, OPEN_SSH } from './terraform-fixtures.js';

const CLOSED = `resource "aws_security_group" "sg" {
  name = "closed"
}
`;

function folder(files: Record<string, string>): string {
  return folderOf('palisade-duplicate-', files);
}

async function errorsAndGroups(dir: string) {
  const read = await readPaths([dir]);
  return {
    errors: read.files.flatMap((f) => (f.error ? [f.error] : [])),
    groups: read.resources.filter((r) => r.type === 'AWS::EC2::SecurityGroup'),
  };
}

describe('a Terraform module declaring something twice', () => {
  it('is an error at the second resource naming the first, and the first is kept', async () => {
    const dir = folder({ 'main.tf': OPEN_SSH, 'zz.tf': `\n${CLOSED}` });
    const { errors, groups } = await errorsAndGroups(dir);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'INVALID_STRUCTURE', line: 2 });
    expect(errors[0].file).toMatch(/zz\.tf$/);
    expect(errors[0].message).toMatch(
      /zz\.tf:2: resource "aws_security_group" "sg" is declared again; .* at main\.tf:1/,
    );
    expect(groups.map((g) => g.name)).toEqual(['bastion']);

    expect((await checkHere([dir])).code).toBe(2);
  });

  it('fails the gate even when the later declaration is the compliant one', async () => {
    const dir = folder({ 'a.tf': CLOSED, 'b.tf': OPEN_SSH });
    const run = await checkHere([dir]);
    expect(run.code).toBe(2);
    expect(run.report).toMatch(/b\.tf:1: resource "aws_security_group" "sg" is declared again/);
  });

  it('names both lines when one file declares the resource twice', async () => {
    const dir = folder({ 'main.tf': `${OPEN_SSH}\n${CLOSED}` });
    const { errors } = await errorsAndGroups(dir);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/main\.tf:11: .* first declared at main\.tf:1,/),
    ]);
  });

  it('refuses variables, local values, module calls and outputs declared twice', async () => {
    const dir = folder({
      'main.tf': `variable "cidr" {
  default = "10.0.0.0/8"
}
locals {
  port = 22
}
module "net" {
  source = "./net"
}
output "id" {
  value = 1
}
`,
      'more.tf': `variable "cidr" {
  default = "0.0.0.0/0"
}
locals {
  port = 3389
}
module "net" {
  source = "./net"
}
output "id" {
  value = 2
}
`,
    });
    // The scan lists one error a file, cut short; the evaluation gives each of them in full.
    const { errors } = await evaluateTerraformDirectory(dir);
    expect(errors).toHaveLength(1);
    const message = errors[0].message;
    expect(message).toMatch(/variable "cidr" is declared again/);
    expect(message).toMatch(
      /local value "port" is declared again; it is first declared at main\.tf:5/,
    );
    expect(message).toMatch(/more\.tf:7: module "net" is declared again; .* main\.tf:7/);
    expect(message).toMatch(/output "id" is declared again/);
  });

  it('lets override files repeat a block, as they are meant to', async () => {
    const dir = folder({
      'main.tf': OPEN_SSH,
      'a_override.tf': 'resource "aws_security_group" "sg" {\n  name = "a"\n}\n',
      'b_override.tf': 'resource "aws_security_group" "sg" {\n  name = "b"\n}\n',
    });
    const { errors, groups } = await errorsAndGroups(dir);
    expect(errors).toEqual([]);
    expect(groups.map((g) => g.name)).toEqual(['b']);
  });
});
