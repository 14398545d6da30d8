/**
 * Continuous assessment: re-assesses every source on its interval and on demand, one run at a
 * time (so the same source never overlaps itself), saving each run so the finding lifecycle
 * records what changed. `stop()` cancels what is queued and waits for the run in progress.
 */

import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CompiledRule } from '../posture/engine.js';
import { assessResources, type Assessment } from '../posture/assess.js';
import { loadExemptions, type Exemption } from '../posture/exemptions.js';
import { saveAssessment } from '../store/assessment-repository.js';
import { storedExemptions } from '../store/exemption-repository.js';
import type { Database } from '../store/schema.js';
import {
  allSources,
  findSource,
  recordSourceRun,
  type SourceRow,
} from '../store/source-repository.js';
import { OUTSIDE, readPaths } from '../sources/read-paths.js';
import type { PostureRules } from './posture-rules.js';
import type { Clock } from './server-deps.js';
import { sourceContainment } from './source-paths.js';
import { counted } from '../report/counted.js';

/** Why a run was asked for. */
export type RunReason = 'interval' | 'demand' | 'created' | 'exemption';

/** A finished run. */
export interface RunOutcome {
  sourceId: string;
  assessmentId: string;
  startedAt: string;
  /** Null when the run judged nothing (everything exempt), as `GET /score` says, never 100. */
  secureScore: number | null;
  resources: number;
  warnings: string[];
}

/** A run that will not happen: the scheduler stopped, or the source was deleted. */
export class RunCancelled extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunCancelled';
  }
}

export interface SchedulerDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  rules: () => Promise<PostureRules>;
  /** Exemptions file merged with the stored exemptions on every run. */
  exemptionsFile?: string;
  /**
   * Folders sources may read. Every run checks each path, folder and file it reaches against
   * them after links are resolved; empty or unset, paths are only checked to exist.
   */
  allowedRoots?: readonly string[];
  /** The server's own files, which no source may read (see `PostureSettings.ownFiles`). */
  ownFiles?: readonly string[];
}

interface Job {
  sourceId: string;
  reason: RunReason;
  promise: Promise<RunOutcome>;
  resolve(outcome: RunOutcome): void;
  reject(error: Error): void;
}

function emptyRunMessage(paths: string[], a: Assessment): string {
  const unreadable = a.files.filter((f) => f.error);
  const first = unreadable[0]?.error?.message;
  return (
    `no resources found in ${paths.join(', ')}` +
    (unreadable.length
      ? ` (${counted(unreadable.length, 'file')} could not be read; first: ${first})`
      : '')
  );
}

/** Files a run skipped because they resolve outside the allowed roots, as messages. */
function skippedMessages(a: Assessment): string[] {
  // A link to a module folder can be refused twice: by the walk and by the Terraform reader.
  const skipped = a.files.flatMap((f) =>
    f.error?.message.endsWith(OUTSIDE) ? [f.error.message] : [],
  );
  return [...new Set(skipped)];
}

/**
 * Files (or Terraform folders) a run could not read for another reason than lying outside the
 * allowed folders (a syntax error, a file too large), each as `CODE message`, the message naming
 * the file by its absolute path, as the source's paths are given (the readers name files
 * relative to the server's working folder).
 */
function unreadableMessages(a: Assessment): string[] {
  const unreadable = a.files.flatMap((f) => {
    if (!f.error || f.error.message.endsWith(OUTSIDE)) return [];
    const { code, message } = f.error;
    const file = resolve(f.file);
    const named = message.startsWith(f.file)
      ? file + message.slice(f.file.length)
      : `${file}: ${message}`;
    return [`${code} ${named}`];
  });
  return [...new Set(unreadable)];
}

/** Unreadable files named one by one in a source's error; the rest are counted. */
const NAMED_UNREADABLE = 3;

/**
 * What a successful run records as the source's error: the files it could not read and the paths
 * it had to skip, if any. The assessment is stored all the same; the findings of the files it
 * could not read are kept as they were (see finding-lifecycle.ts), so the error is what tells
 * that part of the source was not assessed.
 */
function runErrorSummary(unreadable: string[], skipped: string[]): string | null {
  const parts: string[] = [];
  if (unreadable.length > 0) {
    const more = unreadable.length - NAMED_UNREADABLE;
    parts.push(
      `${counted(unreadable.length, 'file')} could not be read, ` +
        `${unreadable.length === 1 ? 'its' : 'their'} findings kept as they were: ` +
        unreadable.slice(0, NAMED_UNREADABLE).join('; ') +
        (more > 0 ? `; and ${more} more` : ''),
    );
  }
  if (skipped.length > 0) {
    parts.push(
      `${skipped.length} path(s) skipped as outside the allowed folders; first: ${skipped[0]}`,
    );
  }
  return parts.length > 0 ? parts.join('. ') : null;
}

/** Longest delay a timer takes (about 24 days); longer intervals wake up and wait again. */
const MAX_DELAY = 2 ** 31 - 1;

export class AssessmentScheduler {
  private readonly queue: Job[] = [];
  private running: { job: Job; done: Promise<void> } | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Plans a timer for every stored source (a source never run is assessed at once). */
  async start(): Promise<void> {
    for (const source of await allSources(this.deps.db)) this.plan(source);
  }

  /** The source being assessed now, if any, and those waiting. */
  status(): { running: string | null; queued: string[] } {
    return {
      running: this.running?.job.sourceId ?? null,
      queued: this.queue.map((j) => j.sourceId),
    };
  }

