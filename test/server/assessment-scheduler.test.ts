import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssessmentScheduler, RunCancelled } from '../../src/server/assessment-scheduler.js';
import { ruleCache } from '../../src/server/posture-rules.js';
import { validateSourcePaths } from '../../src/server/source-paths.js';
import { openStore } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';
import { findSource, insertSource } from '../../src/store/source-repository.js';

const ESTATE = resolve('samples/estate');
const K8S = resolve('samples/estate/kubernetes');
const rules = ruleCache();
const clock = { now: () => new Date() };
let db: Kysely<Database>;
let scheduler: AssessmentScheduler | undefined;

beforeAll(async () => {
  await rules();
}, 30_000);
afterEach(async () => {
  await scheduler?.stop();
  await db?.destroy();
});

function makeScheduler() {
  return new AssessmentScheduler({ db, clock, logger: pino({ level: 'silent' }), rules });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runsOf(targets: string) {
  return db
    .selectFrom('assessments')
    .select(['id', 'started_at', 'finished_at'])
    .where('targets', '=', targets)
    .orderBy('finished_at')
    .execute();
}

describe('assessment scheduler', () => {
  it('assesses a source once its interval has passed, then waits an interval', async () => {
    db = await openStore(':memory:');
    // Last run one interval (1 minute) ago minus 300 ms: the next one is due in 300 ms.
    const source = await insertSource(
      db,
      { name: 'k8s', paths: [K8S], intervalMinutes: 1, createdBy: 'test' },
      new Date(),
    );
    await db
      .updateTable('sources' as never)
      .set({ last_run_at: new Date(Date.now() - 60_000 + 300).toISOString() } as never)
      .execute();
    scheduler = makeScheduler();
    const started = Date.now();
    await scheduler.start();
    const after = await waitFor(async () => {
      const s = await findSource(db, source.id);
      return s?.last_assessment_id ? s : undefined;
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(after.last_error).toBeNull();
    expect(await runsOf(JSON.stringify([K8S]))).toHaveLength(1);
    // The next run is planned a whole interval later: nothing more within a second.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await runsOf(JSON.stringify([K8S]))).toHaveLength(1);
  });

  it('runs one at a time: a request for a waiting source joins it', async () => {
    db = await openStore(':memory:');
    const a = await insertSource(
      db,
      { name: 'a', paths: [ESTATE], intervalMinutes: 60, createdBy: 't' },
      new Date(),
    );
    const b = await insertSource(
      db,
      { name: 'b', paths: [K8S], intervalMinutes: 60, createdBy: 't' },
      new Date(),
    );
    scheduler = makeScheduler();
    const first = scheduler.request(a.id, 'demand');
    const second = scheduler.request(a.id, 'demand'); // a is running: a fresh run queues
    const third = scheduler.request(a.id, 'demand'); // joins the queued one
    const other = scheduler.request(b.id, 'demand');
    expect(third).toBe(second);
    expect(scheduler.status()).toEqual({ running: a.id, queued: [a.id, b.id] });
    const outcomes = await Promise.all([first, second, other]);
    expect(new Set(outcomes.map((o) => o.assessmentId)).size).toBe(3);
    const runs = await db
      .selectFrom('assessments')
      .select(['started_at', 'finished_at'])
      .orderBy('started_at')
      .execute();
    expect(runs).toHaveLength(3);
    for (let i = 1; i < runs.length; i += 1) {
      expect(runs[i].started_at >= runs[i - 1].finished_at).toBe(true);
    }
    // The second run of the same targets saw the first: the lifecycle kept first-seen times.
    const states = await db.selectFrom('finding_states').selectAll().execute();
    expect(states.length).toBeGreaterThan(0);
    expect(states.some((s) => s.first_assessment_id !== s.last_assessment_id)).toBe(true);
  }, 30_000);

  it('stops cleanly: finishes the run in progress, cancels the queue', async () => {
    db = await openStore(':memory:');
    const a = await insertSource(
      db,
      { name: 'a', paths: [ESTATE], intervalMinutes: 60, createdBy: 't' },
      new Date(),
    );
    const b = await insertSource(
      db,
      { name: 'b', paths: [K8S], intervalMinutes: 60, createdBy: 't' },
      new Date(),
    );
    scheduler = makeScheduler();
    const running = scheduler.request(a.id, 'demand');
    const queued = scheduler.request(b.id, 'demand');
    await scheduler.stop();
    await expect(running).resolves.toMatchObject({ sourceId: a.id });
    await expect(queued).rejects.toBeInstanceOf(RunCancelled);
    await expect(scheduler.request(a.id, 'demand')).rejects.toBeInstanceOf(RunCancelled);
    expect((await findSource(db, a.id))?.last_assessment_id).toBe((await running).assessmentId);
    expect((await findSource(db, b.id))?.last_assessment_id).toBeNull();
  }, 30_000);

  it('records a failed run on the source and keeps going', async () => {
    db = await openStore(':memory:');
    const dir = mkdtempSync(join(tmpdir(), 'palisade-sched-'));
    const gone = await insertSource(
      db,
      { name: 'gone', paths: [join(dir, 'removed')], intervalMinutes: 60, createdBy: 't' },
      new Date(),
    );
    rmSync(dir, { recursive: true, force: true });
    scheduler = makeScheduler();
    await expect(scheduler.request(gone.id, 'demand')).rejects.toThrow();
    const row = await findSource(db, gone.id);
    expect(row?.last_error).toBeTruthy();
    expect(row?.last_run_at).not.toBeNull();
    // Nothing was stored: a vanished folder must not resolve every finding with a score of 100.
    expect(await db.selectFrom('assessments').select('id').execute()).toHaveLength(0);

    const empty = mkdtempSync(join(tmpdir(), 'palisade-empty-'));
    const none = await insertSource(
      db,
      { name: 'none', paths: [empty], intervalMinutes: 60, createdBy: 't' },
      new Date(),
    );
    await expect(scheduler.request(none.id, 'demand')).rejects.toThrow(/no resources found/);
    rmSync(empty, { recursive: true, force: true });
    expect(await db.selectFrom('assessments').select('id').execute()).toHaveLength(0);
  });
});

describe('source paths', () => {
  const root = mkdtempSync(join(tmpdir(), 'palisade-roots-'));
  const outside = mkdtempSync(join(tmpdir(), 'palisade-outside-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('accepts paths inside an allowed root and refuses traversal and links out of it', async () => {
    symlinkSync(outside, join(root, 'escape'));
    await expect(validateSourcePaths([root], [root])).resolves.toHaveLength(1);
    for (const path of [
      outside,
      join(root, '..'),
      join(root, 'escape'),
      join(root, 'x', '..', '..'),
    ]) {
      await expect(validateSourcePaths([path], [root]), path).rejects.toMatchObject({
        statusCode: 400,
        code: 'BAD_PATH',
      });
    }
    // Without allowed roots any existing path is accepted.
    await expect(validateSourcePaths([outside], [])).resolves.toEqual([outside]);
  });
});
