/**
 * Manifests that name no namespace (most `helm template` and kustomize output) meet
 * namespace-scoped assignments: `check --namespace NS` places them as `kubectl -n NS` would, and
 * without it the gate says they are judged as in `default`.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere } from './check-runner.js';

const SCENARIOS = join(REPO_ROOT, '../shared/data/iac/kubernetes-goat/scenarios');
/** A privileged Deployment and its Service, neither naming a namespace. */
const HEALTH_CHECK = join(SCENARIOS, 'health-check/deployment.yaml');
/** A privileged Deployment that writes `namespace: default`. */
const SYSTEM_MONITOR = join(SCENARIOS, 'system-monitor/deployment.yaml');

/** Denies privileged containers in the `prod` namespace only. */
async function prodPolicy(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'palisade-ns-policy-')), 'policy.yaml');
  await writeFile(
    file,
    [
      'assignments:',
      '  - id: prod',
      '    benchmark: palisade',
      '    mode: disabled',
      '    rules: { kubernetes-pod-no-privileged-containers: deny }',
      '    scope: { namespaces: [prod] }',
      '',
    ].join('\n'),
  );
  return file;
}

interface Report {
  deny: { ruleId: string; resourceId: string }[];
}

describe('palisade check --namespace', () => {
  it('warns that objects naming no namespace are judged as in default', async () => {
    const run = await checkHere([HEALTH_CHECK], { policy: [await prodPolicy()] });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: 2 Kubernetes objects name no namespace and are judged as in "default", while assignments prod scope namespaces; give --namespace NS/,
    );
  });

  it('places them in the namespace given, where the assignment denies', async () => {
    const run = await checkHere([HEALTH_CHECK, SYSTEM_MONITOR], {
      policy: [await prodPolicy()],
      namespace: 'prod',
      format: 'json',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/name no namespace/);
    const report = JSON.parse(run.report) as Report;
    // The object that writes `namespace: default` stays there, outside the assignment.
    expect(report.deny.map((d) => d.resourceId)).toEqual([
      'prod/Deployment/health-check-deployment',
    ]);
  });

  it('places manifests piped in from stdin', async () => {
    const run = runPalisade(
      ['check', '-', '--namespace', 'prod', '--policy', await prodPolicy(), '--format', 'json'],
      await readFile(HEALTH_CHECK, 'utf8'),
    );
    expect(run.code, run.stderr).toBe(1);
    expect((JSON.parse(run.stdout) as Report).deny[0].resourceId).toBe(
      'prod/Deployment/health-check-deployment',
    );
  });

  it('refuses a name that is not a namespace (exit 2)', async () => {
    const run = await checkHere([HEALTH_CHECK], { namespace: 'Prod_1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--namespace Prod_1: not a namespace name/);
  });
});
