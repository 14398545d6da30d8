/**
 * The report for people: secure score, score per control, top recommendations, failing findings,
 * rules that could not run, counts, files.
 */

import pc from 'picocolors';
import type { AssessmentResult } from '../model/assessment.js';
import type { Severity } from '../model/rule.js';
import { isStreamed } from '../posture/assess-stream.js';
import { bar, sparkline } from './charts.js';
import { printable } from './terminal-text.js';
import { counted } from './counted.js';
import { scorePercent } from './score-percent.js';
import { findingPlace, MOST_SEVERE_FIRST, mostSevereFirst } from './finding-order.js';

export interface TableReportOptions {
  /** Past secure scores (oldest first) for the trend line. */
  history?: number[];
  /** How many failing findings to list (0 = none). */
  findingsLimit?: number;
  color?: boolean;
  elapsedMs?: number;
}

function scoreColour(score: number, text: string, on: boolean): string {
  if (!on) return text;
  if (score >= 80) return pc.green(text);
  if (score >= 50) return pc.yellow(text);
  return pc.red(text);
}

function severityColour(severity: Severity, on: boolean): string {
  if (!on) return severity;
  if (severity === 'critical' || severity === 'high') return pc.red(severity);
  if (severity === 'medium') return pc.yellow(severity);
  return pc.dim(severity);
}

function pad(text: string, width: number): string {
  const safe = printable(text);
  return safe.length >= width ? `${safe.slice(0, width - 1)}…` : safe.padEnd(width);
}

/** Error findings listed at most; the JSON and SARIF reports and the store hold them all. */
const ERRORS_SHOWN = 10;

/** The findings whose rule could not run: which rule, on which resource, where and why. */
function ruleErrors(a: AssessmentResult, on: boolean): string[] {
  const errors = a.findings.filter((f) => f.status === 'error');
  if (errors.length === 0) return [];
  const title = `Rule errors (${Math.min(ERRORS_SHOWN, errors.length)} of ${errors.length}): these rules could not run`;
  const out = [on ? pc.bold(title) : title];
  for (const f of errors.slice(0, ERRORS_SHOWN)) {
    const place = printable(findingPlace(f) ?? f.resourceId);
    const label = on ? pc.red('error') : 'error';
    out.push(`  ${label}    ${printable(f.ruleId)} ${on ? pc.dim(place) : place}`);
    out.push(`      ${printable(f.message)}`);
  }
  out.push('');
  return out;
}

