import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/posture/engine.js';
import { loadRules, RuleLoadError } from '../../src/posture/rule-loader.js';

describe('rule loader', () => {
  it('loads and compiles the bundled benchmark', async () => {
    const rules = await loadRules();
    expect(() => compileRules(rules)).not.toThrow();
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it('adds a user folder of rules to the benchmark', async () => {
    const bundled = await loadRules();
    const rules = await loadRules(['test/fixtures/rules/custom']);
    expect(rules.length).toBe(bundled.length + 1);
    expect(rules.find((r) => r.id === 'custom-aws-s3-bucket-owner-tag')?.control).toBe('AM-1');
  });

  it('names the file and line of a rule that is not valid YAML', async () => {
    await expect(loadRules(['test/fixtures/rules/bad-yaml'])).rejects.toThrow(RuleLoadError);
    await expect(loadRules(['test/fixtures/rules/bad-yaml'])).rejects.toThrow(/broken\.yaml:[23]:/);
  });

  it('names the field of a rule with a bad control id', async () => {
    await expect(loadRules(['test/fixtures/rules/missing-control'])).rejects.toThrow(
      /rule\.yaml:6 \(field control\)/,
    );
  });

  it('refuses a rules path that is not a folder', async () => {
    await expect(loadRules(['test/fixtures/rules/nowhere'])).rejects.toThrow(/is not a folder/);
  });
});
