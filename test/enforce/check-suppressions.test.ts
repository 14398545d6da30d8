/**
 * The CI gate shows what suppressions did: a suppression naming no rule or giving no reason is
 * warned about (as `scan` warns), and violations waived by one are listed and counted, so a
 * reviewer sees what a pull request switched off.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
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

const ALLOW = 'inlineSuppressions: allow\n' + denyAll();

/** A policy enforcing the whole benchmark in `mode`. */
function denyAll(mode = 'deny'): string {
  return `assignments:\n  - id: all\n    benchmark: palisade\n    mode: ${mode}\n`;
}

async function policyFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-suppression-policy-'));
  await writeFile(join(dir, 'policy.yaml'), text);
  return join(dir, 'policy.yaml');
}

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
    const run = await checkHere([dir], { policy: [await policyFile(ALLOW)] });
    expect(run.stderr).toContain('names rule "aws-ec2-sg-no-public-shh", which matches no rule');
    expect(run.stderr).toMatch(
      /inline suppression at .*main\.tf:\d+ of "aws-ec2-sg-no-public-ssh" gives no reason/,
    );

    // The typo suppresses nothing, and a deny is not lifted without a reason: both groups are
    // denied; the third is waived, and listed.
    const denied = run.report.slice(0, run.report.indexOf('EXEMPTED'));
    expect(denied).toMatch(/aws-ec2-sg-no-public-ssh\n\s+.*main\.tf:\d+\s+Security group typo/);
    expect(denied).toMatch(
      /aws-ec2-sg-no-public-ssh\n\s+.*main\.tf:\d+\s+Security group reasonless/,
    );
    expect(run.stderr).toMatch(
      /inline suppression at .*main\.tf:\d+ of "aws-ec2-sg-no-public-ssh" does not lift aws-ec2-sg-no-public-ssh \(deny\): it gives no reason/,
    );
    const exempted = run.report.slice(run.report.indexOf('EXEMPTED'));
    expect(exempted).toMatch(/^EXEMPTED \(1\)/);
    expect(exempted).toContain('bastion behind the VPN');
    expect(run.report).toMatch(/, 1 exempted, 0 baselined/);
    expect(run.code).toBe(1);
  });
});

const GOAT_MONITOR = join(
  REPO_ROOT,
  '../shared/data/iac/kubernetes-goat/scenarios/system-monitor/deployment.yaml',
);
const TERRAGOAT_EC2 = join(REPO_ROOT, '../shared/data/iac/terragoat/terraform/aws/ec2.tf');

/**
 * Real manifests and Terraform with the suppressions a pull request could add: a wildcard
 * annotation on Kubernetes Goat's privileged system-monitor deployment (its violations include a
 * critical one) and `# palisade:ignore aws-*` in TerraGoat's SSH-open security group.
 */
async function suppressedByPatterns(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-wildcard-suppressions-'));
  const manifest = (await readFile(GOAT_MONITOR, 'utf8')).replace(
    '  name: system-monitor-deployment\n',
    '  name: system-monitor-deployment\n  annotations:\n    palisade.io/ignore: "kubernetes-*: whatever"\n',
  );
  const terraform = (await readFile(TERRAGOAT_EC2, 'utf8')).replace(
    'resource "aws_security_group" "web-node" {\n',
    'resource "aws_security_group" "web-node" {\n  # palisade:ignore aws-* temporary\n',
  );
  await writeFile(join(dir, 'deployment.yaml'), manifest);
  await writeFile(join(dir, 'ec2.tf'), terraform);
  return dir;
}

interface JsonReport {
  deny: { ruleId: string; severity: string; resourceId: string }[];
  audit: { ruleId: string; severity: string; resourceId: string }[];
  exempted: { ruleId: string; severity: string; resourceId: string }[];
}

async function judged(dir: string, policy?: string): Promise<JsonReport & { stderr: string }> {
  const options = policy ? { policy: [await policyFile(policy)] } : {};
  const run = await checkHere([dir], { ...options, format: 'json' });
  return { ...(JSON.parse(run.report) as JsonReport), stderr: run.stderr };
}

const MONITOR = 'default/Deployment/system-monitor-deployment';
const WEB_NODE = 'aws_security_group.web-node';
type Item = JsonReport['deny'][number];
const on = (list: Item[], id: string) => list.filter((d) => d.resourceId === id);

describe('the policy on inline suppressions in the gate', () => {
  it('lifts no deny by default, wildcard or not, and says why', async () => {
    const report = await judged(await suppressedByPatterns());
    expect(report.exempted).toEqual([]);
    expect(on(report.deny, MONITOR).some((d) => d.severity === 'critical')).toBe(true);
    expect(on(report.deny, WEB_NODE).map((d) => d.ruleId)).toContain('aws-ec2-sg-no-public-ssh');
    expect(report.stderr).toMatch(
      /inline suppression at .*deployment\.yaml:\d+ of "kubernetes-\*" does not lift .*: deny-mode rules are lifted by an exemption, not inline \(inlineSuppressions: audit-only\)/,
    );
  });

  it('under allow, lifts no deny-mode or critical rule by a pattern', async () => {
    const report = await judged(await suppressedByPatterns(), ALLOW);
    expect(report.exempted).toEqual([]);
    expect(report.stderr).toMatch(
      /of "aws-\*" does not lift aws-ec2-sg-no-public-ssh \(deny\).*: a pattern does not lift a deny-mode or critical rule/,
    );
  });

  it('under allow with wildcards, lets patterns lift denies', async () => {
    const wild = 'inlineSuppressions: { mode: allow, wildcards: true }\n' + denyAll();
    const report = await judged(await suppressedByPatterns(), wild);
    expect(on(report.deny, MONITOR)).toEqual([]);
    expect(on(report.deny, WEB_NODE)).toEqual([]);
    expect(on(report.exempted, MONITOR).some((d) => d.severity === 'critical')).toBe(true);
  });

  it('under audit-only, lifts audit-mode rules, but a critical one only when named', async () => {
    const report = await judged(await suppressedByPatterns(), denyAll('audit'));
    const monitor = on(report.exempted, MONITOR);
    expect(monitor.length).toBeGreaterThan(0);
    expect(monitor.some((d) => d.severity === 'critical')).toBe(false);
    const left = on(report.audit, MONITOR).map((d) => d.severity);
    expect(left.length).toBeGreaterThan(0);
    expect(new Set(left)).toEqual(new Set(['critical']));
    expect(on(report.exempted, WEB_NODE).map((d) => d.ruleId)).toContain(
      'aws-ec2-sg-no-public-ssh',
    );
  });

  it('when off, lifts nothing, not even an audit', async () => {
    const report = await judged(
      await suppressedByPatterns(),
      'inlineSuppressions: off\n' + denyAll('audit'),
    );
    expect(report.exempted).toEqual([]);
    expect(report.stderr).toMatch(/inline suppressions are off \(inlineSuppressions: off\)/);
  });

  it('is refused when two policy files set it differently', async () => {
    const run = await checkHere([await suppressedByPatterns()], {
      policy: [await policyFile(ALLOW), await policyFile('inlineSuppressions: off\n')],
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /policy\.yaml \(field inlineSuppressions\): differs from the setting in .*policy\.yaml; set it in one policy file/,
    );
  });

  it('is refused when misspelt, naming the file, line and field', async () => {
    const run = await checkHere([await suppressedByPatterns()], {
      policy: [await policyFile(denyAll() + 'inlineSuppressions: allways\n')],
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /policy\.yaml:5 \(field inlineSuppressions\): must be one of allow, audit-only, off/,
    );
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
