import { describe, expect, it } from 'vitest';
import { assessStream } from '../../src/posture/assess-stream.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { scoreHistory, storedFindings } from '../../src/store/assessment-repository.js';
import { findingChanges } from '../../src/store/finding-lifecycle.js';
import { saveStreamedAssessment } from '../../src/store/streamed-assessment.js';
import { STORE_TARGETS } from './store-targets.js';

const rules = await loadRules();
const scan = () => assessStream({ paths: ['samples/estate'], rules });

describe.each(STORE_TARGETS)('streamed assessment store ($name)', (target) => {
  it.skipIf(target.skip)(
    'keeps the failing findings and resource summaries of a streamed scan, no properties',
    () =>
      target.with(async ({ db }) => {
        const a = await scan();
        await saveStreamedAssessment(db, a);
        const [point] = await scoreHistory(db);
        expect(point).toMatchObject({ id: a.id, secureScore: a.secureScore, fail: a.counts.fail });
        const stored = await storedFindings(db, a.id);
        expect(stored).toHaveLength(a.findings.length);
        expect(stored.filter((f) => f.status === 'fail').length).toBe(
          a.counts.fail + a.counts.exempt,
        );
        const resources = await db
          .selectFrom('resources')
          .selectAll()
          .where('assessment_id', '=', a.id)
          .execute();
        expect(resources).toHaveLength(a.counts.resources);
        expect(resources.every((r) => r.properties === 'null')).toBe(true);
        const controls = await db.selectFrom('control_scores').selectAll().execute();
        expect(controls.map((c) => c.current_score).sort()).toEqual(
          a.controls.map((c) => c.currentScore).sort(),
        );
      }),
  );

  it.skipIf(target.skip)(
    'resolves a finding that stopped failing as passed, and one whose resource left as gone',
    () =>
      target.with(async ({ db }) => {
        const first = await scan();
        await saveStreamedAssessment(db, first);
        const failing = first.findings.filter((f) => f.status === 'fail' && !f.exemption);
        const [fixed] = failing;
        const removed = failing.find((f) => f.resourceId !== fixed.resourceId)!;
        const second = await scan();
        second.findings = second.findings.filter(
          (f) =>
            !(f.ruleId === fixed.ruleId && f.resourceId === fixed.resourceId) &&
            f.resourceId !== removed.resourceId,
        );
        second.resources = second.resources.filter((r) => r.id !== removed.resourceId);
        await saveStreamedAssessment(db, second);
        const changes = await findingChanges(db, second.id);
        expect(changes?.new).toEqual([]);
        const reason = (resourceId: string, ruleId: string) =>
          changes?.resolved.find((c) => c.resourceId === resourceId && c.ruleId === ruleId)?.reason;
        expect(reason(fixed.resourceId, fixed.ruleId)).toBe('passed');
        expect(reason(removed.resourceId, removed.ruleId)).toBe('gone');
      }),
  );
});
