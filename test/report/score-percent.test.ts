/**
 * The terminal and HTML reports write the secure score with the decimal the API and the console
 * show: the sample estate's 49.9 is not rounded to 50.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model/rule.js';
import type { Assessment } from '../../src/posture/assess.js';
import { renderHtml } from '../../src/report/html-report.js';
import { renderTable } from '../../src/report/table-report.js';
import { assessSampleEstate } from './sample-assessment.js';

let assessment: Assessment;
let rules: Rule[];

beforeAll(async () => {
  ({ assessment, rules } = await assessSampleEstate());
}, 120_000);

describe('secure score in the reports', () => {
  it('keeps the score a fraction, as the assessment carries it', () => {
    expect(Number.isInteger(assessment.secureScore)).toBe(false);
  });

  it('writes the score with one decimal in the terminal report and its trend', () => {
    const score = `${assessment.secureScore.toFixed(1)}%`;
    const text = renderTable(assessment, { history: [40, assessment.secureScore] });
    expect(text).toContain(`Secure score  ${score.padStart(6)}  `);
    expect(text).toContain(`2 assessments, 40.0% → ${score}`);
  });

  it('writes the score with one decimal in the HTML gauge', () => {
    const html = renderHtml(assessment, rules);
    expect(html).toContain(`>${assessment.secureScore.toFixed(1)}%</text>`);
    expect(html).toContain(`aria-label="Secure score ${assessment.secureScore.toFixed(1)}%"`);
  });
});
