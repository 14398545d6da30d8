/**
 * The CI gate's verdicts as JUnit XML, which CI systems (GitLab, Jenkins, Azure Pipelines) show
 * as test results: one test suite per file, one test case per rule and resource; denied
 * violations fail, audited ones pass with a note, baseline-accepted ones are skipped, and a
 * deny-mode rule that could not run is an error (an audit-mode one passes with a note), and so
 * is a file that could not be read.
 */

import type { Finding } from '../../model/finding.js';
import type { SourceError } from '../../model/source-error.js';
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
  outcome: 'pass' | 'deny' | 'audit' | 'baselined' | 'error' | 'audit-error';
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
    case 'error':
      return (
        `${open}>\n      <error type="rule-error" message="${xmlText(f.message)}">` +
        `${xmlText(`the rule could not run: ${f.message}${where}`)}</error>\n    </testcase>`
      );
    case 'audit-error':
      return `${open}>\n      <system-out>${xmlText(`audit: the rule could not run: ${f.message}${where}`)}</system-out>\n    </testcase>`;
    case 'baselined':
      return `${open}>\n      <skipped message="${xmlText(`accepted in the baseline: ${f.message}`)}"/>\n    </testcase>`;
    default:
      return `${open}/>`;
  }
}

/** A file that could not be read: an error test case in the file's suite. */
function inputErrorCase(e: SourceError): string {
  return (
    `    <testcase name="${xmlText(`read ${e.file}`)}" classname="${xmlText(e.file)}">\n` +
    `      <error type="${xmlText(e.code)}" message="${xmlText(e.message)}">` +
    `${xmlText(`the file could not be read, so it was not checked: ${e.message}`)}` +
    `</error>\n    </testcase>`
  );
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
  const add = (c: Case) => {
    const suite = c.finding.file ?? '(no file)';
    const list = bySuite.get(suite) ?? [];
    list.push(c);
    bySuite.set(suite, list);
  };
  for (const f of result.findings) {
    if (f.status !== 'pass' && f.status !== 'fail') continue;
    const key = findingFingerprint(f);
    if (seen.has(key)) continue;
    const o = outcome.get(key) ?? (f.status === 'pass' ? 'pass' : undefined);
    if (!o) continue; // failing, but no assignment enforces the rule here
    seen.add(key);
    add({ finding: f, outcome: o });
  }
  for (const d of result.errors) {
    add({ finding: d.finding, outcome: d.mode === 'deny' ? 'error' : 'audit-error' });
  }
  const unread = new Map<string, SourceError[]>();
  for (const e of result.inputErrors) {
    unread.set(e.file, [...(unread.get(e.file) ?? []), e]);
    if (!bySuite.has(e.file)) bySuite.set(e.file, []);
  }
  const errors = result.errors.filter((d) => d.mode === 'deny').length + result.inputErrors.length;
  const suites = [...bySuite.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = suites.reduce((n, [, cases]) => n + cases.length, 0) + result.inputErrors.length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="palisade check" tests="${total}" failures="${result.deny.length}" ` +
      `errors="${errors}" skipped="${result.baselined.length}">`,
  ];
  for (const [file, cases] of suites) {
    const failures = cases.filter((c) => c.outcome === 'deny').length;
    const skipped = cases.filter((c) => c.outcome === 'baselined').length;
    const fileErrors = unread.get(file) ?? [];
    const errored = cases.filter((c) => c.outcome === 'error').length + fileErrors.length;
    lines.push(
      `  <testsuite name="${xmlText(file)}" tests="${cases.length + fileErrors.length}" ` +
        `failures="${failures}" errors="${errored}" skipped="${skipped}">`,
    );
    for (const e of fileErrors) lines.push(inputErrorCase(e));
    for (const c of cases) lines.push(testCase(c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
