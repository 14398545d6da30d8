/**
 * The exported secure score says what the API says: with every finding of a real CloudFormation
 * template exempt, `GET /score` answers `secureScore: null` (nothing judged, never 100), and the
 * `secure_score` record of that assessment carries `current: null` with a sentence saying nothing
 * is judged, valid against its schema and rendered as such in OCSF, CEF and LEEF.
 */

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRecord } from '../../src/export/formats/index.js';
import { ExportRecordValidator } from '../../src/export/schemas/export-schemas.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { exportStore } from '../../src/store/export-store.js';
import { recordOf } from '../../src/store/outbox-repository.js';
import { eventually } from '../web/console-harness.js';
import { apiCaller, startHarness, type Harness } from '../server/harness.js';
import { shared } from '../support/paths.js';
import { addOutboxConsumer } from '../store/outbox-consumer.js';

type ScoreRecord = Extract<ExportRecord, { type: 'secure_score' }>;

describe('secure score export when nothing is judged', () => {
  let h: Harness;
  let admin: string;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'palisade-score-null-'));
    cpSync(
      shared('iac/aws-cloudformation-templates/S3/S3_LambdaTrigger.yaml'),
      join(root, 'S3_LambdaTrigger.yaml'),
    );
    h = await startHarness({ config: (c) => (c.posture = { allowedRoots: [root] }) });
    await addOutboxConsumer(h.db);
    admin = await h.token('owner');
  });
  afterAll(async () => {
    await h.close();
    rmSync(root, { recursive: true, force: true });
  });

  const call = (method: string, url: string, payload?: object) =>
    apiCaller(h, () => admin)(method, url, payload);

  async function scoreRecords(): Promise<ScoreRecord[]> {
    const rows = await exportStore(h.db)
      .selectFrom('export_outbox')
      .selectAll()
      .where('type', '=', 'secure_score')
      .orderBy('seq')
      .execute();
    return rows.map(recordOf) as ScoreRecord[];
  }

  it('carries null, as GET /score does, and says nothing is judged', async () => {
    const source = await call('POST', '/sources', {
      name: 'template',
      paths: [root],
      intervalMinutes: 60,
    });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const judged = await eventually(async () => {
      const score = await call('GET', '/score');
      return typeof score.body.secureScore === 'number' ? score.body.secureScore : undefined;
    });
    expect(judged).toBeLessThan(100);

    // Every judged rule exempted, one at a time: after each, the last record says what the API
    // says, a number while anything is judged and null once nothing is.
    const judgedRules = await h.db
      .selectFrom('findings')
      .select('rule_id')
      .distinct()
      .where('status', 'in', ['pass', 'fail'])
      .execute();
    expect(judgedRules.length).toBeGreaterThan(1);
    for (const { rule_id } of judgedRules) {
      const exempt = await call('POST', '/exemptions', {
        rule: rule_id,
        resource: '*',
        justification: 'accepted risk for the whole test template',
        category: 'waiver',
        expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      });
      expect(exempt.status, JSON.stringify(exempt.body)).toBe(201);
      const api = (await call('GET', '/score')).body.secureScore;
      const last = (await scoreRecords()).at(-1)!.data.overall;
      expect(last.current).toBe(api);
    }
    expect((await call('GET', '/score')).body.secureScore).toBeNull();

    const records = await scoreRecords();
    const [first, previous, after] = [records[0], records.at(-2)!, records.at(-1)!].map(
      (r) => r.data.overall,
    );
    expect(first.current).toBe(judged);
    expect(after).toMatchObject({
      current: null,
      previous: previous.current,
      currentPoints: 0,
      maxPoints: 0,
    });
    expect(records.at(-1)!.data.controls.every((c) => c.current === null)).toBe(true);

    const record = records.at(-1)!;
    expect(new ExportRecordValidator().problems(record)).toEqual([]);
    const json = formatRecord(record, 'json');
    expect(json).not.toMatch(/"current":100/);
    const ocsf = JSON.parse(formatRecord(record, 'ocsf'));
    expect(ocsf.data.overall.current).toBeNull();
    const cef = formatRecord(record, 'cef');
    expect(cef).toMatch(/nothing is judged/);
    expect(cef).toMatch(/cs5=not_assessed/);
    expect(cef).not.toMatch(/100%/);
    const leef = formatRecord(record, 'leef');
    expect(leef).toMatch(/state=not_assessed/);
    expect(leef).not.toMatch(/\^score=/);
    expect(leef).toMatch(/nothing is judged/);
  });
});
