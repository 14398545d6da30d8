/**
 * Where an outbox consumer (an export or an automation rule) starts and how it is forgotten:
 * its delivery cursor begins at the current end of the outbox, and removing the consumer
 * removes its cursor and dead letters with it.
 */

import type { Transaction } from 'kysely';
import { exportStore } from './export-store.js';
import { lastOutboxSeq } from './outbox-repository.js';
import type { Database } from './schema.js';

/**
 * Opens `consumer`'s delivery state at the current end of the outbox, in the caller's
 * transaction: it receives changes from now on.
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

/** Deletes `consumer`'s delivery state and dead letters, in the caller's transaction. */
export async function deleteConsumerDelivery(
  trx: Transaction<Database>,
  consumer: string,
): Promise<void> {
  const db = exportStore(trx);
  await db.deleteFrom('export_deliveries').where('consumer', '=', consumer).execute();
  await db.deleteFrom('export_dead_letters').where('consumer', '=', consumer).execute();
}
