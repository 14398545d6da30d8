/**
 * The detection flow: logs become events, events meet Sigma rules (the built-in detections and
 * any folder the user names) and other tools' findings, matches become alerts, and alerts that
 * share entities become incidents. Runs without a server or a command line.
 */

import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Alert, AlertEntity, Incident } from '../model/alert.js';
import type { LogEvent } from '../model/event.js';
import type { Severity } from '../model/rule.js';
import { LogReadError } from '../logs/log-read-error.js';
import { QuietLine } from '../logs/log-reader.js';
import { readLogBatches } from '../logs/read-logs.js';
import { checkTimeZone } from '../logs/time-zone.js';
import { AlertBuilder, DEFAULT_DEDUP_WINDOW_MS, type DetectionHit } from './alert-builder.js';

export { DEFAULT_DEDUP_WINDOW_MS };
import { seedAlertBuilder } from './alert-seed.js';
import { eventTimeMs } from './event-time.js';
import { externalHit, isExternalFinding } from './external-findings.js';
import { buildIncidents } from './incidents.js';
import { loadSigmaRules } from './sigma/rule-loader.js';
import { readRuleSnapshot } from './sigma/rule-snapshot.js';
import { logsourceMatches } from './sigma/logsource-table.js';
import { createSigmaEngine, type SigmaEngine } from './sigma/sigma-engine.js';
import type {
  SigmaMatch,
  SigmaOptions,
  SigmaRule,
  SigmaRuleOrigin,
  UnsupportedSigmaRule,
} from './sigma/types.js';

/** The team's own detections, written as Sigma rules (thresholds are data). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('./builtin/rules/', import.meta.url));

/**
 * The built-in rules read ahead of time (`takeRuleSnapshot`): every run loads them, and reading
 * their YAML cost more than the rest of a small log's detection. A rule file edited since is
 * read as YAML (the snapshot holds each file's hash); a test keeps the snapshot current.
 */
export const BUILTIN_RULES_SNAPSHOT = fileURLToPath(
  new URL('./builtin/rules.snapshot.json', import.meta.url),
);

export interface DetectOptions {
  /** Log files, folders, or `-` for stdin. */
  paths: string[] | '-';
  /** Sigma rule folders to add to the built-in detections. */
  ruleDirs?: string[];
  /** Licence of user rules that name none (SigmaHQ's rules are under DRL 1.1). */
  defaultLicense?: string;
  /** Values for `|expand` placeholders (e.g. BreakGlassAccounts). */
  placeholders?: Record<string, string[]>;
  since?: Date;
  until?: Date;
  dedupWindowMs?: number;
  incidentWindowMs?: number;
  /** Year for syslog timestamps that carry none. */
  year?: number;
  /** IANA zone for syslog timestamps that carry none (RFC 3164); UTC when absent. */
  timeZone?: string;
  stdin?: AsyncIterable<Buffer | string>;
  onProgress?: (progress: { events: number; file?: string }) => void;
  /**
   * Streaming mode for endless inputs: each alert goes here once it is final (its dedup window
   * has passed, or the input ended) and is not kept, so memory stays flat. The result then
   * lists no alerts and builds no incidents (incidents need every alert at hand).
   */
  onAlert?: (alert: Alert) => void;
  /** With `onAlert`: each alert also as soon as it is raised (see `AlertBuilderOptions`). */
  onRaise?: (alert: Alert) => void;
  /**
   * Stored alerts to go on from (`alertsInWindow`; not with `onAlert`). Each is opened in the
   * alert builder, as a server opens them on restart, once the logs pass its last event: later
   * activity of the same rule on the same entities within the dedup window grows it, while a
   * log read again raises its alerts as before, under the same ids. The result lists only the
   * alerts of this run, and the stored ones it opened in `restored`.
   */
  restore?: Alert[];
  /**
   * Rules from `loadDetectionRules`, loaded once and reused across runs (a server, a benchmark);
   * `ruleDirs`, `defaultLicense` and `placeholders` are then not read again.
   */
  loaded?: LoadedRules;
  /**
   * The engine compiled from `loaded` (`createSigmaEngine(loaded.rules, loaded.sigmaOptions)`)
   * and fed no event yet: a caller that compiled the rules to check them first (`rulesNotUsed`)
   * hands it on instead of having them compiled a second time.
   */
  engine?: SigmaEngine;
  /**
   * Build every line into an event, even those no rule can match (by default readers that can
   * tell leave them unbuilt; the alerts are the same either way, as a test checks).
   */
  buildEveryEvent?: boolean;
}

