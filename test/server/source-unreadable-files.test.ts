// A source run that could not read some of its files is stored, but says so on the source: its
// lastError names the files and their errors (their findings stay open, see
// test/store/unread-file-lifecycle.test.ts). A run that reads nothing still fails as before.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssessmentScheduler } from '../../src/server/assessment-scheduler.js';
import { ruleCache } from '../../src/server/posture-rules.js';
import { openStore } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';
import { findSource, insertSource, sourceView } from '../../src/store/source-repository.js';

const rules = ruleCache();
const clock = { now: () => new Date() };
let db: Kysely<Database>;
let scheduler: AssessmentScheduler | undefined;
const dir = mkdtempSync(join(tmpdir(), 'palisade-unreadable-'));

beforeAll(async () => {
  await rules();
}, 30_000);
afterEach(async () => {
  await scheduler?.stop();
  await db?.destroy();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bucket = (name: string) => `resource "aws_s3_bucket" "${name}" {\n  bucket = "${name}"\n}\n`;
const TRUNCATED = (name: string) => `resource "aws_s3_bucket" "${name}" {\n`;

describe('a source with files it could not read', () => {
  it('stores the run and names the unreadable files on lastError until they read', async () => {
    db = await openStore(':memory:');
    writeFileSync(join(dir, 'a.tf'), bucket('a'));
    writeFileSync(join(dir, 'b.tf'), bucket('b'));
    const source = await insertSource(
      db,
      { name: 'tf', paths: [dir], intervalMinutes: 60, createdBy: 't' },
      new Date(),
    );
    scheduler = new AssessmentScheduler({ db, clock, logger: pino({ level: 'silent' }), rules });
    const view = async () => sourceView((await findSource(db, source.id))!);

    await scheduler.request(source.id, 'demand');
    expect((await view()).lastError).toBeNull();

    // b.tf truncated: the run is stored, and the source names b.tf and its parse error.
    writeFileSync(join(dir, 'b.tf'), TRUNCATED('b'));
    const partial = await scheduler.request(source.id, 'demand');
    const after = await view();
    expect(after.lastAssessmentId).toBe(partial.assessmentId);
    expect(after.lastError).toMatch(/^1 file could not be read, its findings kept as they were: /);
    expect(after.lastError).toContain(`PARSE_ERROR ${join(dir, 'b.tf')}:1: HCL syntax error`);
    expect(after.lastError).not.toContain('a.tf');
    expect(partial.warnings.some((w) => w.startsWith(`PARSE_ERROR ${join(dir, 'b.tf')}`))).toBe(
      true,
    );
    // ...and b's findings are still open, none resolved as gone.
    const states = await db.selectFrom('finding_states').selectAll().execute();
    expect(states.some((s) => s.resource_id === 'arn:aws:s3:::b')).toBe(true);
    expect(states.every((s) => s.status === 'open')).toBe(true);

    // Nothing reads: the run fails as before and the previous assessment stays the source's.
    writeFileSync(join(dir, 'a.tf'), TRUNCATED('a'));
    await expect(scheduler.request(source.id, 'demand')).rejects.toThrow(/no resources found/);
    const failed = await view();
    expect(failed.lastAssessmentId).toBe(partial.assessmentId);
    expect(failed.lastError).toMatch(/^no resources found in .*2 files could not be read/);

    // Both fixed: a clean run clears the error.
    writeFileSync(join(dir, 'a.tf'), bucket('a'));
    writeFileSync(join(dir, 'b.tf'), bucket('b'));
    const clean = await scheduler.request(source.id, 'demand');
    expect(await view()).toMatchObject({ lastAssessmentId: clean.assessmentId, lastError: null });
  }, 60_000);
});
