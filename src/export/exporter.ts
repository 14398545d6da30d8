/**
 * The exporter: drives every export and automation rule through the outbox. For each consumer it
 * takes a lease, reads the outbox a page at a time after its cursor, sends the records it takes
 * to the sink, and moves the cursor only once the sink accepted them, so delivery state survives
 * a kill at any moment (at-least-once; a record sent twice carries the same idempotency key).
 * A failed batch is retried with exponential backoff and jitter, never before the receiver's
 * Retry-After (up to a cap), and after `maxAttempts` its records go to the dead-letter list,
 * from which they can be replayed. Consumers are driven each on its own, so a receiver that
 * hangs until the send timeout holds up its own export only.
 * Before each send the lease is extended over that send, so a drive of many slow pages keeps its
 * consumer, and an exporter that finds its lease taken over stops driving that consumer.
 */

import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { SinkError, type ExportRecord, type Sink } from '../model/export-record.js';
import type { ServerKey } from '../server/auth/server-key.js';
import {
  automationActions,
  automationConsumer,
  succeededActions,
  type AutomationRun,
  insertAutomationRun,
  listAutomationRows,
  type AutomationRow,
} from '../store/automation-repository.js';
import {
  addDeadLetters,
  advanceCursor,
  claimLease,
  deliveryState,
  ensureDelivery,
  extendLease,
  pendingReplays,
  recordFailure,
  recordReplay,
  releaseLease,
  settleReplays,
} from '../store/delivery-repository.js';
import {
  exportConsumer,
  exportSinkConfig,
  exportView,
  listExportRows,
  markSnapshot,
  type ExportRow,
} from '../store/export-repository.js';
import {
  OUTBOX_RETENTION,
  outboxPage,
  outboxRows,
  pruneOutbox,
  recordOf,
  type OutboxRetention,
  type OutboxRow,
} from '../store/outbox-repository.js';
import type { Database } from '../store/schema.js';
import { ruleMatches, triggerOf } from '../automate/automation-rule.js';
import { DEFAULT_BACKOFF, nextAttemptDelay, type Backoff } from './outbox/backoff.js';
import { exportTakes, scopedRecord } from './outbox/export-filter.js';
import { SEND_TIMEOUT_SECONDS } from './send-timeout.js';
import { writeSnapshot } from './outbox/snapshot.js';
import { createSink, type SinkDeps } from './sinks/index.js';

/** Attempts of an automation action before the record goes to the rule's dead-letter list. */
const AUTOMATION_MAX_ATTEMPTS = 5;

/** What builds the exporter. */
export interface ExporterOptions {
  db: Kysely<Database>;
  /** The server key, to open sink secrets. */
  key: ServerKey;
  logger?: Logger;
  /**
   * Lease owner name. A process restarted under the same name takes its leases back at once;
   * another name waits until they expire. Default `<host>:<pid>`.
   */
  owner?: string;
  /**
   * How long a lease holds without renewal (default 30 s). Each send extends it to the send
   * timeout plus this, so another exporter takes over a consumer that long after its holder died.
   */
  leaseMs?: number;
  /** Pause between passes when there was nothing to do. */
  pollMs?: number;
  backoff?: Backoff;
  /** Network policy and the like for the sinks (loopback and private ranges are refused). */
  sinkDeps?: SinkDeps;
  /** Longest a sink may take to accept a batch (default 60 s; see `SEND_TIMEOUT_SECONDS`). */
  sendTimeoutMs?: number;
  /** Pages one consumer may deliver per pass before the others get their turn. */
  pagesPerPass?: number;
  /** What the outbox keeps; pruned at most hourly. */
  retention?: OutboxRetention;
  now?: () => Date;
}

const PRUNE_EVERY_MS = 3_600_000;

/** What one pass did. */
export interface ExporterPass {
  delivered: number;
  deadLettered: number;
  failures: number;
  replayed: number;
  /** Consumers that still had records when the pass moved on. */
  busy: number;
  /** Consumers skipped because another exporter (`serve`, another `export run`) holds them. */
  leasedElsewhere: number;
}

/** One reader of the outbox: an export or an automation rule. */
interface Consumer {
  name: string;
  /** Export id whose snapshot rows this consumer reads too. */
  target?: string;
  batchSize: number;
  maxAttempts: number;
  takes(row: OutboxRow): boolean;
  deliver(records: ExportRecord[], rows: OutboxRow[], signal: AbortSignal): Promise<void>;
}

