import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import {
  applyExemptions,
  ExemptionLoadError,
  isBlanketExemption,
  loadExemptions,
  patternNamesSomething,
  unmatchedResourceWarnings,
} from '../../src/posture/exemptions.js';

function failing(resourceId: string, name: string): Finding {
  return {
    ruleId: 'test-bucket-versioning',
    resourceId,
    resourceType: 'AWS::S3::Bucket',
    resourceName: name,
    status: 'fail',
    severity: 'medium',
    control: 'BR-1',
    message: '',
  };
}

function bucket(id: string, name: string, suppressions?: Resource['suppressions']): Resource {
  return {
    cloud: 'aws',
    type: 'AWS::S3::Bucket',
    id,
    name,
    tags: {},
    properties: {},
    relationships: [],
    source: { kind: 'terraform', file: 's3.tf', line: 7, address: `aws_s3_bucket.${name}` },
    suppressions,
  };
}

describe('exemptions', () => {
  it('reads the file with line-numbered sources', async () => {
    const list = await loadExemptions('test/fixtures/exemptions/exemptions.yaml');
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({
      rule: 'test-bucket-*',
      category: 'waiver',
      expires: '2099-12-31',
    });
    expect(list[0].source).toMatch(/exemptions\.yaml:2$/);
  });

  it('names file, line and field of a bad entry', async () => {
    await expect(loadExemptions('test/fixtures/exemptions/bad-category.yaml')).rejects.toThrow(
      ExemptionLoadError,
    );
    await expect(loadExemptions('test/fixtures/exemptions/bad-category.yaml')).rejects.toThrow(
      /bad-category\.yaml:6: .*category/,
    );
  });

  it('refuses a file pattern whose {a,b} alternatives expand past the bound, naming line and field', async () => {
    const load = loadExemptions('test/fixtures/exemptions/too-many-alternatives.yaml');
    await expect(load).rejects.toThrow(ExemptionLoadError);
    await expect(load).rejects.toThrow(
      /too-many-alternatives\.yaml:6: exemption field `rule` "aws-s3-\{a,b\}.*" expands to more than 64 patterns/,
    );
  });

  it('skips an exemption or suppression whose pattern cannot be matched, with a warning, and applies the rest', async () => {
    const findings = [failing('arn:aws:s3:::a', 'a'), failing('arn:aws:s3:::b', 'b')];
    const resources = [
      bucket('arn:aws:s3:::a', 'a', [{ ruleId: `test-${'{a,b}'.repeat(38)}`, reason: 'pasted' }]),
      bucket('arn:aws:s3:::b', 'b'),
    ];
    const exemption = (rule: string, resource: string, source: string) => ({
      rule,
      resource,
      justification: 'kept',
      category: 'waiver' as const,
      source,
    });
    const warnings = applyExemptions(findings, resources, [
      exemption(`test-${'{a,b}'.repeat(38)}`, '*', 'api exemption old-1'),
      exemption('test-*', `${'{a,b}'.repeat(11)}`, 'api exemption old-2'),
      exemption('test-bucket-*', 'b', 'api exemption good'),
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(/^exemption at api exemption old-1 is skipped: its pattern .* expands/),
      expect.stringMatching(/^exemption at api exemption old-2 is skipped: its pattern .* expands/),
    ]);
    expect(findings[0].exemption).toBeUndefined();
    expect(findings[1].exemption?.source).toBe('api exemption good');
    const { unmatchedRuleWarnings } = await import('../../src/posture/exemptions.js');
    expect(unmatchedRuleWarnings([], resources, ['test-bucket-versioning'])).toEqual([
      expect.stringMatching(
        /^inline suppression at s3\.tf:7 of "test-\{a,b\}.*" is ignored: the pattern expands/,
      ),
    ]);
  });

  it('refuses unknown fields and impossible dates instead of waiving forever', async () => {
    await expect(loadExemptions('test/fixtures/exemptions/typo-field.yaml')).rejects.toThrow(
      /typo-field\.yaml:2: .*`expire` is not a known field/,
    );
    await expect(loadExemptions('test/fixtures/exemptions/impossible-date.yaml')).rejects.toThrow(
      /"2027-02-30" is not a calendar date/,
    );
  });

  it('warns about exemptions and suppressions that name no rule', async () => {
    const { unmatchedRuleWarnings } = await import('../../src/posture/exemptions.js');
    const list = await loadExemptions('test/fixtures/exemptions/unknown-rule.yaml');
    const warnings = unmatchedRuleWarnings(
      list,
      [bucket('a', 'a', [{ ruleId: 'no-such-rule', reason: 'x' }])],
      ['aws-s3-bucket-versioning-enabled'],
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('aws-s3-bucket-versoning-enabled');
    expect(warnings[1]).toContain('inline suppression at s3.tf:7');
  });

  it('exempts matching findings, skips expired exemptions with a warning, honours inline suppressions', async () => {
    const list = await loadExemptions('test/fixtures/exemptions/exemptions.yaml');
    const findings = [
      failing('arn:aws:s3:::build-cache-eu', 'build-cache-eu'),
      failing('arn:aws:s3:::old-logs', 'old-logs'),
      failing('arn:aws:s3:::tmp', 'tmp'),
      failing('arn:aws:s3:::payroll', 'payroll'),
    ];
    const resources = [
      bucket('arn:aws:s3:::build-cache-eu', 'build-cache-eu'),
      bucket('arn:aws:s3:::old-logs', 'old-logs'),
      bucket('arn:aws:s3:::tmp', 'tmp', [
        { ruleId: 'test-bucket-versioning', reason: 'scratch space' },
      ]),
      bucket('arn:aws:s3:::payroll', 'payroll'),
    ];
    const warnings = applyExemptions(findings, resources, list, new Date('2026-12-04'));
    expect(findings[0].exemption).toMatchObject({ category: 'waiver', expires: '2099-12-31' });
    expect(findings[1].exemption).toBeUndefined();
    expect(warnings.join()).toMatch(/expired on 2020-01-31/);
    expect(findings[2].exemption).toMatchObject({
      justification: 'scratch space',
      source: 'inline suppression at s3.tf:7',
    });
    expect(findings[3].exemption).toBeUndefined();
  });

  it('tells a pattern that names a rule or resource from one made only of glob syntax', () => {
    for (const named of [
      'aws-s3-*',
      'arn:aws:s3:::build-*',
      '*public-assets*',
      'old-logs',
      '\\*x',
      'aws-{s3,ec2}-*',
    ]) {
      expect(patternNamesSomething(named), named).toBe(true);
    }
    for (const blank of [
      '*',
      '**',
      ' * ',
      '?*',
      '[a-z]*',
      '[]a]*',
      '{a,*}',
      '*-*',
      '@(a|*)',
      '!(x)*',
      '!aws-s3-bucket',
      '\\*',
    ]) {
      expect(patternNamesSomething(blank), blank).toBe(false);
    }
    expect(isBlanketExemption({ rule: '*', resource: '?*' })).toBe(true);
    expect(isBlanketExemption({ rule: '[a-z]*', resource: '*' })).toBe(true);
    expect(isBlanketExemption({ rule: 'aws-s3-*', resource: '*' })).toBe(false);
    expect(isBlanketExemption({ rule: '*', resource: 'arn:aws:s3:::tmp' })).toBe(false);
    // One or two letters before, between or after wildcards match a large share of every
    // estate's names: still a blanket (three such rule prefixes exempted all 179 findings of the
    // sample estate).
    for (const wide of [
      '*e*',
      '*a*b*',
      '*-1*',
      '*ab*',
      '**x**',
      'a*',
      'k*',
      'g*',
      'ab*',
      '?x*',
      '*-1?',
      '{a,b}c*',
      'a-b-c*',
    ]) {
      expect(isBlanketExemption({ rule: '*', resource: wide }), wide).toBe(true);
      expect(isBlanketExemption({ rule: wide, resource: '*' }), wide).toBe(true);
    }
    for (const pinned of [
      '*prod*',
      'i-0abc*',
      'db',
      '*.example.com',
      'aws-*',
      'abc*',
      'aws-{s3,ec2}-*',
      '*-001',
    ]) {
      expect(isBlanketExemption({ rule: '*', resource: pinned }), pinned).toBe(false);
    }
  });

  it('refuses a file entry whose rule and resource patterns name nothing, naming file and line', async () => {
    const load = loadExemptions('test/fixtures/exemptions/blanket.yaml');
    await expect(load).rejects.toThrow(ExemptionLoadError);
    await expect(load).rejects.toThrow(
      /blanket\.yaml:6: exemption field `rule` "\[a-z\]\*" with resource "\?\*": neither/,
    );
  });

  it('refuses a file entry with a one-letter prefix on every resource, as the API does', async () => {
    await expect(loadExemptions('test/fixtures/exemptions/prefix-blanket.yaml')).rejects.toThrow(
      /prefix-blanket\.yaml:7: exemption field `rule` "a\*" with resource "\*": neither/,
    );
  });

  it('ignores an inline suppression that names no rule, and warns about one without a reason', async () => {
    const { unmatchedRuleWarnings } = await import('../../src/posture/exemptions.js');
    const { findBlockLocations } = await import('../../src/sources/terraform/block-locations.js');
    const [block] = findBlockLocations(
      '# palisade:ignore *\nresource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n',
    );
    // The wildcard is read (so it can be warned about) rather than dropped by the parser.
    expect(block.suppressions).toEqual([{ ruleId: '*', reason: '' }]);

    const resources = [
      bucket('arn:aws:s3:::a', 'a', block.suppressions),
      bucket('arn:aws:s3:::b', 'b', [{ ruleId: 'test-bucket-versioning', reason: '' }]),
    ];
    const findings = [failing('arn:aws:s3:::a', 'a'), failing('arn:aws:s3:::b', 'b')];
    applyExemptions(findings, resources, [], new Date('2026-12-04'));
    expect(findings[0].exemption).toBeUndefined();
    expect(findings[1].exemption).toMatchObject({ justification: '(no reason given)' });
    const warnings = unmatchedRuleWarnings([], resources, ['test-bucket-versioning']);
    expect(warnings).toEqual([
      expect.stringMatching(/of "\*" names no rule and is ignored/),
      expect.stringMatching(/of "test-bucket-versioning" gives no reason/),
    ]);
  });
  it("matches a resource pattern on an ARN's last part, the id the console shows", () => {
    // Security groups read from AWS Config or a describe call that carries the ARN are named by
    // it; an exemption written with the group id must still apply.
    const arn = 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d';
    const group: Resource = {
      ...bucket(arn, 'web'),
      type: 'AWS::EC2::SecurityGroup',
      source: { kind: 'aws-config', file: 'config.json' },
    };
    const findings = [
      { ...failing(arn, 'web'), resourceType: 'AWS::EC2::SecurityGroup' },
      { ...failing('sg-99', 'other'), resourceType: 'AWS::EC2::SecurityGroup' },
    ];
    const exemption = {
      rule: 'test-bucket-*',
      resource: 'sg-0a1b2c3d',
      justification: 'Bastion, reviewed.',
      category: 'mitigated' as const,
      source: 'exemptions.yaml:2',
    };
    applyExemptions(findings, [group], [exemption], new Date('2026-01-01'));
    expect(findings.map((f) => f.exemption?.category)).toEqual(['mitigated', undefined]);
    expect(unmatchedResourceWarnings([exemption], [group])).toEqual([]);
    // Only ARNs have such a part: an Azure id's last segment is its name, matched as the name.
    const azure: Resource = { ...group, id: '/subscriptions/s/resourceGroups/g/x/sg-0a1b2c3d' };
    expect(unmatchedResourceWarnings([exemption], [{ ...azure, name: 'nsg' }])).toHaveLength(1);
  });
});
