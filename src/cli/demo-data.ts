/**
 * `palisade serve --demo`: fills a running server with the team's own sample estate (as a source,
 * assessed at once) and sample logs (fed to continuous detection), through the server's own API
 * with a short-lived token that is revoked afterwards, so every step is authorised and audited.
 */

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendAudit } from '../audit/append-audit.js';
import { insertToken } from '../server/identity/token-repository.js';
import type { RunningServer } from '../server/start-server.js';
import { loadExemptions } from '../posture/exemptions.js';

/** The repository's samples folder (one level above src/ and dist/). */
export const SAMPLES_DIR = fileURLToPath(new URL('../../samples/', import.meta.url));

export interface DemoSummary {
  source: string;
  events: number;
  /** The store held the demo data already (an earlier start): nothing was sent again. */
  already: boolean;
}

/** Loads the sample estate and sample logs into `server`. */
export async function loadDemoData(
  server: RunningServer,
  samples = SAMPLES_DIR,
): Promise<DemoSummary> {
  const now = new Date();
  const key = server.app.palisade.serverKey;
  const actor = { kind: 'system', name: 'palisade serve --demo' };
  // The loader's Owner token is made and revoked on the record, like any other.
  const { secret, token } = await server.db.transaction().execute(async (trx) => {
    const made = await insertToken(
      trx,
      {
        name: 'demo-loader',
        role: 'owner',
        scopes: [],
        expiresInDays: 1,
        createdBy: actor.name,
      },
      now,
    );
    await appendAudit(
      trx,
      {
        actor,
        action: 'token.create',
        outcome: 'success',
        target: { kind: 'token', id: made.token.id },
        details: {
          name: 'demo-loader',
          role: 'owner',
          scopes: [],
          expiresAt: made.token.expiresAt,
        },
      },
      now,
      key,
    );
    return made;
  });
  const headers = { authorization: `Bearer ${secret}` };
  try {
    const estate = resolve(samples, 'estate');
    // The sample logs go in once, with the source: sent again on every start, they would add
    // their events to the alerts they raised the first time (24 brute-force events, then 48).
    const already = (await sourcesOf(server, headers)).some((s) => s.name === 'sample-estate');
    if (!already) {
      const created = await server.app.inject({
        method: 'POST',
        url: '/api/v1/sources',
        headers,
        payload: { name: 'sample-estate', paths: [estate], intervalMinutes: 60 },
      });
      if (created.statusCode >= 300)
        throw new Error(`could not add the sample estate: ${created.body}`);
    }
    await addSampleExemptions(server, headers, join(samples, 'exemptions.yaml'));
    // The sample logs name resources of the estate: once it is assessed, their alerts link to them.
    await firstAssessment(server, headers);
    if (already) return { source: estate, events: 0, already };

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
    return { source: estate, events, already };
  } finally {
    const revokedAt = new Date();
    await server.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: revokedAt.toISOString() })
        .where('id', '=', token.id)
        .execute();
      await appendAudit(
        trx,
        {
          actor,
          action: 'token.revoke',
          outcome: 'success',
          target: { kind: 'token', id: token.id },
        },
        revokedAt,
        key,
      );
    });
  }
}

/** How long the demo waits for the sample estate's first assessment before sending the logs. */
const ASSESSMENT_WAIT_MS = 60_000;

/**
 * Makes the sample estate's exemptions (`samples/exemptions.yaml`, what `npm run demo` scans
 * with) through the API, once: the server then scores the estate as the terminal demo does, and
 * the audit log shows who made them.
 */
async function addSampleExemptions(
  server: RunningServer,
  headers: Record<string, string>,
  file: string,
): Promise<void> {
  const listed = await server.app.inject({
    method: 'GET',
    url: '/api/v1/exemptions?limit=200',
    headers,
  });
  const made = new Set(
    (listed.json() as { items: { rule: string; resource: string }[] }).items.map(
      (e) => `${e.rule}\u0000${e.resource}`,
    ),
  );
  for (const e of await loadExemptions(file)) {
    if (made.has(`${e.rule}\u0000${e.resource}`)) continue;
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/exemptions',
      headers,
      payload: {
        rule: e.rule,
        resource: e.resource,
        justification: e.justification,
        category: e.category,
        ...(e.expires ? { expires: e.expires } : {}),
      },
    });
    if (created.statusCode >= 300) {
      throw new Error(`could not add the exemption of ${e.source}: ${created.body}`);
    }
  }
}

/** Resolves once the sample-estate source has an assessment (or the wait is over). */
async function firstAssessment(
  server: RunningServer,
  headers: Record<string, string>,
): Promise<void> {
  const until = Date.now() + ASSESSMENT_WAIT_MS;
  while (Date.now() < until) {
    const sources = await sourcesOf(server, headers);
    if (sources.some((s) => s.name === 'sample-estate' && s.lastAssessmentId)) return;
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** The server's sources, as the API lists them. */
async function sourcesOf(
  server: RunningServer,
  headers: Record<string, string>,
): Promise<{ name: string; lastAssessmentId: string | null }[]> {
  const listed = await server.app.inject({
    method: 'GET',
    url: '/api/v1/sources?limit=100',
    headers,
  });
  return (
    (listed.json() as { items?: { name: string; lastAssessmentId: string | null }[] }).items ?? []
  );
}
