/**
 * The outbox is written only for someone: while the store has no export and no automation rule
 * (no outbox consumer), a save appends no records (a new consumer starts at the end of the
 * outbox, so nobody would ever receive them) and builds none, yet stores everything else as
 * before. On SQLite and PostgreSQL, with real CloudFormation templates and CloudTrail logs.
 */

import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { parseExportInput } from '../../src/export/exporter-config.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { serverKeyFromBytes } from '../../src/server/auth/server-key.js';
import { saveAlerts, storedAlerts } from '../../src/store/alert-repository.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { deliveryState } from '../../src/store/delivery-repository.js';
import { exportConsumer, insertExport } from '../../src/store/export-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { outboxPage, recordOf } from '../../src/store/outbox-repository.js';
import type { Database } from '../../src/store/schema.js';
import { addOutboxConsumer, outboxRecords as outbox } from '../store/outbox-consumer.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { scannedTwice } from './template-scans.js';

const DATA = join(import.meta.dirname, '../../../shared/data');
const rules = await loadRules();

const { first, second } = await scannedTwice(rules);
const detected = await detect({ paths: [join(DATA, 'cloudtrail/stratus-red-team')] });

/** What a save stores besides the outbox, in an order independent of insertion. */
async function storedState(db: Kysely<Database>) {
  const compliance = await exportStore(db)
    .selectFrom('compliance_states')
    .selectAll()
    .orderBy('target_set')
    .orderBy('standard')
    .orderBy('control_id')
    .execute();
  const states = await db
    .selectFrom('finding_states')
    .selectAll()
    .orderBy('rule_id')
    .orderBy('resource_type')
    .orderBy('resource_id')
    .execute();
  const events = await db
    .selectFrom('finding_events')
    .select([
      'assessment_id',
      'rule_id',
      'resource_type',
      'resource_id',
      'change',
      'reason',
      'severity',
    ])
    .orderBy('assessment_id')
    .orderBy('rule_id')
    .orderBy('resource_type')
    .orderBy('resource_id')
    .orderBy('change')
    .execute();
  const scores = await db
    .selectFrom('assessments')
    .select(['id', 'secure_score', 'fail'])
    .orderBy('id')
    .execute();
  const alerts = (await storedAlerts(db)).map((a) => [a.id, a.status, a.event_count]);
  return { compliance, states, events, scores, alerts };
}

/** Ids of records, without their (store-specific) order. */
const idsOf = (records: readonly ExportRecord[]) => records.map((r) => r.id).sort();

