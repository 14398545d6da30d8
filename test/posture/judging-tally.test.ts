import { describe, expect, it } from 'vitest';
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
