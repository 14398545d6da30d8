import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionWebhook } from '../../../src/enforce/admission/admission-webhook.js';
import { AdmissionPolicySource } from '../../../src/enforce/admission/admission-policy.js';
import { DecisionRecorder } from '../../../src/enforce/admission/decision-recorder.js';
import { manifestReviews } from '../../../src/enforce/admission/manifest-reviews.js';
import { shared } from '../../support/paths.js';
import { startHarness, type Harness } from '../../server/harness.js';

let h: Harness;
let admin: string;
let reader: string;
let scoped: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

const ASSIGNMENT = {
  id: 'prod-host-network',
  title: 'No host network in prod',
  benchmark: 'palisade',
  scope: { namespaces: ['prod-*'] },
  mode: 'audit',
  rules: { 'kubernetes-pod-no-host-network': 'deny' },
};

const HOST_PID_EXEMPTION = {
  rule: 'kubernetes-pod-no-host-pid',
  resource: 'system-monitor-deployment',
  justification: 'Monitoring agent reads host processes; node pool is dedicated',
  category: 'mitigated' as const,
  source: 'exemptions.yaml:2',
};

beforeAll(async () => {
  h = await startHarness();
  admin = await h.token('security-admin');
  reader = await h.token('reader');
  scoped = await h.token('security-admin', ['111122223333']);

  // Decisions made by a webhook sharing the server's store.
  const policy = await AdmissionPolicySource.open({
    files: [],
    ruleDirs: [],
    exemptNamespaces: ['kube-system'],
    exemptions: [HOST_PID_EXEMPTION],
    db: h.db,
    refreshMs: 60_000,
  });
  const recorder = new DecisionRecorder({ db: h.db });
  const answer = admissionWebhook({
    policy: () => policy.current(),
    failurePolicy: 'Fail',
    budgetMs: 5_000,
    record: (d) => recorder.record(d),
  });
  const file = shared('iac/kubernetes-goat/scenarios/system-monitor/deployment.yaml');
  for (const { review } of await manifestReviews(file, 'sysmon')) await answer(review);
  await recorder.close();
});
afterAll(() => h.close());

describe('admission decisions API', () => {
  it('lists stored decisions for readers, filtered, newest first', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/admission/decisions?kind=Deployment',
      headers: auth(reader),
    });
    expect(res.statusCode).toBe(200);
    const { items } = res.json();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'Deployment',
      name: 'system-monitor-deployment',
      namespace: 'default',
      operation: 'CREATE',
      allowed: true,
      mode: 'audit',
    });
    expect(items[0].ruleIds).toContain('kubernetes-pod-no-privileged-containers');
    expect(items[0]).not.toHaveProperty('object');
    // An exempt rule is listed with the exemption that waived it.
    expect(items[0].rules).toContainEqual({
      id: 'kubernetes-pod-no-host-pid',
      mode: 'audit',
      reason: expect.stringContaining('hostPID'),
      exemption: {
        category: 'mitigated',
        justification: HOST_PID_EXEMPTION.justification,
        source: 'exemptions.yaml:2',
      },
    });

    const byRule = await h.app.inject({
      method: 'GET',
      url: '/api/v1/admission/decisions?rule=kubernetes-pod-no-host-pid',
      headers: auth(reader),
    });
    expect(byRule.json().items.map((d: { kind: string }) => d.kind)).toEqual(['Deployment']);
    // A rule filter is a rule id, never a LIKE pattern (`rule=%` must not list everything).
    for (const wildcard of ['%', '_', 'kubernetes-pod-no-host_pid']) {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/v1/admission/decisions?rule=${encodeURIComponent(wildcard)}`,
        headers: auth(reader),
      });
      expect(res.statusCode, wildcard).toBe(400);
      expect(res.json().message).toContain('querystring/rule');
    }
    const one = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admission/decisions/${items[0].id}`,
      headers: auth(reader),
    });
    expect(one.json().uid).toBe(items[0].uid);
  });

  it('shows a caller limited to cloud accounts no Kubernetes decisions', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/admission/decisions',
      headers: auth(scoped),
    });
    expect(res.json()).toEqual({ items: [], nextCursor: null });
  });
});

describe('what-if API', () => {
  it('names the recent requests a rule in deny mode would have refused', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/whatif?rule=kubernetes-pod-no-hostpath-volumes',
      headers: auth(reader),
    });
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.rule.id).toBe('kubernetes-pod-no-hostpath-volumes');
    expect(report.admission.wouldDeny.map((r: { name: string }) => r.name)).toEqual([
      'system-monitor-deployment',
    ]);
    expect(report.admission.wouldDeny[0].allowedThen).toBe(true);
  });

  it('answers 404 for a rule that does not exist', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/whatif?rule=nope',
      headers: auth(reader),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NO_SUCH_RULE');
  });
});

