// A file of the scanned targets that cannot be read resolves nothing: its resources are missing
// from the assessment because they were not read, not because they left. Their open findings stay
// open (no `gone` event, no outbox record), while a resource really deleted from a file that was
// read is still `gone`, and the file once fixed is judged again as usual.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/posture/rule-loader.js';
import { exportStore } from '../../src/store/export-store.js';
import { findingChanges } from '../../src/store/finding-lifecycle.js';
import { recordOf } from '../../src/store/outbox-repository.js';
import type { Database } from '../../src/store/schema.js';
import { addOutboxConsumer } from './outbox-consumer.js';
import { failingOn, lifecycleScanners, statesOf, type Scan } from './lifecycle-scans.js';
import { STORE_TARGETS } from './store-targets.js';

const rules = await loadRules();

const bucket = (name: string, body = '') =>
  `resource "aws_s3_bucket" "${name}" {\n  bucket = "${name}"\n${body}}\n`;
const VERSIONED = '  versioning {\n    enabled = true\n  }\n';
const A = 'arn:aws:s3:::a';
const A2 = 'arn:aws:s3:::a2';
const B = 'arn:aws:s3:::b';

const root = mkdtempSync(join(tmpdir(), 'palisade-unread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (file: string, text: string) => writeFileSync(join(root, file), text);

const scanners = lifecycleScanners(root, rules);

/** The five scans of the story, made once per scanner (the files are shared, so in sequence). */
async function story(scan: Scan) {
  write('a.tf', bucket('a') + bucket('a2'));
  write('b.tf', bucket('b'));
  const clean = await scan();
  // b.tf truncated; a2 really deleted from a.tf, which still reads.
  write('a.tf', bucket('a'));
  write('b.tf', 'resource "aws_s3_bucket" "b" {\n');
  const broken = await scan();
  const brokenAgain = await scan();
  // b.tf fixed, and its bucket now keeps versions: that one finding passes.
  write('b.tf', bucket('b', VERSIONED));
  const fixed = await scan();
  // b.tf deleted, every file read: its bucket has really left.
  rmSync(join(root, 'b.tf'));
  const deleted = await scan();
  return { clean, broken, brokenAgain, fixed, deleted };
}

const stories = new Map<string, Awaited<ReturnType<typeof story>>>();
for (const s of scanners) stories.set(s.name, await story(s.scan));

const states = statesOf;

/** Recommendation records of the outbox about `resourceId`, as (state, rule). */
async function outboxAbout(db: Kysely<Database>, resourceId: string) {
  const rows = await exportStore(db)
    .selectFrom('export_outbox')
    .selectAll()
    .where('type', '=', 'recommendation')
    .orderBy('seq')
    .execute();
  return rows
    .map((row) => recordOf(row))
    .flatMap((r) =>
      r.type === 'recommendation' && r.data.resourceId === resourceId
        ? [{ assessmentId: r.data.assessmentId, state: r.data.state, ruleId: r.data.ruleId }]
        : [],
    );
}

describe('the story scans read what the test expects', () => {
  it.each(scanners)('$name: b.tf errors twice, then reads again', ({ name }) => {
    const { clean, broken, brokenAgain, fixed, deleted } = stories.get(name)!;
    expect(failingOn(clean, B).length).toBeGreaterThan(1);
    expect(failingOn(clean, A2)).toEqual(failingOn(clean, A));
    for (const a of [broken, brokenAgain]) {
      expect(a.files.filter((f) => f.error).map((f) => f.error!.code)).toEqual(['PARSE_ERROR']);
      expect(a.resources.map((r) => r.id)).toEqual([A]);
    }
    expect(failingOn(fixed, B)).toEqual(
      failingOn(clean, B).filter((r) => r !== 'aws-s3-bucket-versioning-enabled'),
    );
    expect(deleted.files.some((f) => f.error)).toBe(false);
    expect(deleted.resources.map((r) => r.id)).toEqual([A]);
  });
});

describe.each(STORE_TARGETS)('findings of a file that could not be read ($name)', (target) => {
  it.skipIf(target.skip).each(scanners)(
    '$name: stay open through errored scans, then are judged again',
    ({ name, save }) =>
      target.with(async ({ db }) => {
        const { clean, broken, brokenAgain, fixed, deleted } = stories.get(name)!;
        await addOutboxConsumer(db);
        await save(db, clean);
        const bRules = failingOn(clean, B);
        const before = await states(db, B);
        expect(before.map((s) => s.rule_id)).toEqual(bRules);

        // Truncated b.tf: b's findings keep their state as it was, no event, no record; a2,
        // deleted from a.tf that did read, is gone; a is untouched.
        await save(db, broken);
        const changes = await findingChanges(db, broken.id);
        expect(changes?.new).toEqual([]);
        expect(changes?.reopened).toEqual([]);
        expect(changes?.resolved.filter((c) => c.resourceId !== A2)).toEqual([]);
        expect(changes?.resolved.map((c) => [c.ruleId, c.reason]).sort()).toEqual(
          failingOn(clean, A2).map((r) => [r, 'gone']),
        );
        expect(await states(db, B)).toEqual(before);
        expect((await states(db, A)).every((s) => s.last_assessment_id === broken.id)).toBe(true);
        expect((await states(db, A)).every((s) => s.status === 'open')).toBe(true);

        // Still truncated: still held, still the clean scan's verdicts.
        await save(db, brokenAgain);
        expect((await findingChanges(db, brokenAgain.id))?.resolved).toEqual([]);
        expect(await states(db, B)).toEqual(before);
        expect(
          (await db.selectFrom('finding_events').selectAll().where('reason', '=', 'gone').execute())
            .map((e) => e.resource_id)
            .every((id) => id === A2),
        ).toBe(true);

        // Fixed: b is judged again; versioning now passes, the rest is still open, nothing new.
        await save(db, fixed);
        const judged = await findingChanges(db, fixed.id);
        expect(judged?.new).toEqual([]);
        expect(judged?.reopened).toEqual([]);
        expect(judged?.resolved.map((c) => [c.resourceId, c.ruleId, c.reason])).toEqual([
          [B, 'aws-s3-bucket-versioning-enabled', 'passed'],
        ]);
        const after = await states(db, B);
        expect(after.filter((s) => s.status === 'open').map((s) => s.rule_id)).toEqual(
          failingOn(fixed, B),
        );
        expect(
          after.filter((s) => s.status === 'open').every((s) => s.last_assessment_id === fixed.id),
        ).toBe(true);

        // b.tf deleted with every file read: b has left, its open findings are gone.
        await save(db, deleted);
        const gone = await findingChanges(db, deleted.id);
        expect(gone?.resolved.map((c) => [c.resourceId, c.ruleId, c.reason]).sort()).toEqual(
          failingOn(fixed, B).map((r) => [B, r, 'gone']),
        );

        // The outbox says b was resolved only when it was: versioning passed, then the rest gone.
        const resolvedB = (await outboxAbout(db, B)).filter((r) => r.state !== 'fail');
        expect(resolvedB.map((r) => r.assessmentId)).not.toContain(broken.id);
        expect(resolvedB.map((r) => r.assessmentId)).not.toContain(brokenAgain.id);
        expect(resolvedB.map((r) => [r.assessmentId, r.ruleId])).toEqual([
          [fixed.id, 'aws-s3-bucket-versioning-enabled'],
          ...failingOn(fixed, B).map((r) => [deleted.id, r]),
        ]);
      }),
  );
});
