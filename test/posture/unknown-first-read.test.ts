import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import { compileRules, evaluate, type CompiledRule } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const verdict = (f: Finding) => [f.ruleId, f.resourceId, f.status, f.message, f.unknown];

/** The same rules with every read watched, as before a first read could decide a verdict. */
function watchingEveryRead(compiled: CompiledRule[]): CompiledRule[] {
  return compiled.map((c) => ({ ...c, firstRoot: undefined }));
}

describe('a rule whose first read is a value the input leaves to deployment', () => {
  it('names why: a manifest leaves its namespace to kubectl apply', async () => {
    const compiled = compileRules(
      (await loadRules()).filter((r) => r.id === 'kubernetes-resource-not-in-default-namespace'),
    );
    const { resources } = await readPaths([
      shared('iac/kubernetes-goat/scenarios/health-check/deployment.yaml'),
    ]);
    const left = resources.filter((r) => r.unknown?.includes('metadata.namespace'));
    expect(left.length).toBeGreaterThan(0);
    for (const finding of evaluate(compiled, left)) {
      expect(finding.status).toBe('not_applicable');
      expect(finding.message).toContain(
        'metadata.namespace is unknown (not written in the file; set when it is applied)',
      );
    }
  });
});

describe('a rule whose first read is a sub-resource the inventory did not include', () => {
  it('cannot judge a bucket exported without its IAM policy, unless its ACL alone fails it', async () => {
    const compiled = compileRules(
      (await loadRules()).filter((r) => r.id === 'gcp-storage-bucket-not-public'),
    );
    const { resources } = await readPaths([
      shared('cloud-inventory/gcp/policy-library-cai-assets/enforce_labels__buckets.json'),
    ]);
    const [bucket] = resources.filter((r) => r.unknown?.includes('iamPolicy'));
    expect(bucket).toBeDefined();

    const [finding] = evaluate(compiled, [bucket]);
    expect(finding.status).toBe('not_applicable');
    expect(finding.unknown).toBe('iamPolicy');
    expect(finding.message).toContain('iamPolicy is unknown (not in the inventory that was read)');

    // Whatever the IAM policy holds, an ACL granting allUsers makes the bucket public: a verdict.
    const aclPublic: Resource = {
      ...bucket,
      properties: {
        ...bucket.properties,
        acl: [{ entity: 'allUsers', role: 'READER' }],
      },
    };
    const [failing] = evaluate(compiled, [aclPublic]);
    expect(failing.status).toBe('fail');
    expect(failing.unknown).toBeUndefined();
    expect(failing.message).not.toContain('()');
  });

  it('gives every verdict that watching every read gives, on every real resource', async () => {
    const compiled = compileRules(await loadRules());
    expect(compiled.filter((c) => c.firstRoot !== undefined).length).toBeGreaterThan(100);
    const { resources } = await readPaths([
      shared('iac'),
      shared('cloud-inventory'),
      `${REPO_ROOT}samples/estate`,
    ]);
    const withUnknowns = resources.filter((r) => (r.unknown?.length ?? 0) > 0);
    expect(withUnknowns.length).toBeGreaterThan(50);
    // The same resources again, without the sub-resources their rules read first.
    const missing = withUnknowns.flatMap((r) => {
      const roots = compiled.map((c) => c.firstRoot).filter((f) => f && f in r.properties);
      return roots.map((root) => {
        const properties = { ...r.properties };
        delete properties[root!];
        return { ...r, properties, unknown: [...(r.unknown ?? []), root!] };
      });
    });
    const judged = [...withUnknowns, ...missing];
    const findings = evaluate(compiled, judged).map(verdict);
    expect(findings).toEqual(evaluate(watchingEveryRead(compiled), judged).map(verdict));
    expect(findings.filter(([, , status]) => status === 'not_applicable').length).toBeGreaterThan(
      50,
    );
  }, 120_000);
});
