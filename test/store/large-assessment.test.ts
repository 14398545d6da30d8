import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment, storedFindings } from '../../src/store/assessment-repository.js';
import { rowsPerStatement } from '../../src/store/batch-insert.js';
import { parameterLimit } from '../../src/store/dialect.js';
import { findingChanges } from '../../src/store/finding-lifecycle.js';
import { STORE_TARGETS } from './store-targets.js';

// A large estate made of many copies of the real sample estate's assessment: 30k findings need
// several statements on either database (12 columns: 2730 rows a statement on SQLite, 5461 on
// PostgreSQL), so a batch that ignored the parameter limit would fail here.
const base = await assess({ paths: ['samples/estate'], rules: await loadRules() });
const COPIES = Math.ceil(30_000 / base.findings.length);

/** The estate copied COPIES times; in every tenth copy below `fixedTenths`, failures pass. */
function large(fixedTenths: number, startedAt: string): AssessmentResult {
  const findings = [];
  const resources = [];
  for (let i = 0; i < COPIES; i++) {
    const fixed = i % 10 < fixedTenths;
    for (const f of base.findings) {
      const status = fixed && f.status === 'fail' ? 'pass' : f.status;
      findings.push({ ...f, resourceId: `${f.resourceId}#${i}`, status });
    }
    for (const r of base.resources) resources.push({ ...r, id: `${r.id}#${i}` });
  }
  return { ...base, id: randomUUID(), startedAt, findings, resources };
}

describe.each(STORE_TARGETS)('large assessments ($name)', (target) => {
  it.skipIf(target.skip)(
    'saves 30k findings in parameter-limited batches and tracks their lifecycle',
    () =>
      target.with(async ({ db }) => {
        const limit = parameterLimit(db);
        for (const columns of [1, 5, 12, 18]) {
          expect(rowsPerStatement(db, columns) * columns).toBeLessThanOrEqual(limit);
        }
        const first = large(0, '2026-01-01T00:00:00.000Z');
        const second = large(3, '2026-01-02T00:00:00.000Z');
        const started = performance.now();
        await saveAssessment(db, first);
        await saveAssessment(db, second);
        // Generous: catches a quadratic step, not a slow machine.
        expect(performance.now() - started).toBeLessThan(60_000);

        expect(first.findings.length).toBeGreaterThanOrEqual(30_000);
        expect(await storedFindings(db, second.id)).toHaveLength(second.findings.length);
        const failing = (a: AssessmentResult) => a.findings.filter((f) => f.status === 'fail');
        const changes = await findingChanges(db, second.id);
        expect(changes?.resolved).toHaveLength(failing(first).length - failing(second).length);
        expect(changes?.resolved.every((c) => c.reason === 'passed')).toBe(true);
        expect(changes?.new).toEqual([]);
        const open = await db
          .selectFrom('finding_states')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'open')
          .where('last_assessment_id', '=', second.id)
          .executeTakeFirstOrThrow();
        expect(open.n).toBe(failing(second).length);
      }),
  );
});
