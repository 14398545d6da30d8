import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment, storedFindings } from '../../src/store/assessment-repository.js';
import { insertBatched } from '../../src/store/batch-insert.js';
import { sqliteConnection } from '../../src/store/dialect.js';
import { appendOutbox, outboxPage } from '../../src/store/outbox-repository.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { addOutboxConsumer } from './outbox-consumer.js';
import { STORE_TARGETS } from './store-targets.js';

const base = await assess({ paths: ['samples/estate'], rules: await loadRules() });

/** The sample estate copied until it has at least `findings` findings. */
function copies(findings: number): AssessmentResult {
  const n = Math.ceil(findings / base.findings.length);
  const out: AssessmentResult = { ...base, id: randomUUID(), findings: [], resources: [] };
  for (let i = 0; i < n; i++) {
    for (const f of base.findings) out.findings.push({ ...f, resourceId: `${f.resourceId}#${i}` });
    for (const r of base.resources) out.resources.push({ ...r, id: `${r.id}#${i}` });
  }
  return out;
}

function state(resourceId: string, status: string, resolvedAt?: string | null) {
  return {
    target_set: 'batch-test',
    rule_id: 'rule-a',
    resource_type: 'AWS::S3::Bucket',
    resource_id: resourceId,
    resource_name: resourceId,
    severity: 'high',
    status,
    first_seen: '2026-01-01T00:00:00.000Z',
    last_seen: '2026-01-01T00:00:00.000Z',
    status_changed_at: '2026-01-01T00:00:00.000Z',
    resolved_at: resolvedAt,
    first_assessment_id: 'a1',
    last_assessment_id: 'a1',
  };
}

describe('batched inserts on SQLite', () => {
  it('parse each insert statement once and only bind rows after', () =>
    STORE_TARGETS[0].with(async ({ db }) => {
      await addOutboxConsumer(db);
      const connection = sqliteConnection(db);
      if (!connection) throw new Error('no SQLite connection under the store');
      // Every statement SQLite parses goes through prepare, from Kysely's driver or elsewhere.
      const prepare = connection.prepare.bind(connection);
      let parsed = 0;
      connection.prepare = ((source: string) => {
        parsed += source.length;
        return prepare(source);
      }) as typeof connection.prepare;
      const a = copies(20_000);
      await saveAssessment(db, a);
      expect(await storedFindings(db, a.id)).toHaveLength(a.findings.length);
      // Multi-row statements of thousands of rows each made SQLite parse about 30 bytes of SQL
      // per row saved (megabytes here); prepared once, a few kilobytes whatever the size.
      expect(parsed).toBeLessThan(200_000);
    }));

  it('run inside the caller transaction: a failed save leaves no rows', () =>
    STORE_TARGETS[0].with(async ({ db }) => {
      await expect(
        db.transaction().execute(async (trx) => {
          await insertBatched(trx, 'finding_states', [state('r1', 'open', null)]);
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await db.selectFrom('finding_states').selectAll().execute()).toEqual([]);
    }));
});

describe.each(STORE_TARGETS)('batched inserts ($name)', (target) => {
  it.skipIf(target.skip)('store rows with undefined values and update them on conflict', () =>
    target.with(async ({ db }) => {
      // A later row with a value left undefined takes the column's default (null here).
      await insertBatched(db, 'finding_states', [
        state('r1', 'open', null),
        state('r2', 'open', undefined),
      ]);
      await insertBatched(
        db,
        'finding_states',
        [state('r2', 'resolved', '2026-01-02T00:00:00.000Z'), state('r3', 'open', null)],
        (oc) =>
          oc
            .columns(['target_set', 'rule_id', 'resource_type', 'resource_id'])
            .doUpdateSet((eb) => ({
              status: eb.ref('excluded.status'),
              resolved_at: eb.ref('excluded.resolved_at'),
            })),
      );
      const rows = await db
        .selectFrom('finding_states')
        .select(['resource_id', 'status', 'resolved_at'])
        .orderBy('resource_id')
        .execute();
      expect(rows).toEqual([
        { resource_id: 'r1', status: 'open', resolved_at: null },
        { resource_id: 'r2', status: 'resolved', resolved_at: '2026-01-02T00:00:00.000Z' },
        { resource_id: 'r3', status: 'open', resolved_at: null },
      ]);
    }),
  );

  it.skipIf(target.skip)('append outbox records once, skipping ids already stored', () =>
    target.with(async ({ db }) => {
      await addOutboxConsumer(db);
      const record = (id: string, assessmentId: string): ExportRecord => ({
        id,
        schemaVersion: 1,
        kind: 'change',
        type: 'secure_score',
        occurredAt: '2026-01-01T00:00:00.000Z',
        accounts: ['111122223333'],
        data: { assessmentId } as never,
      });
      const now = new Date('2026-01-01T00:00:01.000Z');
      await db.transaction().execute((trx) => appendOutbox(trx, [record('r1', 'a1')], now));
      await db
        .transaction()
        .execute((trx) =>
          appendOutbox(trx, [record('r1', 'a2'), record('r2', 'a2'), record('r2', 'a2')], now),
        );
      const rows = await outboxPage(db, 0, 10);
      expect(rows.map((r) => [r.record_id, JSON.parse(r.body).data.assessmentId])).toEqual([
        ['r1', 'a1'],
        ['r2', 'a2'],
      ]);
    }),
  );
});
