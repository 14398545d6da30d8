/**
 * The JSON report's `files` says how many resources each file produced: a Terraform folder is
 * read as one module, yet each `.tf` file is credited with the resources written in it.
 */

import { describe, expect, it } from 'vitest';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderJson } from '../../src/report/json-report.js';
import { shared } from '../support/paths.js';

describe('JSON report: resources per file', () => {
  it('credits each Terraform file with the resources written in it', async () => {
    const a = await assess({
      paths: [shared('iac/terragoat/terraform/aws')],
      rules: await loadRules(),
    });
    const report = JSON.parse(renderJson(a)) as AssessmentResult;
    const tf = report.files.filter((f) => f.kind === 'terraform');
    expect(tf.length).toBeGreaterThan(5);
    for (const f of tf) {
      const written = report.resources.filter((r) => r.source.file === f.file).length;
      expect(f.resources, f.file).toBe(written);
    }
    expect(tf.filter((f) => f.resources > 0).length).toBeGreaterThan(5);
    expect(tf.reduce((n, f) => n + f.resources, 0)).toBe(report.counts.resources);
  });
});
