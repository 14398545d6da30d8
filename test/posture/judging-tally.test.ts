import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { emptyCounts } from '../../src/posture/finding-counts.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { JudgingTally, tallyFindings, type ScoreTally } from '../../src/posture/secure-score.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

/** A tally with its maps as lists, so their order is compared too. */
function listed(tally: ScoreTally) {
  return {
    controls: [...tally.controls],
    failureShares: [...tally.failureShares],
    rules: [...tally.rules],
  };
}

describe('the tally made while judging', () => {
  it('is the tally of the findings, in the same order, with the same counts', async () => {
    const compiled = compileRules(await loadRules());
    const { resources } = await readPaths([
      shared('iac'),
      shared('cloud-inventory'),
      `${REPO_ROOT}samples/estate`,
    ]);
    const counted = emptyCounts();
    const judging = new JudgingTally(counted);
    const findings = evaluate(compiled, resources, judging);
    expect(findings.length).toBeGreaterThan(1000);

    const counts = emptyCounts();
    const tally = tallyFindings(findings, counts);
    expect(listed(judging.tally())).toEqual(listed(tally));
    expect(counted).toEqual(counts);
    // Every kind of verdict was counted: the comparison covers unhealthy, excluded and failure shares.
    expect(counts.pass * counts.fail * counts.notApplicable).toBeGreaterThan(0);
    expect(tally.failureShares.size).toBeGreaterThan(0);
    expect([...tally.controls.values()].some((c) => c.excluded > 0)).toBe(true);
  }, 120_000);

  it('shares each resource’s failures among the rules that resource fails, not an earlier one’s', () => {
    const rules = [
      { id: 'r1', control: 'c1' },
      { id: 'r2', control: 'c1' },
      { id: 'r3', control: 'c2' },
    ];
    const verdicts: Record<string, Finding['status'][]> = {
      a: ['fail', 'fail', 'pass'],
      b: ['pass', 'fail', 'fail'],
      c: ['pass', 'pass', 'pass'],
      d: ['fail', 'not_applicable', 'fail'],
    };
    const findings: Finding[] = Object.entries(verdicts).flatMap(([resource, statuses]) =>
      statuses.map((status, i) => ({
        ruleId: rules[i].id,
        resourceId: resource,
        resourceType: 'T',
        resourceName: resource,
        status,
        severity: 'high' as const,
        control: rules[i].control,
        message: '',
      })),
    );
    const judging = new JudgingTally(emptyCounts());
    const plan = judging.plan(rules);
    for (let from = 0; from < findings.length; from += rules.length) {
      judging.add(plan, findings, from);
    }

    const tally = judging.tally();
    expect(listed(tally)).toEqual(listed(tallyFindings(findings)));
    expect([...tally.failureShares]).toEqual([
      ['r1', 1.5],
      ['r2', 1.5],
      ['r3', 2],
    ]);
    expect(tally.controls.get('c1')).toEqual({ healthy: 1, unhealthy: 3, excluded: 0 });
  });

  it('counts a rule that a type lists twice once for each of its findings', async () => {
    const [rule] = (await loadRules()).filter((r) => r.id === 'aws-s3-bucket-versioning-enabled');
    const twice = { ...rule, resource_types: ['AWS::S3::Bucket', 'aws::s3::bucket'] };
    const compiled = compileRules([twice]);
    const { resources } = await readPaths([shared('cloud-inventory/aws')]);
    const buckets = resources.filter((r) => r.type === 'AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThan(0);
    const judging = new JudgingTally(emptyCounts());
    const findings = evaluate(compiled, buckets, judging);
    expect(findings.length).toBe(buckets.length * 2);
    expect(listed(judging.tally())).toEqual(listed(tallyFindings(findings)));
  });
});