/** Renders an assessment as the console report. */
export function renderTable(a: AssessmentResult, options: TableReportOptions = {}): string {
  const on = options.color ?? false;
  const bold = (s: string) => (on ? pc.bold(s) : s);
  const out: string[] = [];
  const files = a.files.length;
  const errored = a.files.filter((f) => f.error).length;
  const took =
    options.elapsedMs === undefined ? '' : `, ${(options.elapsedMs / 1000).toFixed(1)} s`;
  out.push(bold(`Palisade assessment ${printable(a.id)}`));
  out.push(
    `${counted(files, 'file')}, ${counted(a.counts.resources, 'resource')}, ${counted(a.counts.rules, 'rule')}${took}`,
  );
  if (isStreamed(a)) out.push('Streamed scan: failing and error findings kept, counts cover all.');
  out.push('');

  const score = scorePercent(a.secureScore);
  out.push(
    `${bold('Secure score')}  ${scoreColour(a.secureScore, `${score.padStart(6)}  ${bar(a.secureScore / 100, 30)}`, on)}`,
  );
  if (options.history && options.history.length > 1) {
    const h = options.history;
    out.push(
      `Trend         ${sparkline(h, 0, 100)}  ${h.length} assessments, ${scorePercent(h[0])} → ${scorePercent(h[h.length - 1])}`,
    );
  }
  out.push('');

  const scored = a.controls.filter((c) => c.healthy + c.unhealthy > 0);
  if (scored.length > 0) {
    out.push(bold('Score per control'));
    for (const c of scored) {
      const ratio = c.currentScore / c.maxScore;
      const points = `${c.currentScore.toFixed(1)}/${c.maxScore}`.padStart(8);
      const chart = scoreColour(ratio * 100, bar(ratio, 16), on);
      out.push(
        `  ${c.id.padEnd(6)} ${pad(c.title, 46)} ${chart} ${points}  ${c.unhealthy} of ${c.healthy + c.unhealthy} unhealthy`,
      );
    }
    out.push('');
  }

  const top = a.recommendations.slice(0, 10);
  if (top.length > 0) {
    out.push(bold('Top recommendations by potential score increase'));
    // +% is the control's potential increase, share the rule's part of it (README glossary).
    out.push(
      `  ${'+%'.padStart(5)}  ${'share'.padStart(6)}  ${'severity'.padEnd(13)} ${'failing'.padStart(7)}  rule`,
    );
    for (const r of top) {
      const sev = severityColour(r.severity, on) + ' '.repeat(Math.max(0, 13 - r.severity.length));
      out.push(
        `  ${r.potentialIncrease.toFixed(1).padStart(5)}  ${r.scoreShare.toFixed(2).padStart(6)}  ${sev} ${String(r.failing).padStart(7)}  ${printable(`${r.ruleId}: ${r.title}`)}`,
      );
    }
    out.push('');
  }

  const limit = options.findingsLimit ?? 20;
  const failing = mostSevereFirst(a.findings.filter((f) => f.status === 'fail' && !f.exemption));
  if (limit > 0 && failing.length > 0) {
    out.push(
      bold(
        `Failing findings (${Math.min(limit, failing.length)} of ${failing.length}, most severe first)`,
      ),
    );
    for (const f of failing.slice(0, limit)) {
      const place = printable(findingPlace(f) ?? '');
      const where = place ? ` ${on ? pc.dim(place) : place}` : '';
      out.push(
        `  ${severityColour(f.severity, on).padEnd(on ? 0 : 8)} ${printable(f.ruleId)}${where}`,
      );
      out.push(`      ${printable(f.message)}`);
    }
    out.push('');
  }

  for (const item of ruleErrors(a, on)) out.push(item);

  const c = a.counts;
  const sev = MOST_SEVERE_FIRST.filter((s) => c.bySeverity[s] > 0)
    .map((s) => `${s} ${c.bySeverity[s]}`)
    .join(', ');
  out.push(bold('Findings'));
  out.push(
    `  pass ${c.pass}  fail ${c.fail}${sev ? ` (${sev})` : ''}  not applicable ${c.notApplicable}${notJudgedNote(c.notJudged)}  error ${c.error}  exempt ${c.exempt}`,
  );
  out.push('');

  const assessed = a.compliance.filter((s) => s.passed + s.failed > 0);
  if (assessed.length > 0) {
    out.push(bold('Regulatory compliance (controls passed / failed / not assessed / manual)'));
    for (const s of assessed) {
      const ratio = s.passed / (s.passed + s.failed);
      out.push(
        `  ${pad(s.name, 52)} ${bar(ratio, 12)} ${String(s.passed).padStart(4)} / ${String(s.failed).padStart(4)} / ${String(s.notAssessed).padStart(4)} / ${String(s.manual).padStart(4)}`,
      );
    }
    if (assessed.some((s) => s.manual > 0)) {
      const note = '  manual: controls no Palisade rule checks; assess them by hand';
      out.push(on ? pc.dim(note) : note);
    }
    out.push('');
  }

  out.push(bold('Sources'));
  const kinds = new Map<string, number>();
  for (const f of a.files) if (!f.error) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  // A file read in part (a Terraform `count` cut at the cap) is errored and its resources judged:
  // both are said, so the counts above never look like a whole reading.
  const partial = a.files.filter((f) => f.error && f.resources > 0);
  const partialResources = partial.reduce((n, f) => n + f.resources, 0);
  const readWhole =
    [...kinds].map(([k, n]) => `${k} ${n}`).join(', ') ||
    (partial.length ? 'no file read whole' : 'no readable files');
  const inPart = partial.length
    ? `, ${partial.length} of them read in part (${counted(partialResources, 'resource')} judged, the rest left out)`
    : '';
  out.push(`  ${readWhole}${errored ? `; ${errored} errored${inPart}` : ''}`);
  const folded = a.files.reduce((n, f) => n + (f.folded ?? 0), 0);
  if (folded > 0) {
    const objects = counted(folded, 'pod, ReplicaSet or Job', 'pods, ReplicaSets or Jobs');
    out.push(
      `  ${objects} judged through ${folded === 1 ? 'its controller' : 'their controllers'}`,
    );
  }
  for (const f of a.files.filter((x) => x.error)) {
    const error = printable(`${f.error!.code} ${f.error!.message}`);
    out.push(`  ${on ? pc.red('error') : 'error'} ${error}`);
  }
  return out.join('\n') + '\n';
}

/**
 * How many not-applicable findings could not be judged (a value unknown before deployment or
 * missing from the inventory): missing data must not read as a clean result.
 */
export function notJudgedNote(notJudged: number | undefined): string {
  return notJudged ? ` (${notJudged} of them not judged: a value they read is unknown)` : '';
}