/** What `loadDetectionRules` returns. */
export interface LoadedRules {
  rules: SigmaRule[];
  unsupported: UnsupportedSigmaRule[];
  sigmaOptions: SigmaOptions;
}

export interface DetectResult {
  alerts: Alert[];
  incidents: Incident[];
  events: number;
  /** Events outside --since/--until. */
  skipped: number;
  /** Of `events`, those no rule could match, which were counted but never built. */
  unbuilt: number;
  /** The first records and files that could not be read (at most 1,000). */
  readErrors: LogReadError[];
  /** How many could not be read in all. */
  readErrorCount: number;
  rules: {
    detection: number;
    correlation: number;
    unsupported: UnsupportedSigmaRule[];
    /**
     * Placeholders that built-in rules left waiting for a value need because the input held
     * events of their log source (a break-glass sign-in rule waits in vain on sshd logs alone).
     */
    neededPlaceholders: string[];
  };
  /** The `restore` alerts opened in the builder (those the run grew are in `alerts` too). */
  restored: Alert[];
}

const MAX_READ_ERRORS_KEPT = 1_000;

/** True for a rule file of the built-in detections. */
export function isBuiltin(file: string): boolean {
  let builtin = BUILTIN_FILES.get(file);
  if (builtin === undefined) {
    builtin = resolve(file).startsWith(BUILTIN_RULES_DIR);
    // Rule files are few; the cap keeps odd callers from growing the cache without end.
    if (isAbsolute(file) && BUILTIN_FILES.size < 100_000) BUILTIN_FILES.set(file, builtin);
  }
  return builtin;
}

const BUILTIN_FILES = new Map<string, boolean>();

/** What a hit takes from its rule, built once per rule (matches carry copies of its metadata). */
type RuleParts = Omit<DetectionHit, 'events' | 'entities'> & { id: string };

const RULE_PARTS = new WeakMap<SigmaRuleOrigin, RuleParts>();

function ruleParts(rule: SigmaMatch['rule']): RuleParts {
  const cached = RULE_PARTS.get(rule.origin);
  if (cached && cached.id === rule.id && cached.title === rule.title) return cached;
  const builtin = isBuiltin(rule.origin.file);
  const parts: RuleParts = {
    id: rule.id,
    rule: {
      kind: builtin ? 'builtin' : 'sigma',
      id: rule.id,
      title: rule.title,
      author: rule.author,
      license: rule.license,
      source: rule.origin.file,
      references: rule.references,
    },
    title: rule.title,
    description: rule.description ?? '',
    severity: (rule.level ?? 'medium') as Severity,
    tags: rule.tags,
    falsePositives: rule.falsepositives,
    remediation: rule.remediation,
  };
  RULE_PARTS.set(rule.origin, parts);
  return parts;
}

/** The entity kind a correlation's group-by field names (by its spelling; cached per field). */
function groupEntityKind(field: string): AlertEntity['kind'] {
  let kind = GROUP_KINDS.get(field);
  if (kind) return kind;
  kind = /ip|addr/i.test(field)
    ? 'ip'
    : /user|actor|principal|identity/i.test(field)
      ? 'account'
      : 'cloud-resource';
  if (GROUP_KINDS.size < 10_000) GROUP_KINDS.set(field, kind);
  return kind;
}

