/** SARIF tells an inline suppression (in the scanned file) from an exemption kept elsewhere. */

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderSarif } from '../../src/report/sarif-report.js';
import { REPO_ROOT } from '../support/paths.js';

describe('SARIF suppressions', () => {
  it('are inSource for a palisade:ignore comment and external for an exemption file', async () => {
    const rules = await loadRules();
    const a = await assess({
      paths: [`${REPO_ROOT}/test/fixtures/cloudformation`],
      rules,
      exemptions: [
        {
          rule: 'aws-cloudtrail-cloudwatch-logs',
          resource: '*',
          category: 'waiver',
          justification: 'accepted for this test',
          expires: '2099-01-01',
          source: 'exemptions.yaml:1',
        } as never,
      ],
    });
    const log = JSON.parse(renderSarif(a, rules)) as {
      runs: { results: { ruleId: string; suppressions?: { kind: string }[] }[] }[];
    };
    const kinds = new Map(
      log.runs[0].results
        .filter((r) => r.suppressions)
        .map((r) => [r.ruleId, r.suppressions![0].kind]),
    );
    // conditions-and-merges.yaml:22 carries `# palisade:ignore aws-s3-bucket-public-access-blocked`.
    expect(kinds.get('aws-s3-bucket-public-access-blocked')).toBe('inSource');
    expect(kinds.get('aws-cloudtrail-cloudwatch-logs')).toBe('external');
  });
});
