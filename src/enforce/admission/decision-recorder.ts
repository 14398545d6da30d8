/**
 * Stores admission decisions without holding up the answers: decisions queue in memory and are
 * written in batches, at most `intervalMs` after they were made, and on close.
 */

import type { Kysely } from 'kysely';
import {
  insertDecisions,
  type AdmissionDecisionRecord,
} from '../../store/admission-decision-repository.js';

export interface DecisionRecorderOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  /** Longest a decision waits in memory. */
  intervalMs?: number;
  /** Queue length that triggers a write at once. */
  batchSize?: number;
  /** Queue length past which the oldest decisions are dropped (and counted) while the store is down. */
  maxQueued?: number;
  onError?: (error: Error, decisions: number) => void;
}

/**
 * Batches decisions into the store.
 *
 * ```ts
 * const recorder = new DecisionRecorder({ db });
 * recorder.record(decision);
 * await recorder.close();
 * ```
 */
export class DecisionRecorder {
  readonly #options: Required<Omit<DecisionRecorderOptions, 'onError'>> &
    Pick<DecisionRecorderOptions, 'onError'>;
  #queue: AdmissionDecisionRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Decisions dropped because the store could not keep up. */
  dropped = 0;

  constructor(options: DecisionRecorderOptions) {
    this.#options = { intervalMs: 200, batchSize: 100, maxQueued: 100_000, ...options };
  }

  /** Queues one decision. */
  record(decision: AdmissionDecisionRecord): void {
    this.#queue.push(decision);
    if (this.#queue.length > this.#options.maxQueued) {
      this.dropped += this.#queue.length - this.#options.maxQueued;
      this.#queue.splice(0, this.#queue.length - this.#options.maxQueued);
    }
    if (this.#queue.length >= this.#options.batchSize) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#options.intervalMs);
  }

  /** Writes everything queued so far; resolves once it is stored (or the write failed). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    this.#writing = this.#writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await insertDecisions(this.#options.db, batch);
      } catch (error) {
        this.#options.onError?.(error as Error, batch.length);
      }
    });
    return this.#writing;
  }

  /** Writes what is queued and stops the timer. */
  async close(): Promise<void> {
    await this.flush();
  }
}
