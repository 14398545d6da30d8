/**
 * A value unknown before apply decides a verdict only when the verdict depends on it: a security
 * group with one ingress rule from an unknown CIDR and another open to the world fails, whichever
 * comes first, and every verdict given despite an unknown holds for any value the unknown takes.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { isUnknown, type Resource } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { containsUnknown } from '../../src/posture/unknown-tracker.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const rules = await loadRules();
const compiled = compileRules(rules);

const RDP_FROM_OFFICE = `  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = [var.office_cidr]
  }
`;
const EVERYTHING_FOR_EVERYONE = `  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
`;

async function scanFiles(files: Record<string, string>): Promise<Finding[]> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-unknown-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const { resources } = await readPaths([dir]);
  return evaluate(compiled, resources);
}

const terraformGroup = (...ingress: string[]) => ({
  'main.tf':
    'variable "office_cidr" {\n  type = string\n}\n' +
    `resource "aws_security_group" "mixed" {\n  name = "mixed"\n${ingress.join('')}}\n`,
});

const verdictOf = (findings: Finding[], rule: string) => {
  const found = findings.find((f) => f.ruleId === rule);
  expect(found, rule).toBeDefined();
  return found!;
};

describe('verdicts that hold whatever an unknown value is', () => {
  it('fails a group open to the world beside an ingress rule from an unknown CIDR, in either order', async () => {
    for (const order of [
      [RDP_FROM_OFFICE, EVERYTHING_FOR_EVERYONE],
      [EVERYTHING_FOR_EVERYONE, RDP_FROM_OFFICE],
    ]) {
      const findings = await scanFiles(terraformGroup(...order));
      const rdp = verdictOf(findings, 'aws-ec2-sg-no-public-rdp');
      expect(rdp.status).toBe('fail');
      expect(rdp.message).toBe(
        'Security group mixed allows RDP from the internet ("all traffic from 0.0.0.0/0").',
      );
      expect(verdictOf(findings, 'aws-ec2-sg-no-public-all-ports').status).toBe('fail');
    }
  });

  it('cannot judge a group whose only doubtful rule is the one from the unknown CIDR', async () => {
    const findings = await scanFiles(terraformGroup(RDP_FROM_OFFICE));
    const rdp = verdictOf(findings, 'aws-ec2-sg-no-public-rdp');
    expect(rdp.status).toBe('not_applicable');
    expect(rdp.message).toContain('cannot be judged');
    expect(rdp.message).toContain(
      'IpPermissions.0.IpRanges.0.CidrIp is unknown (variable "office_cidr" has no value)',
    );
    // A rule that reads no port the unknown rule opens still judges it.
    expect(verdictOf(findings, 'aws-ec2-sg-no-public-ssh').status).toBe('pass');
  });

  it('fails a CloudFormation group opened by a separate ingress resource beside a !Ref CIDR', async () => {
    const findings = await scanFiles({
      'template.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Cidr:
    Type: String
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: !Ref Cidr }
  Everything:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Group.GroupId
      IpProtocol: '-1'
      CidrIp: 0.0.0.0/0
`,
    });
    expect(verdictOf(findings, 'aws-ec2-sg-no-public-rdp').status).toBe('fail');
  });

  it('gives on real IaC only verdicts that every value of the unknowns confirms', async () => {
    const { resources } = await readPaths([shared('iac')]);
    const doubtful = resources.filter((r) => containsUnknown(r.properties));
    expect(doubtful.length).toBeGreaterThan(20);
    const findings = evaluate(compiled, doubtful);
    const byKey = (f: Finding) => `${f.ruleId} ${f.resourceId}`;
    const decided = new Map(
      findings
        .filter((f) => f.status === 'pass' || f.status === 'fail')
        .map((f) => [byKey(f), f.status]),
    );
    // Each verdict given on a resource with unknowns, against the same resource made known.
    let checked = 0;
    const values: unknown[] = [
      true,
      false,
      0,
      22,
      3389,
      '0.0.0.0/0',
      '10.0.0.0/8',
      '',
      'x',
      [],
      {},
    ];
    for (const value of values) {
      const known = doubtful.map((r) => withUnknownsAs(r, value));
      for (const f of evaluate(compiled, known)) {
        const before = decided.get(byKey(f));
        if (before === undefined || (f.status !== 'pass' && f.status !== 'fail')) continue;
        checked += 1;
        expect(f.status, `${byKey(f)} with the unknowns = ${JSON.stringify(value)}`).toBe(before);
      }
    }
    expect(checked).toBeGreaterThan(1000);
  }, 120_000);
});

/** `resource` with every unknown marker replaced by `value`. */
function withUnknownsAs(resource: Resource, value: unknown): Resource {
  const replace = (v: unknown): unknown => {
    if (isUnknown(v)) return structuredClone(value);
    if (Array.isArray(v)) return v.map(replace);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    }
    return v;
  };
  return { ...resource, properties: replace(resource.properties) as Record<string, unknown> };
}
