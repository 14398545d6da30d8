/**
 * Compliance export names the estate each control state belongs to, and a first assessment of
 * a set of targets reports only what it judged: two estates from real CloudFormation templates
 * saved into one store (SQLite and PostgreSQL), the second sending nothing that reads as a
 * change of the first's controls.
 */

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRecord } from '../../src/export/formats/index.js';
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
import { targetSetKey } from '../../src/store/target-set.js';
import { addOutboxConsumer } from '../store/outbox-consumer.js';
import { STORE_TARGETS } from '../store/store-targets.js';

const TEMPLATES = join(
  import.meta.dirname,
  '../../../shared/data/iac/aws-cloudformation-templates',
);
const rules = await loadRules();
const validator = new ExportRecordValidator();

/** A folder holding copies of `files` (paths under the CloudFormation templates). */
function estate(...files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'palisade-estate-'));
  for (const file of files) cpSync(join(TEMPLATES, file), join(root, file.split('/')[1]));
  return root;
}

const buckets = estate('S3/S3_LambdaTrigger.yaml');
const servers = estate('EC2/EC2InstanceWithSecurityGroupSample.yaml');
afterAll(() => {
  rmSync(buckets, { recursive: true, force: true });
  rmSync(servers, { recursive: true, force: true });
});
const bucketsFirst = await assess({ paths: [buckets], rules });
const serversFirst = await assess({ paths: [servers], rules });
const serversAgain = await assess({ paths: [servers], rules });
cpSync(join(TEMPLATES, 'RDS/RDS_MySQL_With_Read_Replica.yaml'), join(servers, 'rds.yaml'));
const serversGrown = await assess({ paths: [servers], rules });

type ComplianceRecord = ExportRecord & { type: 'compliance'; data: ComplianceExportData };

async function complianceOutbox(db: Kysely<Database>): Promise<ComplianceRecord[]> {
  const rows = await exportStore(db)
    .selectFrom('export_outbox')
    .selectAll()
    .orderBy('seq')
    .execute();
  return rows.map(recordOf).filter((r): r is ComplianceRecord => r.type === 'compliance');
}

/** `standard/control` → state of every control `a` judged (passed or failed). */
function judged(a: AssessmentResult): Map<string, string> {
  return new Map(
    a.compliance.flatMap((s) =>
      s.controls
        .filter((c) => c.state === 'passed' || c.state === 'failed')
        .map((c): [string, string] => [`${s.id}/${c.id}`, c.state]),
    ),
  );
}

const key = (r: ComplianceRecord) => `${r.data.standard}/${r.data.controlId}`;

describe.each(STORE_TARGETS)('compliance records of two estates on $name', (target) => {
  it.skipIf(target.skip)(
    'name their estate, and a first assessment sends only the controls it judged',
    async () => {
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        await saveAssessment(db, bucketsFirst);
        const first = await complianceOutbox(db);
        await saveAssessment(db, serversFirst);
        const second = (await complianceOutbox(db)).slice(first.length);

        for (const [records, a, root] of [
          [first, bucketsFirst, buckets],
          [second, serversFirst, servers],
        ] as const) {
          expect(records.length).toBeGreaterThan(0);
          // Every control it judged, as judged, and nothing from the other estate.
          expect(new Map(records.map((r) => [key(r), r.data.state]))).toEqual(judged(a));
          for (const r of records) {
            expect(r.data.estate).toEqual({ targetSet: targetSetKey([root]), targets: [root] });
            expect(r.data.previousState).toBeUndefined();
            expect(r.schemaVersion).toBe(3);
            expect(validator.problems(r)).toEqual([]);
          }
        }

        // The same control in two estates is two findings for an OCSF receiver, and CEF and
        // LEEF name the estate.
        const shared = second.find((r) => first.some((f) => key(f) === key(r)));
        expect(shared).toBeDefined();
        const twin = first.find((f) => key(f) === key(shared!))!;
        const uid = (r: ComplianceRecord) =>
          (JSON.parse(formatRecord(r, 'ocsf')) as { finding_info: { uid: string } }).finding_info
            .uid;
        expect(uid(shared!)).not.toBe(uid(twin));
        expect(uid(shared!).startsWith(targetSetKey([servers]))).toBe(true);
        expect(formatRecord(shared!, 'cef')).toContain(
          `flexString1Label=targetSet flexString1=${targetSetKey([servers])} ` +
            `flexString2Label=targets flexString2=${servers}`,
        );
        expect(formatRecord(shared!, 'leef')).toContain(`targets=${servers}`);

        // Assessed again unchanged: nothing; grown by a database template: only real changes
        // of this estate, each from the state this estate had.
        await saveAssessment(db, serversAgain);
        expect(await complianceOutbox(db)).toHaveLength(first.length + second.length);
        await saveAssessment(db, serversGrown);
        const grown = (await complianceOutbox(db)).slice(first.length + second.length);
        expect(grown.length).toBeGreaterThan(0);
        const before = new Map<string, string>(
          serversFirst.compliance.flatMap((s) =>
            s.controls.map((c): [string, string] => [`${s.id}/${c.id}`, c.state]),
          ),
        );
        for (const r of grown) {
          expect(r.data.previousState).toBe(before.get(key(r)));
          expect(r.data.state).not.toBe(r.data.previousState);
          expect(r.data.estate?.targetSet).toBe(targetSetKey([servers]));
        }

        // A snapshot carries every control of each estate, not-assessed and manual ones too.
        await writeSnapshot(db, null, 'snap-estates', new Date('2026-12-06T00:00:00Z'));
        const snapshot = (await complianceOutbox(db)).filter((r) => r.kind === 'snapshot');
        const controls = bucketsFirst.compliance.reduce((n, s) => n + s.controls.length, 0);
        expect(snapshot).toHaveLength(2 * controls);
        for (const root of [buckets, servers]) {
          const own = snapshot.filter((r) => r.data.estate?.targetSet === targetSetKey([root]));
          expect(own).toHaveLength(controls);
          for (const r of own) {
            expect(r.data.estate?.targets).toEqual([root]);
            expect(validator.problems(r)).toEqual([]);
          }
        }
      });
    },
  );
});
