import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import {
  saveAssessment,
  scoreHistory,
  storedFindings,
} from '../../src/store/assessment-repository.js';
import { STORE_TARGETS } from './store-targets.js';

const rules = await loadRules();
const estate = await assess({ paths: ['samples/estate'], rules });
const kubernetes = await assess({ paths: ['samples/estate/kubernetes'], rules });

describe.each(STORE_TARGETS)('assessment store ($name)', (target) => {
  it.skipIf(target.skip)(
    'keeps every assessment of the sample estate, so score history can be drawn',
    () =>
      target.with(async ({ db }) => {
        await saveAssessment(db, estate);
        await saveAssessment(db, kubernetes);

        const history = await scoreHistory(db);
        expect(history.map((h) => h.id)).toEqual([estate.id, kubernetes.id]);
        // Exactly: PostgreSQL's `real` would round the score to 4 bytes.
        expect(history[0].secureScore).toBe(estate.secureScore);
        expect(history[0].resources).toBe(estate.counts.resources);
        expect(history[0].fail).toBe(estate.counts.fail);
        expect(history[1].targets).toEqual(['samples/estate/kubernetes']);

        const failing = await storedFindings(db, estate.id, 'fail');
        expect(failing).toHaveLength(estate.findings.filter((f) => f.status === 'fail').length);
        expect(failing.some((f) => f.file?.endsWith('main.tf') && typeof f.line === 'number')).toBe(
          true,
        );
        const all = await storedFindings(db, estate.id);
        expect(all).toHaveLength(estate.findings.length);
        expect(all.map((f) => f.id)).toEqual([...all.map((f) => f.id)].sort((a, b) => a - b));
        expect(typeof all[0].id).toBe('number');

        const controls = await db
          .selectFrom('control_scores')
          .selectAll()
          .where('assessment_id', '=', estate.id)
          .execute();
        const byId = new Map(controls.map((c) => [c.control_id, c]));
        for (const c of estate.controls) {
          expect(byId.get(c.id)?.current_score).toBe(c.currentScore);
          expect(byId.get(c.id)?.max_score).toBe(c.maxScore);
        }
        const resources = await db
          .selectFrom('resources')
          .select(['id', 'properties'])
          .where('assessment_id', '=', estate.id)
          .execute();
        expect(resources).toHaveLength(estate.resources.length);
        const first = estate.resources[0];
        const stored = resources.find((r) => r.id === first.id);
        expect(JSON.parse(stored?.properties ?? 'null')).toEqual(
          JSON.parse(JSON.stringify(first.properties)),
        );
      }),
  );

  it.skipIf(target.skip)(
    'stores an assessment all or nothing: a failed save leaves what was stored intact',
    () =>
      target.with(async ({ db }) => {
        await saveAssessment(db, kubernetes);
        const count = async (table: 'findings' | 'finding_events' | 'finding_states') =>
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n;
        const before = {
          findings: await count('findings'),
          events: await count('finding_events'),
          states: await count('finding_states'),
        };
        expect(before.findings).toBe(kubernetes.findings.length);
        // Same id again: the assessments row clashes, so nothing of it may remain.
        await expect(saveAssessment(db, { ...kubernetes })).rejects.toThrow();
        expect(await count('findings')).toBe(before.findings);
        expect(await count('finding_events')).toBe(before.events);
        expect(await count('finding_states')).toBe(before.states);
      }),
  );

  it.skipIf(target.skip)('migrates once: reopening a store keeps what it holds', () =>
    target.with(async ({ db, reopen }) => {
      await saveAssessment(db, kubernetes);
      const again = await reopen();
      const history = await scoreHistory(again);
      expect(history.map((h) => h.id)).toEqual([kubernetes.id]);
      const migrations = await again
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      expect(migrations.length).toBeGreaterThanOrEqual(4);
    }),
  );

  it.skipIf(target.skip)('keeps text exactly, whatever characters it holds', () =>
    target.with(async ({ db }) => {
      // Characters that matter to SQL, to PostgreSQL array literals and to JSON.
      const odd = `a "quoted" {brace,comma} back\\slash NULL 'single' ✓ 🛡\nline\ttab`;
      const [resource, ...resources] = kubernetes.resources;
      const [finding, ...findings] = kubernetes.findings;
      const tricky = {
        ...kubernetes,
        resources: [{ ...resource, name: odd, properties: { note: odd, list: [odd, null] } }],
        findings: [
          { ...finding, message: odd, resourceName: 'NULL', file: undefined },
          ...findings,
        ],
      };
      expect(resources.length + 1).toBe(kubernetes.resources.length);
      await saveAssessment(db, tricky);
      const [stored] = await db.selectFrom('resources').selectAll().execute();
      expect(stored.name).toBe(odd);
      expect(JSON.parse(stored.properties)).toEqual({ note: odd, list: [odd, null] });
      const [first] = await storedFindings(db, tricky.id);
      expect(first).toMatchObject({ message: odd, resource_name: 'NULL', file: null });
    }),
  );

  it.skipIf(target.skip)('saves text with a NUL character (PostgreSQL keeps U+FFFD)', () =>
    target.with(async ({ db }) => {
      const [finding, ...findings] = kubernetes.findings;
      const message = 'value "a\u0000b" is not allowed';
      await saveAssessment(db, { ...kubernetes, findings: [{ ...finding, message }, ...findings] });
      const [first] = await storedFindings(db, kubernetes.id);
      const kept = target.name === 'PostgreSQL' ? message.replace('\u0000', '\uFFFD') : message;
      expect(first.message).toBe(kept);
    }),
  );
});
