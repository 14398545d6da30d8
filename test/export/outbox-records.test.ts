/**
 * Records the store writes to the export outbox with each change, on SQLite and PostgreSQL:
 * assessments of real CloudFormation templates (recommendation, secure score and compliance
 * changes) and detection over real CloudTrail logs (alerts created, updated, status changed),
 * each validated against its published JSON Schema.
 */

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { ruleMatches } from '../../src/automate/automation-rule.js';
import { parseScope } from '../../src/export/exporter-config.js';
import { exportTakes } from '../../src/export/outbox/export-filter.js';
import { ExportRecordValidator } from '../../src/export/schemas/export-schemas.js';
import { changeAlertStatus, saveAlerts } from '../../src/store/alert-repository.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { addOutboxConsumer, outboxRecords as outbox } from '../store/outbox-consumer.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { scannedTwice } from './template-scans.js';

const DATA = join(import.meta.dirname, '../../../shared/data');
const rules = await loadRules();
const validator = new ExportRecordValidator();

// Two real templates scanned twice at the same path: the second time one template is gone.
const { root, first, second } = await scannedTwice(rules);
// The template comes back: its failures reopen.
cpSync(
  join(DATA, 'iac/aws-cloudformation-templates/S3/S3_LambdaTrigger.yaml'),
  join(root, 'S3_LambdaTrigger.yaml'),
);
const third = await assess({ paths: [root], rules });
const detected = await detect({ paths: [join(DATA, 'cloudtrail/stratus-red-team')] });

// A tagged database template beside the EC2 one; the second scan finds the database deleted.
const tagged = mkdtempSync(join(tmpdir(), 'palisade-outbox-tags-'));
afterAll(() => rmSync(tagged, { recursive: true, force: true }));
for (const file of [
  'EC2/EC2InstanceWithSecurityGroupSample.yaml',
  'RDS/RDS_MySQL_With_Read_Replica.yaml',
]) {
  cpSync(join(DATA, 'iac/aws-cloudformation-templates', file), join(tagged, file.split('/')[1]));
}
const withDatabase = await assess({ paths: [tagged], rules });
rmSync(join(tagged, 'RDS_MySQL_With_Read_Replica.yaml'));
const withoutDatabase = await assess({ paths: [tagged], rules });

