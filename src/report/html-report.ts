/**
 * A self-contained HTML report: score gauge, trend, score per control, recommendations,
 * compliance per standard, failing findings and unreadable files. No scripts, no remote assets.
 */

import type { AssessmentResult } from '../model/assessment.js';
import type { Rule } from '../model/rule.js';
import type { Finding } from '../model/finding.js';
import { counted } from './counted.js';
import { scorePercent } from './score-percent.js';
import { findingPlace, mostSevereFirst, severityBreakdown } from './finding-order.js';

const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function colour(percent: number): string {
  if (percent >= 80) return '#1a7f37';
  if (percent >= 50) return '#b58100';
  return '#cf222e';
}

/** A half-circle gauge for a percentage. */
function gauge(percent: number): string {
  const angle = Math.PI * (1 - Math.max(0, Math.min(100, percent)) / 100);
  const x = 100 + 80 * Math.cos(angle);
  const y = 100 - 80 * Math.sin(angle);
  return `<svg viewBox="0 0 200 115" width="240" role="img" aria-label="Secure score ${scorePercent(percent)}">
<path d="M20 100 A80 80 0 0 1 180 100" fill="none" stroke="#d0d7de" stroke-width="18"/>
<path d="M20 100 A80 80 0 0 1 ${x.toFixed(1)} ${y.toFixed(1)}" fill="none" stroke="${colour(percent)}" stroke-width="18"/>
<text x="100" y="95" text-anchor="middle" font-size="30" font-weight="600">${scorePercent(percent)}</text></svg>`;
}

/** A line chart of past scores (0..100). */
function trend(history: { at: string; score: number }[]): string {
  if (history.length < 2) return '';
  const w = 480,
    h = 140,
    pad = 24;
  const step = (w - 2 * pad) / (history.length - 1);
  const points = history.map(
    (p, i) =>
      `${(pad + i * step).toFixed(1)},${(h - pad - ((h - 2 * pad) * p.score) / 100).toFixed(1)}`,
  );
  return `<figure><svg viewBox="0 0 ${w} ${h}" width="${w}" role="img" aria-label="Secure score over the last ${history.length} assessments">
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#d0d7de"/>
<line x1="${pad}" y1="${pad}" x2="${w - pad}" y2="${pad}" stroke="#eaeef2"/>
<text x="2" y="${pad + 4}" font-size="10">100</text><text x="8" y="${h - pad + 4}" font-size="10">0</text>
<polyline fill="none" stroke="#0969da" stroke-width="2" points="${points.join(' ')}"/>
${points.map((p, i) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="#0969da"><title>${esc(history[i].at)}: ${scorePercent(history[i].score)}</title></circle>`).join('')}
</svg><figcaption>Secure score over time</figcaption></figure>`;
}

function meter(ratio: number, width = 160): string {
  const filled = Math.round(Math.max(0, Math.min(1, ratio)) * width);
  return `<svg width="${width}" height="12" aria-hidden="true"><rect width="${width}" height="12" fill="#eaeef2"/><rect width="${filled}" height="12" fill="${colour(ratio * 100)}"/></svg>`;
}

export interface HtmlReportOptions {
  history?: { at: string; score: number }[];
  /** Failing findings listed at most, the most severe first (1,000 by default). */
  findingsLimit?: number;
}

/**
 * The sentence under a cut findings list: how many of each severity were left out and where to
 * see them all.
 */
function leftOutNote(left: Finding[]): string {
  if (left.length === 0) return '';
  return `<p class="cut">${counted(left.length, 'failing finding')} (${severityBreakdown(left)}) left out of this page, the least severe. The JSON, CSV and SARIF reports list them all: <code>palisade scan … --format json</code>.</p>`;
}

export function renderHtml(
  a: AssessmentResult,
  rules: Rule[],
  options: HtmlReportOptions = {},
): string {
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  // An exempt finding counts apart from the failing ones (the score leaves it out): listed in
  // the failing list, it made that list longer than the fail count beside it.
  const failing = mostSevereFirst(a.findings.filter((f) => f.status === 'fail' && !f.exemption));
  const exempt = mostSevereFirst(a.findings.filter((f) => f.exemption !== undefined));
  const limit = options.findingsLimit ?? 1000;
  const controls = a.controls.filter((c) => c.healthy + c.unhealthy > 0);
  const standards = a.compliance.filter((s) => s.passed + s.failed > 0);
  const errored = a.files.filter((f) => f.error);

  const controlRows = controls
    .map(
      (c) => `<tr><td>${esc(c.id)}</td><td>${esc(c.title)}</td>
<td>${meter(c.currentScore / c.maxScore)}</td><td class="n">${c.currentScore.toFixed(1)} / ${c.maxScore}</td>
<td class="n">${c.unhealthy} of ${c.healthy + c.unhealthy}</td></tr>`,
    )
    .join('\n');

  const recRows = a.recommendations
    .map((r) => {
      const rule = ruleById.get(r.ruleId);
      const snippet = rule?.remediation.cli ? `<pre>${esc(rule.remediation.cli.trim())}</pre>` : '';
      return `<tr><td class="n">+${r.potentialIncrease.toFixed(1)}%</td><td class="n">+${r.scoreShare.toFixed(2)}%</td><td class="sev ${esc(r.severity)}">${esc(r.severity)}</td>
