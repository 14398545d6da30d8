/**
 * Alerts carry the assessed resources their entities name, with tags, on SQLite and PostgreSQL:
 * found by id, by name and by an ARN's last segment, newest assessment first, never from another
 * cloud account; tag-scoped exports and automation rules then take the alert and its later
 * status changes.
 */

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ruleMatches } from '../../src/automate/automation-rule.js';
import { alertFromRow } from '../../src/export/outbox/alert-records.js';
import { exportTakes } from '../../src/export/outbox/export-filter.js';
import { ExportRecordValidator } from '../../src/export/schemas/export-schemas.js';
import type { Alert, AlertEntity } from '../../src/model/alert.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { resourceKeys } from '../../src/store/alert-resources.js';
import { changeAlertStatus, saveAlerts, storedAlerts } from '../../src/store/alert-repository.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { recordOf } from '../../src/store/outbox-repository.js';
import { addOutboxConsumer } from './outbox-consumer.js';
import { STORE_TARGETS } from './store-targets.js';

const rules = await loadRules();
const validator = new ExportRecordValidator();

// The team's sample estate, assessed twice: between the runs the invoices bucket's owner changes.
const work = mkdtempSync(join(tmpdir(), 'palisade-alert-resources-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
cpSync('samples/estate', join(work, 'estate'), { recursive: true });
const older = await assess({ paths: [join(work, 'estate')], rules });
const variables = join(work, 'estate/terraform/variables.tf');
writeFileSync(
  variables,
  readFileSync(variables, 'utf8').replaceAll('payments-team', 'billing-team'),
);
const newer = await assess({ paths: [join(work, 'estate')], rules });

function alert(id: string, entities: AlertEntity[]): Alert {
  return {
    id,
    title: 'AWS S3 bucket policy changed',
    description: '',
    severity: 'high',
    status: 'active',
    attack: { tactics: [], techniques: [] },
    entities,
    firstSeen: '2026-12-01T10:00:00.000Z',
    lastSeen: '2026-12-01T10:00:00.000Z',
    eventCount: 1,
    evidence: [],
    remediation: [],
    rule: { kind: 'sigma', id: 'r-1', title: 'bucket policy changed' },
  };
}

describe('resource keys', () => {
  it('tries an ARN or a path by its last segment as well', () => {
    expect(
      resourceKeys('arn:aws:cloudtrail:eu-west-1:111122223333:trail/orders-prod-trail'),
    ).toEqual([
      'arn:aws:cloudtrail:eu-west-1:111122223333:trail/orders-prod-trail',
      'orders-prod-trail',
    ]);
    expect(resourceKeys('sg-0a1b2c3d')).toEqual(['sg-0a1b2c3d']);
    expect(resourceKeys('/bin/dd')).toEqual(['/bin/dd', 'dd']);
  });
});

describe.each(STORE_TARGETS)('alerts and the assessed estate on $name', (target) => {
  it.skipIf(target.skip)(
    'links alert entities to resources and routes the alert by their tags',
    async () => {
      await target.with(async ({ db }) => {
        await addOutboxConsumer(db);
        await saveAssessment(db, older);
        await saveAssessment(db, newer);
        const byName = alert('a-name', [
          { kind: 'cloud-resource', value: 'orders-prod-invoices' },
          { kind: 'account', value: 'deploy-bot' },
        ]);
        const byArn = alert('a-arn', [
          {
            kind: 'cloud-resource',
            value: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/orders-prod-trail',
          },
        ]);
        // The GCP bucket belongs to project 402733612841, not to this alert's account.
        const otherAccount = alert('a-other', [
          { kind: 'cloud-resource', value: 'palisade-demo-ml-datasets' },
          { kind: 'cloud-account', value: '999999999999' },
        ]);
        const sameAccount = alert('a-same', [
          { kind: 'cloud-resource', value: 'palisade-demo-ml-datasets' },
          { kind: 'cloud-account', value: '402733612841' },
        ]);
        const unknown = alert('a-none', [{ kind: 'cloud-resource', value: 'no-such-thing' }]);
        await saveAlerts(db, [byName, byArn, otherAccount, sameAccount, unknown], []);

        const stored = new Map(
          (await storedAlerts(db)).map((row) => [row.id, alertFromRow(row)] as const),
        );
        // The newest assessment's tags: the owner changed between the two runs.
        expect(stored.get('a-name')!.resources).toEqual([
          {
            id: 'arn:aws:s3:::orders-prod-invoices',
            type: 'AWS::S3::Bucket',
            name: 'orders-prod-invoices',
            tags: { owner: 'billing-team', service: 'orders', environment: 'prod' },
          },
        ]);
        expect(stored.get('a-arn')!.resources).toMatchObject([
          { type: 'AWS::CloudTrail::Trail', name: 'orders-prod-trail' },
        ]);
        expect(stored.get('a-other')!.resources).toBeUndefined();
        expect(stored.get('a-same')!.resources).toMatchObject([
          { account: '402733612841', tags: { team: 'ml' } },
        ]);
        expect(stored.get('a-none')!.resources).toBeUndefined();

        // The created records carry the resources and validate against the published schema;
        // a tag scope takes the alerts about billing-team resources (bucket and trail), only those.
        const rows = await exportStore(db)
          .selectFrom('export_outbox')
          .selectAll()
          .where('type', '=', 'alert')
          .execute();
        for (const row of rows) expect(validator.problems(recordOf(row))).toEqual([]);
        const scope = { kind: 'tag' as const, value: 'owner=billing-team' };
        const taken = rows
          .filter((row) => exportTakes({ scope, types: ['alert'], minSeverity: null }, row))
          .map((row) => recordOf(row));
        const takenIds = taken.map((r) => (r.type === 'alert' ? r.data.alert.id : ''));
        expect(takenIds.sort()).toEqual(['a-arn', 'a-name']);

        // A status change later still carries the resources: the scoped export takes it too.
        await db
          .transaction()
          .execute((trx) =>
            changeAlertStatus(
              trx,
              'a-name',
              { status: 'in_progress', actor: { kind: 'user', name: 'analyst' } },
              new Date('2026-12-02T09:00:00Z'),
            ),
          );
        const changes = await exportStore(db)
          .selectFrom('export_outbox')
          .selectAll()
          .where('type', '=', 'alert')
          .execute();
        const statusChange = changes
          .map((row) => ({ row, record: recordOf(row) }))
          .find(
            ({ record }) => record.type === 'alert' && record.data.change === 'status_changed',
          )!;
        expect(exportTakes({ scope, types: ['alert'], minSeverity: null }, statusChange.row)).toBe(
          true,
        );

        // Automation: a tag condition holds on one resource of the alert.
        const created = taken.find((r) => r.type === 'alert' && r.data.alert.id === 'a-name')!;
        const rule = (tags: Record<string, string>) =>
          ruleMatches({ triggers: ['alert.created'], conditions: { tags } }, created);
        expect(rule({ owner: 'billing-team', service: 'orders' })).toBe(true);
        expect(rule({ owner: 'payments-team' })).toBe(false);
      });
    },
  );
});
