import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FileReport } from '../../../src/model/assessment.js';
import type { Finding } from '../../../src/model/finding.js';
import { compileRules, evaluate } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { readPaths } from '../../../src/sources/read-paths.js';
import { REPO_ROOT, SHARED_DATA } from '../../support/paths.js';

/** What each kubernetes-goat scenario is built to get wrong, written from its own docs. */
const SCENARIO_FLAWS: Record<string, string[]> = {
  'scenarios/docker-bench-security/deployment.yaml': [
    'kubernetes-pod-no-privileged-containers',
    'kubernetes-pod-no-host-pid',
    'kubernetes-pod-no-host-ipc',
    'kubernetes-pod-no-host-network',
    'kubernetes-pod-no-hostpath-volumes',
    'kubernetes-pod-no-container-runtime-socket',
    'kubernetes-pod-capabilities-baseline',
    'kubernetes-pod-run-as-non-root',
  ],
  'scenarios/health-check/deployment.yaml': [
    'kubernetes-pod-no-privileged-containers',
    'kubernetes-pod-no-container-runtime-socket',
  ],
  'scenarios/system-monitor/deployment.yaml': [
    'kubernetes-pod-no-privileged-containers',
    'kubernetes-pod-no-host-pid',
    'kubernetes-pod-no-host-ipc',
    'kubernetes-pod-no-hostpath-volumes',
    'kubernetes-pod-no-privilege-escalation',
  ],
  'scenarios/insecure-rbac/setup.yaml': ['kubernetes-rbac-no-cluster-admin-binding'],
  'infrastructure/helm-tiller/pwnchart/templates/clusterrole.yaml': [
    'kubernetes-rbac-no-wildcard-verbs',
    'kubernetes-rbac-no-wildcard-resources',
    'kubernetes-rbac-limit-secrets-access',
  ],
  'scenarios/internal-proxy/deployment.yaml': ['kubernetes-service-no-node-port'],
  'scenarios/kube-bench-security/node-job.yaml': [
    'kubernetes-pod-no-host-pid',
    'kubernetes-pod-no-hostpath-volumes',
    'kubernetes-container-image-tag-pinned',
  ],
  'scenarios/batch-check/job.yaml': ['kubernetes-container-image-tag-pinned'],
  'scenarios/hidden-in-layers/deployment.yaml': ['kubernetes-container-image-tag-pinned'],
};

const GOAT = resolve(SHARED_DATA, 'iac/kubernetes-goat');
const expected = parse(
  readFileSync(
    resolve(REPO_ROOT, 'test/fixtures/kubernetes/expected-kubernetes-goat.yaml'),
    'utf8',
  ),
) as Record<string, string[]>;

let findings: Finding[] = [];
let files: FileReport[] = [];

beforeAll(async () => {
  const rules = (await loadRules()).filter((r) => r.cloud === 'kubernetes');
  const read = await readPaths([GOAT]);
  files = read.files;
  findings = evaluate(compileRules(rules), read.resources);
});

function failingRules(file: string): string[] {
  const absolute = resolve(SHARED_DATA, file);
  const ids = findings
    .filter((f) => f.status === 'fail' && f.file && resolve(f.file) === absolute)
    .map((f) => f.ruleId);
  return [...new Set(ids)].sort();
}

describe('kubernetes rules on kubernetes-goat', () => {
  it.each(Object.entries(SCENARIO_FLAWS))('catch what %s is built to have', (file, flaws) => {
    expect(failingRules(`iac/kubernetes-goat/${file}`)).toEqual(expect.arrayContaining(flaws));
  });

  it.each(Object.entries(expected))('fail the expected rules on %s', (file, rules) => {
    expect(failingRules(file)).toEqual([...rules].sort());
  });

  it('leave the default-namespace rule unjudged where the manifest names no namespace', () => {
    const verdicts = findings
      .filter((f) => f.ruleId === 'kubernetes-resource-not-in-default-namespace')
      .filter((f) => /scenarios\/(health-check|system-monitor)\//.test(f.file ?? ''))
      .map((f) => [f.resourceId, f.status, f.unknown]);
    expect(verdicts).toEqual([
      // health-check leaves its namespace to `kubectl apply -n`.
      ['default/Deployment/health-check-deployment', 'not_applicable', 'metadata.namespace'],
      ['default/Service/health-check-service', 'not_applicable', 'metadata.namespace'],
      // system-monitor writes `namespace: default`.
      ['default/Secret/goatvault', 'fail', undefined],
      ['default/Deployment/system-monitor-deployment', 'fail', undefined],
      ['default/Service/system-monitor-service', 'fail', undefined],
    ]);
  });

  it('list the Helm templates as errored, with the reason', () => {
    const errored = files
      .filter((f) => f.error)
      .map((f) => [relative(GOAT, resolve(f.file)), f.error?.code]);
    expect(errored).toEqual([
      ['scenarios/metadata-db/templates/deployment.yaml', 'UNSUPPORTED_TEMPLATE'],
      ['scenarios/metadata-db/templates/ingress.yaml', 'UNSUPPORTED_TEMPLATE'],
      ['scenarios/metadata-db/templates/tests/test-connection.yaml', 'UNSUPPORTED_TEMPLATE'],
    ]);
  });

  it('never end in an error finding', () => {
    expect(findings.filter((f) => f.status === 'error').map((f) => f.message)).toEqual([]);
    expect(findings.length).toBeGreaterThan(300);
  });
});