const GROUP_KINDS = new Map<string, AlertEntity['kind']>();

/**
 * The entities a correlation's group-by values name, built once per group: a group's values
 * object is shared by all its matches (a sliding count reports at every hit past its bar), and
 * hits only read the array (the alert builder copies it).
 */
function groupEntities(group: Record<string, string>): AlertEntity[] {
  let entities = GROUP_ENTITIES.get(group);
  if (entities) return entities;
  entities = [];
  for (const field in group) {
    if (Object.hasOwn(group, field)) {
      const value = group[field];
      let kind = groupEntityKind(field);
      // An address field may hold the host name a log gave instead (sshd with UseDNS): that
      // names the peer, not the host the log is about.
      if (kind === 'ip' && isIP(value) === 0) kind = 'remote-host';
      entities.push({ kind, value });
    }
  }
  GROUP_ENTITIES.set(group, entities);
  return entities;
}

const GROUP_ENTITIES = new WeakMap<Record<string, string>, AlertEntity[]>();

/**
 * The account of a chain whose rule singles out its last step (`account-from: last-step`): that
 * of the event that completed it, as the actor. Undefined for any other rule.
 */
function actorAccounts(match: SigmaMatch): AlertEntity[] | undefined {
  if (match.rule.accountFrom !== 'last-step') return undefined;
  const actor = match.event.actor;
  return actor ? [{ kind: 'account', value: actor, role: 'actor' }] : [];
}

/** The alert builder's hit for a Sigma match: rule metadata (author and licence kept), events, group entities. */
export function sigmaHit(match: SigmaMatch): DetectionHit {
  const parts = ruleParts(match.rule);
  const entities = match.correlation ? groupEntities(match.correlation.group) : undefined;
  const accounts = actorAccounts(match);
  return {
    // Shared by the rule's hits: the alert builder copies it into each alert it raises.
    rule: parts.rule,
    title: parts.title,
    description: parts.description,
    severity: parts.severity,
    tags: parts.tags,
    events: match.events.length > 0 ? match.events : [match.event],
    entities,
    ...(accounts ? { accounts } : {}),
    falsePositives: parts.falsePositives,
    remediation: parts.remediation,
  };
}

/**
 * The error standing for an event detection failed on (a rule or mapping bug, an input no limit
 * foresaw), placed at the event's file and line; `intake` names where it came from otherwise.
 */
export function detectionError(event: LogEvent, error: unknown, intake = '-'): LogReadError {
  const reason = error instanceof Error ? error.message : String(error);
  return new LogReadError({
    file: event.source.file ?? intake,
    line: event.source.line,
    code: 'DETECTION_ERROR',
    message: `detection failed on this event: ${reason}`,
  });
}

/**
 * The placeholders built-in rules wait for whose rule could have matched an event of the input:
 * only those are worth a notice.
 */
function neededPlaceholders(unsupported: UnsupportedSigmaRule[], engine: SigmaEngine): string[] {
  const needed = new Set<string>();
  for (const left of unsupported) {
    const name = waitingPlaceholder(left);
    if (name === undefined || needed.has(name)) continue;
    // A rule of unknown log source might have matched anything: its notice stays.
    const logsource = left.logsource;
    if (!logsource || engine.sources.some((source) => logsourceMatches(logsource, source))) {
      needed.add(name);
    }
  }
  return [...needed];
}