describe('assignments API', () => {
  it('lets a security admin create, replace and delete assignments, each audited', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assignments',
      headers: auth(admin),
      payload: ASSIGNMENT,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ ...ASSIGNMENT, exclude: {}, parameters: {} });

    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assignments',
      headers: auth(admin),
      payload: ASSIGNMENT,
    });
    expect(again.statusCode).toBe(409);

    const replaced = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/assignments/${ASSIGNMENT.id}`,
      headers: auth(admin),
      payload: { ...ASSIGNMENT, id: undefined, mode: 'disabled' },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().mode).toBe('disabled');

    const list = await h.app.inject({
      method: 'GET',
      url: '/api/v1/assignments',
      headers: auth(reader),
    });
    expect(list.json().items.map((a: { id: string }) => a.id)).toEqual([ASSIGNMENT.id]);

    const deleted = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/assignments/${ASSIGNMENT.id}`,
      headers: auth(admin),
    });
    expect(deleted.statusCode).toBe(200);

    const audit = await h.db
      .selectFrom('audit_log')
      .select(['action', 'outcome'])
      .where('action', 'like', 'assignment.%')
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      { action: 'assignment.create', outcome: 'success' },
      { action: 'assignment.replace', outcome: 'success' },
      { action: 'assignment.delete', outcome: 'success' },
    ]);
  });

  it('names the field of a bad assignment', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...ASSIGNMENT, mode: 'block' }, /mode/],
      [{ ...ASSIGNMENT, benchmark: 'no-such-benchmark' }, /no benchmark named no-such-benchmark/],
      [{ ...ASSIGNMENT, rules: { 'no-such-rule': 'deny' } }, /rules\.no-such-rule/],
      [{ ...ASSIGNMENT, surprise: 1 }, /surprise/],
      [{ ...ASSIGNMENT, benchmark: undefined, initiative: 'x' }, /initiative/],
      // A scope glob the webhook would spend its budget on (15 stars, 14 question marks).
      [
        { ...ASSIGNMENT, id: 'redos', scope: { namespaces: [`${'*?'.repeat(14)}*x`] } },
        /scope\.namespaces\.0.*29 wildcards/,
      ],
    ];
    for (const [payload, message] of cases) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/assignments',
        headers: auth(admin),
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    const stored = await h.app.inject({
      method: 'GET',
      url: '/api/v1/assignments/redos',
      headers: auth(admin),
    });
    expect(stored.statusCode).toBe(404);
  });

  it('takes an assignment that names a rule of the enforcement pack with its parameters', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assignments',
      headers: auth(admin),
      payload: {
        id: 'prod-registries',
        benchmark: 'palisade',
        scope: { namespaces: ['prod-*'] },
        mode: 'audit',
        rules: { 'kubernetes-allowed-registries': 'deny' },
        parameters: { allowed_registries: ['registry.example.com/'] },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const gone = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/assignments/prod-registries',
      headers: auth(admin),
    });
    expect(gone.statusCode).toBeLessThan(300);
  });

  it('answers 404 for an assignment that does not exist and 409 for a title already taken', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await h.app.inject({
        method,
        url: '/api/v1/assignments/no-such-assignment',
        headers: auth(admin),
        ...(method === 'PUT' ? { payload: { ...ASSIGNMENT, id: undefined } } : {}),
      });
      expect(res.statusCode, method).toBe(404);
      expect(res.json().message).toMatch(/no assignment no-such-assignment/);
    }

    const first = { ...ASSIGNMENT, id: 'first-title-holder' };
    const second = { ...ASSIGNMENT, id: 'second-title-holder', title: 'Another title' };
    for (const payload of [first, second]) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/assignments',
        headers: auth(admin),
        payload,
      });
      expect(res.statusCode).toBe(201);
    }
    const taken = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assignments',
      headers: auth(admin),
      payload: { ...ASSIGNMENT, id: 'third-title-holder' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('TITLE_TAKEN');
    const renamed = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/assignments/second-title-holder',
      headers: auth(admin),
      payload: { ...second, id: undefined, title: ASSIGNMENT.title },
    });
    expect(renamed.statusCode).toBe(409);
    expect(renamed.json().message).toMatch(/another assignment is titled/);

    for (const id of [first.id, second.id]) {
      const res = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/assignments/${id}`,
        headers: auth(admin),
      });
      expect(res.statusCode).toBe(200);
    }
  });

  it('refuses changes from readers and from callers limited to accounts', async () => {
    for (const token of [reader, scoped]) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/assignments',
        headers: auth(token),
        payload: ASSIGNMENT,
      });
      expect(res.statusCode).toBe(403);
    }
  });
});