<td><details><summary><b>${esc(r.title)}</b> <code>${esc(r.ruleId)}</code></summary><p>${esc(rule?.description)}</p><p>${esc(r.remediation)}</p>${snippet}</details></td>
<td class="n">${r.failing}</td><td class="n">${r.exempt}</td></tr>`;
    })
    .join('\n');

  const standardRows = standards
    .map(
      (
        s,
      ) => `<details><summary>${esc(s.name)}: ${s.passed} passed, ${s.failed} failed, ${s.notAssessed} not assessed, ${s.manual} manual (no automated check) ${meter(s.passed / Math.max(1, s.passed + s.failed), 120)}</summary>
<table><thead><tr><th>Control</th><th>Title</th><th>State</th><th>Failing</th><th>Rules</th></tr></thead><tbody>
${s.controls
  .filter((c) => c.state === 'passed' || c.state === 'failed')
  .map(
    (c) =>
      `<tr><td>${esc(c.id)}</td><td>${esc(c.title)}</td><td class="state ${esc(c.state)}">${esc(c.state)}</td><td class="n">${c.failing}</td><td>${c.rules.map((r) => `<code>${esc(r)}</code>`).join(' ')}</td></tr>`,
  )
  .join('\n')}
</tbody></table></details>`,
    )
    .join('\n');

  const findingRows = failing
    .slice(0, limit)
    .map(
      (
        f,
      ) => `<tr><td class="sev ${esc(f.severity)}">${esc(f.severity)}</td><td><code>${esc(f.ruleId)}</code></td>
<td>${esc(f.message)}</td><td class="where">${esc(findingPlace(f) ?? f.resourceId)}</td></tr>`,
    )
    .join('\n');

  const exemptRows = exempt
    .slice(0, limit)
    .map((f) => {
      const e = f.exemption!;
      const until = e.expires ? `, until ${esc(e.expires)}` : '';
      return `<tr><td class="sev ${esc(f.severity)}">${esc(f.severity)}</td><td><code>${esc(f.ruleId)}</code></td>
<td>${esc(f.message)} <em>(${esc(e.category)}: ${esc(e.justification)}${until}; ${esc(e.source)})</em></td><td class="where">${esc(findingPlace(f) ?? f.resourceId)}</td></tr>`;
    })
    .join('\n');
  const exemptSection = exempt.length
    ? `<h2 id="exempt-findings">Exempt findings${exempt.length > limit ? ` (first ${limit} of ${exempt.length}, most severe first)` : ''}</h2>
<table class="findings"><thead><tr><th>Severity</th><th>Rule</th><th>Finding and exemption</th><th>Where</th></tr></thead><tbody>${exemptRows}</tbody></table>`
    : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Palisade assessment ${esc(a.id)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}.n{text-align:right;white-space:nowrap}
.sev.critical,.sev.high,.state.failed{color:#cf222e;font-weight:600}.sev.medium{color:#9a6700}.state.passed{color:#1a7f37}
.top{display:flex;gap:2rem;align-items:center;flex-wrap:wrap}pre{background:#f6f8fa;padding:6px;overflow:auto}figure{margin:0}
td,summary,li,pre{overflow-wrap:anywhere}pre{white-space:pre-wrap}
table.findings{table-layout:fixed}.findings th:nth-child(1){width:6rem}.findings th:nth-child(2){width:26%}.findings th:nth-child(4){width:30%}
</style></head><body>
<h1>Palisade assessment</h1>
<p>${esc(a.startedAt)} · ${counted(a.files.length, 'file')} · ${counted(a.counts.resources, 'resource')} · ${counted(a.counts.rules, 'rule')} · ${esc(a.targets.join(', '))}</p>
<section class="top">${gauge(a.secureScore)}${trend(options.history ?? [])}
<table style="width:auto"><tr><th>pass</th><td class="n">${a.counts.pass}</td></tr><tr><th>fail</th><td class="n">${a.counts.fail}</td></tr>
<tr><th>not applicable</th><td class="n">${a.counts.notApplicable}</td></tr>${a.counts.notJudged ? `<tr><th>of them not judged (a value unknown)</th><td class="n">${a.counts.notJudged}</td></tr>` : ''}<tr><th>error</th><td class="n">${a.counts.error}</td></tr><tr><th>exempt</th><td class="n">${a.counts.exempt}</td></tr></table></section>
<h2>Score per control</h2>
<table><thead><tr><th>Control</th><th>Title</th><th>Health</th><th>Points</th><th>Unhealthy</th></tr></thead><tbody>${controlRows}</tbody></table>
<h2>Recommendations by potential score increase</h2>
<table><thead><tr><th>Control gain</th><th>Rule's share</th><th>Severity</th><th>Recommendation</th><th>Failing</th><th>Exempt</th></tr></thead><tbody>${recRows}</tbody></table>
<h2>Regulatory compliance</h2>
${standardRows || '<p>No standard has assessed controls.</p>'}
<h2 id="findings">Failing findings${failing.length > limit ? ` (first ${limit} of ${failing.length}, most severe first)` : ''}</h2>
${leftOutNote(failing.slice(limit))}
<table class="findings"><thead><tr><th>Severity</th><th>Rule</th><th>Finding</th><th>Where</th></tr></thead><tbody>${findingRows}</tbody></table>
${exemptSection}
${errored.length ? `<h2>Files that could not be read</h2><ul>${errored.map((f) => `<li><code>${esc(f.error!.code)}</code> ${esc(f.error!.message)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
