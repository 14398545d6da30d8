import { describe, expect, it } from 'vitest';
import { admissionWebhook } from '../../../src/enforce/admission/admission-webhook.js';
import { AdmissionPolicySource } from '../../../src/enforce/admission/admission-policy.js';
import { DecisionRecorder } from '../../../src/enforce/admission/decision-recorder.js';
import { manifestReviews } from '../../../src/enforce/admission/manifest-reviews.js';
import { latestAssessmentIds, UnknownRuleError, whatIf } from '../../../src/enforce/whatif.js';
import { validateAssignment } from '../../../src/enforce/assignment-loader.js';
import { assess } from '../../../src/posture/assess.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import {
  decisionsQuery,
  decisionView,
  pruneDecisions,
  recentDecisions,
} from '../../../src/store/admission-decision-repository.js';
import {
  deleteAssignment,
  findAssignment,
  insertAssignment,
  replaceAssignment,
  storedAssignments,
} from '../../../src/store/assignment-repository.js';
import { saveAssessment } from '../../../src/store/assessment-repository.js';
import { shared } from '../../support/paths.js';
import { STORE_TARGETS } from '../../store/store-targets.js';

const GOAT = shared('iac/kubernetes-goat');

function pod(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${name}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      name,
      namespace: name === 'exempt' ? 'kube-system' : 'shop',
      operation: 'CREATE',
      userInfo: { username: 'bob' },
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec },
    },
  };
}

describe.each(STORE_TARGETS)('admission decisions, assignments and what-if ($name)', (target) => {
  it.skipIf(target.skip)('stores every decision and finds what a rule would have denied', () =>
    target.with(async ({ db }) => {
      const rules = await loadRules();
      await saveAssessment(db, await assess({ paths: [GOAT], rules }));

      // Every rule audited (no assignment): everything is allowed, and recorded.
      const policy = await AdmissionPolicySource.open({
        files: [],
        ruleDirs: [],
        exemptNamespaces: ['kube-system'],
        db,
        refreshMs: 60_000,
      });
      const recorder = new DecisionRecorder({ db, intervalMs: 10 });
      const answer = admissionWebhook({
        policy: () => policy.current(),
        failurePolicy: 'Fail',
        budgetMs: 5_000,
        record: (d) => recorder.record(d),
      });
      const hostNet = { hostNetwork: true, containers: [{ name: 'a', image: 'nginx:1' }] };
      const plain = { containers: [{ name: 'a', image: 'nginx:1' }] };
      for (const review of [pod('hostnet', hostNet), pod('plain', plain), pod('exempt', hostNet)]) {
        expect((await answer(review)).response.allowed).toBe(true);
      }
      const goatReviews = await manifestReviews(
        shared('iac/kubernetes-goat/scenarios/docker-bench-security/deployment.yaml'),
      );
      for (const { review } of goatReviews) await answer(review);
      await recorder.close();

      const rows = await decisionsQuery(db).orderBy('uid').execute();
      expect(rows).toHaveLength(3 + goatReviews.length);
      const hostnet = decisionView(rows.find((r) => r.uid === 'uid-hostnet')!);
      expect(hostnet).toMatchObject({ allowed: true, mode: 'audit', user: 'bob', dryRun: false });
      expect(hostnet.ruleIds).toContain('kubernetes-pod-no-host-network');
      expect(hostnet.rules.find((r) => r.id === 'kubernetes-pod-no-host-network')?.mode).toBe(
        'audit',
      );
      expect(await recentDecisions(db, new Date(Date.now() + 60_000), 10)).toEqual([]);
      expect(await pruneDecisions(db, new Date(Date.now() - 3_600_000))).toBe(0);

      const report = await whatIf({
        db,
        rules,
        ruleId: 'kubernetes-pod-no-host-network',
        assessmentIds: await latestAssessmentIds(db),
        since: new Date(Date.now() - 3_600_000),
      });
      expect(report.assessments).toHaveLength(1);
      // docker-bench-security runs on the host network; system-monitor's line is commented out.
      const ids = report.resources.map((r) => r.resourceId);
      expect(ids).toContain('default/DaemonSet/docker-bench-security');
      expect(ids).not.toContain('default/Deployment/system-monitor-deployment');
      const denied = report.admission.wouldDeny.map((r) => r.uid).sort();
      // The DaemonSet replayed from the goat manifest (review-0) and the host-network pod.
      expect(denied).toEqual(['review-0', 'uid-hostnet']);
      expect(report.admission.wouldDeny.find((r) => r.uid === 'uid-hostnet')).toMatchObject({
        allowedThen: true,
        modeThen: 'audit',
        namespace: 'shop',
      });
      // The exempt namespace's request was never judged and stays out.
      expect(report.admission.examined).toBe(2 + goatReviews.length);

      const aws = await whatIf({
        db,
        rules,
        ruleId: rules.find((r) => r.cloud === 'aws')!.id,
        assessmentIds: [],
        since: new Date(0),
      });
      expect(aws.admission.note).toMatch(/judges aws resources/);
      await expect(
        whatIf({ db, rules, ruleId: 'no-such-rule', assessmentIds: [], since: new Date(0) }),
      ).rejects.toThrow(UnknownRuleError);
    }),
  );

  it.skipIf(target.skip)('keeps API assignments, and the webhook enforces them', () =>
    target.with(async ({ db }) => {
      const now = new Date('2026-05-01T10:00:00Z');
      const deny = validateAssignment({
        id: 'shop-host-network',
        title: 'No host network in shop',
        benchmark: 'palisade',
        scope: { namespaces: ['shop'] },
        mode: 'disabled',
        rules: { 'kubernetes-pod-no-host-network': 'deny' },
      });
      await insertAssignment(db, deny, 'user:ada', now);
      expect((await storedAssignments(db)).map((a) => a.id)).toEqual(['shop-host-network']);

      const policy = await AdmissionPolicySource.open({
        files: [],
        ruleDirs: [],
        exemptNamespaces: [],
        db,
        refreshMs: 0,
      });
      const answer = admissionWebhook({
        policy: () => policy.current(),
        failurePolicy: 'Fail',
        budgetMs: 5_000,
      });
      const hostNet = { hostNetwork: true, containers: [{ name: 'a', image: 'nginx:1' }] };
      const refused = await answer(pod('hostnet', hostNet));
      expect(refused.response.allowed).toBe(false);
      expect(refused.response.status?.details?.causes.map((c) => c.reason)).toEqual([
        'kubernetes-pod-no-host-network',
      ]);
      // Other rules are disabled by the assignment: no warnings.
      expect(refused.response.warnings).toBeUndefined();

      await replaceAssignment(
        db,
        { ...deny, rules: { 'kubernetes-pod-no-host-network': 'audit' } },
        'user:bob',
        now,
      );
      expect((await findAssignment(db, deny.id))?.updated_by).toBe('user:bob');
      await policy.refresh();
      expect((await answer(pod('hostnet', hostNet))).response.allowed).toBe(true);

      await deleteAssignment(db, deny.id);
      expect(await storedAssignments(db)).toEqual([]);
    }),
  );
});