/** Loads the built-in detections and the user's rule folders. */
export async function loadDetectionRules(
  options: Pick<DetectOptions, 'ruleDirs' | 'defaultLicense' | 'placeholders'>,
): Promise<LoadedRules> {
  const sigmaOptions: SigmaOptions = { placeholders: options.placeholders ?? {} };
  const builtin = await loadSigmaRules(
    [BUILTIN_RULES_DIR],
    { ...sigmaOptions, defaultLicense: 'Apache-2.0' },
    readRuleSnapshot(BUILTIN_RULES_SNAPSHOT),
  );
  const user = options.ruleDirs?.length
    ? await loadSigmaRules(options.ruleDirs, {
        ...sigmaOptions,
        defaultLicense: options.defaultLicense ?? 'DRL-1.1',
      })
    : { rules: [], unsupported: [] };
  return {
    rules: [...builtin.rules, ...user.rules],
    unsupported: [...builtin.unsupported, ...user.unsupported],
    sigmaOptions,
  };
}

/**
 * The placeholder a built-in rule waits for, when an optional `%placeholder%` without a value is
 * all that keeps it off (the Azure break-glass accounts); undefined for any other rule left out.
 */
export function waitingPlaceholder(rule: UnsupportedSigmaRule): string | undefined {
  if (!isBuiltin(rule.file)) return undefined;
  return /placeholder %([^%]+)% has no value/.exec(rule.reason)?.[1];
}

/**
 * Every rule `loaded` leaves out, the loader's and the compiler's (a regex RE2 refuses, a
 * correlation naming an unknown rule), found before any log is read; `engine` is `loaded`
 * compiled, when the caller has it (and then hands it to `detect`). Built-ins waiting for an
 * optional placeholder are off by design and not listed.
 *
 * ```ts
 * const loaded = await loadDetectionRules({ ruleDirs: ['my-rules'] });
 * if (rulesNotUsed(loaded).length > 0) refuse();
 * ```
 */
export function rulesNotUsed(
  loaded: LoadedRules,
  engine: SigmaEngine = createSigmaEngine(loaded.rules, loaded.sigmaOptions),
): UnsupportedSigmaRule[] {
  return [...loaded.unsupported, ...engine.unsupported].filter(
    (rule) => waitingPlaceholder(rule) === undefined,
  );
}

/**
 * Runs detection over logs.
 *
 * ```ts
 * const { alerts, incidents } = await detect({ paths: ['cloudtrail/'], ruleDirs: ['sigma/rules'] });
 * ```
 */
