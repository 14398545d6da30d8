/**
 * The estate's secure score counts each resource once across overlapping sources, leaves out
 * deleted sources, and plots nothing (null) where nothing was judged. SQLite and PostgreSQL.
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estateScoreHistory } from '../../src/store/estate-score-history.js';
import { insertExemption } from '../../src/store/exemption-repository.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { startHarness } from './harness.js';

interface Point {
  assessmentId: string;
  secureScore: number | null;
  source: { id: string; name: string } | null;
}

describe.each(STORE_TARGETS)('the estate score on $name', (target) => {
  it.skipIf(target.skip)(
    'dedups overlapping sources, forgets deleted ones and never plots 100 for nothing judged',
    () =>
      target.with(async ({ db }) => {
        const h = await startHarness({ db });
        try {
          const owner = await h.token('owner');
          const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
            const res = await h.app.inject({
              method,
              url: `/api/v1${url}`,
              headers: { authorization: `Bearer ${owner}` },
              payload,
            });
            expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
            return res.json();
          };
          const estate = await call('POST', '/sources', {
            name: 'sample-estate',
            paths: [resolve('samples/estate')],
          });
          await call('POST', '/assessments', { source: 'sample-estate', wait: true });
          const alone = await call('GET', '/score');
          const resourcesAlone = (await call('GET', '/resources?limit=500')).items;
          const [topAlone] = (await call('GET', '/recommendations?limit=1')).items;

          // (a) A second source inside the first: the same resources, counted once.
          const tf = await call('POST', '/sources', {
            name: 'tf',
            paths: [resolve('samples/estate/terraform')],
          });
          await call('POST', '/assessments', { source: 'tf', wait: true });
          const both = await call('GET', '/score');
          expect(both.assessments).toHaveLength(2);
          expect(both.counts).toEqual(alone.counts);
          expect(both.secureScore).toBe(alone.secureScore);
          const resources = (await call('GET', '/resources?limit=500')).items;
          expect(resources).toHaveLength(resourcesAlone.length);
          const bucket = resources.find((r: { id: string }) =>
            r.id.includes('orders-prod-public-assets'),
          );
          const bucketAlone = resourcesAlone.find((r: { id: string }) =>
            r.id.includes('orders-prod-public-assets'),
          );
          expect(bucket.failing).toBe(bucketAlone.failing);
          const fails = (await call('GET', '/findings?status=fail&limit=500')).items;
          expect(fails).toHaveLength(alone.counts.fail);
          const [top] = (await call('GET', '/recommendations?limit=1')).items;
          expect(top.ruleId).toBe(topAlone.ruleId);
          expect(top.unhealthyResources).toBe(topAlone.unhealthyResources);
          const overall = (await call('GET', '/score/history?series=overall')).items as Point[];
          expect(overall.length).toBeGreaterThanOrEqual(2);
          expect(new Set(overall.map((p) => p.secureScore))).toEqual(new Set([alone.secureScore]));

          // (c) Everything exempt: GET /score says null, and so does every trend.
          await h.db.transaction().execute((trx) =>
            insertExemption(
              trx,
              {
                rule: '*',
                resource: '*',
                justification: 'test: everything exempt',
                category: 'waiver',
                expires: null,
                created_by: 'test',
              },
              new Date(),
            ),
          );
          const ranExempt = await call('POST', '/assessments', {
            source: 'sample-estate',
            wait: true,
          });
          await call('POST', '/assessments', { source: 'tf', wait: true });
          expect((await call('GET', '/score')).secureScore).toBeNull();
          // The run's own reply, listing and detail agree: nothing judged is null, not 100.
          expect(ranExempt.secureScore).toBeNull();
          expect(
            (await call('GET', `/assessments/${ranExempt.assessmentId}`)).secureScore,
          ).toBeNull();
          const listed = (await call('GET', '/assessments?source=sample-estate')).items;
          expect(listed[0]).toMatchObject({ id: ranExempt.assessmentId, secureScore: null });
          expect(listed.at(-1).secureScore).toBe(alone.secureScore);
          const exempt = (await call('GET', '/score/history?series=overall')).items as Point[];
          expect(exempt.at(-1)!.secureScore).toBeNull();
          const runs = (await call('GET', '/score/history')).items as Point[];
          expect(runs[0].secureScore).toBe(alone.secureScore);
          expect(runs.slice(-2).map((p) => p.secureScore)).toEqual([null, null]);
          expect((await estateScoreHistory(h.db)).map((p) => p.secureScore).slice(-2)).toEqual([
            null,
            null,
          ]);

          // (b, d) Deleted sources leave the score, both trends and `palisade history`.
          await call('DELETE', `/sources/${tf.id}`);
          const left = (await call('GET', '/score/history')).items as Point[];
          const estateRuns = runs.filter((p) => p.source?.id === estate.id).length;
          expect(left.length).toBe(estateRuns);
          expect(left.length).toBeLessThan(runs.length);
          expect(left.every((p) => p.source?.id === estate.id)).toBe(true);
          const overallLeft = (await call('GET', '/score/history?series=overall')).items as Point[];
          expect(overallLeft.every((p) => p.source?.id === estate.id)).toBe(true);
          await call('DELETE', `/sources/${estate.id}`);
          const none = await call('GET', '/score');
          expect(none.secureScore).toBeNull();
          expect(none.assessments).toEqual([]);
          expect((await call('GET', '/score/history')).items).toEqual([]);
          expect((await call('GET', '/score/history?series=overall')).items).toEqual([]);
          expect(await estateScoreHistory(h.db)).toEqual([]);

          // The same paths again bring their past runs back.
          await call('POST', '/sources', { name: 'again', paths: [resolve('samples/estate')] });
          expect((await call('GET', '/score/history')).items).toHaveLength(estateRuns);
        } finally {
          await h.close();
        }
      }),
    120_000,
  );
});
