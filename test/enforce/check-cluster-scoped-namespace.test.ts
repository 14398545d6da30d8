/**
 * Kubernetes ignores `metadata.namespace` on cluster-scoped kinds, so the gate does too: a
 * ClusterRoleBinding that claims a namespace is judged as cluster-wide, as the admission webhook
 * judges it, and never escapes into (or out of) a namespace scope by the claim.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import { excluded, scopeSubject } from '../../src/enforce/scope-match.js';
import { runPalisade } from '../support/cli.js';
import { checkHere } from './check-runner.js';

/** cluster-admin bound to a user, by a binding that claims the `monitoring` namespace. */
const BINDING = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: mallory-admin
  namespace: monitoring
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: mallory
`;

/** Denied everywhere but `monitoring`, which has an audit-only assignment of its own. */
const POLICY = `assignments:
  - id: cluster-deny
    benchmark: palisade
    mode: disabled
    rules: { kubernetes-rbac-no-cluster-admin-binding: deny }
    exclude: { namespaces: [monitoring] }
  - id: monitoring-audit
    benchmark: palisade
    mode: disabled
    rules: { kubernetes-rbac-no-cluster-admin-binding: audit }
    scope: { namespaces: [monitoring] }
`;

interface Report {
  deny: { ruleId: string; resourceId: string; assignments: string[] }[];
  audit: unknown[];
}

const WARNING =
  /binding\.yaml:5: metadata\.namespace is ignored on cluster-scoped kind ClusterRoleBinding: mallory-admin is judged as cluster-wide, not in namespace monitoring/;

let manifest = '';
let policy = '';
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-cluster-scoped-'));
  manifest = join(dir, 'binding.yaml');
  policy = join(dir, 'policy.yaml');
  await writeFile(manifest, BINDING);
  await writeFile(policy, POLICY);
});

describe('a cluster-scoped manifest that writes a namespace', () => {
  it('is denied by the cluster-wide assignment that excludes the namespace it claims', async () => {
    const run = await checkHere([manifest], { policy: [policy], format: 'json' });
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.report) as Report;
    expect(report.deny).toEqual([
      expect.objectContaining({
        ruleId: 'kubernetes-rbac-no-cluster-admin-binding',
        resourceId: '_cluster/ClusterRoleBinding/mallory-admin',
        assignments: ['cluster-deny'],
      }),
    ]);
    expect(report.audit).toEqual([]);
    expect(run.stderr).toMatch(WARNING);
  });

  it('has no namespace in scan findings either, and is named there', () => {
    const run = runPalisade(['scan', manifest, '--no-store', '--format', 'json']);
    const assessment = JSON.parse(run.stdout) as { findings: { resourceId: string }[] };
    const ids = new Set(assessment.findings.map((f) => f.resourceId));
    expect([...ids]).toEqual(['_cluster/ClusterRoleBinding/mallory-admin']);
    expect(run.stderr).toMatch(WARNING);
  });
});

describe('scopeSubject', () => {
  it('gives a cluster-scoped kind no namespace whatever its id and object claim', () => {
    // As a finding kept by an earlier run, before the reader dropped the namespace, names it.
    const resource: Resource = {
      cloud: 'kubernetes',
      type: 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      id: 'monitoring/ClusterRoleBinding/mallory-admin',
      name: 'mallory-admin',
      tags: {},
      properties: { metadata: { name: 'mallory-admin', namespace: 'monitoring' } },
      relationships: [],
      source: { kind: 'kubernetes', file: 'binding.yaml' },
    };
    expect(scopeSubject(resource).namespace).toBe('');
    const pod = { ...resource, type: 'v1/Pod', id: 'monitoring/Pod/agent' };
    expect(scopeSubject(pod).namespace).toBe('monitoring');
    // No namespace exclusion exempts it, not even one whose glob matches the empty string.
    for (const namespaces of [['*'], ['**'], ['*', 'monitoring']]) {
      expect(excluded({ namespaces }, scopeSubject(resource))).toBe(false);
      expect(excluded({ namespaces }, scopeSubject(pod))).toBe(true);
    }
  });
});