export async function detect(options: DetectOptions): Promise<DetectResult> {
  const year = options.year;
  if (year !== undefined && !(Number.isInteger(year) && year >= 1970 && year <= 9999)) {
    throw new RangeError(`year must be a whole number from 1970 to 9999, not ${year}`);
  }
  const timeZone = options.timeZone === undefined ? undefined : checkTimeZone(options.timeZone);
  const { rules, unsupported, sigmaOptions } =
    options.loaded ?? (await loadDetectionRules(options));
  const engine = options.engine ?? createSigmaEngine(rules, sigmaOptions);
  const dedupWindowMs = options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  const builder = new AlertBuilder({
    dedupWindowMs,
    onAlert: options.onAlert,
    onRaise: options.onAlert ? options.onRaise : undefined,
  });
  const restore = openLater(builder, options.onAlert ? [] : (options.restore ?? []), dedupWindowMs);
  // Alerts this run raised or grew: the builder also lists the stored alerts it was handed.
  const touched = new Set<Alert>();
  const add = restore.none
    ? (hit: DetectionHit) => builder.add(hit)
    : (hit: DetectionHit) => touched.add(builder.add(hit));
  const readErrors: LogReadError[] = [];
  let events = 0;
  let skipped = 0;
  let unbuilt = 0;
  let readErrorCount = 0;
  const since = options.since?.getTime();
  const until = options.until?.getTime();

  const handle = (matches: SigmaMatch[]) => {
    for (const m of matches) add(sigmaHit(m));
  };

  const ranged = since !== undefined || until !== undefined;
  const outOfRange = (time: number) =>
    (since !== undefined && time < since) || (until !== undefined && time > until);
  // Lines no rule can match are not built (readers that can tell hand over a QuietLine):
  // they count, and move the clocks, as the events they would have been.
  // A line a rule fails on is built instead, so that detection names it at its file and line.
  const quiet = (source: LogEvent['source'], fields: Record<string, unknown>) => {
    try {
      return engine.quiet(source, fields);
    } catch {
      return false;
    }
  };
  const read = readLogBatches(options.paths, {
    year: options.year,
    timeZone,
    stdin: options.stdin,
    quiet: options.buildEveryEvent ? undefined : quiet,
  });
  for await (const items of read) {
    for (const item of items) {
      if (item instanceof QuietLine) {
        const time = item.time;
        if (ranged && outOfRange(time)) {
          skipped += 1;
          continue;
        }
        events += 1;
        unbuilt += 1;
        if ((events & 1_023) === 0) builder.advance(time);
        if (events % 50_000 === 0) options.onProgress?.({ events, file: item.file });
        if (restore.waiting()) restore.passing(time);
        const matches = engine.advance(time);
        if (matches.length > 0) handle(matches);
        continue;
      }
      if (item instanceof LogReadError) {
        readErrorCount += 1;
        if (readErrors.length < MAX_READ_ERRORS_KEPT) readErrors.push(item);
        continue;
      }
      const event = item as LogEvent;
      if (ranged && outOfRange(eventTimeMs(event.time))) {
        skipped += 1;
        continue;
      }
      events += 1;
      // Quiet streams move the alert clock too, so their alerts close and are handed on.
      if ((events & 1_023) === 0) builder.advance(eventTimeMs(event.time));
      if (events % 50_000 === 0) options.onProgress?.({ events, file: event.source.file });
      if (restore.waiting()) restore.passing(eventTimeMs(event.time));
      try {
        if (isExternalFinding(event)) add(externalHit(event));
        const matches = engine.process(event);
        if (matches.length > 0) handle(matches);
      } catch (error) {
        // One record detection fails on is named as that record's error; the others are judged.
        readErrorCount += 1;
        if (readErrors.length < MAX_READ_ERRORS_KEPT) readErrors.push(detectionError(event, error));
      }
    }
  }
  handle(engine.flush());
  builder.close();

  const alerts = restore.none ? builder.alerts() : builder.alerts().filter((a) => touched.has(a));
  const incidents = options.onAlert
    ? []
    : buildIncidents(alerts, { windowMs: options.incidentWindowMs });
  return {
    alerts,
    incidents,
    events,
    skipped,
    unbuilt,
    readErrors,
    readErrorCount,
    rules: {
      detection: engine.detectionRules,
      correlation: engine.correlationRules,
      unsupported: [...unsupported, ...engine.unsupported],
      neededPlaceholders: neededPlaceholders([...unsupported, ...engine.unsupported], engine),
    },
    restored: restore.opened,
  };
}

/**
 * Opens stored alerts in `builder` (`seedAlertBuilder`) as the logs pass their last events: an
 * alert opened before would take in the events it already counted when a log is read again, and
 * grow back over earlier activity of its rule and entities that was an alert of its own.
 */
function openLater(builder: AlertBuilder, stored: Alert[], windowMs: number) {
  const pending = stored
    .map((alert) => ({ alert, lastSeenMs: eventTimeMs(alert.lastSeen) }))
    .sort((a, b) => a.lastSeenMs - b.lastSeenMs);
  const opened: Alert[] = [];
  let next = 0;
  return {
    opened,
    /** True when there is nothing to restore. */
    none: pending.length === 0,
    /** True while some are still to open. */
    waiting: () => next < pending.length,
    /** Opens those last seen before `time` (event time, ms). */
    passing(time: number): void {
      let upto = next;
      while (upto < pending.length && pending[upto].lastSeenMs < time) upto++;
      if (upto === next) return;
      // seedAlertBuilder takes the most recent first.
      const due = pending.slice(next, upto).map((p) => p.alert);
      for (const item of seedAlertBuilder(builder, due.reverse(), windowMs)) opened.push(item);
      next = upto;
    },
  };
}
