/** `palisade detect --fail-on`: the exit 1 is explained on stderr, as scan explains its own. */

import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const log = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');

describe('palisade detect --fail-on', () => {
  it('says how many alerts are at or above the threshold, by severity, when it exits 1', () => {
    const run = runPalisade(['detect', log, '--no-store', '--quiet', '--fail-on', 'medium']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^palisade: 19 alerts at or above medium \(19 medium\); exit 1$/m);
  });

  it('says so for streamed alerts too, and nothing when none reaches the threshold', () => {
    const streamed = runPalisade([
      'detect',
      log,
      '--no-store',
      '--quiet',
      '--stream',
      '--format',
      'ocsf',
      '--fail-on',
      'low',
    ]);
    expect(streamed.code).toBe(1);
    expect(streamed.stderr).toMatch(/^palisade: 19 alerts at or above low \(19 medium\); exit 1$/m);
    const calm = runPalisade(['detect', log, '--no-store', '--quiet', '--fail-on', 'high']);
    expect(calm.code).toBe(0);
    expect(calm.stderr).not.toMatch(/at or above/);
  });
});
