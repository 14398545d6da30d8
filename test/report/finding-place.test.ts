/**
 * A finding from a cloud inventory record has a file but no line: the reports place it on its
 * file alone, never on a made-up line 1.
 */

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderHtml } from '../../src/report/html-report.js';
import { renderSarif } from '../../src/report/sarif-report.js';
import { renderTable } from '../../src/report/table-report.js';
import { shared } from '../support/paths.js';

interface SarifResult {
  properties: { resourceId: string };
  locations: { physicalLocation?: { region?: unknown; artifactLocation: { uri: string } } }[];
}

describe('findings without a line', () => {
  it('are shown on their file without a line in the table, HTML and SARIF reports', async () => {
    const rules = await loadRules();
    const file = shared(
      'cloud-inventory/aws/cloud-custodian-config-items/app-elb-config-event.json',
    );
    const a = await assess({ paths: [file], rules });
    const failing = a.findings.filter((f) => f.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((f) => f.file && f.line === undefined)).toBe(true);
    const shown = failing[0].file!;

    const table = renderTable(a, { findingsLimit: 100 });
    expect(table).toContain(`${failing[0].ruleId} ${shown}\n`);
    expect(table).not.toContain(`${shown}:`);

    const html = renderHtml(a, rules);
    expect(html).toContain(`<td class="where">${shown}</td>`);
    expect(html).not.toContain(`${shown}:1`);

    const sarif = JSON.parse(renderSarif(a, rules)) as { runs: { results: SarifResult[] }[] };
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(failing.length);
    for (const r of results) {
      expect(r.locations[0].physicalLocation!.artifactLocation.uri).toMatch(/app-elb-config/);
      expect(r.locations[0].physicalLocation).not.toHaveProperty('region');
    }
  });
});
