/**
 * Continuous detection: one Sigma engine (built-in rules plus configured folders, compiled once)
 * fed events in arrival order from every intake; alerts and incidents kept incrementally and
 * stored in batches, with bounded memory.
 */

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AlertBuilder } from '../../detect/alert-builder.js';
import { loadDetectionRules, waitingPlaceholder } from '../../detect/detect.js';
import { externalHit, isExternalFinding } from '../../detect/external-findings.js';
import { createSigmaEngine, type SigmaEngine } from '../../detect/sigma/sigma-engine.js';
import type { SigmaMatch } from '../../detect/sigma/types.js';
import { counted } from '../../report/counted.js';
import { ConfigError } from '../config.js';
import { LogReadError } from '../../logs/log-read-error.js';
import type { LogItem } from '../../logs/log-reader.js';
import type { Alert, Incident } from '../../model/alert.js';
import type { LogEvent } from '../../model/event.js';
import { saveDetections } from '../../store/detection-save.js';
import type { Database } from '../../store/schema.js';
import { detectionError, sigmaHit } from '../../detect/detect.js';
import { seedAlertBuilder } from '../../detect/alert-seed.js';
import {
  alertsInWindow,
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_SEEDED,
} from '../../store/alerts-in-window.js';
import { DEFAULT_DEDUP_WINDOW_MS } from '../../detect/alert-builder.js';
import { idKey, type DeliveryKeys } from '../../detect/event-identity.js';
import { loadReceipts, saveReceipts } from '../../store/received-records.js';
import {
  DEFAULT_RECEIPT_HOURS,
  DEFAULT_RECEIPT_MAX_KEYS,
  ReceiptMemory,
  type UnstoredReceipts,
} from './receipt-memory.js';

export interface DetectionServiceOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Sigma rule folders added to the built-in detections. */
  ruleDirs?: string[];
  /** Refuse to start (a ConfigError naming each) when a rule cannot be used. */
  strictRules?: boolean;
  placeholders?: Record<string, string[]>;
  /** How often formed alerts are written (default 1 s). */
  flushIntervalMs?: number;
  dedupWindowMs?: number;
  incidentWindowMs?: number;
  /** Alerts one alert builder holds before a fresh one takes over (default 20,000). */
  maxAlertsInMemory?: number;
  /** Most recent alerts considered when forming incidents (default 5,000). */
  maxRecentAlerts?: number;
  /** Stored alerts reopened on start so repeats after a restart fold into them (default 5,000). */
  maxSeededAlerts?: number;
  /**
   * Events stamped more than this after the server's clock are refused (default 24 hours): one
   * event from 2099 would stay the newest alert for good and hold every dedup window open.
   */
  maxFutureMs?: number;
  /**
   * How long a received record is remembered (receipt time, default 24 hours), so that the same
   * record sent again is not counted twice (see `ingest`).
   */
  receiptWindowMs?: number;
  /** Received records remembered at most, the oldest forgotten first (default 1,000,000). */
  maxReceipts?: number;
  /** The server's clock (tests). */
  now?: () => number;
}

/** Counts per intake (`http`, `syslog-udp`, `syslog-tcp`, `tail`). */
export interface IntakeCounts {
  events: number;
  errors: number;
  /** Records received before (a sender's retry), not handed to detection again. */
  repeats: number;
}

/** What `ingest` did with one batch. */
export interface IngestResult {
  events: number;
  errors: LogReadError[];
  matches: number;
  /** Events dropped as records received before (see `ingest`). */
  repeats: number;
}

const DEFAULT_FLUSH_MS = 1_000;
const DEFAULT_MAX_ALERTS = 20_000;
const DEFAULT_MAX_RECENT = 5_000;

/**
 * The long-running detection flow.
 *
 * ```ts
 * const service = await DetectionService.start({ db, logger });
 * service.ingest(items, 'http');
 * await service.close();
 * ```
 */
export class DetectionService {
  readonly #options: DetectionServiceOptions;
  readonly #engine: SigmaEngine;
  #builder: AlertBuilder;
  /** Alerts changed since the last write. */
  #dirty = new Map<string, Alert>();
  /** Recent alerts (least recently changed first) that incidents are formed from. */
  readonly #recent = new Map<string, Alert>();
  /** The incident each recent alert was last stored in. */
  readonly #incidentOf = new Map<string, string>();
  /** A signature of each stored incident, to write only those that changed. */
  readonly #incidentSig = new Map<string, string>();
  readonly #counts = new Map<string, IntakeCounts>();
  /** Receipt keys of the records taken in lately: a record sent again is recognised. */
  readonly #receipts: ReceiptMemory;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;
  #alertsStored = 0;
  #incidentsStored = 0;
  #flushErrors = 0;
  #seeded = 0;
  /** Rules the engine uses. */
  readonly rules: { detection: number; correlation: number; unsupported: number };

