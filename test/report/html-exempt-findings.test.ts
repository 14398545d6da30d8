/**
 * The HTML report lists exempt findings apart from the failing ones, as the terminal report
 * leaves them out of its failing list: the failing list then holds as many findings as the fail
 * count beside it, which is what the secure score counts.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model/rule.js';
import type { Assessment } from '../../src/posture/assess.js';
import { renderHtml } from '../../src/report/html-report.js';
import { assessSampleEstate } from './sample-assessment.js';

let assessment: Assessment;
let rules: Rule[];

beforeAll(async () => {
  ({ assessment, rules } = await assessSampleEstate());
}, 120_000);

/** The rows of the table that follows the heading with this id. */
function rowsAfter(html: string, id: string): string[] {
  const start = html.indexOf(`<h2 id="${id}">`);
  expect(start, id).toBeGreaterThan(0);
  const table = html.slice(start, html.indexOf('</table>', start));
  return table
    .split('<tr><td class="sev ')
    .slice(1)
    .map((row) => row.slice(0, row.indexOf('</tr>')));
}

describe('HTML report: exempt findings', () => {
  it('lists failing findings without the exempt ones, as many as the fail count', () => {
    expect(assessment.counts.exempt).toBeGreaterThan(0);
    const html = renderHtml(assessment, rules);

    const failing = rowsAfter(html, 'findings');
    expect(failing).toHaveLength(assessment.counts.fail);
    expect(failing.some((row) => row.includes('exempt'))).toBe(false);
    expect(html).toContain(`<tr><th>fail</th><td class="n">${assessment.counts.fail}</td></tr>`);
  });

  it('lists the exempt findings in their own section, each with its exemption', () => {
    const html = renderHtml(assessment, rules);
    const exempt = rowsAfter(html, 'exempt-findings');
    expect(exempt).toHaveLength(assessment.counts.exempt);
    for (const row of exempt) {
      expect(row).toContain('waiver');
      expect(row).toContain('Marketing assets are public by design');
      expect(row).toContain('2027-06-30');
    }
  });
});
