/**
 * Findings a rule could not judge (a value it reads is unknown) are counted apart from the
 * not-applicable ones they are filed under, and the reports say how many: missing data must not
 * read as a clean result.
 */

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { assessStream } from '../../src/posture/assess-stream.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderHtml } from '../../src/report/html-report.js';
import { renderTable } from '../../src/report/table-report.js';
import { shared } from '../support/paths.js';

describe('not-judged findings', () => {
  it('are counted among the not applicable ones and named in the table and HTML reports', async () => {
    const rules = await loadRules();
    // Manifests leaving their namespace to kubectl, and an export without bucket IAM policies.
    const paths = [
      shared('iac/kubernetes-goat/scenarios/health-check/deployment.yaml'),
      shared('cloud-inventory/gcp/policy-library-cai-assets/enforce_labels__buckets.json'),
    ];
    const a = await assess({ paths, rules });
    const unknown = a.findings.filter((f) => f.unknown !== undefined);
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.every((f) => f.status === 'not_applicable')).toBe(true);
    expect(a.counts.notJudged).toBe(unknown.length);
    expect(a.counts.notApplicable).toBeGreaterThanOrEqual(unknown.length);

    const table = renderTable(a, { color: false });
    expect(table).toContain(
      `not applicable ${a.counts.notApplicable} (${unknown.length} of them not judged`,
    );
    expect(renderHtml(a, rules)).toContain(
      `of them not judged (a value unknown)</th><td class="n">${unknown.length}<`,
    );

    // A streamed assessment counts them alike.
    const streamed = await assessStream({ paths, rules });
    expect(streamed.counts.notJudged).toBe(unknown.length);
  });
});
