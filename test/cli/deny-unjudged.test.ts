/**
 * `check --deny-unjudged`: a deny-mode rule whose verdict rests on a value unknown before apply
 * fails the gate, where by default it is listed as not judged and the gate passes. A value that
 * only apply decides (`random_id.r.id == "" ? private : 0.0.0.0/0`) must not open the gate for a
 * pipeline that fails closed.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { checkHere } from '../enforce/check-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-deny-unjudged-'));
writeFileSync(
  join(dir, 'main.tf'),
  `resource "random_id" "r" {
  byte_length = 4
}
resource "aws_security_group" "sg" {
  name        = "sg"
  description = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [random_id.r.id == "" ? "10.0.0.0/8" : "0.0.0.0/0"]
  }
}
`,
);
const policy = join(dir, 'policy.yaml');
writeFileSync(
  policy,
  'assignments:\n' +
    '  - id: ssh\n    benchmark: palisade\n    mode: disabled\n' +
    '    rules: { aws-ec2-sg-no-public-ssh: deny, aws-ec2-sg-no-public-rdp: audit }\n',
);

describe('check --deny-unjudged', () => {
  it('passes by default, listing the rule as not judged', () => {
    const run = runPalisade(['check', dir, '--policy', policy]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/deny +aws-ec2-sg-no-public-ssh/);
    expect(run.stdout).toContain('0 denied');
  });

  it('denies the deny-mode rule left unjudged, naming the unknown value', async () => {
    const run = runPalisade(['check', dir, '--policy', policy, '--deny-unjudged']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('DENIED (1)');
    expect(run.stdout).toContain('CidrIp is unknown');
    expect(run.stdout).toContain('palisade check FAILED: 1 resource judged, 1 denied');
    const json = JSON.parse(
      (await checkHere([dir], { policy: [policy], format: 'json', denyUnjudged: true })).report,
    );
    expect(json.deny.map((d: { ruleId: string }) => d.ruleId)).toEqual([
      'aws-ec2-sg-no-public-ssh',
    ]);
    expect(json.notJudged).toEqual([]);
  });
});
