/**
 * `palisade fix` on real code: the patch for a copy of TerraGoat and of Kubernetes Goat applies
 * cleanly with `git apply`, keeps every comment, and the re-scan shows the findings fixed.
 */

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import type { Rule } from '../../src/model/rule.js';
import { planFixes, renderPatch } from '../../src/enforce/fix/plan-fixes.js';
import { applyKubernetesFix } from '../../src/enforce/fix/kubernetes-fix.js';
import { applyTerraformFix } from '../../src/enforce/fix/terraform-fix.js';
import { unifiedDiff } from '../../src/enforce/fix/unified-diff.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { findingFingerprint } from '../../src/report/sarif-fingerprint.js';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const SHARED = join(REPO_ROOT, '../shared/data/iac');

let rules: Rule[];
beforeAll(async () => {
  rules = await loadRules();
});

/** Failing, not exempt findings of rules that carry a fix, by fingerprint. */
function fixable(findings: Finding[]): Map<string, Finding> {
  const withFix = new Set(rules.filter((r) => r.fix).map((r) => r.id));
  return new Map(
    findings
      .filter((f) => f.status === 'fail' && !f.exemption && withFix.has(f.ruleId))
      .map((f) => [findingFingerprint(f), f]),
  );
}

async function commentLines(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && pattern.test(e.name))
    .flatMap((e) => readFileSync(join(e.parentPath, e.name), 'utf8').split('\n'))
    .filter((line) => /^\s*(#|\/\/)/.test(line))
    .map((line) => line.trim())
    .sort();
}

/** Copies `source`, plans the fixes, applies the patch with git, re-scans. */
async function fixAndRescan(source: string, pattern: RegExp) {
  const root = mkdtempSync(join(tmpdir(), 'palisade-fix-'));
  const copy = join(root, 'code');
  cpSync(source, copy, { recursive: true });
  const before = await assess({ paths: [copy], rules });
  const plan = await planFixes(before.findings, rules);
  const patch = renderPatch(plan, root);
  writeFileSync(join(root, 'fix.patch'), patch);
  const comments = await commentLines(copy, pattern);

  // `git apply` outside a repository patches the working files, as a reviewer would.
  execFileSync('git', ['apply', '--check', 'fix.patch'], { cwd: root });
  execFileSync('git', ['apply', 'fix.patch'], { cwd: root });

  const after = await assess({ paths: [copy], rules });
  return { before, after, plan, patch, comments, copy, pattern };
}

describe('palisade fix', () => {
  it('fixes TerraGoat: the patch applies and the re-scan shows the findings fixed', async () => {
    const run = await fixAndRescan(join(SHARED, 'terragoat/terraform'), /\.tf$/);
    const fixedIds = run.plan.files.flatMap((f) => f.fixed.map(findingFingerprint));
    const beforeFixable = fixable(run.before.findings);
    const afterFixable = fixable(run.after.findings);

    // Figures: 65 findings of 30-odd rules across AWS, Azure and GCP, in 13 files.
    expect(fixedIds.length).toBeGreaterThanOrEqual(60);
    expect(run.plan.files.length).toBeGreaterThanOrEqual(10);
    expect(run.plan.unfixed).toHaveLength(0);
    for (const id of fixedIds) expect(beforeFixable.has(id)).toBe(true);
    for (const id of fixedIds)
      expect(afterFixable.has(id), beforeFixable.get(id)?.ruleId).toBe(false);
    expect(afterFixable.size).toBeLessThanOrEqual(beforeFixable.size - fixedIds.length);

    // Nothing got worse, nothing stopped parsing, every comment is still there...
    const failing = (fs: Finding[]) => fs.filter((f) => f.status === 'fail').length;
    // (A companion resource can fix more than its own rule: default SSE-KMS also meets KMS rules.)
    expect(failing(run.after.findings)).toBeLessThanOrEqual(
      failing(run.before.findings) - fixedIds.length,
    );
    expect(run.after.files.filter((f) => f.error)).toEqual(run.before.files.filter((f) => f.error));
    // ... plus a note above each range that only stands in for the user's own.
    const comments = await commentLines(run.copy, run.pattern);
    const notes = comments.filter((c) => c.startsWith('# TODO: 10.0.0.0/8 stands in'));
    expect(notes.length).toBeGreaterThanOrEqual(1);
    expect(comments.filter((c) => !notes.includes(c))).toEqual(run.comments);
    // Text edits only: no line outside the changed spans moves (the patch is small).
    const changed = run.patch.split('\n').filter((l) => /^[-+][^-+]/.test(l)).length;
    expect(changed).toBeLessThan(fixedIds.length * 8);
  }, 240_000);

  it('names paths from the scanned folder when it lies outside the working folder', () => {
    // Run from the repository on a copy elsewhere: `a/../x` paths would be refused by git apply.
    const copy = join(mkdtempSync(join(tmpdir(), 'palisade-fix-outside-')), 'tg');
    cpSync(join(SHARED, 'terragoat'), copy, { recursive: true });
    const run = runPalisade(['fix', copy]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^--- a\/terraform\/aws\//);
    expect(run.stdout).not.toContain('../');
    expect(run.stderr).toContain(`patch paths are relative to ${copy}`);
    expect(run.stderr).toMatch(/\d+ failing findings of rules without an automatic fix/);
    writeFileSync(join(copy, '..', 'fix.patch'), run.stdout);
    execFileSync('git', ['init', '-q', copy]);
    execFileSync('git', ['-C', copy, 'apply', '--check', join(copy, '..', 'fix.patch')]);
  });

  it('fixes Kubernetes Goat manifests and keeps their comments', async () => {
    const run = await fixAndRescan(join(SHARED, 'kubernetes-goat'), /\.ya?ml$/);
    const fixedIds = run.plan.files.flatMap((f) => f.fixed.map(findingFingerprint));
    const afterFixable = fixable(run.after.findings);
    expect(fixedIds.length).toBeGreaterThanOrEqual(80);
    for (const id of fixedIds) expect(afterFixable.has(id)).toBe(false);
    // What the edit cannot fix alone is said, not claimed: docker-bench-security adds
    // AUDIT_CONTROL and runs as root on purpose.
    expect(run.plan.unfixed.length).toBeLessThanOrEqual(5);
    for (const u of run.plan.unfixed)
      expect(afterFixable.has(findingFingerprint(u.finding))).toBe(true);
    expect(await commentLines(run.copy, run.pattern)).toEqual(run.comments);
    expect(run.after.files.filter((f) => f.error)).toEqual(run.before.files.filter((f) => f.error));
  }, 240_000);
});

describe('fix verification', () => {
  it('leaves out of the patch an edit that does not make its rule pass (runAsNonRoot at uid 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-verify-'));
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: bench',
      'spec:',
      '  securityContext:',
      '    runAsUser: 0',
      '  containers:',
      '    - name: app',
      '      image: nginx:1.27',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'pod.yaml'), pod);
    const before = await assess({ paths: [dir], rules });
    const plan = await planFixes(before.findings, rules);
    const patch = renderPatch(plan, dir);
    // The non-root rule cannot pass while the pod asks for uid 0: said, and not in the patch,
    // since runAsNonRoot: true beside runAsUser: 0 stops the container from starting.
    const nonRoot = plan.unfixed.filter((u) => /non-root|run-as-non-root/.test(u.finding.ruleId));
    expect(nonRoot.length).toBeGreaterThan(0);
    expect(patch).not.toContain('runAsNonRoot: true');
    // The other edits (here: privilege escalation, capabilities...) are still made.
    expect(plan.files.flatMap((f) => f.fixed).length).toBeGreaterThan(0);
  });

  it('reports a Terraform edit that does not make its rule pass instead of claiming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-verify-'));
    cpSync(join(SHARED, 'terragoat/terraform/aws/ec2.tf'), join(dir, 'ec2.tf'));
    const rule = rules.find((r) => r.id === 'aws-ebs-volume-encrypted')!;
    const broken: Rule = {
      ...rule,
      fix: {
        description: 'a wrong fix',
        terraform: [{ resource_types: ['aws_ebs_volume'], set: { encrypted: 'false' } }],
      },
    };
    const before = await assess({ paths: [dir], rules: [broken] });
    const plan = await planFixes(before.findings, [broken]);
    expect(plan.files).toHaveLength(0);
    expect(plan.unfixed.map((u) => u.finding.ruleId)).toEqual(['aws-ebs-volume-encrypted']);
    expect(plan.unfixed[0].reason).toContain('does not make the rule pass');
  });
});

