/**
 * The CI gate's verdicts as JUnit XML, which CI systems (GitLab, Jenkins, Azure Pipelines) show
 * as test results: one test suite per file, one test case per rule and resource; denied
 * violations fail, audited ones pass with a note, baseline-accepted ones are skipped.
 */

import type { Finding } from '../../model/finding.js';
import type { CheckResult } from '../ci-check.js';
import { findingFingerprint } from '../../report/sarif-fingerprint.js';

/** XML 1.0 text: escapes markup and drops characters XML cannot hold. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case {
  finding: Finding;
  outcome: 'pass' | 'deny' | 'audit' | 'baselined';
}

function testCase(c: Case): string {
  const f = c.finding;
  const name = xmlText(`${f.ruleId} ${f.resourceId}`);
  const classname = xmlText(f.file ?? f.resourceType);
  const where = f.line ? ` (${f.file}:${f.line})` : '';
  const open = `    <testcase name="${name}" classname="${classname}"`;
  switch (c.outcome) {
    case 'deny':
      return (
        `${open}>\n      <failure type="deny" message="${xmlText(f.message)}">` +
        `${xmlText(`${f.severity}: ${f.message}${where}`)}</failure>\n    </testcase>`
      );
    case 'audit':
      return `${open}>\n      <system-out>${xmlText(`audit: ${f.message}${where}`)}</system-out>\n    </testcase>`;
    case 'baselined':
      return `${open}>\n      <skipped message="${xmlText(`accepted in the baseline: ${f.message}`)}"/>\n    </testcase>`;
    default:
      return `${open}/>`;
  }
}

/**
 * JUnit XML of a gate run: every judged rule and resource, so a passing run still lists what it
 * checked.
 */
export function renderJunit(result: CheckResult): string {
  const outcome = new Map<string, Case['outcome']>();
  for (const d of result.deny) outcome.set(findingFingerprint(d.finding), 'deny');
  for (const d of result.audit) outcome.set(findingFingerprint(d.finding), 'audit');
  for (const d of result.baselined) outcome.set(findingFingerprint(d.finding), 'baselined');

  const bySuite = new Map<string, Case[]>();
  const seen = new Set<string>();
  for (const f of result.findings) {
    if (f.status !== 'pass' && f.status !== 'fail') continue;
    const key = findingFingerprint(f);
    if (seen.has(key)) continue;
    const o = outcome.get(key) ?? (f.status === 'pass' ? 'pass' : undefined);
    if (!o) continue; // failing, but no assignment enforces the rule here
    seen.add(key);
    const suite = f.file ?? '(no file)';
    const list = bySuite.get(suite) ?? [];
    list.push({ finding: f, outcome: o });
    bySuite.set(suite, list);
  }
  const suites = [...bySuite.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = suites.reduce((n, [, cases]) => n + cases.length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="palisade check" tests="${total}" failures="${result.deny.length}" ` +
      `skipped="${result.baselined.length}">`,
  ];
  for (const [file, cases] of suites) {
    const failures = cases.filter((c) => c.outcome === 'deny').length;
    const skipped = cases.filter((c) => c.outcome === 'baselined').length;
    lines.push(
      `  <testsuite name="${xmlText(file)}" tests="${cases.length}" failures="${failures}" ` +
        `errors="0" skipped="${skipped}">`,
    );
    for (const c of cases) lines.push(testCase(c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
