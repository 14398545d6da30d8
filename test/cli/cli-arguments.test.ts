/**
 * Arguments a user can get wrong are refused before any work starts, with exit code 2 and a line
 * naming what is wrong: an unwritable `-o` file, an unknown cloud.
 */

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputFileProblem } from '../../src/cli/output-file.js';
import { runPalisade } from '../support/cli.js';

describe('CLI arguments', () => {
  it('refuses an -o file whose folder is missing before scanning, and a folder as the file', () => {
    const scan = runPalisade([
      'scan',
      'samples/estate',
      '--no-store',
      '-o',
      '/nonexistent/x/r.html',
    ]);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('palisade scan: cannot write /nonexistent/x/r.html');
    // Refused up front: no assessment summary, no progress.
    expect(scan.stderr).not.toMatch(/resources|assessment/i);
    const dir = mkdtempSync(join(tmpdir(), 'palisade-out-'));
    const detect = runPalisade(['detect', 'samples/logs', '--no-store', '-o', dir]);
    expect(detect.code).toBe(2);
    expect(detect.stderr).toContain('it is a folder');
  });

  it('accepts a new file in a writable folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-out-'));
    expect(outputFileProblem(join(dir, 'report.html'))).toBeUndefined();
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    expect(outputFileProblem(join(dir, 'missing', 'report.html'))).toMatch(/does not exist/);
  });

  it('refuses a cloud the benchmark does not know', () => {
    const run = runPalisade(['rules', '--cloud', 'mars']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/argument 'mars' is invalid.*aws, azure, gcp, kubernetes/);
    const gcp = runPalisade(['rules', '--cloud', 'gcp']);
    expect(gcp.code).toBe(0);
    expect(gcp.stdout).toMatch(/\d+ rules \(aws 0, azure 0, gcp \d+, kubernetes 0\)/);
  });

  it('reads a YAML key that is a collection without a process warning that names no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-yaml-key-'));
    writeFileSync(
      join(dir, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ? [a, b]\n  : c\n',
    );
    const run = runPalisade(['scan', dir, '--no-store']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 resource,');
    expect(run.stderr).not.toMatch(/Warning: Keys with collection values/);
  });
});

describe('scan -q', () => {
  it('counts the warnings instead of listing them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-quiet-'));
    writeFileSync(
      join(dir, 'stack.yaml'),
      'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Nothing:\n    Properties: {}\n',
    );
    const loud = runPalisade(['scan', dir, '--no-store']);
    expect(loud.stderr).toMatch(/palisade: warning: .*resource Nothing has no Type/);
    const quiet = runPalisade(['scan', dir, '--no-store', '-q']);
    expect(quiet.code).toBe(loud.code);
    expect(quiet.stderr).not.toMatch(/warning:/);
    expect(quiet.stderr).toContain('palisade: 1 warning (run without -q to see them)');
  });
});
