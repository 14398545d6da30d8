/**
 * `palisade check -` on stdin that is no IaC: a YAML or JSON syntax error is named with its line,
 * as for a file, and stdin with nothing in it is said to be empty (exit 2, as an empty file is).
 */

import { describe, expect, it } from 'vitest';
import { runCiCheck } from '../../src/enforce/ci-check.js';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const DEPLOYMENT = shared('iac/kubernetes-goat/scenarios/system-monitor/deployment.yaml');

/** The input errors the gate gives for `text` piped in under `name`. */
async function stdinErrors(text: string, name = 'stdin.yaml') {
  const result = await runCiCheck({
    paths: [],
    stdin: { name, text },
    rules: [],
    assignments: [],
  });
  return result.inputErrors;
}

describe('palisade check - with stdin that does not parse', () => {
  it('names the YAML syntax error and its line', async () => {
    const errors = await stdinErrors('metadata:\n  name: a\n\tlabels: {}\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'stdin.yaml', code: 'PARSE_ERROR', line: 3 });
    expect(errors[0].message).toMatch(/^stdin\.yaml:3: invalid YAML: Tabs are not allowed/);
  });

  it("names JSON's own syntax error, line and column, for text that starts as JSON", async () => {
    const errors = await stdinErrors('{\n  "resources": [1,\n}\n', 'plan.json');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'plan.json', code: 'PARSE_ERROR', line: 3 });
    expect(errors[0].message).toMatch(/^plan\.json:3: invalid JSON: .* at line 3, column 1$/);
  });

  it('still says what it is not when it parses but is no IaC', async () => {
    const errors = await stdinErrors('just some words\n');
    expect(errors[0].message).toBe(
      'stdin.yaml: not Terraform plan JSON, CloudFormation, ARM or Kubernetes YAML',
    );
  });

  it('prints the syntax error and exits 2 (real process)', () => {
    const run = runPalisade(['check', '-'], 'garbage: [\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/PARSE_ERROR stdin\.yaml:2: invalid YAML: Flow sequence/);
    expect(run.stderr).not.toMatch(/not Terraform plan JSON/);
  }, 120_000);
});

describe('palisade check - with empty stdin', () => {
  it('exits 2 saying stdin was empty, not that it was no IaC (real process)', () => {
    for (const input of ['', '\n  \n']) {
      const run = runPalisade(['check', '-'], input);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        'palisade: stdin was empty, so nothing was checked; exit 2 as for an empty file, since ' +
          'a render that failed before the pipe looks the same\n',
      );
    }
  }, 240_000);

  it('says so of stdin holding only comments and document markers', async () => {
    const result = await runCiCheck({
      paths: [],
      stdin: { name: 'stdin.yaml', text: '# Source: chart/templates/empty.yaml\n---\n---\n' },
      rules: [],
      assignments: [],
    });
    expect(result.inputErrors).toEqual([]);
    expect(result.emptyStdin).toBe('stdin held only YAML comments and document markers');
  });

  it('names stdin by the name it was read as when it held no resources (real process)', () => {
    const run = runPalisade(['check', '-'], 'apiVersion: v1\nkind: List\nitems: []\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'palisade: no resources found in stdin (read as stdin.yaml); nothing was checked\n',
    );
  }, 120_000);

  it('judges the paths named beside it, with a warning (real process)', () => {
    const run = runPalisade(['check', '-', DEPLOYMENT, '--format', 'json'], '');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(
      'palisade: warning: stdin was empty; only the paths named were checked',
    );
    expect(JSON.parse(run.stdout).deny.length).toBeGreaterThan(0);
  }, 120_000);
});
