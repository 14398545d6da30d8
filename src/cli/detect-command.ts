/** `palisade detect`: read logs, raise alerts and incidents, store them, set the exit code. */

import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Alert, Incident } from '../model/alert.js';
import type { Severity } from '../model/rule.js';
import { SEVERITIES } from '../model/rule.js';
import {
  DEFAULT_DEDUP_WINDOW_MS,
  detect,
  isBuiltin,
  loadDetectionRules,
  rulesNotUsed,
  waitingPlaceholder,
  type DetectResult,
} from '../detect/detect.js';
import type { UnsupportedSigmaRule } from '../detect/sigma/types.js';
import { toOcsf } from '../export/ocsf-detection-finding.js';
import { renderAlertTable } from '../report/alert-table.js';
import {
  alertsInWindow,
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_SEEDED,
} from '../store/alerts-in-window.js';
import { saveDetectRun } from '../store/detection-save.js';
import { isPostgresLocation, openStore, redactLocation, StoreError } from '../store/database.js';
import { ServerKeyError, type ServerKey } from '../server/auth/server-key.js';
import type { Database } from '../store/schema.js';
import { createSigmaEngine } from '../detect/sigma/sigma-engine.js';
import { recordRun, runAuditKey } from './cli-audit.js';
import { assertChainKey, AuditKeyMismatchError } from '../audit/append-audit.js';
import { EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { printable } from '../report/terminal-text.js';
import { settleHeapForStreaming } from './streaming-heap.js';
import { checkRuleFolders } from './rule-folders.js';
import { counted } from '../report/counted.js';
import { severityBreakdown } from '../report/finding-order.js';

export interface DetectCommandOptions {
  /** The server key file sealing the run's audit entry (else PALISADE_SECRET_KEY_FILE). */
  keyFile?: string;
  format: 'table' | 'json' | 'ocsf';
  output?: string;
  rules: string[];
  /** Licence of --rules rules that name none (SigmaHQ's DRL-1.1 when absent). */
  ruleLicense?: string;
  placeholder: string[];
  /** Refuse to run (exit 2) when a rule cannot be used, instead of skipping it. */
  strictRules?: boolean;
  since?: Date;
  until?: Date;
  failOn?: Severity;
  db: string;
  store: boolean;
  year?: number;
  /** IANA zone of syslog times that carry none (UTC when absent). */
  timeZone?: string;
  color: boolean;
  quiet?: boolean;
  /**
   * Print each alert as OCSF lines, a Create when raised and an Update when final, and keep none
   * (flat memory; no incidents).
   */
  stream?: boolean;
}

function parsePlaceholders(list: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`--placeholder ${item}: expected NAME=VALUE`);
    const name = item.slice(0, eq).replace(/^%|%$/g, '');
    (out[name] ??= []).push(item.slice(eq + 1));
  }
  return out;
}

/** The store a run writes to, opened once, with the key sealing its audit entry. */
interface RunStore {
  db: Kysely<Database>;
  auditKey: ServerKey | undefined;
}

/** Runs detection; returns the exit code. */
export async function runDetect(paths: string[], options: DetectCommandOptions): Promise<number> {
  const run: { store?: RunStore } = {};
  try {
    return await detectAndStore(paths, options, run);
  } finally {
    await run.store?.db.destroy();
  }
}

/**
 * Opens the run's store, reading its audit key first: the key is made beside a SQLite store
 * this run creates, and a store that exists is refused (before it is dialled) without the key
 * its audit record needs.
 */
async function openRunStore(location: string, keyFile: string | undefined): Promise<RunStore> {
  const auditKey = runAuditKey(location, keyFile);
  return { db: await openStore(location), auditKey };
}

/** True when the store at `location` may hold alerts already (a SQLite file not made yet holds none). */
function storeMayHoldAlerts(location: string): boolean {
  if (isPostgresLocation(location)) return true;
  const file = location.replace(/^sqlite:/, '');
  return file !== ':memory:' && existsSync(file);
}

