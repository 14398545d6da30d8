import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { admissionWebhook } from '../../../src/enforce/admission/admission-webhook.js';
import { decisionsQuery } from '../../../src/store/admission-decision-repository.js';
import { startAdmissionHarness, type AdmissionHarness } from './admission-harness.js';

/** A pod that fails Pod Security baseline: privileged, on the host's network. */
function privilegedPod(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...extra },
    spec: {
      hostNetwork: true,
      containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }],
    },
  };
}

let uids = 0;
function review(
  object: unknown,
  request: Record<string, unknown> = {},
  kind = { group: '', version: 'v1', kind: 'Pod' },
) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `test-${++uids}`,
      kind,
      resource: { group: kind.group, version: kind.version, resource: 'pods' },
      name: (object as { metadata?: { name?: string } })?.metadata?.name,
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'alice@example.com' },
      object,
      dryRun: false,
      ...request,
    },
  };
}

async function stored(h: AdmissionHarness, uid: string) {
  await h.service.recorder.flush();
  return decisionsQuery(h.service.db).where('uid', '=', uid).executeTakeFirstOrThrow();
}

describe('admission webhook over TLS (deny policy, fail-closed)', () => {
  let h: AdmissionHarness;
  beforeAll(async () => {
    h = await startAdmissionHarness({ exemptNamespaces: ['kube-system', 'sandbox-*'] });
  });
  afterAll(() => h.close());

  it('denies a privileged pod, naming every failing deny-mode rule with its reason', async () => {
    const r = review(privilegedPod('web'));
    const { status, body } = await h.post(r);
    expect(status).toBe(200);
    expect(body.apiVersion).toBe('admission.k8s.io/v1');
    expect(body.kind).toBe('AdmissionReview');
    const res = body.response;
    expect(res.uid).toBe(r.request.uid);
    expect(res.allowed).toBe(false);
    expect(res.status.code).toBe(403);
    const causes = res.status.details.causes.map((c: { reason: string }) => c.reason).sort();
    expect(causes).toEqual([
      'kubernetes-pod-no-host-network',
      'kubernetes-pod-no-privileged-containers',
    ]);
    for (const id of causes) expect(res.status.message).toContain(id);
    expect(res.status.details.causes[0].message).toMatch(/web/);
    // Audit-mode failures ride along as warnings.
    expect(res.warnings.some((w: string) => w.startsWith('palisade audit: '))).toBe(true);

    const row = await stored(h, r.request.uid);
    expect(row).toMatchObject({
      allowed: 0,
      mode: 'deny',
      kind: 'Pod',
      namespace: 'shop',
      name: 'web',
      operation: 'CREATE',
      user_name: 'alice@example.com',
      dry_run: 0,
    });
    expect(JSON.parse(row.rule_ids)).toEqual(expect.arrayContaining(causes));
  });

  it('allows with warnings a pod that fails only audit-mode rules', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'plain' },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    };
    const r = review(pod);
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(true);
    expect(body.response.status).toBeUndefined();
    expect(body.response.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^palisade audit: kubernetes-container-image-tag-pinned: /),
      ]),
    );
    for (const w of body.response.warnings) expect(w.length).toBeLessThanOrEqual(256);
    const row = await stored(h, r.request.uid);
    expect(row.mode).toBe('audit');
    expect(row.allowed).toBe(1);
  });

  it('lets exempt namespaces through unjudged, globs included', async () => {
    for (const namespace of ['kube-system', 'sandbox-42']) {
      const r = review(privilegedPod('agent'), { namespace });
      const { body } = await h.post(r);
      expect(body.response).toEqual({ uid: r.request.uid, allowed: true });
      expect((await stored(h, r.request.uid)).mode).toBe('exempt');
    }
  });

  it('does not let an ignore annotation written by the requester lift a deny', async () => {
    const pod = privilegedPod('sneaky', {
      annotations: {
        'palisade.io/ignore':
          'kubernetes-pod-no-privileged-containers: trust me, kubernetes-pod-no-host-network: ok',
      },
    });
    const { body } = await h.post(review(pod));
    expect(body.response.allowed).toBe(false);
    expect(body.response.status.message).toContain('kubernetes-pod-no-privileged-containers');
  });

  it('allows DELETE and CONNECT without judging, and stores them as skipped', async () => {
    const del = review(null, { operation: 'DELETE', oldObject: privilegedPod('old'), name: 'old' });
    const connect = review(
      { apiVersion: 'v1', kind: 'PodExecOptions', command: ['sh'] },
      { operation: 'CONNECT', subResource: 'exec', name: 'web' },
      { group: '', version: 'v1', kind: 'PodExecOptions' },
    );
    for (const r of [del, connect]) {
      const { body } = await h.post(r);
      expect(body.response).toEqual({ uid: r.request.uid, allowed: true });
      const row = await stored(h, r.request.uid);
      expect(row.mode).toBe('skip');
      expect(row.operation).toBe(r.request.operation);
    }
    expect((await stored(h, del.request.uid)).name).toBe('old');
  });

  it('judges ephemeral containers as the whole pod, and skips other subresources', async () => {
    const pod = privilegedPod('debugged');
    const ephemeral = review(pod, {
      operation: 'UPDATE',
      subResource: 'ephemeralcontainers',
      oldObject: pod,
    });
    expect((await h.post(ephemeral)).body.response.allowed).toBe(false);
    const status = review(pod, { operation: 'UPDATE', subResource: 'status', oldObject: pod });
    expect((await h.post(status)).body.response).toEqual({
      uid: status.request.uid,
      allowed: true,
    });
  });

  it('lets finalizer updates of an object being deleted through', async () => {
    const terminating = {
      deletionTimestamp: '2026-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 0,
      generation: 2,
    };
    const before = privilegedPod('leaving', {
      ...terminating,
      resourceVersion: '41',
      finalizers: ['example.com/hold', 'example.com/backup'],
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2025-12-01T00:00:00Z' }],
    });
    // The controller drops its finalizer; the API server moves the version and managed fields.
    const after = privilegedPod('leaving', {
      ...terminating,
      resourceVersion: '42',
      finalizers: ['example.com/hold'],
      managedFields: [{ manager: 'backup', operation: 'Update', time: '2026-01-01T00:00:05Z' }],
    });
    const r = review(after, { operation: 'UPDATE', oldObject: before });
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(true);
    expect((await stored(h, r.request.uid)).mode).toBe('skip');
  });

  it('judges any other change to an object being deleted: it grants access until it is gone', async () => {
    const kind = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' };
    const binding = (subjects: unknown[], extra: Record<string, unknown> = {}) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'held-admin', finalizers: ['example.com/hold'], ...extra },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'cluster-admin',
      },
      subjects,
    });
    const cluster = { namespace: undefined };
    const created = await h.post(review(binding([]), cluster, kind));
    expect(created.body.response.allowed).toBe(true);

    const terminating = {
      deletionTimestamp: '2026-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 0,
    };
    const mallory = { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory' };
    const r = review(
      binding([mallory], terminating),
      { ...cluster, operation: 'UPDATE', oldObject: binding([], terminating) },
      kind,
    );
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(false);
    expect(body.response.status.message).toContain('kubernetes-rbac-no-cluster-admin-binding');
    expect((await stored(h, r.request.uid)).mode).toBe('deny');
  });

  it('judges an object that only claims a deletionTimestamp itself', async () => {
    const claimed = privilegedPod('sneaky', { deletionTimestamp: '2026-01-01T00:00:00Z' });
    const created = await h.post(review(claimed));
    expect(created.body.response.allowed).toBe(false);

    const before = {
      ...claimed,
      metadata: { name: 'sneaky' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    };
    const updated = await h.post(review(claimed, { operation: 'UPDATE', oldObject: before }));
    expect(updated.body.response.allowed).toBe(false);
  });

  it('judges a dry run like the real request and stores it marked as a dry run', async () => {
    const r = review(privilegedPod('trial'), { dryRun: true });
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(false);
    const row = await stored(h, r.request.uid);
    expect(row.dry_run).toBe(1);
    expect(row.allowed).toBe(0);
  });

  it('judges UPDATEs on the new object', async () => {
    const before = privilegedPod('fixed');
    const after = {
      ...before,
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    };
    const { body } = await h.post(review(after, { operation: 'UPDATE', oldObject: before }));
    expect(body.response.allowed).toBe(true);
  });

  it('keeps a Secret’s keys but not its values in the stored decision', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration':
            '{"data":{"password":"aHVudGVyMg=="}}',
        },
      },
      data: { password: 'aHVudGVyMg==' },
      stringData: { token: 'plain-secret-token' },
    };
    const r = review(secret, {}, { group: '', version: 'v1', kind: 'Secret' });
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(true);
    const row = await stored(h, r.request.uid);
    expect(row.object).not.toContain('aHVudGVyMg==');
    expect(row.object).not.toContain('plain-secret-token');
    expect(JSON.parse(row.object!).data).toEqual({ password: '(redacted)' });
  });

  it('refuses (fail-closed) what it cannot judge, saying why', async () => {
    const r = review('not an object');
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(false);
    expect(body.response.status.code).toBe(500);
    expect(body.response.status.message).toMatch(/could not judge.*failurePolicy Fail/);
    expect((await stored(h, r.request.uid)).mode).toBe('error');
  });

  it('answers malformed reviews with 400 naming the field, never a verdict', async () => {
    const bad = await h.post({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/apiVersion/);
    const noUid = review(privilegedPod('x'));
    delete (noUid.request as { uid?: string }).uid;
    expect((await h.post(noUid)).body.message).toMatch(/request\.uid/);
    const op = review(privilegedPod('x'), { operation: 'PATCH' });
    expect((await h.post(op)).body.message).toMatch(/request\.operation/);
    expect((await h.post('{"unterminated')).status).toBe(400);
  });

  it('answers probes, refuses other methods, types and oversized bodies', async () => {
    expect(await h.send('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await h.send('GET', '/validate')).status).toBe(405);
    expect((await h.send('POST', '/elsewhere', '{}')).status).toBe(404);
    const text = await h.send('POST', '/validate', '{}', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const big = await h.post(`{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    expect(big.status).toBe(413);
  });

  it('serves only clients that trust its CA', async () => {
    await expect(
      request(`${h.service.url}/healthz`, { method: 'GET' }).then((r) => r.body.text()),
    ).rejects.toThrow(/certificate|self-signed|unable to verify/i);
  });
});

describe('admission webhook with no assignment, fail-open', () => {
  let h: AdmissionHarness;
  beforeAll(async () => {
    h = await startAdmissionHarness({ policy: [], failurePolicy: 'Ignore' });
  });
  afterAll(() => h.close());

  it('audits every rule: a privileged pod is allowed, with each failure as a warning', async () => {
    const { body } = await h.post(review(privilegedPod('web')));
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^palisade audit: kubernetes-pod-no-privileged-containers: /),
      ]),
    );
  });

  it('warns about audit-mode rules that could not run, and stores them with the decision', async () => {
    // `ports: null` breaks a rule that reads the ports.
    const pod = privilegedPod('web');
    (pod.spec.containers[0] as Record<string, unknown>).ports = null;
    const r = review(pod);
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(true);
    const unrun = body.response.warnings.filter((w: string) => / could not run: /.test(w));
    expect(unrun.length).toBeGreaterThan(0);
    expect(unrun[0]).toMatch(/^palisade audit: kubernetes-[a-z-]+ could not run: /);
    const row = await stored(h, r.request.uid);
    expect(row.mode).toBe('audit');
    expect(row.message).toMatch(/^audit-mode rule\(s\) could not run: kubernetes-/);
  });

  it('allows (fail-open) what it cannot judge, with a warning saying so', async () => {
    const r = review(42);
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings[0]).toMatch(/could not judge.*allowed \(failurePolicy Ignore\)/);
  });
});

describe('admission webhook with a deny policy, fail-open', () => {
  let h: AdmissionHarness;
  beforeAll(async () => {
    h = await startAdmissionHarness({ failurePolicy: 'Ignore' });
  });
  afterAll(() => h.close());

  it('still denies when one deny-mode rule cannot run but another refuses the object', async () => {
    // `ports: null` breaks a rule that reads the ports; privileged and hostNetwork still fail.
    const pod = privilegedPod('web');
    (pod.spec.containers[0] as Record<string, unknown>).ports = null;
    const r = review(pod);
    const { body } = await h.post(r);
    expect(body.response.allowed).toBe(false);
    expect(body.response.status.code).toBe(403);
    expect(body.response.status.message).toMatch(/kubernetes-pod-no-privileged-containers/);
    const row = await stored(h, r.request.uid);
    expect(row.mode).toBe('deny');
  });

  it('leaves a pod no deny-mode rule refuses to the failure policy when a rule cannot run', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'plain' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: null }] },
    };
    const { body } = await h.post(review(pod));
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings[0]).toMatch(/could not run.*allowed \(failurePolicy Ignore\)/);
  });
});

describe('the failure policy on a timeout', () => {
  const slow = () => new Promise<never>(() => undefined);
  const body = review(privilegedPod('late'));

  it('refuses when fail-closed', async () => {
    const answer = admissionWebhook({ policy: slow, failurePolicy: 'Fail', budgetMs: 50 });
    const { response } = await answer(body);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/longer than the 50 ms budget/);
  });

  it('allows with a warning when fail-open, and records the decision either way', async () => {
    const recorded: unknown[] = [];
    const answer = admissionWebhook({
      policy: slow,
      failurePolicy: 'Ignore',
      budgetMs: 50,
      record: (d) => recorded.push(d),
    });
    const { response } = await answer(body);
    expect(response.allowed).toBe(true);
    expect(response.warnings?.[0]).toMatch(/budget/);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ mode: 'error', allowed: true });
  });
});
