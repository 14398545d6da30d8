/**
 * A caller limited to accounts sees only the sources within them: those whose assessments read
 * resources of its accounts alone. Paths on the server and `lastError` of other sources stay
 * hidden; a source of unknown accounts (never run, or reading resources of no known account) too.
 */

import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { insertSource, type SourceDb } from '../../src/store/source-repository.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

/**
 * A server with two assessed sources, `gcp` (the sample estate's GCP inventory) and `all` (the
 * whole sample estate); `call` sends a request with a token, `accountsOf` the accounts a source's
 * assessments read.
 */
async function twoSources() {
  h = await startHarness();
  const owner = await h.token('owner');
  const call = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      payload,
    });
  for (const [name, path] of [
    ['gcp', 'samples/estate/inventory'],
    ['all', 'samples/estate'],
  ]) {
    const made = await call(owner, 'POST', '/sources', { name, paths: [resolve(path)] });
    expect(made.statusCode, made.body).toBe(201);
    const run = await call(owner, 'POST', '/assessments', { source: name, wait: true });
    expect(run.statusCode, run.body).toBe(201);
  }
  const accountsOf = async (name: string) => {
    const rows = await (h.db as unknown as SourceDb)
      .selectFrom('resources as r')
      .innerJoin('assessments as a', 'a.id', 'r.assessment_id')
      .innerJoin('sources as s', 's.target_set', 'a.target_set')
      .select('r.account')
      .distinct()
      .where('s.name', '=', name)
      .execute();
    return rows.map((r) => r.account);
  };
  return { call, accountsOf };
}

describe('sources for a scoped caller', () => {
  it('lists only the sources whose accounts are all in scope', async () => {
    const { call, accountsOf } = await twoSources();
    const gcpAccounts = (await accountsOf('gcp')) as string[];
    expect(gcpAccounts.length).toBeGreaterThan(0);
    expect(gcpAccounts).not.toContain(null);
    // The whole estate reads more than the GCP project(s): other accounts or none known.
    expect((await accountsOf('all')).some((a) => a === null || !gcpAccounts.includes(a))).toBe(
      true,
    );
    const names = async (token: string) =>
      ((await call(token, 'GET', '/sources')).json().items as { name: string }[])
        .map((s) => s.name)
        .sort();

    // A source not run yet: its accounts are unknown.
    await insertSource(
      h.db,
      {
        name: 'new',
        paths: [resolve('samples/estate/arm')],
        intervalMinutes: 60,
        createdBy: 'test',
      },
      new Date(),
    );

    expect(await names(await h.token('reader'))).toEqual(['all', 'gcp', 'new']);
    const gcpReader = await h.token('reader', gcpAccounts);
    expect(await names(gcpReader)).toEqual(['gcp']);

    const elsewhere = await h.token('reader', ['999999999999']);
    const listed = await call(elsewhere, 'GET', '/sources');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([]);
    expect(listed.body).not.toContain('samples/estate');
  });

  it("answers 404 for another scope's source wherever a source is named", async () => {
    const { call, accountsOf } = await twoSources();
    const gcpAccounts = (await accountsOf('gcp')) as string[];
    const gcpOperator = await h.token('security-operator', gcpAccounts);
    const reader = await h.token('reader');
    const routes = [
      '/score',
      '/score/history',
      '/findings',
      '/recommendations',
      '/compliance',
      '/resources',
      '/assessments',
    ];
    for (const route of routes) {
      const other = await call(gcpOperator, 'GET', `${route}?source=all`);
      expect([route, other.statusCode]).toEqual([route, 404]);
      expect(other.json().message).toBe('no source all');
      const own = await call(gcpOperator, 'GET', `${route}?source=gcp`);
      expect([route, own.statusCode]).toEqual([route, 200]);
      const unrestricted = await call(reader, 'GET', `${route}?source=all`);
      expect([route, unrestricted.statusCode]).toEqual([route, 200]);
    }
    // Named as missing, as a source that does not exist is: nothing tells them apart.
    expect((await call(gcpOperator, 'GET', '/score?source=nothing')).json().message).toBe(
      'no source nothing',
    );
    const run = await call(gcpOperator, 'POST', '/assessments', { source: 'all' });
    expect(run.statusCode).toBe(404);
    expect(
      (await call(gcpOperator, 'POST', '/assessments', { source: 'gcp', wait: true })).statusCode,
    ).toBe(201);
  });
});
