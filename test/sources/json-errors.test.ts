/**
 * A `.json` file that does not parse is reported with JSON's syntax error, line and column,
 * whichever reader claimed it: one that reads JSON with its YAML parser no longer speaks of
 * flow maps. One nested past what readers follow says so instead of going unrecognised.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';

describe('JSON syntax errors', () => {
  it('names a broken Kubernetes .json manifest with JSON’s error, line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-json-error-'));
    const file = join(dir, 'pod.json');
    writeFileSync(
      file,
      '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "web"}\n  "spec": {}\n}\n',
    );
    const [report] = (await readPaths([file])).files;
    expect(report.error).toMatchObject({ code: 'PARSE_ERROR', line: 5, column: 3 });
    expect(report.error!.message).toMatch(/invalid JSON: .* at line 5, column 3$/);
    expect(report.error!.message).not.toMatch(/YAML|flow map/i);
  });

  it('says a JSON file no reader recognised is nested past the 500 levels readers follow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-json-deep-'));
    const file = join(dir, 'deep.json');
    writeFileSync(file, `{"a":\n${'['.repeat(5000)}${']'.repeat(5000)}}`);
    const [report] = (await readPaths([file])).files;
    expect(report.error).toMatchObject({ code: 'TOO_LARGE', line: 2 });
    expect(report.error!.message).toMatch(/nested more than 500 levels deep/);
  });

  it('leaves a broken .yaml manifest with the YAML error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-yaml-error-'));
    const file = join(dir, 'pod.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: web\nspec: {}\n');
    const [report] = (await readPaths([file])).files;
    expect(report.error?.code).toBe('PARSE_ERROR');
    expect(report.error!.message).not.toMatch(/invalid JSON/);
  });
});