describe.each(STORE_TARGETS)('outbox consumers on $name', (target) => {
  it.skipIf(target.skip)(
    'without a consumer a save appends nothing, yet stores what it stored before',
    async () => {
      const save = async (db: Kysely<Database>) => {
        await saveAssessment(db, first);
        await saveAssessment(db, second);
        await saveAlerts(db, detected.alerts, detected.incidents);
      };
      const [without, withConsumer] = await target.with(async ({ db: bare }) => {
        await save(bare);
        const a = { records: await outbox(bare), state: await storedState(bare) };
        const b = await target.with(async ({ db }) => {
          await addOutboxConsumer(db);
          await save(db);
          return { records: await outbox(db), state: await storedState(db) };
        });
        return [a, b];
      });
      expect(without.records).toEqual([]);
      // The same saves with a consumer write records of every kind: nothing was held back
      // there, so what differs without one is the outbox alone.
      const types = new Set(withConsumer.records.map((r) => r.type));
      expect([...types].sort()).toEqual(['alert', 'compliance', 'recommendation', 'secure_score']);
      expect(without.state.compliance.length).toBeGreaterThan(0);
      expect(without.state.events.some((e) => e.change === 'resolved')).toBe(true);
      expect(without.state.alerts.length).toBe(detected.alerts.length);
      expect(without.state).toEqual(withConsumer.state);
    },
  );

  it.skipIf(target.skip)(
    'with a consumer a save writes every change, as it did without the check',
    async () => {
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        await saveAssessment(db, first);
        const afterFirst = await outbox(db);
        const failing = new Set(
          first.findings
            .filter((f) => f.status === 'fail')
            .map((f) => `${f.ruleId}|${f.resourceType}|${f.resourceId}`),
        );
        const recs = afterFirst.filter((r) => r.type === 'recommendation');
        expect(
          new Set(
            recs.map((r) =>
              r.type === 'recommendation'
                ? `${r.data.ruleId}|${r.data.resourceType}|${r.data.resourceId}`
                : '',
            ),
          ),
        ).toEqual(failing);
        expect(afterFirst.filter((r) => r.type === 'secure_score')).toHaveLength(1);
        const judged = first.compliance.reduce(
          (n, s) =>
            n + s.controls.filter((c) => c.state === 'passed' || c.state === 'failed').length,
          0,
        );
        expect(afterFirst.filter((r) => r.type === 'compliance')).toHaveLength(judged);
        // Resolutions carry the title and remediation of the record that opened them.
        await saveAssessment(db, second);
        const gone = (await outbox(db))
          .slice(afterFirst.length)
          .filter((r) => r.type === 'recommendation' && r.data.reason === 'gone');
        expect(gone.length).toBeGreaterThan(0);
        for (const r of gone) {
          if (r.type !== 'recommendation') continue;
          const opened = recs.find(
            (o) =>
              o.type === 'recommendation' &&
              o.data.ruleId === r.data.ruleId &&
              o.data.resourceId === r.data.resourceId,
          );
          expect(opened?.type === 'recommendation' && opened.data.title).toBe(r.data.title);
        }
      });
    },
  );

  it.skipIf(target.skip)(
    "a consumer created after a consumer-less save receives the next save's records",
    async () => {
      await target.with(async ({ db }) => {
        await saveAssessment(db, first);
        const made = await addOutboxConsumer(db);
        await saveAssessment(db, second);
        const state = await deliveryState(db, exportConsumer(made.id));
        const delivered = (await outboxPage(db, Number(state!.cursor_seq), 10_000)).map(recordOf);
        // Everything in the outbox is the second save's, and the consumer's cursor is before it.
        expect(idsOf(delivered)).toEqual(idsOf(await outbox(db)));
        expect(delivered.every((r) => 'assessmentId' in r.data)).toBe(true);
        expect(
          delivered.every((r) => (r.data as { assessmentId: string }).assessmentId === second.id),
        ).toBe(true);
        expect(delivered.some((r) => r.type === 'secure_score')).toBe(true);
        const gone = delivered.filter(
          (r) => r.type === 'recommendation' && r.data.reason === 'gone',
        );
        expect(gone.length).toBeGreaterThan(0);
        // No record opened these findings (nobody was there to receive one): the resolution
        // still names its rule, resource, control and states, from what the store keeps (its
        // title is the rule id when neither this scan nor an opening record names the rule).
        for (const r of gone) {
          if (r.type !== 'recommendation') continue;
          expect(r.data.title).toBeTruthy();
          expect([r.data.previousState, r.data.state]).toEqual(['fail', 'not_applicable']);
          expect(r.data.resourceId).toBeTruthy();
          expect(r.data.control).toBeTruthy();
        }
      });
    },
  );

  it.skipIf(target.skip || target.name !== 'PostgreSQL')(
    'a consumer created while a save runs gets its records (the save waits for it)',
    async () => {
      await target.with(async ({ db }) => {
        await saveAssessment(db, first);
        const key = serverKeyFromBytes(Buffer.alloc(32, 5));
        const settings = parseExportInput({
          name: 'late',
          enabled: false,
          sink: { kind: 'syslog', transport: 'tcp', host: 'siem.example.com', port: 514 },
        });
        let commit!: () => void;
        const gate = new Promise<void>((resolve) => (commit = resolve));
        let created!: () => void;
        const inserted = new Promise<void>((resolve) => (created = resolve));
        // The consumer's transaction stays open while the save runs.
        const making = db.transaction().execute(async (trx) => {
          const row = await insertExport(trx, settings, key, 'test', new Date());
          created();
          await gate;
          return row;
        });
        await inserted;
        let saved = false;
        const saving = saveAssessment(db, second).then(() => (saved = true));
        // Until the save waits on the outbox lock (or, without it, is done).
        const until = Date.now() + 10_000;
        while (!saved && Date.now() < until) {
          const waiting = await db
            .selectNoFrom((eb) =>
              eb
                .selectFrom('pg_locks' as never)
                .select(eb.fn.countAll().as('n'))
                .where('locktype' as never, '=', 'advisory' as never)
                .where('granted' as never, '=', false as never)
                .as('n'),
            )
            .executeTakeFirst();
          if (Number(waiting?.n ?? 0) > 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        commit();
        const made = await making;
        await saving;
        const state = await deliveryState(db, exportConsumer(made.id));
        const delivered = (await outboxPage(db, Number(state!.cursor_seq), 10_000)).map(recordOf);
        expect(delivered.some((r) => r.type === 'recommendation')).toBe(true);
        expect(delivered.some((r) => r.type === 'secure_score')).toBe(true);
      });
    },
  );
});
