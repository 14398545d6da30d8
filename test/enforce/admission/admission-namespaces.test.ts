/**
 * The webhook reads one namespace per request: the review's `request.namespace`, which the API
 * server takes from the request's path. The object's own `metadata.namespace` is the requester's
 * to write, and cluster-scoped objects have no namespace, so no exempt namespace covers them.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsQuery } from '../../../src/store/admission-decision-repository.js';
import { startAdmissionHarness, type AdmissionHarness } from './admission-harness.js';

/** Baseline denied everywhere but `monitoring`, as docs/admission.md shows it. */
const POLICY = `initiatives:
  - id: baseline
    title: Privileged pods and cluster-admin bindings
    rules:
      - kubernetes-pod-no-privileged-containers
      - kubernetes-rbac-no-cluster-admin-binding
assignments:
  - id: baseline-deny
    title: Baseline denied outside monitoring
    initiative: baseline
    mode: deny
    exclude: { namespaces: [monitoring] }
`;

const POD_KIND = { group: '', version: 'v1', kind: 'Pod' };
const BINDING_KIND = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRoleBinding',
};

let uids = 0;
function review(kind: typeof POD_KIND, object: Record<string, unknown>, namespace?: string) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `namespaces-${++uids}`,
      kind,
      name: (object.metadata as { name: string }).name,
      ...(namespace !== undefined ? { namespace } : {}),
      operation: 'CREATE',
      userInfo: { username: 'mallory' },
      object,
    },
  };
}

function privilegedPod(namespace: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'agent', namespace },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }],
    },
  };
}

function adminBinding(namespace?: string) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'mallory-admin', ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory' }],
  };
}

describe('admission reads the namespace of the request, not of the object', () => {
  let h: AdmissionHarness;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-admission-namespaces-'));
    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, POLICY);
    h = await startAdmissionHarness({ policy: [policy], exemptNamespaces: ['kube-system'] });
  });
  afterAll(() => h.close());

  async function answer(r: ReturnType<typeof review>) {
    const { status, body } = await h.post(r);
    expect(status).toBe(200);
    await h.service.recorder.flush();
    const row = await decisionsQuery(h.service.db)
      .where('uid', '=', r.request.uid)
      .executeTakeFirstOrThrow();
    return { allowed: body.response.allowed as boolean, row };
  }

  it('judges a pod in the request namespace whatever namespace the object claims', async () => {
    const claimed = await answer(review(POD_KIND, privilegedPod('monitoring'), 'prod'));
    expect(claimed.allowed).toBe(false);
    expect(claimed.row).toMatchObject({ mode: 'deny', namespace: 'prod' });

    // The exclusion still holds where the request really is.
    const excluded = await answer(review(POD_KIND, privilegedPod('monitoring'), 'monitoring'));
    expect(excluded.allowed).toBe(true);
  });

  it('does not exempt a pod that only claims an exempt namespace', async () => {
    const { allowed, row } = await answer(review(POD_KIND, privilegedPod('kube-system'), 'prod'));
    expect(allowed).toBe(false);
    expect(row.mode).toBe('deny');
  });

  it('never exempts or excludes a cluster-scoped object by a namespace sent with it', async () => {
    for (const namespace of ['kube-system', 'monitoring']) {
      const { allowed, row } = await answer(
        review(BINDING_KIND, adminBinding(namespace), namespace),
      );
      expect(allowed).toBe(false);
      expect(row).toMatchObject({ mode: 'deny', namespace: null });
    }
  });
});
