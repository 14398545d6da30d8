/**
 * The stored alerts still open for new events: those whose last event falls within the dedup
 * window of the newest stored alert's. A server restarting, or a command line run storing into
 * the same store, goes on from them (see `seedAlertBuilder`).
 */

import type { Kysely } from 'kysely';
import { alertFromRow } from '../export/outbox/alert-records.js';
import type { Alert } from '../model/alert.js';
import type { Database } from './schema.js';

/** Stored alerts a server or command line run goes on from at most, unless configured. */
export const DEFAULT_MAX_SEEDED = 5_000;

/**
 * How far past the clock an alert's last event may lie and still count (`latest` = now plus
 * this), unless configured: one day.
 */
export const DEFAULT_MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/** Which stored alerts to seed. */
export interface SeedOptions {
  /** The builder's dedup window: alerts whose last event is older than the newest minus this. */
  windowMs: number;
  /** At most this many (the most recent); bounds start-up time and memory. */
  max: number;
  /**
   * Alerts last seen after this (epoch ms; stored before future times were refused) neither
   * count as the newest nor are seeded: one would hold the window open for good.
   */
  latest?: number;
}

/**
 * The stored alerts whose last event falls within `windowMs` of the newest stored alert's, most
 * recent first. Event time, not wall time, is the frame: the builder folds by event time, and
 * logs replayed from the past dedupe the same way as live ones.
 */
export async function alertsInWindow(db: Kysely<Database>, options: SeedOptions): Promise<Alert[]> {
  const latest =
    options.latest === undefined || !Number.isFinite(options.latest)
      ? undefined
      : new Date(Math.min(options.latest, MAX_TIME)).toISOString();
  let newestQuery = db.selectFrom('alerts').select('last_seen');
  if (latest) newestQuery = newestQuery.where('last_seen', '<=', latest);
  const newest = await newestQuery.orderBy('last_seen', 'desc').limit(1).executeTakeFirst();
  if (!newest) return [];
  const newestMs = Date.parse(newest.last_seen);
  if (Number.isNaN(newestMs)) return [];
  const horizon = new Date(newestMs - options.windowMs).toISOString();
  let rowsQuery = db.selectFrom('alerts').selectAll().where('last_seen', '>=', horizon);
  if (latest) rowsQuery = rowsQuery.where('last_seen', '<=', latest);
  const rows = await rowsQuery
    .orderBy('last_seen', 'desc')
    .orderBy('id')
    .limit(options.max)
    .execute();
  return rows.map(alertFromRow);
}

/** The latest time a Date can show (year 275760). */
const MAX_TIME = 8.64e15;
