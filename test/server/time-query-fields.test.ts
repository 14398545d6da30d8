/**
 * Every time filter of the API takes a date alone, as `since`/`until` on the alert and incident
 * lists do (and `palisade detect --since/--until`): `since=DAY` is that UTC day's start,
 * `until=DAY` takes in the whole day, and the answer is the one the instants give.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { insertDecisions } from '../../src/store/admission-decision-repository.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let owner: string;
/** The UTC day the stored assessment and audit entries were written on, and the days around it. */
let day: string;
let before: string;
let after: string;

const dayAt = (time: string, days: number) =>
  new Date(Date.parse(`${time.slice(0, 10)}T00:00:00Z`) + days * 86_400_000)
    .toISOString()
    .slice(0, 10);

const get = async (url: string) => {
  const res = await h.app.inject({ url, headers: { authorization: `Bearer ${owner}` } });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  h = await startHarness();
  owner = await h.token('owner');
  await saveAssessment(h.db, await assess({ paths: ['samples/estate'], rules: await loadRules() }));
  // A refused login goes on the audit record.
  await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'nobody', password: 'not a password' },
  });
  const started = await h.db
    .selectFrom('assessments')
    .select('started_at')
    .executeTakeFirstOrThrow();
  const audited = await h.db.selectFrom('audit_log').select('at').executeTakeFirstOrThrow();
  // A run across midnight would put them on two days; the test needs one.
  expect(audited.at.slice(0, 10)).toBe(started.started_at.slice(0, 10));
  day = dayAt(started.started_at, 0);
  before = dayAt(day, -1);
  after = dayAt(day, 1);
}, 120_000);
afterAll(() => h.close());

/** Lists with a time filter; `data` when the store holds items on `day` for it. */
const LISTS: { path: string; fields: ('since' | 'until')[]; data: boolean }[] = [
  { path: '/api/v1/assessments', fields: ['since', 'until'], data: true },
  { path: '/api/v1/score/history', fields: ['since', 'until'], data: true },
  { path: '/api/v1/audit', fields: ['since', 'until'], data: true },
  { path: '/api/v1/findings?lifecycle=open', fields: ['since'], data: true },
  { path: '/api/v1/admission/decisions', fields: ['since', 'until'], data: false },
];

const withQuery = (path: string, query: string) =>
  `${path}${path.includes('?') ? '&' : '?'}limit=500&${query}`;

describe('a date alone in the time filters of every API list', () => {
  it.each(LISTS)('is read by $path as the day it names', async ({ path, fields, data }) => {
    const all = await get(withQuery(path, ''));
    expect(all.status).toBe(200);
    if (data) expect(all.body.items.length, path).toBeGreaterThan(0);
    const count = all.body.items.length;

    for (const field of fields) {
      const instant = field === 'since' ? `${day}T00:00:00Z` : `${after}T00:00:00Z`;
      const cases: [string, number][] =
        field === 'since'
          ? [
              [`since=${day}`, count],
              [`since=${after}`, 0],
            ]
          : [
              [`until=${day}`, count],
              [`until=${before}`, 0],
            ];
      for (const [query, expected] of cases) {
        const res = await get(withQuery(path, query));
        expect(res.status, `${path} ${query}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.items, `${path} ${query}`).toHaveLength(expected);
      }
      // The same answer as the instant the date stands for.
      const alone = await get(withQuery(path, `${field}=${day}`));
      const exact = await get(withQuery(path, `${field}=${encodeURIComponent(instant)}`));
      expect(exact.status).toBe(200);
      expect(alone.body).toEqual(exact.body);
    }
  });

  it('and an offset are read as instants by the admission list, not compared as text', async () => {
    await insertDecisions(h.db, [
      {
        id: 'decision-offset-test',
        uid: 'uid-offset-test',
        time: new Date('2026-12-01T00:30:00Z'),
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'offset-test',
        name: 'web',
        operation: 'CREATE',
        user: 'tester',
        allowed: true,
        dryRun: false,
        mode: 'pass',
        rules: [],
        message: null,
        object: null,
      },
    ]);
    const names = async (query: string) => {
      const res = await get(`/api/v1/admission/decisions?namespace=offset-test&${query}`);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.items.map((d: { name: string }) => d.name);
    };
    // 02:00 at +02:00 is midnight UTC: the decision at 00:30 UTC is after it.
    expect(await names(`since=${encodeURIComponent('2026-12-01T02:00:00+02:00')}`)).toEqual([
      'web',
    ]);
    expect(await names(`until=${encodeURIComponent('2026-12-01T02:00:00+02:00')}`)).toEqual([]);
    expect(await names('since=2026-12-01&until=2026-12-01')).toEqual(['web']);
    expect(await names('until=2026-11-30')).toEqual([]);
  });

  it('is read by /whatif as the day its admission requests start from', async () => {
    const res = await get(`/api/v1/whatif?rule=kubernetes-pod-no-host-pid&since=${day}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('still refuses what is no date, naming the field', async () => {
    for (const path of ['/api/v1/audit', '/api/v1/findings', '/api/v1/whatif?rule=x']) {
      for (const bad of ['2025-12-32', 'yesterday', '2025-12-10T07:00']) {
        // No limit: the what-if route pages nothing, and refuses a parameter it does not take.
        const res = await get(`${path}${path.includes('?') ? '&' : '?'}since=${bad}`);
        expect(res.status, `${path} ${bad}`).toBe(400);
        expect(res.body.message).toContain('querystring/since');
      }
    }
  });

  it('documents the date alone in the OpenAPI description of each field', async () => {
    const doc = (await get('/api/v1/openapi.json')).body;
    const fields: [string, string][] = [
      ...LISTS.flatMap(({ path, fields: names }) =>
        names.map((n): [string, string] => [path.split('?')[0], n]),
      ),
      ['/api/v1/whatif', 'since'],
    ];
    for (const [path, name] of fields) {
      const params = doc.paths[path].get.parameters as { name: string; description?: string }[];
      const param = params.find((p) => p.name === name);
      expect(param?.description, `${path} ${name}`).toMatch(/or a date alone \(UTC\)/);
    }
  });
});
