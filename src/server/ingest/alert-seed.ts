/**
 * Alert deduplication across restarts: the stored alerts still inside their dedup window are
 * handed back to a fresh alert builder, so a repeat of the same rule on the same entities after a
 * restart updates the stored alert (its event count goes on) instead of raising a new one.
 */

import type { Kysely } from 'kysely';
import { AlertBuilder, type DetectionHit } from '../../detect/alert-builder.js';
import { alertFromRow } from '../../export/outbox/alert-records.js';
import type { Alert } from '../../model/alert.js';
import type { LogEvent } from '../../model/event.js';
import type { Database } from '../../store/schema.js';

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

/** A marker in the source of the synthetic event that carries an alert's last-seen time. */
const SEED_SOURCE = '(palisade: alert restored from the store)';

/** The hit that makes a builder raise `alert` again: its evidence, `own` of its entities. */
function replayHit(alert: Alert, ownCount: number, events: LogEvent[]): DetectionHit {
  return {
    rule: alert.rule,
    title: alert.title,
    description: alert.description,
    severity: alert.severity,
    tags: [],
    events,
    entities: ownCount > 0 ? alert.entities.slice(0, ownCount) : undefined,
    remediation: alert.remediation,
  };
}

/**
 * The events to replay: the evidence, plus a copy of its last event at the alert's last-seen
 * time, so the builder's window runs from when the alert was last seen, not from its evidence.
 */
function replayEvents(alert: Alert): LogEvent[] | undefined {
  const evidence = alert.evidence;
  if (evidence.length === 0) return undefined;
  const last = evidence[evidence.length - 1];
  if (last.time >= alert.lastSeen) return evidence;
  return [
    ...evidence,
    { ...last, time: alert.lastSeen, source: { ...last.source, file: SEED_SOURCE } },
  ];
}

/**
 * How the alert was first raised: the number of its leading entities the detection named itself
 * (0 for entities taken from events; a correlation's group otherwise). Found by replaying into a
 * scratch builder until the builder's own id matches the stored one, so the builder's dedup key
 * is reproduced exactly; undefined when no replay does.
 */
function ownEntityCount(alert: Alert, events: LogEvent[], windowMs: number): number | undefined {
  const limit = Math.min(alert.entities.length, 10);
  for (let own = 0; own <= limit; own++) {
    const scratch = new AlertBuilder({ dedupWindowMs: windowMs });
    if (scratch.add(replayHit(alert, own, events)).id === alert.id) return own;
  }
  // An alert raised while the same activity of other cloud accounts had an alert open has an id
  // that folds in its accounts: the scratch builder first opens such an alert.
  for (let own = 0; own <= limit; own++) {
    const scratch = new AlertBuilder({ dedupWindowMs: windowMs });
    const hit = replayHit(alert, own, events);
    scratch.add({ ...hit, events: events.map((e) => ({ ...e, account: `${e.account ?? ''} ` })) });
    if (scratch.add(hit).id === alert.id) return own;
  }
  return undefined;
}

/**
 * Opens `alerts` in `builder` as they are stored (counts, times, entities, evidence, status), so
 * later hits fold into them. Returns the alerts it could restore; the others (whose evidence no
 * longer reproduces their id) stay closed and a repeat raises a new alert.
 *
 * ```ts
 * const restored = seedAlertBuilder(builder, await alertsInWindow(db, { windowMs, max: 5_000 }), windowMs);
 * ```
 */
export function seedAlertBuilder(
  builder: AlertBuilder,
  alerts: Alert[],
  windowMs: number,
): Alert[] {
  const restored: Alert[] = [];
  // Oldest first, as they were raised.
  for (const stored of [...alerts].reverse()) {
    const events = replayEvents(stored);
    if (!events) continue;
    const own = ownEntityCount(stored, events, windowMs);
    if (own === undefined) continue;
    const open = builder.add(replayHit(stored, own, events));
    // The builder holds this object: give it back everything the store knows.
    Object.assign(open, stored, { evidence: [...stored.evidence], entities: [...stored.entities] });
    restored.push(open);
  }
  return restored;
}