describe.each(STORE_TARGETS)('export outbox on $name', (target) => {
  it.skipIf(target.skip)(
    'writes a record for every assessment change, each valid against its schema',
    async () => {
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        await saveAssessment(db, first);
        const afterFirst = await outbox(db);
        const failing = new Set(
          first.findings
            .filter((f) => f.status === 'fail')
            .map((f) => `${f.ruleId}|${f.resourceId}`),
        );
        const recs = afterFirst.filter((r) => r.type === 'recommendation');
        expect(recs.length).toBe(failing.size);
        expect(recs.every((r) => r.type === 'recommendation' && r.data.state === 'fail')).toBe(
          true,
        );
        const score = afterFirst.filter((r) => r.type === 'secure_score');
        expect(score).toHaveLength(1);
        expect(score[0].type === 'secure_score' && score[0].data.overall.current).toBe(
          Math.round(first.secureScore * 100) / 100,
        );
        // The first assessment of these targets: every control it judged, none it did not.
        const judged = first.compliance.reduce(
          (n, s) =>
            n + s.controls.filter((c) => c.state === 'passed' || c.state === 'failed').length,
          0,
        );
        expect(afterFirst.filter((r) => r.type === 'compliance')).toHaveLength(judged);

        await saveAssessment(db, second);
        const added = (await outbox(db)).slice(afterFirst.length);
        const gone = added.filter((r) => r.type === 'recommendation' && r.data.reason === 'gone');
        expect(gone.length).toBeGreaterThan(0);
        for (const r of gone) {
          expect(r.type === 'recommendation' && [r.data.previousState, r.data.state]).toEqual([
            'fail',
            'not_applicable',
          ]);
        }
        // The score moved (a template left), and only controls that moved by 0.01 are listed.
        const move = added.find((r) => r.type === 'secure_score');
        if (move?.type === 'secure_score') {
          for (const c of move.data.controls) {
            expect(Math.abs((c.current ?? -1) - (c.previous ?? -1))).toBeGreaterThanOrEqual(0.01);
          }
        }
        // The template returns: each finding that left as gone reopens from not applicable.
        await saveAssessment(db, third);
        const reopened = (await outbox(db))
          .slice(afterFirst.length + added.length)
          .filter((r) => r.type === 'recommendation' && r.data.previousState !== undefined);
        expect(reopened.length).toBe(gone.length);
        for (const r of reopened) {
          expect(r.type === 'recommendation' && [r.data.previousState, r.data.state]).toEqual([
            'not_applicable',
            'fail',
          ]);
        }
        // Saving the same change again adds nothing (the ids are the same).
        for (const r of [...afterFirst, ...added]) expect(validator.problems(r)).toEqual([]);
        const ids = new Set([...afterFirst, ...added].map((r) => r.id));
        expect(ids.size).toBe(afterFirst.length + added.length);
      });
    },
  );

  it.skipIf(target.skip)(
    'resolves the findings of a deleted resource with the tags, title and control it had',
    async () => {
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        await saveAssessment(db, withDatabase);
        const opened = new Map(
          (await outbox(db)).flatMap((r) =>
            r.type === 'recommendation' ? [[`${r.data.ruleId}|${r.data.resourceId}`, r]] : [],
          ),
        );
        await saveAssessment(db, withoutDatabase);
        const gone = (await outbox(db)).filter(
          (r) => r.type === 'recommendation' && r.data.reason === 'gone',
        );
        const master = gone.filter(
          (r) => r.type === 'recommendation' && r.data.resourceId.endsWith('#MainDB'),
        );
        expect(master.length).toBeGreaterThan(0);
        for (const r of gone) {
          if (r.type !== 'recommendation') continue;
          // What the failing record said about the resource, the resolution says too.
          const failed = opened.get(`${r.data.ruleId}|${r.data.resourceId}`);
          if (failed?.type !== 'recommendation') throw new Error('no failing record');
          expect(r.data.title).not.toBe(r.data.ruleId);
          expect(r.data).toMatchObject({
            title: failed.data.title,
            control: failed.data.control,
            cloud: failed.data.cloud,
          });
          expect(r.data.tags).toEqual(failed.data.tags);
          expect(r.accounts).toEqual(failed.accounts);
          expect(validator.problems(r)).toEqual([]);
        }

        // A tag-scoped export and an automation rule on the tag take the resolution.
        const rows = await exportStore(db)
          .selectFrom('export_outbox')
          .selectAll()
          .where(
            'record_id',
            'in',
            master.map((r) => r.id),
          )
          .execute();
        const filter = {
          scope: parseScope('tag:Name=Master Database'),
          types: ['recommendation' as const],
          minSeverity: null,
        };
        expect(rows.length).toBe(master.length);
        expect(rows.every((row) => exportTakes(filter, row))).toBe(true);
        const rule = {
          triggers: ['recommendation.changed' as const],
          conditions: { tags: { Name: 'Master Database' } },
        };
        expect(master.every((r) => ruleMatches(rule, r))).toBe(true);
      });
    },
  );

  it.skipIf(target.skip)(
    'writes alert records on create, detection update and status change, in the same transaction',
    async () => {
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        expect(detected.alerts.length).toBeGreaterThan(3);
        await saveAlerts(db, detected.alerts, detected.incidents);
        let records = await outbox(db);
        expect(records).toHaveLength(detected.alerts.length);
        expect(records.every((r) => r.type === 'alert' && r.data.change === 'created')).toBe(true);

        // The same detection saved again changes nothing, so nothing is written.
        await saveAlerts(db, detected.alerts, detected.incidents);
        expect(await outbox(db)).toHaveLength(records.length);

        // New events folded into one alert: one `updated` record.
        const grown = { ...detected.alerts[0], eventCount: detected.alerts[0].eventCount + 3 };
        await saveAlerts(db, [grown], []);
        const alertId = detected.alerts[1].id;
        await db
          .transaction()
          .execute((trx) =>
            changeAlertStatus(
              trx,
              alertId,
              { status: 'in_progress', comment: 'looking', actor: { kind: 'user', name: 'ana' } },
              new Date(),
            ),
          );
        // A change that rolls back leaves no record behind.
        await expect(
          db.transaction().execute(async (trx) => {
            await changeAlertStatus(
              trx,
              alertId,
              { status: 'resolved', actor: { kind: 'user' } },
              new Date(),
            );
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');

        records = await outbox(db);
        const tail = records.slice(detected.alerts.length);
        expect(tail.map((r) => r.type === 'alert' && r.data.change)).toEqual([
          'updated',
          'status_changed',
        ]);
        const status = tail[1];
        expect(status.type === 'alert' && status.data).toMatchObject({
          previousStatus: 'active',
          comment: 'looking',
          actor: 'ana',
          alert: { id: alertId, status: 'in_progress' },
        });
        for (const r of records) expect(validator.problems(r)).toEqual([]);
      });
    },
  );
});

describe('export record schemas', () => {
  it('name the field a bad record gets wrong', () => {
    const record = {
      id: 'compliance-00000000000000000000000000000000',
      schemaVersion: 1,
      kind: 'change',
      type: 'compliance',
      occurredAt: 'yesterday',
      accounts: [],
      data: {
        assessmentId: 'a',
        standard: 'cis',
        standardName: 'CIS',
        controlId: '1.1',
        controlName: 'x',
        state: 'green',
        passedResources: 1,
        failedResources: 0,
      },
    } as unknown as ExportRecord;
    const problems = validator.problems(record);
    expect(problems).toContain('/occurredAt must match format "date-time"');
    expect(problems.some((p) => p.startsWith('/data/state'))).toBe(true);
  });
});