  private constructor(options: DetectionServiceOptions, engine: SigmaEngine, unsupported: number) {
    this.#options = options;
    this.#engine = engine;
    this.#builder = new AlertBuilder({ dedupWindowMs: this.#dedupWindowMs });
    this.#receipts = new ReceiptMemory({
      retentionMs: options.receiptWindowMs ?? DEFAULT_RECEIPT_HOURS * 3_600_000,
      maxKeys: options.maxReceipts ?? DEFAULT_RECEIPT_MAX_KEYS,
    });
    this.rules = {
      detection: engine.detectionRules,
      correlation: engine.correlationRules,
      unsupported: unsupported + engine.unsupported.length,
    };
  }

  /** Loads and compiles the rules once, then writes formed alerts every `flushIntervalMs`. */
  static async start(options: DetectionServiceOptions): Promise<DetectionService> {
    const { rules, unsupported, sigmaOptions } = await loadDetectionRules({
      ruleDirs: options.ruleDirs,
      placeholders: options.placeholders,
    });
    const engine = createSigmaEngine(rules, sigmaOptions);
    const service = new DetectionService(options, engine, unsupported.length);
    // A built-in that waits for an optional placeholder (the Azure break-glass accounts) is off
    // by design until configured: one info line with the setting to use, not a warning per start.
    // Every other rule left out is a warning, with why.
    const left = [...unsupported, ...engine.unsupported];
    const waiting = left.filter((rule) => waitingPlaceholder(rule) !== undefined);
    const notUsed = left.filter((r) => !waiting.includes(r));
    if (options.strictRules && notUsed.length > 0) {
      throw new ConfigError(
        'ingest.strictRules',
        `${counted(notUsed.length, 'rule')} not used: ` +
          notUsed.map((r) => `${r.file}${r.line ? `:${r.line}` : ''}: ${r.reason}`).join('; '),
      );
    }
    if (waiting.length > 0) {
      options.logger.info(
        { rules: waiting.map((rule) => rule.title ?? rule.file), setting: 'ingest.placeholders' },
        'built-in detection rule off until its placeholder has a value',
      );
    }
    for (const rule of notUsed) {
      options.logger.warn(
        { rule: rule.title, file: rule.file, reason: rule.reason },
        'detection rule not loaded',
      );
    }
    await service.#seed();
    await service.#recallReceipts();
    const every = options.flushIntervalMs ?? DEFAULT_FLUSH_MS;
    service.#timer = setInterval(() => void service.flush(), every);
    service.#timer.unref();
    return service;
  }

  /**
   * Feeds items (events and read errors) from one intake, in order. Synchronous: events meet the
   * engine in the order intakes hand them over.
   *
   * A record received before, within the receipt window, is dropped and counted in `repeats`: it
   * never reaches the engine, so a sender's retry neither adds to a correlation (a brute force
   * counted from repeats) nor changes an alert, a closed one included. Records are known by
   * their own id (`idKey`: CloudTrail's eventID, journald's cursor) from any intake, and by
   * `keys` when the intake hands the records of one delivery a sender may repeat whole (an HTTP
   * request): then records without an id are known by content and occurrence too.
   */
  ingest(items: Iterable<LogItem>, intake: string, keys?: DeliveryKeys): IngestResult {
    const result: IngestResult = { events: 0, errors: [], matches: 0, repeats: 0 };
    if (this.#closed) return result;
    const now = this.#now();
    const latest = now + (this.#options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS);
    for (const item of items) {
      if (item instanceof LogReadError) {
        // A notice remarks on records that were read: no error to count or report.
        if (item.code !== 'NOTICE') result.errors.push(item);
        continue;
      }
      // Asked for every event in order, so occurrences are numbered alike in a repeat.
      const key = keys ? keys.keyOf(item) : idKey(item);
      if (Date.parse(item.time) > latest) {
        result.errors.push(this.#futureTime(item, intake));
        continue;
      }
      if (key !== undefined && !this.#receipts.add(key, now)) {
        result.repeats += 1;
        continue;
      }
      result.events += 1;
      try {
        if (isExternalFinding(item)) this.#add(externalHit(item));
        const matches = this.#engine.process(item);
        result.matches += matches.length;
        this.#handle(matches);
      } catch (error) {
        // A rule or mapping bug must not stop the stream: count it and go on.
        result.errors.push(detectionError(item, error, intake));
      }
    }
    this.count(intake, result.events, result.errors.length, result.repeats);
    if (this.#builder.alerts().length >= (this.#options.maxAlertsInMemory ?? DEFAULT_MAX_ALERTS)) {
      this.#renewBuilder();
    }
    return result;
  }

  /** The server's clock (epoch ms). */
  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** The latest event time taken: the server's clock plus the allowed skew. */
  #latestAllowed(): number {
    return this.#now() + (this.#options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS);
  }

  #futureTime(event: LogEvent, intake: string): LogReadError {
    const hours = (this.#options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS) / 3_600_000;
    return new LogReadError({
      file: event.source.file ?? intake,
      line: event.source.line,
      code: 'FUTURE_TIME',
      message:
        `event time ${event.time} lies more than ${hours} hours after the server's clock; ` +
        "dropped (check the sender's clock and time zone)",
    });
  }

  /**
   * Replaces the alert builder, which keeps every alert it raised, with a fresh one holding only
   * the recent alerts still inside their dedup window, so memory stays bounded and a repeat of an
   * open alert still folds into it.
   */
  #renewBuilder(): void {
    const windowMs = this.#dedupWindowMs;
    const candidates = new Map(this.#recent);
    for (const [id, alert] of this.#dirty) candidates.set(id, alert);
    let newest = Number.NEGATIVE_INFINITY;
    for (const alert of candidates.values()) newest = Math.max(newest, Date.parse(alert.lastSeen));
    // At most half the builder's room, so a fresh builder is not full again at once.
    const room = Math.floor((this.#options.maxAlertsInMemory ?? DEFAULT_MAX_ALERTS) / 2);
    const open = [...candidates.values()]
      .filter((a) => Date.parse(a.lastSeen) >= newest - windowMs)
      .sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen))
      .slice(0, Math.min(room, this.#options.maxSeededAlerts ?? DEFAULT_MAX_SEEDED));
    const builder = new AlertBuilder({ dedupWindowMs: windowMs });
    for (const alert of seedAlertBuilder(builder, open, windowMs)) {
      // The builder now holds its own copy: later changes must reach what is stored.
      if (this.#dirty.has(alert.id)) this.#dirty.set(alert.id, alert);
      if (this.#recent.has(alert.id)) this.#recent.set(alert.id, alert);
    }
    this.#builder = builder;
  }

  get #dedupWindowMs(): number {
    return this.#options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  }

  /**
   * Reopens the stored alerts still inside their dedup window (at most `maxSeededAlerts`), so a
   * restart neither raises a second alert for the same activity nor restarts its event count.
   * They also rejoin the recent alerts that incidents are formed from.
   */
  async #seed(): Promise<void> {
    const windowMs = this.#dedupWindowMs;
    const max = this.#options.maxSeededAlerts ?? DEFAULT_MAX_SEEDED;
    const stored = await alertsInWindow(this.#options.db, {
      windowMs,
      max,
      latest: this.#latestAllowed(),
    });
    const restored = seedAlertBuilder(this.#builder, stored, windowMs);
    for (const alert of restored) {
      this.#recent.set(alert.id, alert);
      if (alert.incidentId) this.#incidentOf.set(alert.id, alert.incidentId);
    }
    this.#seeded = restored.length;
    if (stored.length > 0) {
      this.#options.logger.info(
        { stored: stored.length, restored: restored.length },
        'detection: open alerts restored from the store',
      );
    }
  }

  /**
   * Remembers the receipt keys stored within the receipt window (the newest `maxReceipts` of
   * them), so a record sent before a restart is recognised after it.
   */
  async #recallReceipts(): Promise<void> {
    const memory = this.#receipts;
    const now = this.#now();
    const stored = await loadReceipts(this.#options.db, { since: now - memory.retentionMs });
    for (const { hi, lo, at } of stored) {
      for (let i = 0; i < hi.length; i++) memory.remember(hi[i], lo[i], Math.min(at[i], now));
    }
    // Already stored: not written again.
    memory.takeUnstored();
  }

  /** Adds to an intake's counters (intakes count what they reject before parsing too). */
  count(intake: string, events: number, errors: number, repeats = 0): void {
    let counts = this.#counts.get(intake);
    if (!counts) this.#counts.set(intake, (counts = { events: 0, errors: 0, repeats: 0 }));
    counts.events += events;
    counts.errors += errors;
    counts.repeats += repeats;
  }

  #handle(matches: SigmaMatch[]): void {
    for (const m of matches) this.#add(sigmaHit(m));
  }

  #add(hit: Parameters<AlertBuilder['add']>[0]): void {
    const alert = this.#builder.add(hit);
    this.#dirty.set(alert.id, alert);
  }

  /** Counters for metrics and tests. */
  stats() {
    return {
      intakes: Object.fromEntries(this.#counts),
      pendingAlerts: this.#dirty.size,
      recentAlerts: this.#recent.size,
      openCorrelationGroups: this.#engine.openGroups,
      alertsStored: this.#alertsStored,
      incidentsStored: this.#incidentsStored,
      flushErrors: this.#flushErrors,
      alertsRestored: this.#seeded,
      receiptsRemembered: this.#receipts.size,
    };
  }

  /** Writes the alerts formed since the last write and the incidents they changed. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  /**
   * Writes what is pending; true when that write succeeded, so every event handed in before the
   * call has its alerts stored (what a read position may then be saved after).
   */
  async checkpoint(): Promise<boolean> {
    const errors = this.#flushErrors;
    await this.flush();
    return this.#flushErrors === errors;
  }

  async #write(): Promise<void> {
    const receipts = this.#receipts.takeUnstored();
    if (this.#dirty.size === 0 && receipts.hi.length === 0) return;
    const dirty = this.#dirty;
    this.#dirty = new Map();
    try {
      await this.#store(dirty, receipts);
    } catch (error) {
      this.#flushErrors += 1;
      this.#options.logger.error({ err: error }, 'detection: alerts could not be stored');
      // Try again with the next write.
      for (const [id, alert] of dirty) if (!this.#dirty.has(id)) this.#dirty.set(id, alert);
      this.#receipts.returnUnstored(receipts);
    }
  }

  /**
   * Writes the changed alerts, the incidents they change and the receipt keys of the records
   * taken in since the last write, in one transaction: a record counts as received exactly when
   * what it formed is stored.
   */
  async #store(dirty: Map<string, Alert>, receipts: UnstoredReceipts): Promise<void> {
    const memory = this.#receipts;
    // The store keeps what the memory does: keys older than its oldest are deleted.
    const horizon = Math.max(memory.oldest ?? -Infinity, this.#now() - memory.retentionMs);
    if (dirty.size === 0) {
      await this.#options.db.transaction().execute((trx) => saveReceipts(trx, receipts, horizon));
      return;
    }
    for (const [id, alert] of dirty) {
      this.#recent.delete(id);
      this.#recent.set(id, alert);
    }
    this.#evictRecent();
    // Copies: the stored members saveDetections brings back are not recent alerts.
    const atHand = new Map(this.#recent);
    const previousOf = new Map(this.#incidentOf);
    const saved = await this.#options.db.transaction().execute(async (trx) => {
      const done = await saveDetections(trx, {
        changed: dirty.values(),
        atHand,
        previousOf,
        incidentWindowMs: this.#options.incidentWindowMs,
        needsWrite: (incident) => this.#incidentSig.get(incident.id) !== signature(incident),
      });
      await saveReceipts(trx, receipts, horizon);
      return done;
    });
    for (const incident of saved.incidents) {
      for (const id of incident.alerts) {
        if (this.#recent.has(id)) this.#incidentOf.set(id, incident.id);
      }
    }
    for (const id of saved.merged.keys()) this.#incidentSig.delete(id);
    for (const incident of saved.written) this.#incidentSig.set(incident.id, signature(incident));
    this.#alertsStored += saved.alerts.length;
    this.#incidentsStored += saved.written.length;
  }

  /**
   * Forgets the least recently changed alerts beyond the cap. (Not by event time: intakes may
   * replay old logs beside live ones, and buildIncidents applies the window itself.)
   */
  #evictRecent(): void {
    const max = this.#options.maxRecentAlerts ?? DEFAULT_MAX_RECENT;
    for (const id of this.#recent.keys()) {
      if (this.#recent.size <= max) break;
      this.#recent.delete(id);
      this.#incidentOf.delete(id);
    }
  }

  /** Stops the timer, ends open correlation windows and writes what is left. */
  async close(): Promise<void> {
    if (this.#closed) return this.#flushing;
    clearInterval(this.#timer);
    try {
      this.#handle(this.#engine.flush());
    } catch (error) {
      this.#options.logger.error({ err: error }, 'detection: closing the engine failed');
    }
    this.#closed = true;
    await this.flush();
  }
}

function signature(incident: Incident): string {
  return `${incident.lastSeen}|${incident.severity}|${incident.alerts.length}|${incident.title}`;
}
