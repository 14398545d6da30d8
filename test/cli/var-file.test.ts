/** `scan` and `check` take `--var-file` as `terraform plan -var-file` does. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { checkHere } from '../enforce/check-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-cli-var-file-'));
writeFileSync(
  join(dir, 'main.tf'),
  `variable "public" {
  type = bool
}
resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "mysql"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.public
}
`,
);
const prod = join(dir, 'prod.tfvars');
writeFileSync(prod, 'public = true\n');

const verdict = (args: string[]) => {
  const run = runPalisade(['scan', dir, '--no-store', '--format', 'json', ...args]);
  const findings = JSON.parse(run.stdout).findings as { ruleId: string; status: string }[];
  return findings.find((f) => f.ruleId === 'aws-rds-instance-not-public')?.status;
};

describe('--var-file', () => {
  it('gives the variable its value: cannot be judged without the file, failing with it', () => {
    expect(verdict([])).toBe('not_applicable');
    expect(verdict(['--var-file', prod])).toBe('fail');
  });

  it('makes check deny what the environment file opens', async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      'assignments:\n  - id: public-db\n    benchmark: palisade\n    mode: disabled\n    rules: { aws-rds-instance-not-public: deny }\n',
    );
    // Without the file the deny rule cannot be judged: not failing, but said in every format.
    const without = runPalisade(['check', dir, '--policy', policy]);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stdout).toContain(
      'NOT JUDGED (1): enforced rules whose verdict rests on a value',
    );
    expect(without.stdout).toMatch(/deny +aws-rds-instance-not-public/);
    // The other formats render the same gate run: in this process, without a start-up each.
    const json = JSON.parse((await checkHere([dir], { policy: [policy], format: 'json' })).report);
    expect(json.notJudged).toEqual([
      expect.objectContaining({
        ruleId: 'aws-rds-instance-not-public',
        unknown: 'PubliclyAccessible',
      }),
    ]);
    const sarif = JSON.parse(
      (await checkHere([dir], { policy: [policy], format: 'sarif' })).report,
    );
    const invocation = sarif.runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(true);
    expect(invocation.toolExecutionNotifications).toEqual([
      expect.objectContaining({
        level: 'note',
        associatedRule: { id: 'aws-rds-instance-not-public' },
      }),
    ]);
    const github = (await checkHere([dir], { policy: [policy], format: 'github' })).report;
    expect(github).toMatch(/^::notice .*title=aws-rds-instance-not-public \(not judged%2C deny\)/m);
    const withFile = runPalisade(['check', dir, '--policy', policy, '--var-file', prod]);
    expect(withFile.code, withFile.stderr).toBe(1);
    expect(withFile.stdout).toContain('orders');
  });
});
