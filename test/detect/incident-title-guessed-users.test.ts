/**
 * An incident's title names what links its alerts, never a user name an attacker only tried: a
 * brute force lists every name it guessed (admin, oracle, ec2-user, ...) beside its address, and
 * which of them came first in an alert's entities (a reader names the actor first) decided the
 * title when as many alerts shared the address as the names.
 */

import { describe, expect, it } from 'vitest';
import { buildIncidents } from '../../src/detect/incidents.js';
import { detect } from '../../src/detect/detect.js';
import type { Alert } from '../../src/model/alert.js';

const ATTACKER = '203.0.113.45';

/** The sample bastion's brute force and the login after it. */
async function bastionAlerts(): Promise<Alert[]> {
  const { alerts } = await detect({ paths: ['samples/logs/auth.log'], year: 2026 });
  expect(alerts.map((a) => a.title).sort()).toEqual([
    'SSH brute force from one source',
    'SSH login after brute force from the same source',
  ]);
  return alerts;
}

describe('incident titles on a brute force that ends in a login', () => {
  it('name the attacking address, as the alerts list it', async () => {
    const [incident] = buildIncidents(await bastionAlerts());
    expect(incident.title).toBe(`Multi-stage activity involving ${ATTACKER} (2 alerts)`);
  });

  it('name the attacking address whatever order the alerts list their entities in', async () => {
    const alerts = (await bastionAlerts()).map((a) => ({
      ...a,
      entities: [...a.entities].reverse(),
    }));
    const tried = alerts.flatMap((a) => a.entities.filter((e) => e.kind === 'account'));
    expect(tried.length).toBeGreaterThan(2);
    const [incident] = buildIncidents(alerts);
    expect(incident.title).toBe(`Multi-stage activity involving ${ATTACKER} (2 alerts)`);
  });
});
