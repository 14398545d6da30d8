/**
 * The table and HTML reports show each recommendation with the numbers the JSON report and the
 * API carry: its control's potential increase and the rule's share of it, in the ranked order.
 */

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderHtml } from '../../src/report/html-report.js';
import { renderTable } from '../../src/report/table-report.js';
import { shared } from '../support/paths.js';

describe('recommendations in the reports', () => {
  it('show the potential increase and the share of the ranked top ten', async () => {
    const rules = await loadRules();
    const a = await assess({ paths: [shared('iac'), shared('cloud-inventory')], rules });
    const top = a.recommendations.slice(0, 10);

    const lines = renderTable(a, { color: false }).split('\n');
    const at = lines.findIndex((l) => l.includes('Top recommendations'));
    expect(lines[at + 1]).toMatch(/\+%\s+share\s+severity/);
    const rows = lines.slice(at + 2, at + 12);
    for (const [i, r] of top.entries()) {
      const [potential, share] = rows[i].trim().split(/\s+/);
      expect([potential, share, rows[i].includes(r.ruleId)]).toEqual([
        r.potentialIncrease.toFixed(1),
        r.scoreShare.toFixed(2),
        true,
      ]);
    }

    const html = renderHtml(a, rules);
    const cells = [
      ...html.matchAll(/<tr><td class="n">\+([\d.]+)%<\/td><td class="n">\+([\d.]+)%/g),
    ];
    expect(cells.slice(0, 10).map((m) => [m[1], m[2]])).toEqual(
      top.map((r) => [r.potentialIncrease.toFixed(1), r.scoreShare.toFixed(2)]),
    );
  }, 120_000);
});