describe('terraform text edits', () => {
  const text = [
    '# storage',
    'resource "aws_ebs_volume" "data" { # inline comment',
    '  size      = 10 # GiB',
    '  encrypted = false',
    '  tags = {',
    '    note = "a } brace in a string ${var.x}"',
    '  }',
    '}',
    '',
  ].join('\n');

  it('replaces a value in place and keeps the comments around it', () => {
    const fixed = applyTerraformFix(text, 'aws_ebs_volume', 'data', {
      resource_types: ['aws_ebs_volume'],
      set: { encrypted: 'true', 'metadata.http_tokens': '"required"' },
    });
    expect(fixed).toBe(
      [
        '# storage',
        'resource "aws_ebs_volume" "data" { # inline comment',
        '  size      = 10 # GiB',
        '  encrypted = true',
        '  tags = {',
        '    note = "a } brace in a string ${var.x}"',
        '  }',
        '  metadata {',
        '    http_tokens = "required"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(unifiedDiff('main.tf', text, fixed)).toBe(
      [
        '--- a/main.tf',
        '+++ b/main.tf',
        '@@ -1,8 +1,11 @@',
        ' # storage',
        ' resource "aws_ebs_volume" "data" { # inline comment',
        '   size      = 10 # GiB',
        '-  encrypted = false',
        '+  encrypted = true',
        '   tags = {',
        '     note = "a } brace in a string ${var.x}"',
        '   }',
        '+  metadata {',
        '+    http_tokens = "required"',
        '+  }',
        ' }',
        '',
      ].join('\n'),
    );
  });

  it('keeps CRLF line ends in the lines it adds to a CRLF file', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const fixed = applyTerraformFix(crlf, 'aws_ebs_volume', 'data', {
      resource_types: ['aws_ebs_volume'],
      set: { encrypted: 'true', 'metadata.http_tokens': '"required"' },
    });
    expect(fixed).toContain('  metadata {\r\n    http_tokens = "required"\r\n  }\r\n');
    expect(fixed.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('opens ingress only where the port matches, and adds a companion resource once', () => {
    const sg = [
      'resource "aws_security_group" "web" {',
      '  ingress {',
      '    from_port   = 80',
      '    to_port     = 80',
      '    cidr_blocks = ["0.0.0.0/0"]',
      '  }',
      '  ingress {',
      '    from_port   = 22',
      '    to_port     = 22',
      '    cidr_blocks = ["0.0.0.0/0"]',
      '  }',
      '}',
    ].join('\n');
    const narrow = (note?: string) =>
      applyTerraformFix(sg, 'aws_security_group', 'web', {
        resource_types: ['aws_security_group'],
        replace_in_blocks: {
          block: 'ingress',
          attribute: 'cidr_blocks',
          from: '"0.0.0.0/0"',
          to: '"10.0.0.0/8"',
          ports: [22],
          ...(note ? { note } : {}),
        },
      });
    const fixed = narrow();
    expect(fixed.match(/0\.0\.0\.0\/0/g)).toHaveLength(1);
    expect(fixed).toContain(
      'from_port   = 22\n    to_port     = 22\n    cidr_blocks = ["10.0.0.0/8"]',
    );

    // A stand-in value says so in a comment above what it changed.
    const noted = narrow('TODO: pick your admin range');
    expect(noted).toContain(
      'to_port     = 22\n    # TODO: pick your admin range\n    cidr_blocks = ["10.0.0.0/8"]',
    );
    expect(noted.match(/TODO/g)).toHaveLength(1);

    const bucket = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n';
    const add = {
      resource_types: ['aws_s3_bucket'],
      add_resource: { type: 'aws_s3_bucket_versioning', body: 'bucket = {{address}}.id' },
    };
    const once = applyTerraformFix(bucket, 'aws_s3_bucket', 'b', add);
    expect(once).toContain(
      'resource "aws_s3_bucket_versioning" "b" {\n  bucket = aws_s3_bucket.b.id\n}',
    );
    expect(applyTerraformFix(once, 'aws_s3_bucket', 'b', add, once)).toBe(once);
  });
});

describe('kubernetes edits', () => {
  it('changes only the fixed document and keeps comments and the other documents byte for byte', () => {
    const text = [
      '# first',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: c}',
      'data:   {a: "1"}   # odd spacing stays',
      '---',
      '# the pod',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: p',
      'spec:',
      '  containers:',
      '  - name: app # main container',
      '    image: nginx',
      '',
    ].join('\n');
    const fixed = applyKubernetesFix(
      text,
      { kind: 'Pod', name: 'p' },
      { containers: { set: { 'securityContext.privileged': false } } },
    );
    expect(fixed.split('---')[0]).toBe(text.split('---')[0]);
    expect(fixed).toContain('# the pod');
    expect(fixed).toContain(
      '  - name: app # main container\n    image: nginx\n    securityContext:\n      privileged: false\n',
    );
  });

  it('keeps CRLF line ends, inline comments and flow collections of the fixed document', () => {
    const text = [
      '# top',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web # the web pod',
      'spec:',
      '  containers:',
      '    - name: app # main',
      '      image: nginx:1.27 # pinned',
      '      securityContext: {privileged: false, runAsUser: 1000}',
      '      ports: [{containerPort: 80}]',
      '',
    ].join('\r\n');
    const fixed = applyKubernetesFix(
      text,
      { kind: 'Pod', name: 'web' },
      { containers: { set: { 'securityContext.allowPrivilegeEscalation': false } } },
    );
    expect(fixed.replace(/\r\n/g, '')).not.toContain('\n');
    expect(fixed).toContain('  name: web # the web pod\r\n');
    expect(fixed).toContain('      image: nginx:1.27 # pinned\r\n');
    expect(fixed).toContain(
      '      securityContext: {privileged: false, runAsUser: 1000, allowPrivilegeEscalation: false}\r\n',
    );
    expect(fixed).toContain('      ports: [{containerPort: 80}]\r\n');
  });

  it('edits only the object in the named namespace', () => {
    const pod = (ns: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ${ns}\nspec:\n  containers:\n    - name: app\n      image: nginx\n`;
    const text = `${pod('a')}---\n${pod('b')}`;
    const fixed = applyKubernetesFix(
      text,
      { kind: 'Pod', name: 'p', namespace: 'b' },
      { pod: { set: { hostNetwork: false } } },
    );
    const [a, b] = fixed.split('---\n');
    expect(a).toBe(pod('a'));
    expect(b).toContain('hostNetwork: false');
  });

  it('edits only the object that names no namespace, not its namesake in another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-fix-ns-'));
    const file = join(dir, 'pods.yaml');
    const pod = (metadata: string, spec: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n${metadata}spec:\n${spec}  containers:\n    - name: app\n      image: nginx\n`;
    const inB = pod('  namespace: b\n', '');
    writeFileSync(file, `${pod('', '  hostNetwork: true\n')}---\n${inB}`);
    const hostNetwork = rules.filter((r) => r.id === 'kubernetes-pod-no-host-network');
    const { findings } = await assess({ paths: [file], rules: hostNetwork });
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.resourceId)).toEqual([
      'default/Pod/p',
    ]);

    const plan = await planFixes(findings, hostNetwork);
    const [first, second] = plan.files[0].after.split('---\n');
    expect(first).toContain('hostNetwork: false');
    expect(second).toBe(inB);
  });
});
