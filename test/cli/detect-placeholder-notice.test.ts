/** The break-glass notice: said only when the input holds logs the waiting rule reads. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const NOTICE = 'A built-in detection is off until --placeholder BreakGlassAccounts=VALUE is given';

/** One Entra ID sign-in record (Graph shape), the log the break-glass rule reads. */
function signInLog(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-signin-')), 'signins.json');
  const record = {
    createdDateTime: '2025-12-10T08:00:00Z',
    userPrincipalName: 'breakglass@contoso.onmicrosoft.com',
    ipAddress: '203.0.113.9',
    appDisplayName: 'Azure Portal',
    status: { errorCode: 0 },
  };
  writeFileSync(file, JSON.stringify({ value: [record] }));
  return file;
}

describe('the break-glass placeholder notice', () => {
  it('is not printed for sshd logs alone, which that rule never reads', () => {
    const run = runPalisade([
      'detect',
      shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log'),
      '--no-store',
      '--quiet',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2000 events/);
    expect(run.stdout + run.stderr).not.toContain('BreakGlassAccounts');
  });

  it('is printed once for Entra ID sign-ins, and not once the placeholder has a value', () => {
    const log = signInLog();
    const run = runPalisade(['detect', log, '--no-store', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split(NOTICE)).toHaveLength(2);
    const given = runPalisade([
      'detect',
      log,
      '--no-store',
      '--quiet',
      '--placeholder',
      'BreakGlassAccounts=breakglass@contoso.onmicrosoft.com',
    ]);
    expect(given.stdout).not.toContain(NOTICE);
    expect(given.stdout).toMatch(/Azure break-glass account signed in/);
  });
});
