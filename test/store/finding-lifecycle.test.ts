import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import {
  currentFindingStates,
  findingChanges,
  findingHistory,
} from '../../src/store/finding-lifecycle.js';
import { STORE_TARGETS } from './store-targets.js';

const rules = await loadRules();

/** Replaces `from` by `to` in a file of the copied estate; the edit must apply. */
function edit(root: string, file: string, from: string | RegExp, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`edit of ${file} did not apply`);
  writeFileSync(path, changed);
}

// One copy of the sample estate, scanned three times at the same path (the same targets):
// as shipped, then with one misconfiguration fixed, one introduced and one resource deleted,
// then as shipped again.
const root = mkdtempSync(join(tmpdir(), 'palisade-lifecycle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
cpSync('samples/estate', root, { recursive: true });
const original = {
  cfn: readFileSync(join(root, 'cloudformation/reporting-stack.yaml'), 'utf8'),
  tf: readFileSync(join(root, 'terraform/main.tf'), 'utf8'),
  k8s: readFileSync(join(root, 'kubernetes/storefront.yaml'), 'utf8'),
};
const scan = () => assess({ paths: [root], rules });

const first = await scan();
// Fixed: the reporting database becomes encrypted at rest.
edit(
  root,
  'cloudformation/reporting-stack.yaml',
  'StorageEncrypted: false',
  'StorageEncrypted: true',
);
// Broken: the data key stops rotating.
edit(
  root,
  'terraform/main.tf',
  /(description\s+= "orders data key"\n\s+enable_key_rotation = )true/,
  '$1false',
);
// Deleted: the cluster-admin binding leaves the manifests.
edit(root, 'kubernetes/storefront.yaml', /---\napiVersion: rbac[^]*?namespace: storefront\n/, '');
const second = await scan();
writeFileSync(join(root, 'cloudformation/reporting-stack.yaml'), original.cfn);
writeFileSync(join(root, 'terraform/main.tf'), original.tf);
writeFileSync(join(root, 'kubernetes/storefront.yaml'), original.k8s);
const third = await scan();
const kubernetesOnly = await assess({ paths: [join(root, 'kubernetes')], rules });

const key = (f: { ruleId: string; resourceType: string; resourceId: string }) =>
  `${f.ruleId} ${f.resourceType} ${f.resourceId}`;
const failing = (a: AssessmentResult) =>
  new Set(a.findings.filter((f) => f.status === 'fail').map(key));
const keys = (changes: Parameters<typeof key>[0][]) => changes.map(key).sort();
const minus = (a: Set<string>, ...others: Set<string>[]) =>
  [...a].filter((k) => !others.some((o) => o.has(k))).sort();

function findOne(a: AssessmentResult, ruleId: string, idPart: string) {
  const found = a.findings.find((f) => f.ruleId === ruleId && f.resourceId.includes(idPart));
  if (!found) throw new Error(`no ${ruleId} finding on ${idPart}`);
  return found;
}
const rdsEncrypted = findOne(first, 'aws-rds-instance-encrypted', 'ReportsDatabase');
const kmsRotation = findOne(first, 'aws-kms-key-rotation', 'aws_kms_key.data');
const clusterAdmin = findOne(
  first,
  'kubernetes-rbac-no-cluster-admin-binding',
  'ClusterRoleBinding/storefront-ci-admin',
);

describe('the modified estate behaves as the lifecycle test expects', () => {
  it('fixes, breaks and deletes exactly the intended findings', () => {
    expect(rdsEncrypted.status).toBe('fail');
    expect(findOne(second, 'aws-rds-instance-encrypted', 'ReportsDatabase').status).toBe('pass');
    expect(kmsRotation.status).toBe('pass');
    expect(findOne(second, 'aws-kms-key-rotation', 'aws_kms_key.data').status).toBe('fail');
    expect(clusterAdmin.status).toBe('fail');
    expect(second.findings.some((f) => f.resourceId === clusterAdmin.resourceId)).toBe(false);
    expect(failing(third)).toEqual(failing(first));
  });
});

describe.each(STORE_TARGETS)('finding lifecycle ($name)', (target) => {
  it.skipIf(target.skip)('reports every failing finding of a first assessment as new', () =>
    target.with(async ({ db }) => {
      await saveAssessment(db, first);
      const changes = await findingChanges(db, first.id);
      expect(changes?.previousAssessmentId).toBeNull();
      expect(keys(changes?.new ?? [])).toEqual([...failing(first)].sort());
      expect(changes?.resolved).toEqual([]);
      expect(changes?.reopened).toEqual([]);
      expect(await findingChanges(db, 'no-such-assessment')).toBeUndefined();
    }),
  );

  it.skipIf(target.skip)(
    'marks the fixed and the deleted finding resolved, the broken one new, then reopens',
    () =>
      target.with(async ({ db }) => {
        await saveAssessment(db, first);
        await saveAssessment(db, second);
        const changed = await findingChanges(db, second.id);
        expect(changed?.previousAssessmentId).toBe(first.id);
        expect(keys(changed?.new ?? [])).toEqual(minus(failing(second), failing(first)));
        expect(keys(changed?.resolved ?? [])).toEqual(minus(failing(first), failing(second)));
        expect(changed?.reopened).toEqual([]);
        expect(keys(changed?.new ?? [])).toContain(key(kmsRotation));
        const open = await currentFindingStates(db, second.id, 'open');
        expect(keys(open)).toEqual([...failing(second)].sort());
        const closed = await currentFindingStates(db, second.id, 'resolved');
        expect(keys(closed)).toEqual(minus(failing(first), failing(second)));
        expect(closed.every((s) => s.resolvedAt === second.startedAt)).toBe(true);
        expect(await currentFindingStates(db, 'no-such-assessment')).toEqual([]);
        const resolved = new Map(changed?.resolved.map((c) => [key(c), c]));
        expect(resolved.get(key(rdsEncrypted))?.reason).toBe('passed');
        expect(resolved.get(key(clusterAdmin))?.reason).toBe('gone');
        expect(resolved.get(key(rdsEncrypted))?.at).toBe(second.startedAt);

        await saveAssessment(db, third);
        const back = await findingChanges(db, third.id);
        expect(back?.previousAssessmentId).toBe(second.id);
        expect(keys(back?.reopened ?? [])).toEqual(minus(failing(first), failing(second)));
        expect(keys(back?.reopened ?? [])).toContain(key(clusterAdmin));
        expect(keys(back?.resolved ?? [])).toEqual(minus(failing(second), failing(third)));
        expect(keys(back?.resolved ?? [])).toContain(key(kmsRotation));
        expect(back?.new).toEqual([]);

        const [rds, ...otherSets] = await findingHistory(
          db,
          rdsEncrypted.ruleId,
          rdsEncrypted.resourceId,
        );
        expect(otherSets).toEqual([]);
        expect(rds.targets).toEqual([root]);
        expect(rds.events.map((e) => [e.change, e.reason, e.assessmentId])).toEqual([
          ['new', 'failed', first.id],
          ['resolved', 'passed', second.id],
          ['reopened', 'failed', third.id],
        ]);
        expect(rds).toMatchObject({
          status: 'open',
          firstSeen: first.startedAt,
          lastSeen: third.startedAt,
          statusChangedAt: third.startedAt,
          resolvedAt: null,
        });

        const [kms] = await findingHistory(db, kmsRotation.ruleId, kmsRotation.resourceId);
        expect(kms).toMatchObject({
          status: 'resolved',
          firstSeen: second.startedAt,
          lastSeen: second.startedAt,
          resolvedAt: third.startedAt,
        });
        const [admin] = await findingHistory(db, clusterAdmin.ruleId, clusterAdmin.resourceId);
        expect(admin.events.map((e) => e.reason)).toEqual(['failed', 'gone', 'failed']);

        // A finding open throughout keeps its first time and follows the last assessment.
        const steady = [...failing(first)].find(
          (k) => failing(second).has(k) && k.startsWith('aws-s3-bucket-mfa-delete'),
        );
        const s3 = first.findings.find((f) => key(f) === steady);
        const [kept] = await findingHistory(db, s3?.ruleId ?? '', s3?.resourceId ?? '');
        expect(kept).toMatchObject({
          status: 'open',
          firstSeen: first.startedAt,
          lastSeen: third.startedAt,
          statusChangedAt: first.startedAt,
        });
        expect(kept.events).toHaveLength(1);
      }),
  );

  it.skipIf(target.skip)('keeps the lifecycle of each set of targets apart', () =>
    target.with(async ({ db }) => {
      await saveAssessment(db, first);
      await saveAssessment(db, kubernetesOnly);
      const k8s = await findingChanges(db, kubernetesOnly.id);
      expect(k8s?.previousAssessmentId).toBeNull();
      expect(keys(k8s?.new ?? [])).toEqual([...failing(kubernetesOnly)].sort());
      expect(k8s?.resolved).toEqual([]);
      // The whole-estate set saw nothing of the narrower scan.
      await saveAssessment(db, second);
      const changed = await findingChanges(db, second.id);
      expect(changed?.previousAssessmentId).toBe(first.id);
      const history = await findingHistory(db, clusterAdmin.ruleId, clusterAdmin.resourceId);
      expect(history.map((h) => [h.targets, h.status])).toEqual([
        [[root], 'resolved'],
        [[join(root, 'kubernetes')], 'open'],
      ]);
    }),
  );

  it.skipIf(target.skip)('leaves a finding open while its rule errs on the resource', () =>
    target.with(async ({ db }) => {
      await saveAssessment(db, first);
      const erring: AssessmentResult = {
        ...second,
        findings: second.findings.map((f) =>
          key(f) === key(findOne(second, 'aws-rds-instance-encrypted', 'ReportsDatabase'))
            ? { ...f, status: 'error' as const }
            : f,
        ),
      };
      await saveAssessment(db, erring);
      const changed = await findingChanges(db, erring.id);
      expect(keys(changed?.resolved ?? [])).not.toContain(key(rdsEncrypted));
      expect(keys(changed?.resolved ?? [])).toContain(key(clusterAdmin));
      const [rds] = await findingHistory(db, rdsEncrypted.ruleId, rdsEncrypted.resourceId);
      expect(rds.status).toBe('open');
    }),
  );

  it.skipIf(target.skip)('reports a change once when two saves of the same targets overlap', () =>
    target.with(async ({ db }) => {
      const rerun: AssessmentResult = {
        ...first,
        id: `${first.id}-rerun`,
        startedAt: new Date(Date.parse(first.startedAt) + 1).toISOString(),
      };
      await Promise.all([saveAssessment(db, first), saveAssessment(db, rerun)]);
      const both = [await findingChanges(db, first.id), await findingChanges(db, rerun.id)];
      const reported = both.flatMap((c) => c?.new ?? []);
      expect(keys(reported)).toEqual([...failing(first)].sort());
    }),
  );
});
