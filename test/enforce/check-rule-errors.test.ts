/**
 * `palisade check` when an enforced rule cannot run on a resource: a deny-mode one fails the gate
 * (exit 2) and every report format names the rule, the resource, its file and line and why.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckCommandOptions } from '../../src/cli/check-command.js';
import { shared } from '../support/paths.js';
import { BROKEN, brokenRules, policyFor } from './broken-rule.js';
import { checkHere } from './check-runner.js';
import { sarifValidator } from './sarif-validator.js';

/** Five S3 buckets. */
const S3_TF = shared('iac/terragoat/terraform/aws/s3.tf');
/** Runs the gate over the buckets in this process. */
const check = (options: Partial<CheckCommandOptions>) => checkHere([S3_TF], options);

interface JsonItem {
  ruleId: string;
  resourceId: string;
  file: string;
  line: number;
  message: string;
  mode: string;
}

describe('palisade check with a rule that cannot run', () => {
  it('fails the gate with exit 2 and lists each error in the table and on stderr', async () => {
    const run = await check({ rules: [await brokenRules()], policy: [await policyFor('deny')] });
    expect(run.code).toBe(2);
    expect(run.report).toContain('RULE ERRORS (5)');
    expect(run.report).toMatch(
      new RegExp(`deny +${BROKEN}\\n +\\S*s3\\.tf:\\d+ .*No such key: DoesNotExist`),
    );
    expect(run.report).toMatch(/palisade check FAILED \(deny-mode rules could not run\)/);
    expect(run.report).toContain('5 rule errors');
    const lines = run.stderr.split('\n').filter((l) => l.includes('RULE_ERROR'));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      new RegExp(`RULE_ERROR ${BROKEN} on aws_s3_bucket\\.\\S+ \\(.*s3\\.tf:`),
    );
  });

  it('marks the JSON report failed and lists rule, resource, file, line and message', async () => {
    const run = await check({
      rules: [await brokenRules()],
      policy: [await policyFor('deny')],
      format: 'json',
    });
    expect(run.code).toBe(2);
    const json = JSON.parse(run.report) as { passed: boolean; ruleErrors: JsonItem[] };
    expect(json.passed).toBe(false);
    expect(json.ruleErrors).toHaveLength(5);
    for (const e of json.ruleErrors) {
      expect(e).toMatchObject({ ruleId: BROKEN, mode: 'deny' });
      expect(e.resourceId).toMatch(/^aws_s3_bucket\./);
      expect(e.file).toMatch(/s3\.tf$/);
      expect(e.line).toBeGreaterThan(0);
      expect(e.message).toContain('No such key: DoesNotExist');
    }
  });

  it('shows the errors as GitHub error annotations and JUnit errors', async () => {
    const rules = [await brokenRules()];
    const policy = [await policyFor('deny')];
    const gh = await check({ rules, policy, format: 'github' });
    const errors = gh.report.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(5);
    for (const l of errors) {
      expect(l).toMatch(
        new RegExp(
          `^::error file=[^,]*s3\\.tf,line=\\d+,col=\\d+,title=${BROKEN} \\(rule could not run%2C deny\\)::`,
        ),
      );
    }

    const junit = await check({ rules, policy, format: 'junit' });
    expect(junit.code).toBe(2);
    expect(junit.report).toMatch(
      /<testsuites name="palisade check" tests="\d+" failures="0" errors="5"/,
    );
    expect(junit.report.match(/<error type="rule-error"/g)).toHaveLength(5);
  });

  it('carries the errors as SARIF tool notifications, never as results', async () => {
    const run = await check({
      rules: [await brokenRules()],
      policy: [await policyFor('deny')],
      format: 'sarif',
    });
    const log = JSON.parse(run.report);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const [runLog] = log.runs;
    expect(runLog.results).toEqual([]);
    const [invocation] = runLog.invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toHaveLength(5);
    for (const n of invocation.toolExecutionNotifications) {
      expect(n.level).toBe('error');
      expect(n.associatedRule).toEqual({ id: BROKEN });
      expect(n.locations[0].physicalLocation.artifactLocation.uri).toMatch(/s3\.tf$/);
      expect(n.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
    }
  });

  it('lists an audit-mode rule that cannot run without failing the gate', async () => {
    const run = await check({
      rules: [await brokenRules()],
      policy: [await policyFor('audit')],
      format: 'json',
    });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.report) as { passed: boolean; ruleErrors: JsonItem[] };
    expect(json.passed).toBe(true);
    expect(json.ruleErrors.map((e) => e.mode)).toEqual(Array(5).fill('audit'));
    expect(run.stderr).toContain('warning: RULE_ERROR (audit mode)');
  });

  it('ignores a rule that cannot run where no assignment enforces it', async () => {
    // The deny assignment covers one account (IaC buckets have none); the other disables the rule.
    const dir = await mkdtemp(join(tmpdir(), 'palisade-policy-'));
    const file = join(dir, 'policy.yaml');
    await writeFile(
      file,
      [
        `initiatives: [{ id: mine, rules: [${BROKEN}] }]`,
        'assignments:',
        '  - { id: m, initiative: mine, mode: deny, scope: { accounts: ["111122223333"] } }',
        '  - { id: off, initiative: mine, mode: disabled }',
        '',
      ].join('\n'),
    );
    const run = await check({ rules: [await brokenRules()], policy: [file], format: 'json' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.report).ruleErrors).toEqual([]);
  });
});