async function detectAndStore(
  paths: string[],
  options: DetectCommandOptions,
  run: { store?: RunStore },
): Promise<number> {
  const started = performance.now();
  let placeholders: Record<string, string[]>;
  try {
    placeholders = parsePlaceholders(options.placeholder);
  } catch (error) {
    process.stderr.write(`palisade: ${printable((error as Error).message)}\n`);
    return EXIT_INPUT_ERROR;
  }

  const missingRules = await checkRuleFolders(options.rules);
  if (missingRules) {
    process.stderr.write(`palisade: ${printable(missingRules)}\n`);
    return EXIT_INPUT_ERROR;
  }

  if (options.since && options.until && options.since > options.until) {
    process.stderr.write(
      `palisade: --since ${options.since.toISOString()} is after --until ` +
        `${options.until.toISOString()}: no event could be read\n`,
    );
    return EXIT_INPUT_ERROR;
  }

  let result: DetectResult;
  const stdinOnly = paths.length === 1 && paths[0] === '-';
  const threshold = options.failOn ? SEVERITIES.indexOf(options.failOn) : -1;
  // `stream`: each alert is printed (OCSF) when raised and once final, and not kept, for endless
  // inputs such as `tail -f auth.log | palisade detect - --stream`. Its findings carry no incident (incidents
  // need every alert at hand), so it is asked for, never chosen on the user's behalf.
  const streaming = options.stream === true;
  if (streaming && (options.format !== 'ocsf' || options.store || options.output)) {
    process.stderr.write(
      'palisade: --stream prints OCSF findings to stdout: use it with --format ocsf and --no-store, without --output\n',
    );
    return EXIT_INPUT_ERROR;
  }
  if (streaming) settleHeapForStreaming();
  let streamedFailOn = false;
  // Streamed alerts are not kept: those at or above --fail-on are counted as they become final.
  const streamedCrossed: Pick<Alert, 'severity'>[] = [];
  // A finding is printed when its alert is raised (OCSF activity Create) and again once final
  // (Update, with its complete counts and evidence); consumers key on finding_info.uid.
  const streamFinding = (activity: 1 | 2) => (alert: Alert) => {
    process.stdout.write(JSON.stringify(toOcsf(alert, activity)) + '\n');
    // Set at once: a reader that leaves early (`| head`) ends the process with this code.
    if (threshold >= 0 && SEVERITIES.indexOf(alert.severity) >= threshold) {
      streamedFailOn = true;
      process.exitCode = EXIT_FINDINGS;
    }
  };
  const onAlert = streaming
    ? (alert: Alert) => {
        streamFinding(2)(alert);
        if (threshold >= 0 && SEVERITIES.indexOf(alert.severity) >= threshold)
          streamedCrossed.push({ severity: alert.severity });
      }
    : undefined;
  const onRaise = streaming ? streamFinding(1) : undefined;
  try {
    const loaded = await loadDetectionRules({
      ruleDirs: options.rules,
      ...(options.ruleLicense ? { defaultLicense: options.ruleLicense } : {}),
      placeholders,
    });
    // Strict: a rule that cannot be used fails the run before any log is read, so a typo in CI
    // does not silently turn a detection off. The rules compiled for the check judge the logs.
    const engine = options.strictRules
      ? createSigmaEngine(loaded.rules, loaded.sigmaOptions)
      : undefined;
    if (engine) {
      const notUsed = rulesNotUsed(loaded, engine);
      if (notUsed.length > 0) {
        for (const u of notUsed) process.stderr.write(notUsedLine(u));
        process.stderr.write(
          `palisade: --strict-rules: ${counted(notUsed.length, 'rule')} not used; ` +
            'fix or remove them, or run without --strict-rules to skip them\n',
        );
        return EXIT_INPUT_ERROR;
      }
    }
    // Stored alerts still open go on growing, as the server's do. A store that exists is opened
    // now and kept open to store the run; a new one is made once the logs are read.
    let restore: Alert[] | undefined;
    if (options.store && storeMayHoldAlerts(options.db)) {
      run.store = await openRunStore(options.db, options.keyFile);
      restore = await openAlerts(run.store.db);
    }
    result = await detect({
      onAlert,
      onRaise,
      paths: stdinOnly ? '-' : paths,
      loaded,
      engine,
      restore,
      since: options.since,
      until: options.until,
      year: options.year,
      timeZone: options.timeZone,
      onProgress: options.quiet
        ? undefined
        : ({ events }) => process.stderr.write(`palisade: ${counted(events, 'event')} read\n`),
    });
  } catch (error) {
    process.stderr.write(`palisade: ${printable((error as Error).message)}\n`);
    return EXIT_INPUT_ERROR;
  }

  // A built-in detection that waits for a placeholder (BreakGlassAccounts) is off until given one.
  const waiting = waitingBuiltins(result.rules.unsupported);
  const given = Object.keys(placeholders);
  for (const { rule: u, name } of waiting) {
    const near = given.find((g) => g.toLowerCase() === name.toLowerCase());
    if (!near) continue;
    process.stderr.write(
      `palisade: warning: --placeholder ${printable(near)} names no placeholder; built-in rule ` +
        `"${u.title ?? u.id ?? u.file}" waits for ${name} (names are case-sensitive)\n`,
    );
  }
  const notUsed = result.rules.unsupported.filter((x) => !waiting.some((w) => w.rule === x));
  for (const u of notUsed) process.stderr.write(notUsedLine(u));
  if (notUsed.length > 0) {
    process.stderr.write(
      `palisade: ${counted(notUsed.length, 'rule')} not used (each named above with why; ` +
        '--strict-rules makes this exit 2)\n',
    );
  }
  // A reader's notice (records read, with a remark: a mixed export's non-audit entries) is said
  // once and is no read error: it neither counts as unread nor sets the exit code.
  const notices = result.readErrors.filter((e) => e.code === 'NOTICE');
  if (notices.length > 0) {
    for (const n of notices) {
      process.stderr.write(`palisade: note: ${printable(n.file)}: ${printable(n.message)}\n`);
    }
    result = {
      ...result,
      readErrors: result.readErrors.filter((e) => e.code !== 'NOTICE'),
      readErrorCount: result.readErrorCount - notices.length,
    };
  }
  // Files a folder holds that are not logs (CSV exports, metadata) are skipped, not an input
  // error; a file the user named, a missing path or a record that does not parse is one. Both
  // are named on stderr and counted in the report, as the JSON report lists them.
  const named = new Set(paths.map((p) => resolve(p)));
  const errors = result.readErrors.filter(
    (e) => e.code !== 'UNSUPPORTED_FORMAT' || named.has(resolve(e.file)),
  );
  const unread = [...errors, ...result.readErrors.filter((e) => !errors.includes(e))];
  // Detection keeps the first thousand it met, and counts them all.
  const unreadCount = result.readErrorCount;
  for (const e of unread.slice(0, 50))
    process.stderr.write(
      `palisade: ${printable(e.file)}${e.line ? `:${e.line}` : ''}: ${printable(e.message)}\n`,
    );
  if (unreadCount > 50)
    process.stderr.write(`palisade: … and ${unreadCount - 50} more records or files not read\n`);

  // Alerts stored before this run that its incidents hold: the report lists them too.
  const storedMembers = new Map<string, Alert>();
  const runAlerts = new Set(result.alerts.map((a) => a.id));
  if (options.store) {
    try {
      run.store ??= await openRunStore(options.db, options.keyFile);
      const { db, auditKey } = run.store;
      if (auditKey) await assertChainKey(db, auditKey);
      const saved = await saveDetectRun(db, result);
      result = { ...result, incidents: saved.incidents };
      for (const [id, alert] of saved.members) {
        if (!runAlerts.has(id)) storedMembers.set(id, alert);
      }
      if (auditKey) {
        await recordRun(db, auditKey, {
          action: 'alerts.store',
          details: {
            paths: stdinOnly ? ['-'] : paths,
            events: result.events,
            alerts: result.alerts.length,
            incidents: result.incidents.length,
          },
        });
      }
    } catch (error) {
      if (
        !(error instanceof StoreError) &&
        !(error instanceof ServerKeyError) &&
        !(error instanceof AuditKeyMismatchError)
      ) {
        throw error;
      }
      process.stderr.write(`palisade: ${printable(error.message)}\n`);
      return EXIT_INPUT_ERROR;
    }
  }

  const report = render(result, options, performance.now() - started, unreadCount, storedMembers);
  if (options.output) await writeFile(options.output, report);
  else process.stdout.write(report);
  if (options.store && options.format === 'table' && !options.output) {
    process.stdout.write(
      `\nStored ${counted(result.alerts.length, 'alert')} and ` +
        `${counted(result.incidents.length, 'incident')} in ${redactLocation(options.db)}\n`,
    );
  }

  const crossed = streaming
    ? streamedCrossed
    : result.alerts.filter((a) => threshold >= 0 && SEVERITIES.indexOf(a.severity) >= threshold);
  // A --rules file that is no rule at all (a log passed by mistake, broken YAML) is bad input; a
  // rule using something unsupported is listed above and the run goes on.
  const badRules = result.rules.unsupported.some((u) => u.unreadable && !isBuiltin(u.file));
  const code =
    errors.length > 0 || badRules
      ? EXIT_INPUT_ERROR
      : threshold >= 0 && (streamedFailOn || crossed.length > 0)
        ? EXIT_FINDINGS
        : EXIT_OK;
  // As scan does: say why the run fails its --fail-on gate (an input error's exit 2 wins).
  if (options.failOn && crossed.length > 0) {
    const exit = code === EXIT_FINDINGS ? `; exit ${EXIT_FINDINGS}` : '';
    process.stderr.write(
      `palisade: ${counted(crossed.length, 'alert')} at or above ${options.failOn} ` +
        `(${severityBreakdown(crossed)})${exit}\n`,
    );
  }
  return code;
}

