/**
 * Assignment `paths` scopes: relative to the folder of the policy file that declares them, so the
 * gate gives one verdict whichever folder it runs in, and a scope that matches none of the files
 * checked is named on stderr instead of passing in silence.
 */

import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHere } from './check-runner.js';
import { validatePolicy } from '../../src/enforce/assignment-loader.js';
import { scopePath } from '../../src/enforce/scope-match.js';
import { shared } from '../support/paths.js';

const S3_TF = shared('iac/terragoat/terraform/aws/s3.tf');
const startFolder = process.cwd();

afterEach(() => process.chdir(startFolder));

/** A project: `infra/s3.tf` (terragoat's buckets) and the given policy files. */
function project(policies: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'palisade-project-'));
  mkdirSync(join(root, 'infra'));
  cpSync(S3_TF, join(root, 'infra/s3.tf'));
  for (const [file, text] of Object.entries(policies)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const denyScoped = (id: string, paths: string) =>
  `assignments:\n  - { id: ${id}, benchmark: palisade, mode: deny, scope: { paths: [${paths}] } }\n`;

/** Runs the gate in this process from `cwd`: exit code, denied count and warnings. */
async function checkFrom(cwd: string, paths: string[], policy: string) {
  process.chdir(cwd);
  try {
    const run = await checkHere(paths, { format: 'json', policy: [policy] });
    const report = JSON.parse(run.report) as { deny: unknown[] };
    const warnings = run.stderr
      .split(/(?<=\n)/)
      .filter((line) => line.includes('warning:'))
      .join('');
    return { code: run.code, denied: report.deny.length, warnings };
  } finally {
    process.chdir(startFolder);
  }
}

describe('assignment paths scopes', () => {
  it('are relative to the policy file, so the verdict does not depend on the working folder', async () => {
    const root = project({ 'p.yaml': denyScoped('infra', '"infra/s3.tf"') });
    const file = join(root, 'infra/s3.tf');
    const policy = join(root, 'p.yaml');

    const fromProject = await checkFrom(root, [file], policy);
    const fromElsewhere = await checkFrom(tmpdir(), [file], policy);
    const fromInfra = await checkFrom(join(root, 'infra'), ['s3.tf'], policy);
    expect(fromProject.code).toBe(1);
    expect(fromProject.denied).toBeGreaterThan(5);
    expect(fromElsewhere).toEqual(fromProject);
    expect(fromInfra).toEqual(fromProject);
  });

  it('reach out of a policy folder with `..` and ignore a leading `./`', async () => {
    const root = project({
      'policy/up.yaml': denyScoped('up', '"../infra/**"'),
      'dot.yaml': denyScoped('dot', '"./infra/*.tf"'),
    });
    const file = join(root, 'infra/s3.tf');
    const up = await checkFrom(tmpdir(), [file], join(root, 'policy/up.yaml'));
    const dot = await checkFrom(tmpdir(), [file], join(root, 'dot.yaml'));
    expect(up.code).toBe(1);
    expect(up.denied).toBeGreaterThan(5);
    expect(dot).toEqual(up);
  });

  it('that match none of the files checked are named in a warning', async () => {
    const root = project({ 'p.yaml': denyScoped('typo', '"infr/**"') });
    const run = await checkFrom(root, [join(root, 'infra/s3.tf')], join(root, 'p.yaml'));
    expect(run.code).toBe(0);
    expect(run.denied).toBe(0);
    expect(run.warnings).toContain(
      `palisade: warning: assignment typo (${join(root, 'p.yaml')}): scope paths infr/** ` +
        `match none of the 1 file checked, so it enforces nothing here; paths are relative to ` +
        `${root}, the policy file's folder`,
    );
  });

  it('stay relative to the working folder for an assignment from no file', () => {
    const policy = validatePolicy(
      { assignments: [{ id: 'api', benchmark: 'palisade', scope: { paths: ['./infra/**'] } }] },
      'api',
    );
    const [assignment] = policy.assignments;
    expect(assignment.pathBase).toBeUndefined();
    expect(assignment.scope.paths).toEqual(['infra/**']);
    expect(scopePath(join(process.cwd(), 'infra/main.tf'))).toBe('infra/main.tf');
  });
});
