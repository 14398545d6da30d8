/** `--policy FOLDER`: a folder that holds no policy file is a mistake, never "enforce nothing". */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere } from './check-runner.js';

const PRIVILEGED_POD = join(
  REPO_ROOT,
  '../shared/data/iac/kubernetes-goat/scenarios/system-monitor/deployment.yaml',
);

const DENY_ALL = 'assignments:\n  - { id: gate, benchmark: palisade, mode: deny }\n';

describe('palisade check --policy with a folder', () => {
  it('exits 2 naming a folder that holds no policy file', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'palisade-empty-policy-'));
    const run = await checkHere([PRIVILEGED_POD], { policy: [empty] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${empty}: folder holds no policy file (*.yaml or *.yml)`);
    expect(run.report).toBe('');
  });

  it('exits 2 for a folder of JSON files, saying policy files are YAML', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-json-policy-'));
    const json = JSON.stringify({
      assignments: [{ id: 'gate', benchmark: 'palisade', mode: 'deny' }],
    });
    await writeFile(join(dir, 'policy.json'), json);
    const run = await checkHere([PRIVILEGED_POD], { policy: [dir] });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds no policy file.*name it \.yaml/);
  });

  it('exits 2 for policy files that assign nothing (empty, or initiatives only)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-policy-'));
    await writeFile(join(dir, 'empty.yaml'), '');
    await writeFile(join(dir, 'library.yaml'), 'initiatives:\n  - { id: lib, rules: [aws-*] }\n');
    for (const policy of [[join(dir, 'empty.yaml')], ['/dev/null'], [dir]]) {
      const run = await checkHere([PRIVILEGED_POD], { policy });
      expect(run.code, policy.join()).toBe(2);
      expect(run.stderr).toContain(`--policy ${policy.join(', ')}: no assignment in it`);
    }
  });

  it('enforces the YAML files of a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-policy-'));
    await writeFile(join(dir, 'gate.yml'), DENY_ALL);
    expect((await checkHere([PRIVILEGED_POD], { policy: [dir] })).code).toBe(1);
  });
});
