/**
 * A login after a brute force names the account that logged in as its actor, and only that
 * account: the user names guessed before stay in the evidence. Its incident and its CEF, LEEF
 * and OCSF exports name that account too, so the account to lock stands out.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detect, type DetectResult } from '../../src/detect/detect.js';
import { toCef } from '../../src/export/formats/cef.js';
import { toLeef } from '../../src/export/formats/leef.js';
import { toOcsf } from '../../src/export/formats/ocsf-detection-finding.js';
import type { Alert } from '../../src/model/alert.js';
import { alertRecord } from '../export/formats/sample-records.js';
import { shared } from '../support/paths.js';

const TITLE = 'SSH login after brute force from the same source';

function loginAfterBruteForce(result: DetectResult): Alert {
  const found = result.alerts.filter((a) => a.title === TITLE);
  expect(found).toHaveLength(1);
  return found[0];
}

const accountsOf = (alert: { entities: Alert['entities'] }) =>
  alert.entities.filter((e) => e.kind === 'account');

describe('the account of a login after a brute force', () => {
  it('is the one that logged in, as the actor; the guessed names are evidence', async () => {
    const result = await detect({ paths: ['samples/logs/auth.log'], year: 2026 });
    const alert = loginAfterBruteForce(result);

    expect(accountsOf(alert)).toEqual([{ kind: 'account', value: 'ubuntu', role: 'actor' }]);
    const guessed = new Set(alert.evidence.map((e) => e.actor));
    expect([...guessed].sort()).toEqual(['admin', 'oracle', 'postgres', 'root', 'test', 'ubuntu']);
    expect(alert.entities).toContainEqual({ kind: 'ip', value: '203.0.113.45' });

    // The brute force itself is about the guessing: it keeps every name it tried.
    const brute = result.alerts.find((a) => a.title === 'SSH brute force from one source')!;
    expect(accountsOf(brute).map((e) => e.value)).toContain('ec2-user');
    expect(accountsOf(brute).every((e) => e.role === undefined)).toBe(true);

    // The incident that holds both names the account as the login's actor.
    const [incident] = result.incidents;
    expect(incident.alerts).toContain(alert.id);
    expect(accountsOf(incident).filter((e) => e.role === 'actor')).toEqual([
      { kind: 'account', value: 'ubuntu', role: 'actor' },
    ]);
  });

  it('is what CEF, LEEF and OCSF name as the user', async () => {
    const alert = loginAfterBruteForce(
      await detect({ paths: ['samples/logs/auth.log'], year: 2026 }),
    );
    expect(toCef(alertRecord(alert))).toMatch(/ suser=ubuntu /);
    expect(toLeef(alertRecord(alert))).toMatch(/\busrName=ubuntu\b/);
    const observables = toOcsf(alert).observables as { name: string; value: string }[];
    expect(observables.filter((o) => o.name === 'actor.user.name')).toEqual([
      expect.objectContaining({ value: 'ubuntu' }),
    ]);
  });

  it('stands out among the names a real attacker guessed (loghub OpenSSH_2k.log)', async () => {
    // The log holds brute forces but no login after one: one line is added after its last one,
    // a login from the address guessing at its end (103.99.0.122 tried admin, support, user, ...).
    const log = readFileSync(shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8');
    const login =
      'Dec 10 11:05:02 LabSZ sshd[25601]: Accepted password for admin from 103.99.0.122 port ' +
      '52701 ssh2\n';
    async function* stdin() {
      yield log.endsWith('\n') ? log : `${log}\n`;
      yield login;
    }
    const result = await detect({ paths: '-', stdin: stdin(), year: 2017 });
    const alert = loginAfterBruteForce(result);

    expect(accountsOf(alert)).toEqual([{ kind: 'account', value: 'admin', role: 'actor' }]);
    const tried = new Set(alert.evidence.map((e) => e.actor).filter((a) => a !== undefined));
    expect(tried.size).toBeGreaterThan(1);
    expect(toCef(alertRecord(alert))).toMatch(/ suser=admin /);
  });
});
