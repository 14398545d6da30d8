/** `palisade scan`: read, assess, report, store, and turn the result into an exit code. */

import { writeFile } from 'node:fs/promises';
import type { FileReport } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import type { Rule, Severity } from '../model/rule.js';
import { SEVERITIES } from '../model/rule.js';
import { assess, type Assessment } from '../posture/assess.js';
import {
  assessStream,
  inputLargerThan,
  isStreamed,
  STREAM_THRESHOLD_BYTES,
} from '../posture/assess-stream.js';
import { compileRules } from '../posture/engine.js';
import { ExemptionLoadError, loadExemptions, type Exemption } from '../posture/exemptions.js';
import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
import { renderCsv } from '../report/csv-report.js';
import { renderHtml } from '../report/html-report.js';
import { renderJson } from '../report/json-report.js';
import { renderScanSarif } from '../report/scan-sarif.js';
import { renderTable } from '../report/table-report.js';
import { saveAssessment, scoreHistory } from '../store/assessment-repository.js';
import { exemptionsInStore } from '../store/exemption-repository.js';
import { saveStreamedAssessment } from '../store/streamed-assessment.js';
import type { ServerKey } from '../server/auth/server-key.js';
import { scanTargetIdentities } from '../store/target-set.js';
import { assertChainKey } from '../audit/append-audit.js';
import { recordRun, runAuditKey } from './cli-audit.js';
import { openStore, redactLocation } from '../store/database.js';
import { EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { createProgress } from './progress.js';
import { printable } from '../report/terminal-text.js';
import { checkRuleFolders } from './rule-folders.js';
import { errorPathsAsTyped, pathsAsTyped } from './typed-paths.js';
import { counted } from '../report/counted.js';
import { severityBreakdown } from '../report/finding-order.js';

export interface ScanOptions {
  format: 'table' | 'json' | 'csv' | 'sarif' | 'html';
  /** The server key file sealing the run's audit entry (else PALISADE_SECRET_KEY_FILE). */
  keyFile?: string;
  output?: string;
  rules: string[];
  /** Add the preview rules (kinds no real public sample exercises yet). */
  previewRules?: boolean;
  exemptions?: string;
  failOn?: Severity;
  db: string;
  store: boolean;
  findings: number;
  color: boolean;
  quiet?: boolean;
  /** Streaming scan (see assess-stream.ts); undefined = streaming when the input is large. */
  stream?: boolean;
  /** Terraform variable files (`--var-file`, repeatable). */
  varFile?: string[];
}

/** Most files a notice names; the rest are counted. */
const NAMED_FILES = 5;

/**
 * The notice for files no reader recognised, naming the first few, or undefined when there are
 * none.
 */
export function unrecognisedNotice(
  files: FileReport[],
  asTyped: (path: string) => string = (path) => path,
): string | undefined {
  const names = files.filter((f) => f.kind === 'unrecognised').map((f) => asTyped(f.file));
  if (names.length === 0) return undefined;
  const shown = names.slice(0, NAMED_FILES).join(', ');
  const more = names.length > NAMED_FILES ? ` and ${names.length - NAMED_FILES} more` : '';
  return (
    `${counted(names.length, 'file')} not recognised as any input Palisade reads, not assessed: ` +
    `${shown}${more} (see the input table in the README)`
  );
}

function fail(message: string): number {
  process.stderr.write(`palisade: ${printable(message)}\n`);
  return EXIT_INPUT_ERROR;
}

/** Runs a scan; returns the exit code. */
export async function runScan(paths: string[], options: ScanOptions): Promise<number> {
  const started = performance.now();
  let rules: Rule[];
  let exemptions: Exemption[] = [];
  const missingRules = await checkRuleFolders(options.rules);
  if (missingRules) return fail(missingRules);
  try {
    rules = await loadRules(options.rules, {
      preview: options.previewRules,
      onWarning: (message) => process.stderr.write(`palisade: notice: ${printable(message)}\n`),
    });
    exemptions = options.exemptions ? await loadExemptions(options.exemptions) : [];
  } catch (error) {
    if (error instanceof RuleLoadError || error instanceof ExemptionLoadError)
      return fail(error.message);
    throw error;
  }
  // A scan into a store applies the exemptions made in it (console, API), as the server's runs
  // do. A store that cannot be opened is named when the assessment is stored.
  if (options.store) exemptions.push(...(await exemptionsInStore(options.db).catch(() => [])));
  let compiled;
  try {
    compiled = compileRules(rules);
  } catch (error) {
    if (error instanceof RuleLoadError) return fail(error.message);
    throw error;
  }

  // A large input is scanned file by file: fragments of one inventory resource are then merged
  // within a file only, so a folder of one-call-per-file recordings needs `--no-stream`.
  const stream = options.stream ?? (await inputLargerThan(paths, STREAM_THRESHOLD_BYTES));
  if (stream && options.stream === undefined && !options.quiet) {
    process.stderr.write(
      `palisade: input over ${STREAM_THRESHOLD_BYTES / 1024 / 1024} MB, scanning file by file ` +
        '(only failing findings kept; --no-stream to keep all)\n',
    );
  }
  const progress = createProgress(process.stderr, options.quiet);
  let assessment: Assessment;
  try {
    const scan = {
      paths,
      rules,
      compiled,
      exemptions,
      varFiles: options.varFile,
      onProgress: (p: Parameters<typeof progress.update>[0]) => progress.update(p),
    };
    assessment = stream
      ? await assessStream({ ...scan, keepResources: options.store || options.format === 'json' })
      : await assess(scan);
  } finally {
    progress.stop();
  }
  // Stored by what the paths are, not how they were typed: `scan .` in two repositories into one
  // store are two target sets (finding lifecycle, score per target set).
  assessment.targetIdentities = scanTargetIdentities(paths);
  // Errors and warnings name the paths (and variable files) as the user typed them, in every
  // report and on stderr.
  const asTyped = pathsAsTyped([...paths, ...(options.varFile ?? [])]);
  errorPathsAsTyped(assessment.files, asTyped);
  if (options.quiet && assessment.warnings.length > 0) {
    // Quiet runs (CI logs) get the count, not the list.
    process.stderr.write(
      `palisade: ${counted(assessment.warnings.length, 'warning')} (run without -q to see them)\n`,
    );
  } else {
    for (const warning of assessment.warnings)
      process.stderr.write(`palisade: warning: ${printable(asTyped(warning))}\n`);
  }
  // Files of no kind Palisade reads are named: an export it cannot read must not pass unseen.
  const unrecognised = unrecognisedNotice(assessment.files, asTyped);
  if (unrecognised && assessment.counts.resources > 0 && !options.quiet)
    process.stderr.write(`palisade: ${printable(unrecognised)}\n`);

  if (assessment.counts.resources === 0) {
    const unreadable = assessment.files.filter((f) => f.error).length;
    process.stderr.write(
      `palisade: no resources found in ${paths.join(', ')}` +
        `${unreadable ? ` (${counted(unreadable, 'file')} could not be read)` : ''}; nothing was assessed\n`,
    );
    if (unrecognised) process.stderr.write(`palisade: ${printable(unrecognised)}\n`);
    for (const f of assessment.files.filter((x) => x.error)) {
      process.stderr.write(`palisade: ${f.error!.code} ${printable(f.error!.message)}\n`);
    }
    return EXIT_INPUT_ERROR;
  }

  // The report is written before the store is touched: a store problem never loses it.
  const history: { at: string; score: number }[] = [];
  let storeError: string | undefined;
  let db: Awaited<ReturnType<typeof openStore>> | undefined;
  let auditKey: ServerKey | undefined;
  if (options.store) {
    try {
      // Before anything is stored: a key file that cannot be read stops the run here.
      auditKey = runAuditKey(options.db, options.keyFile);
      db = await openStore(options.db);
      if (auditKey) await assertChainKey(db, auditKey);
      // The trend compares like with like: earlier assessments of the same targets only.
      const same = JSON.stringify(paths);
      const earlier = (await scoreHistory(db, 200)).filter(
        (p) => JSON.stringify(p.targets) === same,
      );
      history.push(...earlier.slice(-29).map((p) => ({ at: p.startedAt, score: p.secureScore })));
      history.push({ at: assessment.startedAt, score: assessment.secureScore });
    } catch (error) {
      storeError = `store ${redactLocation(options.db)}: ${(error as Error).message}`;
      // Nothing is stored in a store this run may not write (its key is not the chain's).
      await db?.destroy();
      db = undefined;
    }
  }

  const report = render(assessment, rules, options, history, performance.now() - started);
  if (options.output) {
    await writeFile(options.output, report);
    process.stderr.write(`palisade: wrote ${options.format} report to ${options.output}\n`);
  } else {
    process.stdout.write(report);
  }

  if (db) {
    try {
      if (isStreamed(assessment)) await saveStreamedAssessment(db, assessment);
      else await saveAssessment(db, assessment);
      if (auditKey) {
        await recordRun(db, auditKey, {
          action: 'assessment.store',
          target: { kind: 'assessment', id: assessment.id },
          details: {
            targets: paths,
            resources: assessment.counts.resources,
            secureScore: assessment.secureScore,
          },
        });
      }
      if (options.format === 'table' && !options.output) {
        process.stdout.write(
          `\nStored as assessment ${assessment.id} in ${redactLocation(options.db)}\n`,
        );
      }
    } catch (error) {
      storeError = `store ${redactLocation(options.db)}: ${(error as Error).message}`;
    } finally {
      await db.destroy();
    }
  }
  if (storeError) {
    process.stderr.write(`palisade: ${printable(storeError)}; the assessment was not stored\n`);
    return EXIT_INPUT_ERROR;
  }

  const code = exitCode(assessment, options.failOn);
  const crossed = crossedLine(assessment, options.failOn, code);
  if (crossed) process.stderr.write(`palisade: ${crossed}\n`);
  const unjudged = unjudgedAtThreshold(assessment, options.failOn);
  if (unjudged.length > 0) {
    for (const line of unjudgedLines(unjudged, options.failOn!))
      process.stderr.write(`palisade: ${printable(line)}\n`);
  }
  const unreadable = assessment.files.filter(
    (f) => f.error && f.error.code !== 'UNSUPPORTED_TEMPLATE',
  );
  // Input errors always reach stderr, whatever the format and with -q: the table's Sources
  // section on stdout is no place for the reason of an exit 2.
  if (unreadable.length > 0) {
    process.stderr.write(`palisade: ${counted(unreadable.length, 'file')} could not be read:\n`);
    for (const f of unreadable.slice(0, 20))
      process.stderr.write(`palisade:   ${f.error!.code} ${printable(f.error!.message)}\n`);
  }
  const templates = assessment.files.filter((f) => f.error?.code === 'UNSUPPORTED_TEMPLATE').length;
  if (templates > 0) {
    process.stderr.write(
      `palisade: ${templates} templates were not assessed (render them first, e.g. helm template)\n`,
    );
  }
  return code;
}

function render(
  a: Assessment,
  rules: Rule[],
  options: ScanOptions,
  history: { at: string; score: number }[],
  elapsedMs: number,
): string {
  switch (options.format) {
    case 'json':
      return renderJson(a);
    case 'csv':
      return renderCsv(a);
    case 'sarif':
      return renderScanSarif(a, rules);
    case 'html':
      return renderHtml(a, rules, { history });
    default:
      return renderTable(a, {
        history: history.map((h) => h.score),
        findingsLimit: options.findings,
        color: options.color && !options.output && Boolean(process.stdout.isTTY),
        elapsedMs,
      });
  }
}

/**
 * Error findings (the rule could not run) at or above the `--fail-on` severity: a gate cannot
 * tell whether those resources cross the threshold, so they fail it as unreadable input does.
 */
export function unjudgedAtThreshold(a: Assessment, failOn?: Severity): Finding[] {
  if (!failOn) return [];
  const threshold = SEVERITIES.indexOf(failOn);
  return a.findings.filter(
    (f) => f.status === 'error' && SEVERITIES.indexOf(f.severity) >= threshold,
  );
}

/**
 * 2 when an input could not be read or, with `--fail-on`, a rule at or above the threshold could
 * not run; else 1 when a finding crosses `--fail-on`; else 0. A template that must be rendered
 * first (Helm) is listed as not assessed but is not an input error: a repository with charts
 * still gets its verdict.
 */
export function exitCode(a: Assessment, failOn?: Severity): number {
  if (a.files.some((f) => f.error && f.error.code !== 'UNSUPPORTED_TEMPLATE'))
    return EXIT_INPUT_ERROR;
  if (!failOn) return EXIT_OK;
  if (unjudgedAtThreshold(a, failOn).length > 0) return EXIT_INPUT_ERROR;
  return crossedThreshold(a, failOn).length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** Failing findings, not exempt, at or above the `--fail-on` severity. */
function crossedThreshold(a: Assessment, failOn: Severity): Finding[] {
  const threshold = SEVERITIES.indexOf(failOn);
  return a.findings.filter(
    (f) => f.status === 'fail' && !f.exemption && SEVERITIES.indexOf(f.severity) >= threshold,
  );
}

/**
 * The stderr line saying which findings crossed `--fail-on`, e.g. `12 findings at or above high
 * (2 critical, 10 high); exit 1`, or undefined when none did. The exit is named only when these
 * findings decide it (an unreadable file exits 2 whatever they are).
 */
function crossedLine(
  a: Assessment,
  failOn: Severity | undefined,
  code: number,
): string | undefined {
  if (!failOn) return undefined;
  const crossed = crossedThreshold(a, failOn);
  if (crossed.length === 0) return undefined;
  const exit = code === EXIT_FINDINGS ? `; exit ${EXIT_FINDINGS}` : '';
  return `${counted(crossed.length, 'finding')} at or above ${failOn} (${severityBreakdown(crossed)})${exit}`;
}

/** One stderr line per rule, at most 20, saying how many resources it could not judge and why. */
function unjudgedLines(unjudged: Finding[], failOn: Severity): string[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of unjudged) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  const lines = [
    `${counted(unjudged.length, 'finding')} at or above --fail-on ${failOn} could not be ` +
      'judged (the rule could not run); the threshold cannot be vouched for:',
  ];
  for (const [ruleId, list] of [...byRule].slice(0, 20))
    lines.push(
      `  ${ruleId} (${list[0].severity}) on ${counted(list.length, 'resource')}: ${list[0].message}`,
    );
  return lines;
}
