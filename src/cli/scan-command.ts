/** `palisade scan`: read, assess, report, store, and turn the result into an exit code. */

import { writeFile } from 'node:fs/promises';
import type { Rule, Severity } from '../model/rule.js';
import { SEVERITIES } from '../model/rule.js';
import { assess, type Assessment } from '../posture/assess.js';
import { compileRules } from '../posture/engine.js';
import { ExemptionLoadError, loadExemptions, type Exemption } from '../posture/exemptions.js';
import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
import { renderCsv } from '../report/csv-report.js';
import { renderHtml } from '../report/html-report.js';
import { renderJson } from '../report/json-report.js';
import { renderSarif } from '../report/sarif-report.js';
import { renderTable } from '../report/table-report.js';
import { saveAssessment, scoreHistory } from '../store/assessment-repository.js';
import { openStore, StoreError } from '../store/database.js';
import { EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { createProgress } from './progress.js';

export interface ScanOptions {
  format: 'table' | 'json' | 'csv' | 'sarif' | 'html';
  output?: string;
  rules: string[];
  exemptions?: string;
  failOn?: Severity;
  db: string;
  store: boolean;
  findings: number;
  color: boolean;
  quiet?: boolean;
}

function fail(message: string): number {
  process.stderr.write(`palisade: ${message}\n`);
  return EXIT_INPUT_ERROR;
}

/** Runs a scan; returns the exit code. */
export async function runScan(paths: string[], options: ScanOptions): Promise<number> {
  const started = performance.now();
  let rules: Rule[];
  let exemptions: Exemption[] = [];
  try {
    rules = await loadRules(options.rules);
    exemptions = options.exemptions ? await loadExemptions(options.exemptions) : [];
  } catch (error) {
    if (error instanceof RuleLoadError || error instanceof ExemptionLoadError)
      return fail(error.message);
    throw error;
  }
  let compiled;
  try {
    compiled = compileRules(rules);
  } catch (error) {
    if (error instanceof RuleLoadError) return fail(error.message);
    throw error;
  }

  const progress = createProgress(process.stderr, options.quiet);
  let assessment: Assessment;
  try {
    assessment = await assess({
      paths,
      rules,
      compiled,
      exemptions,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.stop();
  }
  for (const warning of assessment.warnings)
    process.stderr.write(`palisade: warning: ${warning}\n`);

  let history: { at: string; score: number }[] = [];
  if (options.store) {
    try {
      const db = await openStore(options.db);
      try {
        await saveAssessment(db, assessment);
        history = (await scoreHistory(db, 30)).map((p) => ({
          at: p.startedAt,
          score: p.secureScore,
        }));
      } finally {
        await db.destroy();
      }
    } catch (error) {
      if (error instanceof StoreError) return fail(error.message);
      throw error;
    }
  }

  const report = render(assessment, rules, options, history, performance.now() - started);
  if (options.output) {
    await writeFile(options.output, report);
    process.stderr.write(`palisade: wrote ${options.format} report to ${options.output}\n`);
  } else {
    process.stdout.write(report);
  }
  if (options.format === 'table' && options.store && !options.output) {
    process.stdout.write(`\nStored as assessment ${assessment.id} in ${options.db}\n`);
  }
  return exitCode(assessment, options.failOn);
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
      return renderSarif(a, rules);
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

/** 2 when an input could not be read, else 1 when a finding crosses `--fail-on`, else 0. */
export function exitCode(a: Assessment, failOn?: Severity): number {
  if (a.files.some((f) => f.error)) return EXIT_INPUT_ERROR;
  if (!failOn) return EXIT_OK;
  const threshold = SEVERITIES.indexOf(failOn);
  const crossed = a.findings.some(
    (f) => f.status === 'fail' && !f.exemption && SEVERITIES.indexOf(f.severity) >= threshold,
  );
  return crossed ? EXIT_FINDINGS : EXIT_OK;
}
