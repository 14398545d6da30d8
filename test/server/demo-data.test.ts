/**
 * `palisade serve --demo` data on a live server: the sample estate is assessed before the sample
 * logs go to detection, so the alert about the estate's CloudTrail trail names that resource.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/cli/demo-data.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { allAlerts, startLive, until, type LiveHarness } from './ingest-helpers.js';

describe('demo data', () => {
  let h: LiveHarness;
  beforeAll(async () => {
    h = await startLive();
  });
  afterAll(() => h.close());

  it('links the sample alerts to the sample estate they concern', async () => {
    const server = { app: h.app, db: h.db, url: h.url, owner: null } as RunningServer;
    const summary = await loadDemoData(server);
    expect(summary.events).toBeGreaterThan(10);

    const reader = await h.token('reader');
    const stopped = await until(async () =>
      (await allAlerts(h, reader)).find((a: { title: string }) =>
        a.title.startsWith('AWS audit logging stopped'),
      ),
    );
    expect(stopped).toBeDefined();
    const detail = await h.get(`/api/v1/alerts/${encodeURIComponent(stopped!.id)}`, reader);
    expect(detail.body.resources).toEqual([
      expect.objectContaining({
        type: 'AWS::CloudTrail::Trail',
        name: 'orders-prod-trail',
        tags: expect.objectContaining({ owner: 'payments-team' }),
      }),
    ]);
    // The loader's own Owner token is made and revoked on the record.
    const entries = await h.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('action', 'in', ['token.create', 'token.revoke'])
      .where('actor_name', '=', 'palisade serve --demo')
      .orderBy('seq')
      .execute();
    expect(entries.map((e) => e.action)).toEqual(['token.create', 'token.revoke']);
  }, 90_000);
});
