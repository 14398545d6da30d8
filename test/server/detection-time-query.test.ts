/** `since`/`until` on the alert and incident lists take a date alone, as `palisade detect` does. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { shared } from '../support/paths.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let reader: string;
let alertCount: number;
let incidentCount: number;

beforeAll(async () => {
  h = await startHarness();
  // sshd lines carry no year: all of them, and so every alert, fall on 2025-12-10.
  const found = await detect({
    paths: [shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log')],
    year: 2025,
  });
  alertCount = found.alerts.length;
  incidentCount = found.incidents.length;
  expect(alertCount).toBeGreaterThan(0);
  expect(incidentCount).toBeGreaterThan(0);
  expect(found.alerts.every((a) => a.firstSeen.startsWith('2025-12-10'))).toBe(true);
  await saveAlerts(h.db, found.alerts, found.incidents);
  reader = await h.token('reader');
}, 60_000);
afterAll(() => h.close());

const list = async (what: 'alerts' | 'incidents', query: string) => {
  const res = await h.app.inject({
    url: `/api/v1/${what}?limit=500&${query}`,
    headers: { authorization: `Bearer ${reader}` },
  });
  return { status: res.statusCode, body: res.json() };
};

describe('date-alone since and until on the detection lists', () => {
  it('reads since as the day’s start and until as taking in the whole day (UTC)', async () => {
    for (const [what, count] of [
      ['alerts', alertCount],
      ['incidents', incidentCount],
    ] as const) {
      const cases: [string, number][] = [
        ['since=2025-12-10', count],
        ['since=2025-12-11', 0],
        ['until=2025-12-10', count],
        ['until=2025-12-09', 0],
        ['since=2025-12-10&until=2025-12-10', count],
      ];
      for (const [query, expected] of cases) {
        const res = await list(what, query);
        expect(res.status, `${what}?${query}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.items, `${what}?${query}`).toHaveLength(expected);
      }
    }
    // The same as the instants the CLI reads them as.
    const instant = await list('alerts', 'since=2025-12-10T00:00:00Z&until=2025-12-11T00:00:00Z');
    expect(instant.body.items).toHaveLength(alertCount);
  });

  it('still refuses what is no date, naming the field', async () => {
    for (const bad of ['2025-12-32', 'yesterday', '2025-12-10T07:00']) {
      const res = await list('alerts', `since=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.message).toContain('querystring/since');
    }
  });

  it('documents the date alone in the OpenAPI description', async () => {
    const doc = (
      await h.app.inject({
        url: '/api/v1/openapi.json',
        headers: { authorization: `Bearer ${reader}` },
      })
    ).json();
    for (const path of ['/api/v1/alerts', '/api/v1/incidents']) {
      const params = doc.paths[path].get.parameters as { name: string; description?: string }[];
      for (const name of ['since', 'until']) {
        const param = params.find((p) => p.name === name);
        expect(param?.description, `${path} ${name}`).toMatch(/a date alone \(UTC\)/);
      }
    }
  });
});
