/**
 * A rule's expression cannot hold a scan: nested macros over long literals are refused when the
 * rule is loaded, and the compiled code stops an evaluation past its step budget with an error
 * the rule reports, instead of running for hours.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CelBudgetError,
  MAX_COMPREHENSION_STEPS,
  worstCaseSteps,
} from '../../src/posture/cel-compiler.js';
import { compileExpression } from '../../src/posture/rule-environment.js';
import { runPalisade } from '../support/cli.js';

const literal = `[${Array.from({ length: 999 }, (_, i) => i).join(',')}]`;

describe('CEL step budget', () => {
  it('refuses nested macros over long literals when the expression is compiled', () => {
    const evil = `${literal}.all(a, ${literal}.all(b, ${literal}.all(c, a + b + c >= 0)))`;
    expect(() => compileExpression(evil)).toThrow(/nested macros could take 1\.0e\+9 steps/);
    // The benchmark's deepest check (three macros over a policy's lists) stays far below.
    expect(
      compileExpression("r.Statement.exists(s, s.Action.exists(a, a.endsWith(':*')))")({
        r: { Statement: [{ Action: ['s3:*'] }] },
        resource: {},
      }),
    ).toBe(true);
  });

  it('stops an evaluation whose data makes it too long, as the rule error', () => {
    const check = compileExpression(
      'r.items.all(a, r.items.all(b, r.items.all(c, a + b + c >= 0)))',
    );
    const small = { r: { items: Array.from({ length: 20 }, (_, i) => i) }, resource: {} };
    expect(check(small)).toBe(true);
    const large = { r: { items: Array.from({ length: 200 }, (_, i) => i) }, resource: {} };
    // 200^3 = 8,000,000 steps: past the budget, stopped at it.
    expect(200 ** 3).toBeGreaterThan(MAX_COMPREHENSION_STEPS);
    const started = performance.now();
    expect(() => check(large)).toThrow(CelBudgetError);
    expect(performance.now() - started).toBeLessThan(10_000);
    // The next evaluation starts with a fresh budget.
    expect(check(small)).toBe(true);
  });

  it('estimates literal lengths and counts resource lists as typical', () => {
    const parse = (source: string) => (compileExpression(source) as { ast?: unknown }).ast;
    expect(worstCaseSteps(parse('[1, 2, 3].all(x, x > 0)'))).toBe(3);
    expect(worstCaseSteps(parse('r.a.exists(x, x.b.exists(y, y == 1))'))).toBe(10 * (1 + 10));
  });

  it('makes scan exit 2 naming the rule file and field, instead of hanging', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-cel-budget-'));
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(
      join(rules, 'evil.yaml'),
      [
        'id: user-evil-nesting',
        'title: Nested over long literals',
        'description: x',
        'severity: low',
        'cloud: aws',
        'control: LT-3',
        'mappings: {cis: [], nist_800_53: [], pci_dss: [], iso_27001: []}',
        'resource_types: [AWS::S3::Bucket]',
        `check: '${literal}.all(a, ${literal}.all(b, ${literal}.all(c, ${literal}.all(d, r.size() >= 0))))'`,
        'message: {fail: "x"}',
        'remediation: {text: none}',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'main.tf'),
      'variable "n" {}\nresource "aws_s3_bucket" "b" { bucket = var.n }\n',
    );
    const run = runPalisade(['scan', join(dir, 'main.tf'), '--rules', rules, '--no-store']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /evil\.yaml \(field check\).*nested macros could take 1\.0e\+12 steps/,
    );
  });
});
