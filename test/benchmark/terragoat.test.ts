/**
 * `palisade scan ../shared/data/iac/terragoat`, run as a user runs it, reports what TerraGoat is
 * built to get wrong: every rule id listed per file in test/fixtures/<cloud>/expected-terragoat.yaml
 * fails on a resource written in that file.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, shared } from '../support/paths.js';

interface JsonFinding {
  ruleId: string;
  status: string;
  file?: string;
  exemption?: unknown;
}

const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    'src/cli/main.ts',
    'scan',
    shared('iac/terragoat'),
    '--format',
    'json',
    '--no-store',
    '--quiet',
  ],
  { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000, maxBuffer: 256 * 1024 * 1024 },
);
const report = JSON.parse(run.stdout) as {
  findings: JsonFinding[];
  files: { file: string; error?: unknown }[];
};
const failingByFile = new Map<string, Set<string>>();
for (const f of report.findings) {
  if (f.status !== 'fail' || !f.file) continue;
  const key = f.file.replace(/.*\/terragoat\/terraform\//, '');
  const set = failingByFile.get(key) ?? new Set<string>();
  set.add(f.ruleId);
  failingByFile.set(key, set);
}

describe('palisade scan on TerraGoat', () => {
  it('reads every TerraGoat file without error', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(report.files.filter((f) => f.error)).toEqual([]);
  });

  for (const cloud of ['aws', 'azure', 'gcp']) {
    const expected = parse(
      readFileSync(join(REPO_ROOT, `test/fixtures/${cloud}/expected-terragoat.yaml`), 'utf8'),
    ) as Record<string, string[]>;
    for (const [file, ruleIds] of Object.entries(expected)) {
      it(`reports ${ruleIds.length} misconfigurations in ${cloud}/${file}`, () => {
        const failing = failingByFile.get(`${cloud}/${file}`) ?? new Set<string>();
        const missed = ruleIds.filter((id) => !failing.has(id));
        expect(missed, `failing there: ${[...failing].sort().join(', ')}`).toEqual([]);
      });
    }
  }

  it('finds no failures in files that declare nothing judgeable', () => {
    for (const quiet of [
      'aws/consts.tf',
      'azure/provider.tf',
      'azure/variables.tf',
      'gcp/provider.tf',
    ]) {
      expect(failingByFile.get(quiet) ?? new Set(), quiet).toEqual(new Set());
    }
  });
});