/** A pass that did nothing yet. */
function emptyPass(): ExporterPass {
  return { delivered: 0, deadLettered: 0, failures: 0, replayed: 0, busy: 0, leasedElsewhere: 0 };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** How long the receiver asked to be left alone (Retry-After), if it did. */
function retryAfterOf(error: unknown): number | undefined {
  return error instanceof SinkError ? error.retryAfterMs : undefined;
}

/** A failure that no retry can fix (a sink said so). */
function isPermanent(error: unknown): boolean {
  return error instanceof SinkError && !error.retryable;
}

/**
 * Runs the delivery loop.
 *
 * ```ts
 * const exporter = new Exporter({ db, key, logger });
 * exporter.start();           // in `palisade serve`, or `palisade export run`
 * await exporter.stop();
 * ```
 */
export class Exporter {
  readonly #o: Required<Omit<ExporterOptions, 'logger' | 'sinkDeps'>> &
    Pick<ExporterOptions, 'logger' | 'sinkDeps'>;
  readonly #sinks = new Map<string, { version: string; sink: Sink }>();
  readonly #held = new Set<string>();
  #loop: Promise<void> | undefined;
  #stopping = false;
  /** Aborts sends in flight on stop: an unreachable sink must not hold a shutdown. */
  readonly #abort = new AbortController();
  #wake: (() => void) | undefined;
  /** Set when a consumer finished with records left, so the loop goes on without its pause. */
  #woken = false;
  /** The drive in flight of each consumer: never two at once for one consumer. */
  readonly #running = new Map<string, Promise<void>>();
  #prunedAt = Number.NEGATIVE_INFINITY;

  constructor(options: ExporterOptions) {
    this.#o = {
      owner: `${hostname()}:${process.pid}`,
      leaseMs: 30_000,
      pollMs: 1_000,
      backoff: DEFAULT_BACKOFF,
      sendTimeoutMs: SEND_TIMEOUT_SECONDS.default * 1000,
      pagesPerPass: 20,
      retention: OUTBOX_RETENTION,
      now: () => new Date(),
      ...options,
    };
  }

  /** The signal a send gets: the send timeout, or the exporter stopping. */
  #signal(): AbortSignal {
    return AbortSignal.any([AbortSignal.timeout(this.#o.sendTimeoutMs), this.#abort.signal]);
  }

  /**
   * Hands records to the consumer, cut at the send timeout even when its sink does not heed the
   * signal (an SMTP server that never greets waits out the sink's own, longer timeouts).
   */
  async #send(consumer: Consumer, records: ExportRecord[], rows: OutboxRow[]): Promise<void> {
    const signal = this.#signal();
    let onAbort: () => void = () => undefined;
    const cut = new Promise<never>((_, reject) => {
      onAbort = () => {
        const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
        const ms = this.#o.sendTimeoutMs;
        const why = new SinkError('timeout', `the sink took more than ${ms} ms to send`, true);
        reject(timedOut ? why : signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([consumer.deliver(records, rows, signal), cut]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Starts the loop in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the loop after the batch in flight, closes the sinks and gives the leases up. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeUp();
    this.#abort.abort(new Error('exporter stopping'));
    await this.#loop;
    for (const { sink } of this.#sinks.values()) await sink.close().catch(() => undefined);
    this.#sinks.clear();
    for (const consumer of this.#held) {
      await releaseLease(this.#o.db, consumer, this.#o.owner).catch(() => undefined);
    }
    this.#held.clear();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#startIdle();
      } catch (error) {
        this.#o.logger?.error({ err: messageOf(error) }, 'export pass failed');
      }
      await this.#pause();
    }
    await Promise.allSettled(this.#running.values());
  }

  /** Waits `pollMs`, or less when woken (a consumer has more, or the exporter stops). */
  async #pause(): Promise<void> {
    if (!this.#woken && !this.#stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#o.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#wake = undefined;
    this.#woken = false;
  }

  #wakeUp(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Starts a drive of each consumer that has none in flight, without waiting for any of them. */
  async #startIdle(): Promise<void> {
    const consumers = await this.#consumers();
    for (const { consumer, exportRow } of consumers) {
      if (this.#running.has(consumer.name)) continue;
      const pass = emptyPass();
      this.#driveAlone(consumer, pass, exportRow).then(
        () => {
          if (pass.busy > 0) this.#wakeUp();
        },
        (error: unknown) => {
          const err = messageOf(error);
          this.#o.logger?.error({ consumer: consumer.name, err }, 'export pass failed');
        },
      );
    }
    await this.#closeRemoved(new Set(consumers.map((c) => c.consumer.name)));
    await this.#pruneIfDue();
  }

  /**
   * One pass over every enabled export and automation rule, each driven alongside the others;
   * resolves once all are done (rejects with the first failure, after all are done).
   */
  async runOnce(): Promise<ExporterPass> {
    const pass = emptyPass();
    const consumers = await this.#consumers();
    const outcomes = await Promise.allSettled(
      consumers.map(({ consumer, exportRow }) => this.#driveAlone(consumer, pass, exportRow)),
    );
    await this.#closeRemoved(new Set(consumers.map((c) => c.consumer.name)));
    await this.#pruneIfDue();
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return pass;
  }

  /** Every enabled export and automation rule as an outbox consumer. */
  async #consumers(): Promise<{ consumer: Consumer; exportRow?: ExportRow }[]> {
    const exports = (await listExportRows(this.#o.db)).filter((e) => e.enabled === 1);
    const rules = (await listAutomationRows(this.#o.db)).filter((r) => r.enabled === 1);
    return [
      ...exports.map((row) => ({ consumer: this.#exportConsumer(row), exportRow: row })),
      ...rules.map((row) => ({ consumer: this.#automationConsumer(row) })),
    ];
  }

  /**
   * Extends the lease on `consumer` over the send about to start and the cursor move after it.
   * False, and the consumer is let go, when another exporter has taken it over meanwhile: its
   * records are that exporter's to send now.
   */
  async #keepLease(consumer: Consumer): Promise<boolean> {
    const { db, owner, leaseMs, sendTimeoutMs } = this.#o;
    const until = new Date(this.#o.now().getTime() + sendTimeoutMs + leaseMs);
    if (await extendLease(db, consumer.name, owner, until)) return true;
    this.#letGo(consumer);
    return false;
  }

  /** Forgets a consumer whose lease another exporter holds now (nothing to give up on stop). */
  #letGo(consumer: Consumer): void {
    this.#held.delete(consumer.name);
    this.#o.logger?.warn(
      { consumer: consumer.name },
      'export lease taken over by another exporter',
    );
  }

  /** Drives `consumer`, or waits for its drive in flight: one consumer is never driven twice. */
  #driveAlone(consumer: Consumer, pass: ExporterPass, exportRow?: ExportRow): Promise<void> {
    const running = this.#running.get(consumer.name);
    if (running) return running;
    const drive = this.#drive(consumer, pass, exportRow).finally(() => {
      this.#running.delete(consumer.name);
    });
    this.#running.set(consumer.name, drive);
    return drive;
  }

  /** Deletes delivered records and old dead letters, hourly (from the first pass on). */
  async #pruneIfDue(): Promise<void> {
    const now = this.#o.now();
    if (now.getTime() - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now.getTime();
    const pruned = await pruneOutbox(this.#o.db, now, this.#o.retention);
    if (pruned.records > 0 || pruned.deadLetters > 0) {
      this.#o.logger?.info(pruned, 'export outbox pruned');
    }
  }

  async #closeRemoved(live: Set<string>): Promise<void> {
    for (const [name, entry] of this.#sinks) {
      const consumer = name.split('#')[0];
      if (live.has(consumer)) continue;
      this.#sinks.delete(name);
      await entry.sink.close().catch(() => undefined);
    }
  }

  /** The cached sink for `name`, rebuilt when its configuration changed. */
  #sink(name: string, version: string, config: () => Record<string, unknown>): Sink {
    const cached = this.#sinks.get(name);
    if (cached && cached.version === version) return cached.sink;
    if (cached) void cached.sink.close().catch(() => undefined);
    const sink = createSink(config(), this.#o.sinkDeps ?? {});
    this.#sinks.set(name, { version, sink });
    return sink;
  }

  /** Drops a sink after a failure, so the next attempt starts with a fresh connection. */
  async #dropSink(prefix: string): Promise<void> {
    for (const [name, entry] of this.#sinks) {
      if (name !== prefix && !name.startsWith(`${prefix}#`)) continue;
      this.#sinks.delete(name);
      await entry.sink.close().catch(() => undefined);
    }
  }

  #exportConsumer(row: ExportRow): Consumer {
    const name = exportConsumer(row.id);
    const filter = exportView(row);
    return {
      name,
      target: row.id,
      batchSize: row.batch_size,
      maxAttempts: row.max_attempts,
      takes: (r) => exportTakes(filter, r),
      deliver: async (records, _rows, signal) => {
        const sink = this.#sink(name, row.updated_at, () => exportSinkConfig(row, this.#o.key));
        await sink.send(
          records.map((r) => scopedRecord(filter.scope, r)),
          signal,
        );
      },
    };
  }

  #automationConsumer(row: AutomationRow): Consumer {
    const name = automationConsumer(row.id);
    const rule = {
      triggers: JSON.parse(row.triggers) as Parameters<typeof ruleMatches>[0]['triggers'],
      conditions: JSON.parse(row.conditions) as Parameters<typeof ruleMatches>[0]['conditions'],
    };
    const types = new Set(rule.triggers.map((t) => t.split('.')[0]));
    return {
      name,
      batchSize: 1,
      maxAttempts: AUTOMATION_MAX_ATTEMPTS,
      takes: (r) => r.kind === 'change' && types.has(r.type) && ruleMatches(rule, recordOf(r)),
      deliver: async (records, rows, signal) => {
        const actions = automationActions(row, this.#o.key);
        for (const [i, record] of records.entries()) {
          const startedAt = this.#o.now().toISOString();
          const results: AutomationRun['actions'] = [];
          let failure: unknown;
          // A retry (or a replayed dead letter) sends only what did not go through before: a
          // ticket or message already made is not made twice.
          const done = await succeededActions(this.#o.db, row.id, record.id, row.updated_at);
          for (const [n, action] of actions.entries()) {
            if (done.has(n)) {
              results.push({ kind: action.sink.kind, ok: true, earlier: true });
              continue;
            }
            try {
              const sink = this.#sink(`${name}#${n}`, row.updated_at, () => action.sink);
              await sink.send([record], signal);
              results.push({ kind: action.sink.kind, ok: true });
            } catch (error) {
              failure ??= error;
              results.push({ kind: action.sink.kind, ok: false, error: messageOf(error) });
            }
          }
          await insertAutomationRun(this.#o.db, {
            ruleId: row.id,
            recordId: record.id,
            outboxSeq: rows[i].seq,
            trigger: triggerOf(record) ?? record.type,
            startedAt,
            finishedAt: this.#o.now().toISOString(),
            outcome: failure ? 'failure' : 'success',
            actions: results,
          });
          if (failure) throw failure;
        }
      },
    };
  }

  /** Delivers what `consumer` has waiting, as far as the pass allows. */
  async #drive(consumer: Consumer, pass: ExporterPass, exportRow?: ExportRow): Promise<void> {
    const { db, owner, leaseMs } = this.#o;
    const now = this.#o.now();
    await ensureDelivery(db, consumer.name, now);
    if (!(await claimLease(db, consumer.name, owner, now, leaseMs))) {
      pass.leasedElsewhere += 1;
      return;
    }
    this.#held.add(consumer.name);
    const state = await deliveryState(db, consumer.name);
    if (!state) return;
    if (state.next_attempt_at && state.next_attempt_at > now.toISOString()) return;

    if (!(await this.#replay(consumer, pass))) return;
    if (exportRow) await this.#snapshotIfDue(exportRow, now);

    let cursor = Number(state.cursor_seq);
    let attempts = state.attempts;
    let batchEnd = state.batch_end_seq === null ? undefined : Number(state.batch_end_seq);
    for (let page = 0; page < this.#o.pagesPerPass; page += 1) {
      if (this.#stopping) return;
      const next = await outboxPage(db, cursor, consumer.batchSize, consumer.target);
      // A failing batch is retried as it was: a record appended since gets attempts of its own.
      const held = next.filter((r) => batchEnd === undefined || Number(r.seq) <= batchEnd);
      if (held.length === 0) {
        attempts = 0;
        batchEnd = undefined;
      }
      const rows = held.length > 0 ? held : next;
      if (rows.length === 0) return;
      if (!(await this.#keepLease(consumer))) return;
      const last = Number(rows[rows.length - 1].seq);
      let taken: OutboxRow[];
      try {
        taken = rows.filter((r) => consumer.takes(r));
      } catch (error) {
        // A consumer that cannot judge a record (an automation rule stored with a glob that
        // cannot be matched) fails alone: its records go to its dead letters with the reason at
        // once, since a retry would judge them the same, and the other consumers keep running.
        await this.#failed(consumer, rows, consumer.maxAttempts, last, error, pass);
        return;
      }
      if (taken.length > 0) {
        const records = taken.map(recordOf);
        try {
          await this.#send(consumer, records, taken);
        } catch (error) {
          // A send cut short by stop is no failure of the sink: the batch stays after the cursor.
          if (this.#stopping) return;
          await this.#failed(consumer, taken, attempts + 1, last, error, pass);
          return;
        }
      }
      if (!(await advanceCursor(db, consumer.name, owner, last, taken.length, this.#o.now()))) {
        // Another exporter took the lease over; it resumes from the stored cursor.
        this.#letGo(consumer);
        return;
      }
      pass.delivered += taken.length;
      cursor = last;
      if (batchEnd === undefined || batchEnd <= last) {
        attempts = 0;
        batchEnd = undefined;
      }
    }
    pass.busy += 1;
  }

  /** A failed batch: retried later, or dead-lettered once out of attempts. */
  async #failed(
    consumer: Consumer,
    rows: OutboxRow[],
    attempts: number,
    last: number,
    error: unknown,
    pass: ExporterPass,
  ): Promise<void> {
    const { db, owner, logger } = this.#o;
    const now = this.#o.now();
    const message = messageOf(error);
    pass.failures += 1;
    await this.#dropSink(consumer.name);
    if (attempts < consumer.maxAttempts && !isPermanent(error)) {
      const delay = nextAttemptDelay(attempts, this.#o.backoff, retryAfterOf(error));
      const next = new Date(now.getTime() + delay);
      if (!(await recordFailure(db, consumer.name, owner, attempts, last, next, message, now))) {
        this.#letGo(consumer);
        return;
      }
      logger?.warn(
        { consumer: consumer.name, attempts, retryInMs: delay, err: message },
        'export batch failed; will retry',
      );
      return;
    }
    // The cursor moves first: an exporter that lost the lease meanwhile must not dead-letter
    // records that the new holder is sending.
    const moved = await db.transaction().execute(async (trx) => {
      if (!(await advanceCursor(trx, consumer.name, owner, last, 0, now, message))) return false;
      await addDeadLetters(
        trx,
        consumer.name,
        rows.map((r) => ({ seq: Number(r.seq), recordId: r.record_id })),
        attempts,
        message,
        now,
      );
      return true;
    });
    if (!moved) {
      this.#letGo(consumer);
      return;
    }
    logger?.error(
      { consumer: consumer.name, attempts, records: rows.length, err: message },
      'export batch dead-lettered',
    );
    pass.deadLettered += rows.length;
  }

  /** Sends dead letters queued for replay; false when the sink failed (stop for this pass). */
  async #replay(consumer: Consumer, pass: ExporterPass): Promise<boolean> {
    const { db } = this.#o;
    for (;;) {
      const letters = await pendingReplays(db, consumer.name, consumer.batchSize);
      if (letters.length === 0) return true;
      if (!(await this.#keepLease(consumer))) return false;
      const rows = await outboxRows(
        db,
        letters.map((l) => Number(l.outbox_seq)),
      );
      const ids = letters.map((l) => Number(l.id));
      try {
        await this.#send(consumer, rows.map(recordOf), rows);
      } catch (error) {
        await this.#dropSink(consumer.name);
        const failed = { ok: false as const, error: messageOf(error) };
        await db.transaction().execute(async (trx) => {
          await settleReplays(trx, ids, failed, this.#o.now());
          await recordReplay(trx, consumer.name, failed, this.#o.now());
        });
        pass.failures += 1;
        return false;
      }
      await db.transaction().execute(async (trx) => {
        await settleReplays(trx, ids, { ok: true }, this.#o.now());
        await recordReplay(trx, consumer.name, { ok: true, delivered: rows.length }, this.#o.now());
      });
      pass.replayed += rows.length;
    }
  }

  /** Writes the export's periodic snapshot when one is due. */
  async #snapshotIfDue(row: ExportRow, now: Date): Promise<void> {
    if (!row.snapshot_minutes) return;
    const last = row.last_snapshot_at ? Date.parse(row.last_snapshot_at) : undefined;
    if (last !== undefined && last + row.snapshot_minutes * 60_000 > now.getTime()) return;
    // Named after the slot it fills: after a crash the same snapshot is written, not a second.
    const snapshotId = `${row.id}:${row.last_snapshot_at ?? row.created_at}`;
    const counts = await writeSnapshot(this.#o.db, row.id, snapshotId, now, exportView(row));
    await markSnapshot(this.#o.db, row.id, now);
    row.last_snapshot_at = now.toISOString();
    this.#o.logger?.info({ export: row.id, ...counts }, 'export snapshot written');
  }
}
