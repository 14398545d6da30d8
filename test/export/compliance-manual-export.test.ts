/**
 * Compliance export of controls no rule checks (manual), from a real CloudFormation template
 * on SQLite and PostgreSQL: a first assessment sends only the controls it judged, snapshots
 * carry manual ones as `manual` (compliance schema v3, with the estate), and a store written when
 * v1 called them `not_assessed` moves each of them to `manual` once.
 */

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSnapshot } from '../../src/export/outbox/snapshot.js';
import { ExportRecordValidator } from '../../src/export/schemas/export-schemas.js';
import type { AssessmentResult } from '../../src/model/assessment.js';
import type { ComplianceExportData, ExportRecord } from '../../src/model/export-record.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { recordOf } from '../../src/store/outbox-repository.js';
import type { Database } from '../../src/store/schema.js';
import { addOutboxConsumer } from '../store/outbox-consumer.js';
import { STORE_TARGETS } from '../store/store-targets.js';

const DATA = join(import.meta.dirname, '../../../shared/data');
const rules = await loadRules();
const validator = new ExportRecordValidator();

const root = mkdtempSync(join(tmpdir(), 'palisade-manual-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
cpSync(
  join(DATA, 'iac/aws-cloudformation-templates/EC2/EC2InstanceWithSecurityGroupSample.yaml'),
  join(root, 'EC2InstanceWithSecurityGroupSample.yaml'),
);
const first = await assess({ paths: [root], rules });
const second = await assess({ paths: [root], rules });
const third = await assess({ paths: [root], rules });

type ComplianceRecord = ExportRecord & { type: 'compliance'; data: ComplianceExportData };

/** `standard/control` of every control in `state`. */
function controlsIn(a: AssessmentResult, state: string): Set<string> {
  return new Set(
    a.compliance.flatMap((s) =>
      s.controls.filter((c) => c.state === state).map((c) => `${s.id}/${c.id}`),
    ),
  );
}

const key = (r: ComplianceRecord) => `${r.data.standard}/${r.data.controlId}`;

async function complianceOutbox(db: Kysely<Database>, kind = 'change') {
  const rows = await exportStore(db)
    .selectFrom('export_outbox')
    .selectAll()
    .orderBy('seq')
    .execute();
  return rows
    .map(recordOf)
    .filter((r): r is ComplianceRecord => r.type === 'compliance' && r.kind === kind);
}

/** The same record claimed at schema v1, which has no word for `manual`. */
function asV1(record: ExportRecord): ExportRecord {
  return { ...record, schemaVersion: 1 };
}

const manual = controlsIn(first, 'manual');

describe.each(STORE_TARGETS)('manual compliance controls on $name', (target) => {
  it.skipIf(target.skip)(
    'sends on a first assessment only the controls it judged; a snapshot carries manual ones at v3',
    async () => {
      expect(manual.size).toBeGreaterThan(0);
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        await saveAssessment(db, first);
        const records = await complianceOutbox(db);

        // Nothing was known of this estate before: a control no rule checks, or one its rules
        // judged nothing for, has not changed.
        const judged = new Set([...controlsIn(first, 'passed'), ...controlsIn(first, 'failed')]);
        expect(judged.size).toBeGreaterThan(0);
        expect(new Set(records.map(key))).toEqual(judged);
        for (const r of records) {
          expect(r.schemaVersion).toBe(3);
          expect(r.data.previousState).toBeUndefined();
          expect(validator.problems(r)).toEqual([]);
        }

        await writeSnapshot(db, null, 'snap-1', new Date('2026-12-06T00:00:00Z'));
        const snapshot = await complianceOutbox(db, 'snapshot');
        const snapManual = snapshot.filter((r) => r.data.state === 'manual');
        expect(new Set(snapManual.map(key))).toEqual(manual);
        expect(new Set(snapshot.filter((r) => r.data.state === 'not_assessed').map(key))).toEqual(
          controlsIn(first, 'not_assessed'),
        );
        for (const r of snapshot) {
          expect(r.schemaVersion).toBe(3);
          expect(r.data.estate?.targets).toEqual([root]);
          expect(validator.problems(r)).toEqual([]);
        }
        // A v1 reader has no word for manual, nor v1 and v2 for the estate.
        expect(validator.problems(asV1(snapManual[0])).some((p) => p.startsWith('/data'))).toBe(
          true,
        );
      });
    },
  );

  it.skipIf(target.skip)(
    'moves a control a v1 store held as not_assessed to manual once, then sends nothing',
    async () => {
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        await saveAssessment(db, first);
        // As the store stood when compliance export wrote schema v1 only.
        await exportStore(db)
          .updateTable('compliance_states')
          .set({ state: 'not_assessed' })
          .where('state', '=', 'manual')
          .execute();
        const before = (await complianceOutbox(db)).length;

        await saveAssessment(db, second);
        const moved = (await complianceOutbox(db)).slice(before);
        expect(new Set(moved.map(key))).toEqual(manual);
        for (const r of moved) {
          expect([r.data.previousState, r.data.state, r.schemaVersion]).toEqual([
            'not_assessed',
            'manual',
            3,
          ]);
          expect(validator.problems(r)).toEqual([]);
        }

        await saveAssessment(db, third);
        expect((await complianceOutbox(db)).length).toBe(before + moved.length);
      });
    },
  );
});
