/**
 * The CI gate shows what suppressions did: a suppression naming no rule or giving no reason is
 * warned about (as `scan` warns), and violations waived by one are listed and counted, so a
 * reviewer sees what a pull request switched off.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHere } from './check-runner.js';

const group = (name: string, comment: string) => `
${comment}
resource "aws_security_group" "${name}" {
  name = "${name}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

describe('palisade check and inline suppressions', () => {
  it('warns about unusable suppressions and lists the violations waived', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-check-suppressions-'));
    const file = join(dir, 'main.tf');
    await writeFile(
      file,
      group('typo', '# palisade:ignore aws-ec2-sg-no-public-shh admin VPN only') +
        group('reasonless', '# palisade:ignore aws-ec2-sg-no-public-ssh') +
        group('waived', '# palisade:ignore aws-ec2-sg-no-public-ssh bastion behind the VPN'),
    );
    const run = await checkHere([dir]);
    expect(run.stderr).toContain('names rule "aws-ec2-sg-no-public-shh", which matches no rule');
    expect(run.stderr).toMatch(
      /inline suppression at .*main\.tf:\d+ of "aws-ec2-sg-no-public-ssh" gives no reason/,
    );

    // The typo suppresses nothing: its group is denied; the other two are waived, and listed.
    const denied = run.report.slice(0, run.report.indexOf('EXEMPTED'));
    expect(denied).toMatch(/aws-ec2-sg-no-public-ssh\n\s+.*main\.tf:\d+\s+Security group typo/);
    const exempted = run.report.slice(run.report.indexOf('EXEMPTED'));
    expect(exempted).toMatch(/^EXEMPTED \(2\)/);
    expect(exempted).toContain('bastion behind the VPN');
    expect(exempted).toContain('Security group reasonless');
    expect(run.report).toMatch(/, 2 exempted, 0 baselined/);
    expect(run.code).toBe(1);

    const json = await checkHere([dir], { format: 'json' });
    const report = JSON.parse(json.report) as {
      exempted: { resourceId: string; exemption: { justification: string } }[];
    };
    expect(report.exempted.map((e) => e.exemption.justification).sort()).toEqual([
      '(no reason given)',
      'bastion behind the VPN',
    ]);
  });
});

describe('palisade check order', () => {
  it('lists denied violations most severe first, whatever the file order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-check-order-'));
    // The bucket (lower severities) comes first in the file, the open SSH group (high) last.
    await writeFile(
      join(dir, 'main.tf'),
      'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n' + group('open', ''),
    );
    const run = await checkHere([dir]);
    const denied = run.report.slice(0, run.report.indexOf('\n\n'));
    const severities = [...denied.matchAll(/^ {2}(\w+)\s+\S+$/gm)].map((m) => m[1]);
    expect(severities.length).toBeGreaterThan(2);
    const order = ['critical', 'high', 'medium', 'low', 'informational'];
    const ranks = severities.map((s) => order.indexOf(s));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(severities[0]).toBe('high');
  });
});
