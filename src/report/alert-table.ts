/** Alerts and incidents for people: counts by severity, the alert queue, the incident story. */

import pc from 'picocolors';
import type { Alert, Incident } from '../model/alert.js';
import type { Severity } from '../model/rule.js';
import { bar } from './charts.js';
import { printable } from './terminal-text.js';
import { counted } from './counted.js';

const ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];

function sev(s: Severity, color: boolean): string {
  const padded = s.padEnd(13);
  if (!color) return padded;
  if (s === 'critical' || s === 'high') return pc.red(padded);
  if (s === 'medium') return pc.yellow(padded);
  return pc.dim(padded);
}

/**
 * An alert's entities on one line: the first of each kind, and how many more of that kind the
 * alert names (a brute force tries many accounts; the JSON report lists them all).
 */
function entities(a: Alert): string {
  const byKind = new Map<string, { first: string; more: number }>();
  for (const e of a.entities) {
    if (e.kind === 'cloud-account') continue;
    const seen = byKind.get(e.kind);
    if (seen) seen.more += 1;
    else byKind.set(e.kind, { first: e.value, more: 0 });
  }
  return [...byKind]
    .map(
      ([kind, { first, more }]) => `${kind}=${shownValue(first)}${more ? ` (+${more} more)` : ''}`,
    )
    .join(' ');
}

/** A value as printed after `kind=`: quoted when spaces would blur where it starts or ends. */
function shownValue(value: string): string {
  const text = printable(value);
  return text === '' || /\s/.test(text) ? JSON.stringify(text) : text;
}

export interface AlertTableSummary {
  events: number;
  skipped: number;
  /** `unsupported`: rules left out (listed on stderr), built-ins waiting for a placeholder aside. */
  rules: { detection: number; correlation: number; unsupported: number };
  /** Built-in rules off until a placeholder value is given: the placeholder names. */
  waiting?: string[];
  readErrors: number;
  elapsedMs?: number;
  /**
   * Alerts the incidents hold that are not in `alerts`: stored before this run, and joined by
   * its alerts. Each is listed under its incident, marked stored.
   */
  storedMembers?: ReadonlyMap<string, Alert>;
}

export function renderAlertTable(
  alerts: Alert[],
  incidents: Incident[],
  summary: AlertTableSummary,
  color = false,
): string {
  const out: string[] = [];
  const bold = (s: string) => (color ? pc.bold(s) : s);
  const took =
    summary.elapsedMs === undefined ? '' : ` in ${(summary.elapsedMs / 1000).toFixed(1)} s`;
  out.push(bold('Palisade detection'));
  out.push(
    `${counted(summary.events, 'event')}${summary.skipped ? ` (${summary.skipped} outside the time range)` : ''}, ${counted(summary.rules.detection, 'rule')} and ${counted(summary.rules.correlation, 'correlation')}${took}`,
  );
  if (summary.readErrors)
    out.push(
      `${summary.readErrors === 1 ? '1 record or file' : `${summary.readErrors} records or files`} could not be read (listed on stderr)`,
    );
  if (summary.rules.unsupported)
    out.push(
      `${counted(summary.rules.unsupported, 'rule')} not used (listed on stderr with why; ` +
        '--strict-rules makes that exit 2)',
    );
  for (const name of new Set(summary.waiting ?? [])) {
    out.push(`A built-in detection is off until --placeholder ${printable(name)}=VALUE is given`);
  }
  out.push('');

  const max = Math.max(1, ...ORDER.map((s) => alerts.filter((a) => a.severity === s).length));
  out.push(bold(`Alerts by severity (${alerts.length})`));
  for (const s of ORDER) {
    const n = alerts.filter((a) => a.severity === s).length;
    if (n > 0) out.push(`  ${sev(s, color)} ${bar(n / max, 24)} ${n}`);
  }
  out.push('');

  const sorted = [...alerts].sort(
    (a, b) =>
      ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) ||
      a.firstSeen.localeCompare(b.firstSeen),
  );
  if (sorted.length > 0) {
    out.push(bold('Alerts'));
    for (const a of sorted) {
      const techniques = printable(a.attack.techniques.join(', '));
      const mitre = techniques ? ` [${techniques}]` : '';
      out.push(`  ${sev(a.severity, color)} ${printable(a.title)}${mitre}`);
      const seen = printable(`${a.firstSeen} → ${a.lastSeen}`);
      out.push(`      ${seen}, ${counted(a.eventCount, 'event')}  ${entities(a)}`);
      const by = a.rule.author ? ` by ${printable(a.rule.author)}` : '';
      const licence = a.rule.license ? `, ${printable(a.rule.license)}` : '';
      out.push(`      rule ${a.rule.kind}:${printable(a.rule.id)}${by}${licence}`);
    }
    out.push('');
  }

  if (incidents.length > 0) {
    out.push(bold(`Incidents (${incidents.length})`));
    const byId = new Map(alerts.map((a) => [a.id, a]));
    for (const i of incidents) {
      out.push(`  ${sev(i.severity, color)} ${printable(i.title)}`);
      const chain = printable(i.tactics.join(' → ')) || 'unmapped';
      out.push(`      ${printable(`${i.firstSeen} → ${i.lastSeen}`)}; kill chain: ${chain}`);
      let unlisted = 0;
      for (const id of i.alerts) {
        const a = byId.get(id);
        const stored = a ? undefined : summary.storedMembers?.get(id);
        if (a) out.push(`        ${printable(a.firstSeen)}  ${printable(a.title)}`);
        else if (stored) {
          out.push(`        ${printable(stored.firstSeen)}  ${printable(stored.title)}  (stored)`);
        } else unlisted += 1;
      }
      if (unlisted > 0) {
        out.push(`        … and ${counted(unlisted, 'stored alert')} not listed here`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}
