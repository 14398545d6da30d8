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

  it("shows each recommendation its control's potential and its own share of it", () => {
    const findings = [
      finding('sg-ssh', 'NS-1', 'a', 'fail'),
      finding('sg-rdp', 'NS-1', 'a', 'pass'),
      finding('sg-ssh', 'NS-1', 'b', 'fail'),
      finding('sg-rdp', 'NS-1', 'b', 'fail'),
      finding('ebs-enc', 'DP-4', 'v1', 'fail'),
      finding('ebs-enc', 'DP-4', 'v2', 'pass'),
    ];
    const score = computeSecureScore(findings, controls, rules);
    // NS-1: both resources unhealthy, 8 of 12 points to gain = 66.67%; a's 33.33 goes to sg-ssh,
    // b's to sg-ssh and sg-rdp in halves. DP-4: v1 unhealthy, 4 × 1/2 of 12 = 16.67%.
    expect(score.recommendations.map((r) => [r.ruleId, r.potentialIncrease, r.scoreShare])).toEqual(
      [
        ['sg-ssh', 66.67, 50],
        ['ebs-enc', 16.67, 16.67],
        ['sg-rdp', 66.67, 16.67],
      ],
    );
    expect(score.secureScore + 66.67 + 16.67).toBeCloseTo(100, 1);
  });

  it("takes each control's most severe recommendation before any control's second", () => {
    const severe = rules.map((r) =>
      r.id === 'sg-rdp' ? { ...r, severity: 'critical' as const } : r,
    );
    const findings = [
      finding('sg-ssh', 'NS-1', 'a', 'fail'),
      finding('sg-rdp', 'NS-1', 'a', 'fail'),
      finding('ebs-enc', 'DP-4', 'v1', 'fail'),
    ];
    const ranked = computeSecureScore(findings, controls, severe).recommendations;
    expect(ranked.map((r) => r.ruleId)).toEqual(['sg-rdp', 'ebs-enc', 'sg-ssh']);
  });

  it('is 100% when nothing was judged', () => {
    expect(
      computeSecureScore([finding('ebs-enc', 'DP-4', 'v', 'not_applicable')], controls, rules)
        .secureScore,
    ).toBe(100);
  });
});

describe('recommendations of the shared estate', () => {
  /** The failing rules of the IaC and cloud inventory samples, ranked. */
  async function ranked() {
    const { assess } = await import('../../src/posture/assess.js');
    const { loadRules } = await import('../../src/posture/rule-loader.js');
    const { shared } = await import('../support/paths.js');
    const result = await assess({
      paths: [shared('iac'), shared('cloud-inventory')],
      rules: await loadRules(),
    });
    return result.recommendations;
  }

  it('ranks critical problems in the top third, each with a share of the score', async () => {
    const recs = await ranked();
    const rankOf = (id: string) => recs.findIndex((r) => r.ruleId === id) + 1;
    const critical = [
      'aws-ec2-sg-no-public-all-ports',
      'aws-s3-bucket-no-public-acl',
      'kubernetes-pod-no-privileged-containers',
      'gcp-compute-firewall-no-all-ports-from-internet',
    ];
    for (const id of critical) {
      expect(rankOf(id), id).toBeGreaterThan(0);
      expect(rankOf(id), id).toBeLessThanOrEqual(Math.ceil(recs.length / 3));
    }
    expect(recs.slice(0, 10).some((r) => r.severity === 'critical')).toBe(true);
    expect(recs.every((r) => r.scoreShare > 0)).toBe(true);
  }, 120_000);

  it("adds up each control's shares to its potential, and ranks the same twice", async () => {
    const recs = await ranked();
    const byControl = new Map<string, { potential: number; shares: number }>();
    for (const r of recs) {
      const c = byControl.get(r.control) ?? { potential: r.potentialIncrease, shares: 0 };
      expect(r.potentialIncrease).toBe(c.potential);
      c.shares += r.scoreShare;
      byControl.set(r.control, c);
    }
    // Shares are rounded to 0.01 each, so a control of n rules may be off by n × 0.005.
    for (const [id, c] of byControl) expect(Math.abs(c.shares - c.potential), id).toBeLessThan(0.1);

    const again = await ranked();
    expect(again.map((r) => r.ruleId)).toEqual(recs.map((r) => r.ruleId));
  }, 120_000);
});
