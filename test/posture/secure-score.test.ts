import { describe, expect, it } from 'vitest';
import type { Control } from '../../src/model/benchmark.js';
import type { Finding, FindingStatus } from '../../src/model/finding.js';
import type { Rule } from '../../src/model/rule.js';
import { countFindings, emptyCounts } from '../../src/posture/finding-counts.js';
import { computeSecureScore, tallyFindings } from '../../src/posture/secure-score.js';

const controls: Control[] = [
  { id: 'NS-1', domain: 'NS', title: 'Segmentation', max_score: 8 },
  { id: 'DP-4', domain: 'DP', title: 'Encryption at rest', max_score: 4 },
];

function ruleOf(id: string, control: string): Rule {
  return {
    id,
    title: id,
    description: '',
    severity: 'high',
    cloud: 'aws',
    control,
    mappings: {},
    resource_types: ['T'],
    remediation: { text: 'fix' },
    references: [],
  };
}

function finding(
  ruleId: string,
  control: string,
  resource: string,
  status: FindingStatus,
  exempt = false,
): Finding {
  return {
    ruleId,
    control,
    resourceId: resource,
    resourceType: 'T',
    resourceName: resource,
    status,
    severity: 'high',
    message: '',
    ...(exempt
      ? { exemption: { category: 'waiver' as const, justification: 'j', source: 's' } }
      : {}),
  };
}

describe('secure score', () => {
  const rules = [ruleOf('sg-ssh', 'NS-1'), ruleOf('sg-rdp', 'NS-1'), ruleOf('ebs-enc', 'DP-4')];

  it('counts a resource healthy only when it passes every rule of the control', () => {
    const findings = [
      finding('sg-ssh', 'NS-1', 'a', 'pass'),
      finding('sg-rdp', 'NS-1', 'a', 'pass'),
      finding('sg-ssh', 'NS-1', 'b', 'fail'),
      finding('sg-rdp', 'NS-1', 'b', 'pass'),
      finding('sg-ssh', 'NS-1', 'c', 'pass'),
      finding('sg-rdp', 'NS-1', 'c', 'fail'),
      finding('sg-ssh', 'NS-1', 'd', 'pass'),
      finding('sg-rdp', 'NS-1', 'd', 'pass'),
      finding('ebs-enc', 'DP-4', 'v1', 'pass'),
      finding('ebs-enc', 'DP-4', 'v2', 'fail'),
    ];
    const score = computeSecureScore(findings, controls, rules);
    const ns = score.controls.find((c) => c.id === 'NS-1')!;
    const dp = score.controls.find((c) => c.id === 'DP-4')!;
    // NS-1: 2 healthy of 4 -> 8 × 2/4 = 4. DP-4: 1 of 2 -> 4 × 1/2 = 2. Overall (4+2)/(8+4) = 50%.
    expect(ns).toMatchObject({ healthy: 2, unhealthy: 2, currentScore: 4 });
    expect(dp).toMatchObject({ healthy: 1, unhealthy: 1, currentScore: 2 });
    expect(score.secureScore).toBe(50);
  });

  it('keeps not-applicable and exempt resources out of the denominator', () => {
    const findings = [
      finding('ebs-enc', 'DP-4', 'v1', 'pass'),
      finding('ebs-enc', 'DP-4', 'v2', 'fail', true),
      finding('ebs-enc', 'DP-4', 'v3', 'not_applicable'),
      finding('ebs-enc', 'DP-4', 'v4', 'fail'),
    ];
    const score = computeSecureScore(findings, controls, rules);
    expect(score.controls[0]).toMatchObject({
      healthy: 1,
      unhealthy: 1,
      notApplicable: 2,
      currentScore: 2,
    });
    expect(score.secureScore).toBe(50);
  });

  it('counts as exempt what the score leaves out: exempt passes as well as exempt failures', () => {
    // A wildcard exemption covers a passing and a failing volume.
    const findings = [
      finding('ebs-enc', 'DP-4', 'v1', 'pass', true),
      finding('ebs-enc', 'DP-4', 'v2', 'fail', true),
      finding('ebs-enc', 'DP-4', 'v3', 'pass'),
      finding('ebs-enc', 'DP-4', 'v4', 'fail'),
      finding('ebs-enc', 'DP-4', 'v5', 'not_applicable', true),
    ];
    const counts = countFindings(findings);
    expect(counts).toMatchObject({ pass: 1, fail: 1, exempt: 2, notApplicable: 1 });
    const score = computeSecureScore(findings, controls, rules);
    expect(score.recommendations[0]).toMatchObject({ failing: 1, passing: 1, exempt: 2 });
    expect(score.controls.find((c) => c.id === 'DP-4')).toMatchObject({ healthy: 1, unhealthy: 1 });
  });

  it("counts the findings it tallies, whether each resource's findings come together or not", () => {
    const together = [
      finding('ebs-enc', 'DP-4', 'v1', 'pass', true),
      finding('sg-ssh', 'NS-1', 'v1', 'fail'),
      finding('ebs-enc', 'DP-4', 'v2', 'fail'),
      finding('ebs-enc', 'DP-4', 'v3', 'not_applicable'),
    ];
    const apart = [...together, finding('sg-rdp', 'NS-1', 'v1', 'error')];
    for (const findings of [together, apart]) {
      const counts = emptyCounts();
      const tally = tallyFindings(findings, counts);
      expect(counts).toEqual(countFindings(findings));
      expect(tally).toEqual(tallyFindings(findings));
    }
  });

  it('ranks recommendations by the score fixing them would add', () => {
    const findings = [
      finding('sg-ssh', 'NS-1', 'a', 'fail'),
      finding('sg-rdp', 'NS-1', 'a', 'pass'),
      finding('sg-ssh', 'NS-1', 'b', 'fail'),
      finding('sg-rdp', 'NS-1', 'b', 'fail'),
      finding('ebs-enc', 'DP-4', 'v1', 'fail'),
      finding('ebs-enc', 'DP-4', 'v2', 'pass'),
    ];
    const score = computeSecureScore(findings, controls, rules);
    // Fixing sg-ssh heals resource a only: NS-1 gains 8 × 1/2 = 4 of 12 points = 33.33%.
    // Fixing ebs-enc heals v1: DP-4 gains 4 × 1/2 = 2 of 12 = 16.67%. sg-rdp alone heals nothing.
    expect(score.recommendations.map((r) => [r.ruleId, r.potentialIncrease])).toEqual([
      ['sg-ssh', 33.33],
      ['ebs-enc', 16.67],
      ['sg-rdp', 0],
    ]);
    const total = score.secureScore + 33.33;
    expect(total).toBeCloseTo(((4 + 2) / 12) * 100, 1);
  });

  it('is 100% when nothing was judged', () => {
    expect(
      computeSecureScore([finding('ebs-enc', 'DP-4', 'v', 'not_applicable')], controls, rules)
        .secureScore,
    ).toBe(100);
  });
});
