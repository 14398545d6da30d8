/**
 * Alert deduplication across runs: stored alerts still inside their dedup window are handed back
 * to a fresh alert builder, so a repeat of the same rule on the same entities after a restart (or
 * in a later command line run) updates the stored alert (its event count goes on) instead of
 * raising a new one.
 */

import { AlertBuilder, type DetectionHit } from './alert-builder.js';
import type { Alert } from '../model/alert.js';
import type { LogEvent } from '../model/event.js';

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
