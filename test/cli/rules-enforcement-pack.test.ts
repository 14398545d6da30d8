/**
 * `palisade rules` lists the enforcement pack after the benchmark: a policy names those rule ids
 * (aws-allowed-regions, kubernetes-allowed-registries, ...), so a user must be able to find them
 * and the parameters each takes.
 */

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENFORCEMENT_RULES_DIR } from '../../src/enforce/enforcement-rules.js';
import { runPalisade } from '../support/cli.js';

const packIds = readdirSync(ENFORCEMENT_RULES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

describe('palisade rules', () => {
  it('lists the enforcement pack apart, with each rule parameters', () => {
    const run = runPalisade(['rules']);
    expect(run.code, run.stderr).toBe(0);
    const [benchmark, pack] = run.stdout.split('\nEnforcement pack:');
    expect(pack).toBeDefined();
    for (const id of packIds) {
      expect(benchmark).not.toContain(`${id} `);
      expect(pack).toContain(`${id} `);
    }
    expect(pack).toMatch(/aws-allowed-regions .*\(allowed_regions\)\n/);
  }, 120_000);

  it('marks them in JSON', () => {
    const run = runPalisade(['rules', '--json', '--cloud', 'kubernetes']);
    const rules = JSON.parse(run.stdout) as { id: string; enforcementPack?: boolean }[];
    expect(rules.filter((r) => r.enforcementPack).map((r) => r.id)).toEqual(
      packIds.filter((id) => id.startsWith('kubernetes-')),
    );
    expect(rules.filter((r) => !r.enforcementPack).length).toBeGreaterThan(30);
  }, 120_000);
});
