/**
 * Where an outbox consumer (an export or an automation rule) starts and how it is forgotten:
 * its delivery cursor begins at the current end of the outbox (and goes back there when an
 * automation rule is enabled again), and removing the consumer removes its cursor and dead
 * letters with it.
 */

import type { Transaction } from 'kysely';
import { exportStore } from './export-store.js';
import { lastOutboxSeq, lockOutbox } from './outbox-repository.js';
import type { Database } from './schema.js';

/**
 * Opens `consumer`'s delivery state at the current end of the outbox, in the caller's
 * transaction: it receives changes from now on. Takes the outbox lock first, so a save running
 * meanwhile either appends before the end is read, or sees this consumer when it decides whether
 * to append at all (see `hasOutboxConsumers`); the lock is held until the caller commits.
 *
 * ```ts
 * await startConsumerDelivery(trx, exportConsumer(id), at);
 * ```
 */
export async function startConsumerDelivery(
  trx: Transaction<Database>,
  consumer: string,
  at: string,
): Promise<void> {
  await lockOutbox(trx);
  await exportStore(trx)
    .insertInto('export_deliveries')
    .values({
      consumer,
      cursor_seq: await lastOutboxSeq(trx),
      attempts: 0,
      delivered: 0,
      updated_at: at,
    })
    .execute();
}

/**
 * Moves `consumer`'s cursor to the current end of the outbox, in the caller's transaction: it
 * acts on changes from now on, as a new consumer does. Its dead letters stay. Takes the outbox
 * lock first, so the end read is not passed by a save that has yet to commit its records.
 */
export async function skipToOutboxEnd(
  trx: Transaction<Database>,
  consumer: string,
  at: string,
): Promise<void> {
  await lockOutbox(trx);
  await exportStore(trx)
    .updateTable('export_deliveries')
    .set({
      cursor_seq: await lastOutboxSeq(trx),
      attempts: 0,
      batch_end_seq: null,
      next_attempt_at: null,
      updated_at: at,
    })
    .where('consumer', '=', consumer)
    .execute();
}

/** Deletes `consumer`'s delivery state and dead letters, in the caller's transaction. */
export async function deleteConsumerDelivery(
  trx: Transaction<Database>,
  consumer: string,
): Promise<void> {
  const db = exportStore(trx);
  await db.deleteFrom('export_deliveries').where('consumer', '=', consumer).execute();
  await db.deleteFrom('export_dead_letters').where('consumer', '=', consumer).execute();
}