/** The stored alerts a run goes on from: those the server would reopen on a restart. */
async function openAlerts(db: Kysely<Database>): Promise<Alert[]> {
  return alertsInWindow(db, {
    windowMs: DEFAULT_DEDUP_WINDOW_MS,
    max: DEFAULT_MAX_SEEDED,
    // As the server: an alert stamped far ahead of the clock would hold the window open.
    latest: Date.now() + DEFAULT_MAX_FUTURE_MS,
  });
}

/** Built-in rules off until a placeholder is given a value, with the placeholder each waits for. */
function waitingBuiltins(unsupported: DetectResult['rules']['unsupported']) {
  return unsupported.flatMap((rule) => {
    const name = waitingPlaceholder(rule);
    return name === undefined ? [] : [{ rule, name }];
  });
}

/** The stderr line naming a rule left out: its file, line and why. */
function notUsedLine(rule: UnsupportedSigmaRule): string {
  const at = `${rule.file}${rule.line ? `:${rule.line}` : ''}`;
  return `palisade: rule not used: ${printable(at)}: ${printable(rule.reason)}\n`;
}

/**
 * An incident as the JSON report shows it: named field for field as the API's (`GET
 * /incidents`), its alerts under `alertIds`, so one script reads both.
 */
function incidentReport(incident: Incident) {
  const { id, title, severity, status, firstSeen, lastSeen, alerts, entities, tactics } = incident;
  return { id, title, severity, status, firstSeen, lastSeen, alertIds: alerts, entities, tactics };
}

