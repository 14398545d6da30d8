/**
 * `palisade fix --write` leaves every file it patches readable as what it was: HCL that parses,
 * with no resource name used twice, JSON that stays JSON, YAML with its line ends and sequence
 * indentation; a patched file that would not read again is refused, not written.
 */

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { findBlockLocations } from '../../src/sources/terraform/block-locations.js';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const TERRAFORM = [
  'resource "aws_ebs_volume" "one" { availability_zone = "us-east-1a" }',
  '',
  'resource "aws_s3_bucket" "a" {',
  '  bucket = "a"',
  '}',
  '',
  '# versioning of bucket a, under the name bucket b would get',
  'resource "aws_s3_bucket_versioning" "b" {',
  '  bucket = aws_s3_bucket.a.id',
  '  versioning_configuration {',
  '    status = "Enabled"',
  '  }',
  '}',
  '',
  'resource "aws_s3_bucket" "b" {',
  '  bucket = "b"',
  '}',
  '',
].join('\n');

const POD_JSON = `${JSON.stringify(
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'json-pod' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  },
  null,
  4,
)}\n`;

const CRLF_YAML = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: crlf-pod',
  'spec:',
  '  containers:',
  '  - name: app',
  '    image: nginx:1.27',
  '',
].join('\r\n');

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-fix-valid-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('palisade fix --write keeps files valid', () => {
  it('writes HCL that parses, new blocks under unused names, JSON as JSON, CRLF YAML as it was', async () => {
    const dir = folder({ 'main.tf': TERRAFORM, 'pod.json': POD_JSON, 'crlf.yaml': CRLF_YAML });
    const run = runPalisade(['fix', dir, '--write']);
    expect(run.code, run.stderr).toBe(0);

    // Every file reads again, and what was fixed now passes.
    const rules = await loadRules();
    const after = await assess({ paths: [dir], rules });
    expect(after.files.filter((f) => f.error)).toEqual([]);
    const failing = (id: string) =>
      after.findings.filter((f) => f.ruleId === id && f.status === 'fail').map((f) => f.resourceId);
    expect(failing('aws-ebs-volume-encrypted')).toEqual([]);
    expect(failing('aws-s3-bucket-versioning-enabled')).toEqual([]);

    // (a) the one-line block is opened up, (c) no address is declared twice.
    const tf = readFileSync(join(dir, 'main.tf'), 'utf8');
    expect(tf).toContain(
      'resource "aws_ebs_volume" "one" {\n  availability_zone = "us-east-1a"\n  encrypted = true\n}',
    );
    const addresses = findBlockLocations(tf).map((b) => b.address);
    expect(addresses.length).toBe(new Set(addresses).size);
    expect(tf).toContain(
      'resource "aws_s3_bucket_versioning" "b_2" {\n  bucket = aws_s3_bucket.b.id',
    );

    // (b) JSON stays JSON with its four-space indentation.
    const json = readFileSync(join(dir, 'pod.json'), 'utf8');
    const pod = JSON.parse(json) as { spec: { containers: { securityContext?: object }[] } };
    expect(pod.spec.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
    });
    expect(json).toContain('\n    "apiVersion": "v1",\n');
    expect(json.endsWith('}\n')).toBe(true);

    // (d) CRLF line ends and the unindented sequence stay.
    const yaml = readFileSync(join(dir, 'crlf.yaml'), 'utf8');
    expect(yaml.replace(/\r\n/g, '')).not.toContain('\n');
    expect(yaml).toContain('\r\n  containers:\r\n  - name: app\r\n    image: nginx:1.27\r\n');
  });

  it('refuses to write a patched file that no longer parses, and exits non-zero', () => {
    const volume = 'resource "aws_ebs_volume" "v" {\n  availability_zone = "us-east-1a"\n}\n';
    const dir = folder({ 'main.tf': volume });
    // A rules folder whose fix for the bundled rule writes an expression HCL refuses.
    const rules = mkdtempSync(join(tmpdir(), 'palisade-fix-rules-'));
    mkdirSync(join(rules, 'aws'));
    const bundled = readFileSync(
      join(REPO_ROOT, 'src/benchmark/rules/aws/ebs/aws-ebs-volume-encrypted.yaml'),
      'utf8',
    );
    writeFileSync(
      join(rules, 'aws/aws-ebs-volume-encrypted.yaml'),
      bundled.replace("encrypted: 'true'", `encrypted: 'true true'`),
    );

    const run = runPalisade([
      'fix',
      dir,
      '--write',
      '--rules',
      rules,
      '--rule',
      'aws-ebs-volume-encrypted',
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/refused .*main\.tf: the fixed text does not read/);
    expect(readFileSync(join(dir, 'main.tf'), 'utf8')).toBe(volume);
  });
});
