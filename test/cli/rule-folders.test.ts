/** `--rules` paths as a new user gets them wrong: a missing path, a folder of logs. */

import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const palisade = runPalisade;

const logs = shared('ssh-logs');
const iac = shared('iac/terragoat/terraform/aws');

describe('--rules', () => {
  it.each([
    ['detect', ['detect', logs, '--no-store', '-q']],
    ['scan', ['scan', iac, '--no-store', '-q']],
  ])(
    '%s refuses a rules path that does not exist (exit 2, naming it)',
    (_, args) => {
      const run = palisade([...args, '--rules', '/nonexistent/rules']);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('--rules /nonexistent/rules: no such file or folder');
    },
    120_000,
  );

  it.each([
    ['detect', ['detect', logs, '--no-store', '-q']],
    ['scan', ['scan', iac, '--no-store', '-q']],
  ])(
    '%s warns on stderr when the rules folder holds no rule file',
    (_, args) => {
      const run = palisade([...args, '--rules', logs]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`warning: --rules ${logs}: the folder holds no rule files`);
    },
    120_000,
  );
});