function render(
  result: DetectResult,
  options: DetectCommandOptions,
  elapsedMs: number,
  readErrors: number,
  storedMembers: ReadonlyMap<string, Alert>,
): string {
  if (options.format === 'ocsf')
    return (
      result.alerts.map((a) => JSON.stringify(toOcsf(a))).join('\n') +
      (result.alerts.length ? '\n' : '')
    );
  if (options.format === 'json') {
    const { alerts, incidents, events, skipped } = result;
    return (
      JSON.stringify(
        {
          events,
          skipped,
          alerts,
          incidents: incidents.map(incidentReport),
          unsupportedRules: result.rules.unsupported,
          // The first hundred; the count says how many there were in all.
          readErrors: result.readErrors.slice(0, 100),
          readErrorCount: readErrors,
        },
        null,
        2,
      ) + '\n'
    );
  }
  return renderAlertTable(
    result.alerts,
    result.incidents,
    {
      events: result.events,
      skipped: result.skipped,
      rules: {
        detection: result.rules.detection,
        correlation: result.rules.correlation,
        unsupported:
          result.rules.unsupported.length - waitingBuiltins(result.rules.unsupported).length,
      },
      // Only for a rule the input could have reached: on sshd logs the Azure break-glass
      // sign-in rule has nothing to miss.
      waiting: result.rules.neededPlaceholders,
      readErrors,
      elapsedMs,
      storedMembers,
    },
    options.color && !options.output && Boolean(process.stdout.isTTY),
  );
}
