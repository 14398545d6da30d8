/**
 * The enforcement rule pack: parameter-driven rules judge nothing until an assignment sets their
 * parameters, then deny exactly what the parameters exclude.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/check-command.js';
import { REPO_ROOT } from '../support/paths.js';
import { manifestsOutsideCharts } from './check-runner.js';

const IAC = join(REPO_ROOT, '../shared/data/iac');
const PATHS = [
  join(IAC, 'terragoat/terraform/aws'),
  join(IAC, 'terragoat/terraform/azure'),
  // Its Helm charts are left out: the gate fails closed on templates not rendered first.
  ...manifestsOutsideCharts(join(IAC, 'kubernetes-goat')),
];

interface Report {
  deny: { ruleId: string; message: string; resourceType: string }[];
}

async function check(policy?: string): Promise<{ code: number; report: Report }> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-pack-'));
  const paths: string[] = [];
  if (policy !== undefined) {
    await writeFile(join(dir, 'policy.yaml'), policy);
    paths.push(join(dir, 'policy.yaml'));
  }
  const output = join(dir, 'report.json');
  const code = await runCheck(PATHS, {
    format: 'json',
    output,
    policy: paths,
    rules: [],
    stdinName: 'stdin.yaml',
  });
  return { code, report: JSON.parse(await readFile(output, 'utf8')) as Report };
}

const PACK = [
  'aws-sg-public-ingress-allowed-ports',
  'azure-allowed-locations',
  'azure-required-tags',
  'kubernetes-allowed-registries',
];

function policy(registries: string): string {
  return [
    'initiatives:',
    `  - { id: org, rules: [${PACK.join(', ')}] }`,
    'assignments:',
    '  - id: org',
    '    initiative: org',
    '    mode: deny',
    '    parameters:',
    '      allowed_ports: [443]',
    '      allowed_locations: [westeurope]',
    '      required_tags: [owner]',
    `      allowed_registries: [${registries}]`,
    '',
  ].join('\n');
}

describe('enforcement rule pack', () => {
  it('is not part of the default gate (the whole benchmark)', async () => {
    const { report } = await check();
    expect(report.deny.some((d) => PACK.includes(d.ruleId))).toBe(false);
  }, 120_000);

  it('denies what the assignment parameters exclude, and nothing once they allow it', async () => {
    const strict = await check(policy('registry.k8s.io/'));
    expect(strict.code).toBe(1);
    const by = (id: string) => strict.report.deny.filter((d) => d.ruleId === id);
    for (const id of PACK) expect(by(id).length, id).toBeGreaterThan(0);
    expect(by('aws-sg-public-ingress-allowed-ports')[0].message).toContain('tcp:22-22');
    expect(by('azure-allowed-locations')[0].message).toContain('"eastus"');
    expect(by('kubernetes-allowed-registries')[0].message).toContain('madhuakula/');

    const relaxed = await check(policy('madhuakula/, docker.io/, registry.k8s.io/'));
    const registries = relaxed.report.deny.filter(
      (d) => d.ruleId === 'kubernetes-allowed-registries',
    );
    expect(registries.length).toBeLessThan(by('kubernetes-allowed-registries').length);
    for (const d of registries) expect(d.message).not.toContain('madhuakula/');
  }, 180_000);
});
