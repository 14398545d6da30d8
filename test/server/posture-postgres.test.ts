import { resolve } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { insertToken } from '../../src/server/identity/token-repository.js';
import { defaultConfig } from '../../src/server/config.js';
import { STORE_TARGETS } from '../store/store-targets.js';

const ESTATE = resolve('samples/estate');

describe.each(STORE_TARGETS)('posture API on $name', (target) => {
  it.skipIf(target.skip)(
    'assesses a source, scores it, lists its findings and inventory, and exempts',
    () =>
      target.with(async ({ db }) => {
        const clock = { now: () => new Date() };
        const app = await buildServer({
          db,
          config: defaultConfig(),
          logger: pino({ level: 'silent' }),
          clock,
          serverKey: loadServerKey({ storeLocation: ':memory:' }),
        });
        try {
          await app.ready();
          const { secret } = await db
            .transaction()
            .execute((trx) =>
              insertToken(
                trx,
                { name: 't', role: 'owner', scopes: [], createdBy: 't' },
                clock.now(),
              ),
            );
          const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
            const res = await app.inject({
              method,
              url: `/api/v1${url}`,
              headers: { authorization: `Bearer ${secret}` },
              payload,
            });
            expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
            return res.json();
          };
          await call('POST', '/sources', { name: 'estate', paths: [ESTATE] });
          const run = await call('POST', '/assessments', { source: 'estate', wait: true });
          const score = await call('GET', '/score');
          expect(score.secureScore).toBe(run.secureScore);
          const fails = await call('GET', '/findings?status=fail&limit=500');
          expect(fails.items).toHaveLength(score.counts.fail);
          expect(fails.items[0].lifecycle.status).toBe('open');
          const next = await call('GET', '/findings?status=fail&limit=5&sort=-first_seen');
          const page2 = await call(
            'GET',
            `/findings?status=fail&limit=5&sort=-first_seen&cursor=${next.nextCursor}`,
          );
          const ids = [...next.items, ...page2.items].map((f: { id: number }) => f.id);
          expect(new Set(ids).size).toBe(10);
          const inventory = await call('GET', '/resources?limit=500');
          expect(inventory.items).toHaveLength(run.resources);
          const [top] = (await call('GET', '/recommendations?limit=1')).items;
          await call('POST', '/exemptions', {
            rule: top.ruleId,
            justification: 'PostgreSQL test exemption',
            expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
          });
          expect((await call('GET', '/score')).secureScore).toBeGreaterThan(score.secureScore);
          expect((await call('GET', '/compliance')).standards.length).toBeGreaterThan(0);
        } finally {
          await app.close();
        }
      }),
    60_000,
  );
});
