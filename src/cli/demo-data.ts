/**
 * `palisade serve --demo`: fills a running server with the team's own sample estate (as a source,
 * assessed at once) and sample logs (fed to continuous detection), through the server's own API
 * with a short-lived token that is revoked afterwards, so every step is authorised and audited.
 */

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insertToken } from '../server/identity/token-repository.js';
import type { RunningServer } from '../server/start-server.js';

/** The repository's samples folder (one level above src/ and dist/). */
export const SAMPLES_DIR = fileURLToPath(new URL('../../samples/', import.meta.url));

export interface DemoSummary {
  source: string;
  events: number;
}

/** Loads the sample estate and sample logs into `server`. */
export async function loadDemoData(
  server: RunningServer,
  samples = SAMPLES_DIR,
): Promise<DemoSummary> {
  const now = new Date();
  const { secret, token } = await server.db.transaction().execute((trx) =>
    insertToken(
      trx,
      {
        name: 'demo-loader',
        role: 'owner',
        scopes: [],
        expiresInDays: 1,
        createdBy: 'palisade serve --demo',
      },
      now,
    ),
  );
  const headers = { authorization: `Bearer ${secret}` };
  try {
    const estate = resolve(samples, 'estate');
    const listed = await server.app.inject({
      method: 'GET',
      url: '/api/v1/sources?limit=100',
      headers,
    });
    const existing = (listed.json() as { items?: { name: string }[] }).items ?? [];
    if (!existing.some((s) => s.name === 'sample-estate')) {
      const created = await server.app.inject({
        method: 'POST',
        url: '/api/v1/sources',
        headers,
        payload: { name: 'sample-estate', paths: [estate], intervalMinutes: 60 },
      });
      if (created.statusCode >= 300)
        throw new Error(`could not add the sample estate: ${created.body}`);
    }

    let events = 0;
    const feeds: [string, string, string][] = [
      ['auth.log', 'syslog', await readFile(join(samples, 'logs/auth.log'), 'utf8')],
      [
        'cloudtrail.json',
        'cloudtrail',
        (
          JSON.parse(await readFile(join(samples, 'logs/cloudtrail.json'), 'utf8')) as {
            Records: unknown[];
          }
        ).Records.map((r) => JSON.stringify(r)).join('\n'),
      ],
    ];
    for (const [name, type, body] of feeds) {
      const posted = await server.app.inject({
        method: 'POST',
        url: `/api/v1/events?type=${type}`,
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
        payload: body,
      });
      if (posted.statusCode >= 300) throw new Error(`could not send ${name}: ${posted.body}`);
      events += (posted.json() as { events: number }).events;
    }
    return { source: estate, events };
  } finally {
    await server.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', token.id)
      .execute();
  }
}
