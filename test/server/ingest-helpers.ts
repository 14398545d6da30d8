/** Shared pieces of the continuous detection tests: a listening server, data paths, polling. */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { ConfigError, type ServerConfig } from '../../src/server/config.js';
import type { ServerKey } from '../../src/server/auth/server-key.js';
import type { Clock } from '../../src/server/server-deps.js';
import type { Database } from '../../src/store/schema.js';
import { startHarness, type Harness } from './harness.js';

export const DATA = path.resolve(process.cwd(), '../shared/data');
export const STRATUS = path.join(DATA, 'cloudtrail/stratus-red-team');
export const INVICTUS = path.join(DATA, 'cloudtrail/invictus-ir-aws_dataset/CloudTrail');
export const OPENSSH = path.join(DATA, 'ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
/** The built-in SSH brute force correlation. */
export const SSH_BRUTE_FORCE = 'b63ea3c8-369f-4924-8ced-2b34ea9abe1a';

/** A harness listening on 127.0.0.1 with its base URL. */
export interface LiveHarness extends Harness {
  url: string;
  get(route: string, token: string): Promise<{ status: number; body: any }>;
}

/**
 * A server listening on 127.0.0.1 over a fresh in-memory store, or over the store `store` names:
 * a file (`location`) or an open store (`db`, which the caller closes; a restart over it passes
 * the first server's `serverKey`); `clock` is the server's (the real one by default).
 */
export async function startLive(
  ingest: ServerConfig['ingest'] = {},
  store: { location?: string; db?: Kysely<Database>; serverKey?: ServerKey; clock?: Clock } = {},
): Promise<LiveHarness> {
  const h = await startHarness({
    ...store,
    config: (c) => {
      c.ingest = { flushIntervalMs: 30, ...ingest };
    },
  });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return Object.assign(h, {
    url,
    async get(route: string, token: string) {
      const res = await fetch(url + route, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    },
  });
}

/** The configuration error a server with `ingest` refuses to start with. */
export async function startRefused(ingest: ServerConfig['ingest']): Promise<ConfigError> {
  const error = await startLive(ingest).then(
    async (h) => {
      await h.close();
      throw new Error('the server started');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

/** CloudTrail records of the shared Stratus and Invictus data, in the order `detect` reads them. */
export function cloudTrailRecords(): unknown[] {
  const sorted = (dir: string) =>
    readdirSync(dir)
      .sort((a, b) => a.localeCompare(b))
      .map((f) => path.join(dir, f));
  const records: unknown[] = [];
  for (const file of [...sorted(STRATUS), ...sorted(INVICTUS)]) {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const list = Array.isArray(value) ? value : (value as { Records: unknown[] }).Records;
    records.push(...list);
  }
  return records;
}

/** Non-empty lines of the loghub OpenSSH sample. */
export function sshLines(): string[] {
  return readFileSync(OPENSSH, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Polls `check` until it returns a truthy value (or throws after `ms`). */
export async function until<T>(check: () => Promise<T> | T, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every alert the API lists (all pages). */
export async function allAlerts(h: LiveHarness, token: string, query = ''): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '';
    const c: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await h.get(`/api/v1/alerts?limit=500${sep}${query}${c}`, token);
    if (page.status !== 200) throw new Error(JSON.stringify(page.body));
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

/** `rule|ip,ip` keys of alerts, to compare continuous and batch detection. */
export function ruleIpKeys(alerts: { rule: { id: string }; entities: any[] }[]): string[] {
  return alerts
    .map((a) => {
      const ips = a.entities
        .filter((e: any) => e.kind === 'ip')
        .map((e: any) => e.value)
        .sort();
      return `${a.rule.id}|${ips.join(',')}`;
    })
    .sort();
}
