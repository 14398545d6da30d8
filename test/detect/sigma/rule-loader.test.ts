import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSigmaRules, loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import type { SigmaCorrelationRule, SigmaDetectionRule } from '../../../src/detect/sigma/types.js';
import { REPO_ROOT, shared } from '../../support/paths.js';

const SIGMA_RULES = shared('sigma-rules/rules');
const FIXTURES = resolve(REPO_ROOT, 'test/fixtures/sigma');

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
}

describe('loading the shared SigmaHQ rules', () => {
  it('loads every rule, none unsupported, each with author, id and the DRL licence', async () => {
    const { rules, unsupported } = await loadSigmaRules([SIGMA_RULES], {
      defaultLicense: 'DRL-1.1',
    });

    expect(unsupported).toEqual([]);
    expect(rules).toHaveLength(yamlFilesUnder(SIGMA_RULES).length);
    expect(rules).toHaveLength(348);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(rule.author, rule.origin.file).toBeTruthy();
      expect(rule.license).toBe('DRL-1.1');
    }
  });

  it('loads each file once when folders overlap, with no duplicate-id reports', async () => {
    const aws = resolve(SIGMA_RULES, 'cloud/aws');
    const once = await loadSigmaRules([SIGMA_RULES]);
    const twice = await loadSigmaRules([SIGMA_RULES, aws, SIGMA_RULES]);
    expect(twice.rules.length).toBe(once.rules.length);
    expect(twice.unsupported).toEqual(once.unsupported);
  });

  it('keeps the metadata people need', async () => {
    const { rules } = await loadSigmaRules([shared('sigma-rules/rules/cloud/aws/cloudtrail')]);
    const rule = rules.find(
      (r) => r.id === '055fb148-60f8-462d-ad16-26926ce050f1',
    ) as SigmaDetectionRule;
    expect(rule).toMatchObject({
      kind: 'detection',
      title: 'AWS User Login Profile Was Modified',
      author: 'toffeebr33k',
      status: 'test',
      level: 'high',
      date: '2021-08-09',
      logsource: { product: 'aws', service: 'cloudtrail' },
      tags: ['attack.persistence', 'attack.privilege-escalation', 'attack.t1098'],
      falsepositives: ['Legitimate user account administration'],
    });
    expect(rule.license).toBeUndefined();
    expect(rule.references[0]).toContain('RhinoSecurityLabs');
    expect(rule.origin.file).toMatch(/aws_update_login_profile\.yml$/);
  });

  it('names a rule file below the working folder from there, and one outside it whole', async () => {
    // A new user saw `../../../work/shared/data/sigma-rules/...` in alerts and the server log.
    const { rules } = await loadSigmaRules([shared('sigma-rules/rules/cloud/aws/cloudtrail')]);
    for (const rule of rules) expect(rule.origin.file).toBe(resolve(rule.origin.file));
    // Another test file in the same worker may have moved the working folder: it is read here.
    const inside = await loadSigmaRules([FIXTURES]);
    expect(inside.rules.length).toBeGreaterThan(0);
    for (const rule of inside.rules) {
      expect(rule.origin.file.startsWith('..'), rule.origin.file).toBe(false);
      expect(resolve(rule.origin.file).startsWith(FIXTURES)).toBe(true);
      if (FIXTURES.startsWith(process.cwd())) expect(isAbsolute(rule.origin.file)).toBe(false);
    }
  });
});

