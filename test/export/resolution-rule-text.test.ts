/**
 * A resolution names its rule by the rules the assessment was judged with when nothing else
 * can: the store had no export when the finding opened (so no failing record was written to
 * the outbox), and the resolving assessment no longer recommends the rule (it fails nowhere).
 * Bundled rules and a user's `--rules` folder alike; whole and streamed scans; SQLite and
 * PostgreSQL.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportRecordValidator } from '../../src/export/schemas/export-schemas.js';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { assessStream } from '../../src/posture/assess-stream.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderJson } from '../../src/report/json-report.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import type { Database } from '../../src/store/schema.js';
import { saveStreamedAssessment } from '../../src/store/streamed-assessment.js';
import { addOutboxConsumer, outboxRecords as outbox } from '../store/outbox-consumer.js';
import { STORE_TARGETS } from '../store/store-targets.js';

const VERSIONING = 'aws-s3-bucket-versioning-enabled';
const USER_RULE = 'acme-s3-bucket-has-owner-tag';

const work = mkdtempSync(join(tmpdir(), 'palisade-resolution-text-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A user's rule, loaded as `--rules` would load it.
const ruleDir = join(work, 'rules');
mkdirSync(ruleDir);
writeFileSync(
  join(ruleDir, `${USER_RULE}.yaml`),
  `id: ${USER_RULE}
title: Acme buckets name their owner
severity: low
cloud: aws
control: AM-2
resource_types:
  - AWS::S3::Bucket
check: "'owner' in resource.tags"
remediation:
  text: Tag the bucket with owner=<team>.
references: []
`,
);
const rules = await loadRules([ruleDir]);
const byId = new Map(rules.map((r) => [r.id, r]));

// One bucket, first without versioning or owner tag, then fixed: both rules then pass.
const scanned = join(work, 'scan');
mkdirSync(scanned);
const template = join(scanned, 'bucket.yaml');
function writeBucket(fixed: boolean): void {
  writeFileSync(
    template,
    `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-logs
${
  fixed
    ? `      VersioningConfiguration:
        Status: Enabled
      Tags:
        - Key: owner
          Value: platform
`
    : ''
}`,
  );
}

const validator = new ExportRecordValidator();

const scans = {
  whole: {
    scan: () => assess({ paths: [scanned], rules }),
    save: saveAssessment,
  },
  streamed: {
    scan: () => assessStream({ paths: [scanned], rules }),
    save: (db: Kysely<Database>, a: AssessmentResult) => saveStreamedAssessment(db, a),
  },
};

writeBucket(false);
const before = {
  whole: await scans.whole.scan(),
  streamed: await scans.streamed.scan(),
};
writeBucket(true);
const after = {
  whole: await scans.whole.scan(),
  streamed: await scans.streamed.scan(),
};

describe.each(STORE_TARGETS)('resolution rule texts on $name', (target) => {
  it.skipIf(target.skip).each(['whole', 'streamed'] as const)(
    'a %s scan resolves a finding opened before the export existed with its rule title and remediation',
    async (kind) => {
      await target.with(async ({ db }) => {
        // No consumer yet: the failing findings open, and no record reports them.
        await scans[kind].save(db, before[kind]);
        expect(await outbox(db)).toEqual([]);
        await addOutboxConsumer(db);
        await scans[kind].save(db, after[kind]);

        const resolutions = (await outbox(db)).filter(
          (r) => r.type === 'recommendation' && r.data.previousState === 'fail',
        );
        const ids = resolutions.map((r) => r.type === 'recommendation' && r.data.ruleId);
        expect(ids).toEqual(expect.arrayContaining([VERSIONING, USER_RULE]));
        for (const r of resolutions) {
          if (r.type !== 'recommendation') continue;
          const rule = byId.get(r.data.ruleId)!;
          expect(r.data).toMatchObject({
            state: 'pass',
            reason: 'passed',
            title: rule.title,
            remediation: rule.remediation.text,
            control: rule.control,
            cloud: 'aws',
          });
          expect(validator.problems(r)).toEqual([]);
        }
        const versioning = resolutions.find(
          (r) => r.type === 'recommendation' && r.data.ruleId === VERSIONING,
        );
        expect(versioning?.type === 'recommendation' && versioning.data).toMatchObject({
          title: 'S3 buckets keep object versions',
          remediation: 'Enable versioning on the bucket.',
        });
      });
    },
  );
});

describe('rule texts of an assessment', () => {
  it('the scans fail and then pass both rules', () => {
    for (const kind of ['whole', 'streamed'] as const) {
      const failing = before[kind].recommendations.map((r) => r.ruleId);
      expect(failing).toEqual(expect.arrayContaining([VERSIONING, USER_RULE]));
      const still = after[kind].recommendations.map((r) => r.ruleId);
      expect(still).not.toContain(VERSIONING);
      expect(still).not.toContain(USER_RULE);
    }
  });

  it('are left out of the JSON report', () => {
    expect(after.whole.ruleTexts?.get(USER_RULE)).toEqual({
      title: 'Acme buckets name their owner',
      remediation: 'Tag the bucket with owner=<team>.',
    });
    expect(JSON.parse(renderJson(after.whole))).not.toHaveProperty('ruleTexts');
  });
});
