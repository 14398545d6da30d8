/**
 * Controls no rule checks are shown apart as manual in the terminal and HTML reports, so "not
 * assessed" keeps meaning "nothing in this input", not "nothing could ever check it".
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderHtml } from '../../src/report/html-report.js';
import { manualControls } from '../../src/report/manual-controls.js';
import { renderTable } from '../../src/report/table-report.js';

describe('manual compliance controls in reports', () => {
  it('counts the controls without a rule apart from those nothing judged', async () => {
    const rules = await loadRules();
    const result = await assess({ paths: [resolve('samples/estate')], rules });
    const nist = result.compliance.find((s) => s.id === 'nist-800-53')!;
    const manual = nist.controls.filter((c) => c.rules.length === 0).length;
    expect(manual).toBeGreaterThan(0);
    expect(manualControls(nist)).toBe(manual);

    const table = renderTable(result, { color: false });
    expect(table).toContain('controls passed / failed / not assessed / manual');
    const row = table.split('\n').find((l) => l.includes(nist.name))!;
    const numbers = row
      .match(/(\d+) \/\s+(\d+) \/\s+(\d+) \/\s+(\d+)$/)!
      .slice(1)
      .map(Number);
    expect(numbers).toEqual([nist.passed, nist.failed, nist.notAssessed - manual, manual]);

    const html = renderHtml(result, rules);
    expect(html).toContain(
      `${nist.notAssessed - manual} not assessed, ${manual} manual (no automated check)`,
    );
  });
});