describe('rule collections and correlation files', () => {
  it('merges action: global into each following document; a rule licence beats the default', async () => {
    const { rules, unsupported } = await loadSigmaRules(
      [resolve(FIXTURES, 'collection-global.yml')],
      {
        defaultLicense: 'DRL-1.1',
      },
    );
    expect(unsupported).toEqual([]);
    expect(rules.map((r) => [r.title, r.level, r.license])).toEqual([
      ['CloudTrail logging tampered', 'high', 'MIT'],
      ['CloudTrail trail deleted', 'medium', 'MIT'],
    ]);
    const first = rules[0] as SigmaDetectionRule;
    expect(Object.keys(first.detection).sort()).toEqual(['name', 'source']);
    expect(first.origin.document).toBe(1);
  });

  it('loads a multi-document correlation with its referenced rules', async () => {
    const { rules, unsupported } = await loadSigmaRules([
      resolve(FIXTURES, 'correlation-console-brute-force.yml'),
    ]);
    expect(unsupported).toEqual([]);
    const correlations = rules.filter((r): r is SigmaCorrelationRule => r.kind === 'correlation');
    expect(correlations.map((c) => [c.type, c.timespanMs, c.groupBy, c.condition])).toEqual([
      ['temporal_ordered', 600_000, ['sourceIPAddress'], undefined],
      ['event_count', 300_000, ['sourceIPAddress'], { gte: 3 }],
    ]);
    expect(rules.filter((r) => r.kind === 'detection').map((r) => r.name)).toEqual([
      'console_login_failure',
      'console_login_success',
    ]);
  });
});

describe('unusable rules', () => {
  it('are listed with file, line, field and reason while the rest load', async () => {
    const { rules, unsupported } = await loadSigmaRules([resolve(FIXTURES, 'invalid-rules.yml')]);
    expect(rules).toEqual([]);
    const rows = unsupported.map((u) => [u.line, u.field, u.reason]);
    expect(rows).toEqual([
      [
        8,
        'level',
        expect.stringContaining(
          '"severe" is not one of informational, low, medium, high, critical',
        ),
      ],
      [15, 'detection.selection.CommandLine|re', expect.stringContaining('is not RE2')],
      [18, 'title', 'title: a rule needs a title'],
      [
        27,
        'correlation.timespan',
        'correlation.timespan: a correlation needs a timespan such as 10m',
      ],
    ]);
    for (const u of unsupported) expect(u.file).toMatch(/invalid-rules\.yml$/);
  });

  it('reports correlations that name unknown rules, and duplicate ids', () => {
    const yaml = [
      'title: c\nid: c1\ncorrelation:\n    type: temporal\n    rules: [nope]\n    group-by: [a]\n    timespan: 5m',
      'title: d\nid: d1\nlogsource: {product: aws}\ndetection:\n    s:\n        a: b\n    condition: s',
      'title: d again\nid: d1\nlogsource: {product: aws}\ndetection:\n    s:\n        a: b\n    condition: s',
    ].join('\n---\n');
    const { rules, unsupported } = loadSigmaText(yaml, 'x.yml');
    expect(rules.map((r) => r.title)).toEqual(['d']);
    expect(unsupported.map((u) => u.reason)).toEqual([
      'id: duplicate rule id, first loaded from x.yml',
      'correlation.rules: refers to unknown rule "nope"',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const { unsupported } = loadSigmaText('title: a\ndetection:\n  sel: [unclosed\n', 'broken.yml');
    expect(unsupported).toHaveLength(1);
    expect(unsupported[0].reason).toMatch(/^YAML: /);
    expect(unsupported[0].line).toBeGreaterThanOrEqual(3);
  });

  it('finds a repeated key in one pass: a 2.5 MB rule of 200,000 keys is read, not hung on', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `    k${i}: v`).join('\n');
    const rule = (extra: string) =>
      `title: big\nlogsource: { product: linux }\ndetection:\n  sel:\n${keys}\n${extra}  condition: sel\n`;
    const started = performance.now();
    expect(loadSigmaText(rule(''), 'big.yml').rules).toHaveLength(1);
    const repeated = loadSigmaText(rule('    k7: again\n'), 'repeated.yml').unsupported;
    expect(repeated).toEqual([
      expect.objectContaining({ line: 200_005, reason: 'YAML: Map keys must be unique' }),
    ]);
    // The library's pairwise check took hours on this many keys.
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('loads a folder whose file holds 150,000 documents without overflowing the stack', async () => {
    // Each document is a rule left out: the folder's list of them is longer than a call's
    // arguments may be (they were added with push(...list)).
    const dir = mkdtempSync(join(tmpdir(), 'palisade-many-docs-'));
    try {
      writeFileSync(join(dir, 'many.yml'), 'title: x\n---\n'.repeat(150_000));
      const { rules, unsupported } = await loadSigmaRules([dir]);
      expect(rules).toHaveLength(0);
      expect(unsupported).toHaveLength(150_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
