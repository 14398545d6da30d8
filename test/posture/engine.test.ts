import { describe, expect, it } from 'vitest';
import { unknownValue, type Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { compileRules, evaluate, quotedValue } from '../../src/posture/engine.js';
import { RuleLoadError } from '../../src/posture/rule-loader.js';

function rule(overrides: Partial<Rule>): Rule {
  return {
    id: 'test-bucket-versioning',
    title: 'Buckets keep versions',
    description: '',
    severity: 'medium',
    cloud: 'aws',
    control: 'BR-1',
    mappings: {},
    resource_types: ['AWS::S3::Bucket'],
    check: "r.?Versioning.?Status.orValue('') == 'Enabled'",
    evidence: 'r.?Versioning.orValue(null)',
    message: { fail: 'Bucket {{name}} does not keep versions (Versioning = {{value}}).' },
    remediation: { text: 'Turn on versioning.' },
    references: [],
    ...overrides,
  };
}

function bucket(
  name: string,
  properties: Record<string, unknown>,
  extra: Partial<Resource> = {},
): Resource {
  return {
    cloud: 'aws',
    type: 'AWS::S3::Bucket',
    id: `arn:aws:s3:::${name}`,
    name,
    tags: {},
    properties,
    relationships: [],
    source: { kind: 'terraform', file: 'main.tf', line: 3 },
    ...extra,
  };
}

describe('posture engine', () => {
  it('passes and fails resources and quotes the offending value in the failure sentence', () => {
    const compiled = compileRules([rule({})]);
    const [ok, bad] = evaluate(compiled, [
      bucket('kept', { Versioning: { Status: 'Enabled' } }),
      bucket('lost', { Versioning: { Status: 'Suspended' } }),
    ]);
    expect(ok.status).toBe('pass');
    expect(bad.status).toBe('fail');
    expect(bad.message).toBe(
      'Bucket lost does not keep versions (Versioning = {"Status":"Suspended"}).',
    );
    expect(bad).toMatchObject({ file: 'main.tf', line: 3, control: 'BR-1', severity: 'medium' });
  });

  it('looks for the offending value only when the failing sentence is first read', () => {
    const compiled = compileRules([rule({})]);
    let reads = 0;
    const properties = {
      get Versioning() {
        reads += 1;
        return { Status: 'Suspended' };
      },
    };
    const inventory = { source: { kind: 'aws-config' as const, file: 'config.json' } };
    const [bad] = evaluate(compiled, [bucket('lost', properties, inventory)]);
    expect(bad.status).toBe('fail');
    expect(reads).toBe(1);
    expect(bad.message).toBe(
      'Bucket lost does not keep versions (Versioning = {"Status":"Suspended"}).',
    );
    expect(reads).toBe(2);
    expect(quotedValue(bad)).toBe('{"Status":"Suspended"}');
    expect(reads).toBe(2);
  });

  it('names each resource in its own sentence when several fail with the same value', () => {
    const compiled = compileRules([rule({})]);
    const findings = evaluate(compiled, [
      bucket('a', { Versioning: { Status: 'Suspended' } }),
      bucket('b', { Versioning: { Status: 'Suspended' } }),
      bucket('c', { Versioning: null }),
      bucket('d', { Versioning: null }),
    ]);
    const [a, b, c, d] = findings;
    expect(a.message).toBe(
      'Bucket a does not keep versions (Versioning = {"Status":"Suspended"}).',
    );
    expect(b.message).toBe(
      'Bucket b does not keep versions (Versioning = {"Status":"Suspended"}).',
    );
    // A value not set reads so, not as JSON's null.
    expect(d.message).toBe('Bucket d does not keep versions (Versioning = not set).');
    expect(findings.map(quotedValue)).toEqual([
      '{"Status":"Suspended"}',
      '{"Status":"Suspended"}',
      'not set',
      'not set',
    ]);
    expect(c.message).toBe('Bucket c does not keep versions (Versioning = not set).');
  });

  it('shows a list of lists (one per container) as one list', () => {
    const compiled = compileRules([
      rule({ check: 'false', evidence: "[['NET_ADMIN'], ['SYS_ADMIN', 'IPC_LOCK']]" }),
    ]);
    const [f] = evaluate(compiled, [bucket('a', {})]);
    expect(f.message).toBe(
      'Bucket a does not keep versions (Versioning = ["NET_ADMIN","SYS_ADMIN","IPC_LOCK"]).',
    );
  });

  it('says a rule does not apply to a resource its applies_if leaves out', () => {
    const compiled = compileRules([rule({ applies_if: "r.?Name.orValue('') != 'skip'" })]);
    const [skipped] = evaluate(compiled, [bucket('skip', { Name: 'skip' })]);
    expect(skipped.status).toBe('not_applicable');
    const sentence = 'Buckets keep versions does not apply to AWS::S3::Bucket skip.';
    expect(JSON.parse(JSON.stringify(skipped)).message).toBe(sentence);
    expect(skipped.message).toBe(sentence);
  });

  it('states each finding as a plain object whose sentence JSON, spreading and keys all see', () => {
    const compiled = compileRules([rule({ message: undefined })]);
    const [ok, bad] = evaluate(compiled, [
      bucket('kept', { Versioning: { Status: 'Enabled' } }),
      bucket('lost', { Versioning: { Status: 'Suspended' } }),
    ]);
    const keys = ['ruleId', 'resourceId', 'resourceType', 'resourceName', 'status', 'severity'];
    expect(Object.keys(bad)).toEqual([...keys, 'control', 'file', 'line', 'message']);
    const failing =
      'AWS::S3::Bucket lost does not meet "Buckets keep versions" (found {"Status":"Suspended"}).';
    expect(JSON.parse(JSON.stringify(bad)).message).toBe(failing);
    expect({ ...ok }.message).toBe('AWS::S3::Bucket kept meets "Buckets keep versions".');
    expect(structuredClone(bad).message).toBe(failing);
    expect(bad).toEqual(expect.objectContaining({ message: failing, status: 'fail' }));

    bad.message = 'Rewritten.';
    expect(bad.message).toBe('Rewritten.');
    expect(JSON.parse(JSON.stringify(bad)).message).toBe('Rewritten.');
  });

  it('gives no verdict when the rule reads a value unknown before apply', () => {
    const compiled = compileRules([rule({})]);
    const [finding] = evaluate(compiled, [
      bucket('later', { Versioning: { Status: unknownValue('var.state') } }),
    ]);
    expect(finding.status).toBe('not_applicable');
    expect(finding.unknown).toBe('Versioning.Status');
    expect(finding.message).toContain('var.state');
  });

  it('gives no verdict when an inventory did not include the sub-resource the rule reads', () => {
    const compiled = compileRules([rule({})]);
    const [finding] = evaluate(compiled, [
      bucket('partial', {}, { unknown: ['Versioning'], source: { kind: 'aws-api' } }),
    ]);
    expect(finding.status).toBe('not_applicable');
    expect(finding.unknown).toBe('Versioning');
  });

  it('gives no verdict when an unknown sub-resource lies deep inside a present object', () => {
    const compiled = compileRules([
      rule({ check: "r.children.auditing.state == 'Enabled'", evidence: undefined }),
    ]);
    const [missing, seen] = evaluate(compiled, [
      bucket(
        'server',
        { children: { firewallRules: [] } },
        { unknown: ['children.auditing'], source: { kind: 'azure-arm' } },
      ),
      bucket(
        'audited',
        { children: { auditing: { state: 'Disabled' } } },
        { unknown: ['children.firewallRules'], source: { kind: 'azure-arm' } },
      ),
    ]);
    expect(missing.status).toBe('not_applicable');
    expect(missing.unknown).toBe('children.auditing');
    expect(seen.status).toBe('fail');
  });

  it('judges an inventory body that carries an unknown-marker key as the data it is', () => {
    const compiled = compileRules([rule({})]);
    const [finding] = evaluate(compiled, [
      bucket(
        'forged',
        { Versioning: { Status: unknownValue('looks like IaC') } },
        { source: { kind: 'aws-config' } },
      ),
    ]);
    expect(finding.status).toBe('fail');
  });

  it("forgets one rule's unknown read before judging the next rule of the same resource", () => {
    const compiled = compileRules([
      rule({ id: 'reads-unknown' }),
      rule({ id: 'reads-known', check: "r.Name == 'mixed'", evidence: undefined }),
    ]);
    const [first, second] = evaluate(compiled, [
      bucket('mixed', { Name: 'mixed', Versioning: { Status: unknownValue('var.state') } }),
    ]);
    expect(first.status).toBe('not_applicable');
    expect(second.status).toBe('pass');
  });

  it('judges normally when unknown values sit in fields the rule does not read', () => {
    const compiled = compileRules([rule({})]);
    const [finding] = evaluate(compiled, [
      bucket('mixed', { Versioning: { Status: 'Enabled' }, Policy: unknownValue('data source') }),
    ]);
    expect(finding.status).toBe('pass');
  });

  it('marks resources the applies_if guard excludes as not applicable', () => {
    const compiled = compileRules([
      rule({ applies_if: "resource.tags.?env.orValue('') == 'prod'" }),
    ]);
    const [finding] = evaluate(compiled, [bucket('dev', {})]);
    expect(finding.status).toBe('not_applicable');
  });

  it('reports an expression that fails at run time as an error finding, not a crash', () => {
    const compiled = compileRules([rule({ check: 'r.Versioning.Status == "Enabled"' })]);
    const [finding] = evaluate(compiled, [bucket('bare', {})]);
    expect(finding.status).toBe('error');
    expect(finding.message).toContain('test-bucket-versioning');
  });

  it('matches resource types without regard to case', () => {
    const compiled = compileRules([rule({ resource_types: ['aws::s3::bucket'] })]);
    expect(evaluate(compiled, [bucket('x', { Versioning: { Status: 'Enabled' } })])).toHaveLength(
      1,
    );
  });

  it('runs regular expressions in linear time, so a catastrophic pattern cannot hang a scan', () => {
    const compiled = compileRules([rule({ check: '!r.Name.matches("(a+)+$")' })]);
    const started = performance.now();
    const [evil, plain] = evaluate(compiled, [
      bucket('evil', { Name: `${'a'.repeat(50_000)}!` }),
      bucket('plain', { Name: 'aaa' }),
    ]);
    expect(evil.status).toBe('pass');
    expect(plain.status).toBe('fail');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('rejects a rule whose regular expression RE2 cannot compile, naming rule and field', () => {
    expect(() => compileRules([rule({ check: 'r.Name.matches("(?<=x)y")' })])).toThrow(
      RuleLoadError,
    );
    expect(() => compileRules([rule({ check: 'r.Name.matches("(?<=x)y")' })])).toThrow(
      /test-bucket-versioning.*|field check/,
    );
  });

  it('rejects a rule whose expression does not parse', () => {
    expect(() => compileRules([rule({ check: 'r.Versioning ==' })])).toThrow(/field check/);
  });

  it('lets a rule look at related resources through relationships', () => {
    const compiled = compileRules([
      rule({
        id: 'test-bucket-has-policy',
        check: "related.exists(x, x.type == 'AWS::IAM::Policy')",
      }),
    ]);
    const policy: Resource = {
      cloud: 'aws',
      type: 'AWS::IAM::Policy',
      id: 'p1',
      name: 'p1',
      tags: {},
      properties: {},
      relationships: [{ kind: 'attachedTo', target: 'arn:aws:s3:::guarded' }],
      source: { kind: 'aws-api' },
    };
    const findings = evaluate(compiled, [bucket('guarded', {}), bucket('alone', {}), policy]);
    expect(findings.map((f) => [f.resourceName, f.status])).toEqual([
      ['guarded', 'pass'],
      ['alone', 'fail'],
    ]);
  });
});

describe('rule helper functions', () => {
  it('treats every /0 prefix as the whole internet, whatever address precedes it', async () => {
    const { isPublicSource } = await import('../../src/posture/cel-functions.js');
    for (const open of [
      '0.0.0.0/0',
      '192.168.1.0/0',
      '10.1.2.3/0',
      '::/0',
      '0:0:0:0:0:0:0:0/0',
      '*',
      'Internet',
      'Any',
    ]) {
      expect(isPublicSource(open), open).toBe(true);
    }
    for (const closed of [
      '10.0.0.0/8',
      '192.168.1.0/24',
      // A short prefix that is not /0 admits only what it holds: "this network" is not public.
      // (Half the internet, 0.0.0.0/1, does count: see internet-sources.test.ts.)
      '0.0.0.0/8',
      'VirtualNetwork',
      'not-an-ip/0',
      '',
      null,
    ]) {
      expect(isPublicSource(closed), String(closed)).toBe(false);
    }
  });
});