  /**
   * Asks for a run of `sourceId`. A request for a source already waiting joins that run; one
   * for a source being assessed now queues a fresh run after it (its inputs may have changed).
   */
  request(sourceId: string, reason: RunReason): Promise<RunOutcome> {
    if (this.stopped) return Promise.reject(new RunCancelled('the server is shutting down'));
    const waiting = this.queue.find((j) => j.sourceId === sourceId);
    if (waiting) return waiting.promise;
    let resolve!: (o: RunOutcome) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<RunOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A caller that does not wait must not leave an unhandled rejection behind.
    promise.catch(() => undefined);
    this.queue.push({ sourceId, reason, promise, resolve, reject });
    this.pump();
    return promise;
  }

  /** (Re)plans the interval timer of `source`, counted from its last run. */
  plan(source: SourceRow): void {
    if (this.stopped) return;
    this.unplan(source.id);
    const interval = source.interval_minutes * 60_000;
    const last = source.last_run_at ? Date.parse(source.last_run_at) : undefined;
    const due = last === undefined ? 0 : last + interval - this.deps.clock.now().getTime();
    const delay = Math.min(Math.max(0, due), MAX_DELAY);
    const timer = setTimeout(() => {
      this.timers.delete(source.id);
      if (due > MAX_DELAY) return void this.replan(source.id);
      this.request(source.id, last === undefined ? 'created' : 'interval').catch((error: Error) => {
        if (!(error instanceof RunCancelled)) this.deps.logger.warn({ err: error }, 'run failed');
      });
    }, delay);
    timer.unref();
    this.timers.set(source.id, timer);
  }

  /** Forgets `sourceId`: no timer, and waiting runs are cancelled. */
  forget(sourceId: string): void {
    this.unplan(sourceId);
    for (const job of this.queue.filter((j) => j.sourceId === sourceId)) {
      this.queue.splice(this.queue.indexOf(job), 1);
      job.reject(new RunCancelled(`source ${sourceId} was deleted`));
    }
  }

  /** Stops timers, cancels waiting runs and resolves once the run in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.timers.keys()]) this.unplan(id);
    for (const job of this.queue.splice(0)) {
      job.reject(new RunCancelled('the server is shutting down'));
    }
    await this.running?.done;
  }

  private unplan(sourceId: string): void {
    const timer = this.timers.get(sourceId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sourceId);
  }

  private async replan(sourceId: string): Promise<void> {
    if (this.stopped) return;
    const source = await findSource(this.deps.db, sourceId).catch(() => undefined);
    if (source) this.plan(source);
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    const job = this.queue.shift();
    if (!job) return;
    const done = this.run(job)
      .then(job.resolve, job.reject)
      .then(() => this.replan(job.sourceId))
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
    this.running = { job, done };
  }

  private async exemptions(): Promise<Exemption[]> {
    const fromFile = this.deps.exemptionsFile ? await loadExemptions(this.deps.exemptionsFile) : [];
    return [...fromFile, ...(await storedExemptions(this.deps.db))];
  }

  /**
   * One assessment of `paths`, contained in the allowed roots: a path that is gone or now lies
   * outside fails the run; a folder or file reached through a link to outside is skipped and
   * listed among the assessment's files as an error.
   */
  private async assess(
    paths: string[],
    rules: PostureRules['rules'],
    compiled: CompiledRule[],
    now: Date,
  ): Promise<Assessment> {
    const allow = await sourceContainment(
      paths,
      this.deps.allowedRoots ?? [],
      this.deps.ownFiles ?? [],
    );
    const read = await readPaths(paths, { allow });
    const result = await assessResources({
      paths,
      rules,
      compiled,
      exemptions: await this.exemptions(),
      now,
      resources: read.resources,
      files: read.files,
    });
    return {
      ...result,
      startedAt: now.toISOString(),
      warnings: [...read.warnings, ...result.warnings],
    };
  }

  private async run(job: Job): Promise<RunOutcome> {
    const { db, clock, logger } = this.deps;
    const source = await findSource(db, job.sourceId);
    if (!source) throw new RunCancelled(`source ${job.sourceId} was deleted`);
    const now = clock.now();
    const log = logger.child({ source: source.name, reason: job.reason });
    try {
      const { rules, compiled } = await this.deps.rules();
      const paths = JSON.parse(source.paths) as string[];
      const assessment = await this.assess(paths, rules, compiled, now);
      // Like `palisade scan`, a run that found nothing is not stored: an unmounted folder
      // would otherwise resolve every finding and score 100.
      if (assessment.counts.resources === 0) throw new Error(emptyRunMessage(paths, assessment));
      await saveAssessment(db, assessment);
      const skipped = skippedMessages(assessment);
      const unreadable = unreadableMessages(assessment);
      await recordSourceRun(db, source.id, {
        at: now.toISOString(),
        assessmentId: assessment.id,
        error: runErrorSummary(unreadable, skipped),
      });
      log.info(
        {
          assessment: assessment.id,
          score: assessment.secureScore,
          skipped: skipped.length,
          unreadable: unreadable.length,
        },
        'source assessed',
      );
      return {
        sourceId: source.id,
        assessmentId: assessment.id,
        startedAt: assessment.startedAt,
        secureScore: assessment.controls.some((c) => c.healthy + c.unhealthy > 0)
          ? assessment.secureScore
          : null,
        resources: assessment.counts.resources,
        warnings: [...unreadable, ...skipped, ...assessment.warnings],
      };
    } catch (error) {
      const message = (error as Error).message;
      log.warn({ err: error }, 'source assessment failed');
      await recordSourceRun(db, source.id, {
        at: now.toISOString(),
        assessmentId: null,
        error: message,
      }).catch(() => undefined);
      throw error;
    }
  }
}
