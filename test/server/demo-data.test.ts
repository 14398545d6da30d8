/**
 * `palisade serve --demo` data on a live server: the sample estate is assessed before the sample
 * logs go to detection, so the alert about the estate's CloudTrail trail names that resource.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadDemoData } from '../../src/cli/demo-data.js';
import { assess } from '../../src/posture/assess.js';
import { loadExemptions } from '../../src/posture/exemptions.js';
import { loadRules } from '../../src/posture/rule-loader.js';
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

    // The estate is scored with its exemptions, as `npm run demo` scores it in the terminal.
    const exemptions = await h.get('/api/v1/exemptions', reader);
    expect(exemptions.body.items).toEqual([
      expect.objectContaining({ rule: 'aws-s3-*public*', resource: '*public-assets*' }),
    ]);
    const sources = await h.get('/api/v1/sources', reader);
    const estate = sources.body.items.find((x: { name: string }) => x.name === 'sample-estate');
    const stored = await h.get(
      `/api/v1/assessments/${encodeURIComponent(estate.lastAssessmentId)}`,
      reader,
    );
    const terminal = await assess({
      paths: [resolve('samples/estate')],
      rules: await loadRules(),
      exemptions: await loadExemptions(resolve('samples/exemptions.yaml')),
    });
    expect(terminal.counts.exempt).toBeGreaterThan(0);
    expect(stored.body.counts.exempt).toBe(terminal.counts.exempt);
    expect(stored.body.secureScore).toBeCloseTo(terminal.secureScore, 6);

    // Loading again (a restart with --demo) makes no second exemption and sends no event again:
    // the sample alerts keep their counts.
    const counts = async () =>
      Object.fromEntries(
        (await allAlerts(h, reader)).map((a: { id: string; eventCount: number }) => [
          a.id,
          a.eventCount,
        ]),
      );
    const before = await counts();
    const again = await loadDemoData(server);
    expect(again).toMatchObject({ events: 0, already: true });
    expect((await h.get('/api/v1/exemptions', reader)).body.items).toHaveLength(1);
    await h.app.ingest.service.flush();
    expect(await counts()).toEqual(before);
  }, 120_000);
});
