/** `palisade whatif --assessment ID`: an id the store does not hold is an error, not "none yet". */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWhatIf } from '../../src/cli/whatif-command.js';
import { parseSince } from '../../src/cli/whatif-commands.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { openStore } from '../../src/store/database.js';
import { shared } from '../support/paths.js';

let dir: string;
let db: string;
let stored: string;

/** Runs the command in this process: exit code, stdout and stderr. */
async function whatif(assessment: string) {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((t: string) => out.push(t) > 0) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => err.push(t) > 0) as typeof process.stderr.write;
  try {
    const code = await runWhatIf({
      rule: 'kubernetes-pod-no-privileged-containers',
      db,
      since: parseSince('7d'),
      rules: [],
      assessment,
    });
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-whatif-'));
  db = join(dir, 'palisade.db');
  const store = await openStore(db);
  const scenario = shared('iac/kubernetes-goat/scenarios/system-monitor');
  const assessment = await assess({ paths: [scenario], rules: await loadRules() });
  await saveAssessment(store, assessment);
  stored = assessment.id;
  await store.destroy();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('palisade whatif --assessment', () => {
  it('exits 2 naming an assessment the store does not hold', async () => {
    const run = await whatif('bogus');
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      'palisade whatif: no assessment bogus; list them with `palisade history`\n',
    );
    expect(run.out).toBe('');
  });

  it('reports on a stored assessment named by id', async () => {
    const run = await whatif(stored);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Assessment ${stored} (`);
    expect(run.out).toMatch(/1 resource\(s\) would be denied/);
  });
});
