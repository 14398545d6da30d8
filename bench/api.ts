/**
 * API benchmark, in one run: the server in this process on 127.0.0.1 over a temporary SQLite
 * store holding N alerts (default 100,000, replicated from real detection output), autocannon in
 * a child process, and req/s and p99 latency of the alerts list divided by the health route's.
 *
 *   npm run bench:api -- [--alerts 100000] [--duration 10] [--connections 10] [--warmup 2]
 *     [--pipelining 1] [--log-level warn] [--keep]
 *
 * Alerts: `detect()` over ../shared/data/cloudtrail (with the shared Sigma rules) and
 * ../shared/data/ssh-logs, each alert then copied with its own id, times over the last 90 days,
 * status and entities (IPs, users, hosts, cloud accounts, also rewritten in its evidence).
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { detect } from '../src/detect/detect.js';
import type { Alert, AlertEntity, AlertStatus } from '../src/model/alert.js';
import { defaultConfig, type ServerConfig } from '../src/server/config.js';
import { insertToken } from '../src/server/identity/token-repository.js';
import { startServer } from '../src/server/start-server.js';
import { saveAlerts } from '../src/store/alert-repository.js';
import { openStore } from '../src/store/database.js';
import type { LoadResult, LoadTarget } from './api-load.js';

const SHARED = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const LOAD_WORKER = fileURLToPath(new URL('./api-load.ts', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const total = Number(arg('alerts', '100000'));
const duration = Number(arg('duration', '10'));
const connections = Number(arg('connections', '10'));
const warmup = Number(arg('warmup', '2'));
const pipelining = Number(arg('pipelining', '1'));
const logLevel = arg('log-level', 'warn') as ServerConfig['log']['level'];
const keep = process.argv.includes('--keep');
const BATCH = 5_000;
const DAY = 86_400_000;
const SPAN_DAYS = 90;

/** Real alerts: CloudTrail against the shared Sigma rules and the built-ins, and SSH logs. */
async function templateAlerts(): Promise<Alert[]> {
  const trail = await detect({
    paths: [join(SHARED, 'cloudtrail')],
    ruleDirs: [join(SHARED, 'sigma-rules')],
  });
  const ssh = await detect({ paths: [join(SHARED, 'ssh-logs')] });
  return [...trail.alerts, ...ssh.alerts];
}

/** Deterministic pseudo-random numbers (mulberry32), so every run stores the same alerts. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const STATUSES: [AlertStatus, number][] = [
  ['active', 0.7],
  ['in_progress', 0.15],
  ['resolved', 0.1],
  ['dismissed', 0.05],
];

function pickStatus(r: number): AlertStatus {
  let acc = 0;
  for (const [status, share] of STATUSES) {
    acc += share;
    if (r < acc) return status;
  }
  return 'active';
}

/** The copy's value of an entity: same kind and shape, another identity. */
function variedEntity(e: AlertEntity, n: number, rnd: () => number): string {
  switch (e.kind) {
    case 'ip':
      // 198.18.0.0/15: the benchmarking range (RFC 2544), never a real peer.
      return `198.${18 + (n % 2)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
    case 'cloud-account':
      return String(100_000_000_000 + (n % 40) * 7_919_113);
    case 'host':
      return `host-${n % 500}.corp.example`;
    case 'account':
      return e.value.includes(':') ? `${e.value}-${n % 2_000}` : `user${n % 2_000}`;
    default:
      return `${e.value}-${n % 1_000}`;
  }
}

/** Copy `n` of `template`: its own id, times, status and entities. */
function replicate(template: Alert, n: number, now: number): Alert {
  const rnd = random(n);
  const lengthMs = Math.min(
    Date.parse(template.lastSeen) - Date.parse(template.firstSeen),
    6 * 3_600_000,
  );
  const last = now - Math.floor(rnd() * SPAN_DAYS * DAY);
  let evidence = JSON.stringify(template.evidence);
  const entities = template.entities.map((e) => {
    const value = variedEntity(e, n, rnd);
    if (e.value.length >= 4) evidence = evidence.split(e.value).join(value);
    return { kind: e.kind, value };
  });
  return {
    ...template,
    id: createHash('sha256').update(`${template.id}:${n}`).digest('hex').slice(0, 32),
    status: pickStatus(rnd()),
    firstSeen: new Date(last - Math.max(0, lengthMs)).toISOString(),
    lastSeen: new Date(last).toISOString(),
    entities,
    evidence: JSON.parse(evidence) as Alert['evidence'],
    incidentId: undefined,
  };
}

/** Stores `total` alerts built from `templates`, `BATCH` per transaction. */
async function seed(location: string, templates: Alert[], now: number): Promise<string> {
  const db = await openStore(location);
  try {
    for (let start = 0; start < total; start += BATCH) {
      const batch: Alert[] = [];
      for (let n = start; n < Math.min(total, start + BATCH); n++) {
        batch.push(replicate(templates[n % templates.length], n, now));
      }
      await saveAlerts(db, batch, []);
    }
    const { secret } = await db
      .transaction()
      .execute((trx) =>
        insertToken(
          trx,
          { name: 'bench-api', role: 'reader', scopes: [], createdBy: 'bench' },
          new Date(now),
        ),
      );
    return secret;
  } finally {
    await db.destroy();
  }
}

/** Runs the load worker in a child process (the server keeps this process's event loop). */
function runLoad(targets: LoadTarget[]): Promise<LoadResult[]> {
  const plan = JSON.stringify({ targets, duration, warmup, connections, pipelining });
  return new Promise((resolveLoad, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_WORKER, plan], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`load worker exited with ${code}`));
      resolveLoad(JSON.parse(out) as LoadResult[]);
    });
  });
}

/** GETs `url` once and checks that the answer is a page of alerts. */
async function firstPage(url: string, token: string) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { items: unknown[]; nextCursor: string | null };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-api-'));
  const location = join(dir, 'palisade.db');
  const now = Date.now();

  let t = performance.now();
  const templates = await templateAlerts();
  if (templates.length === 0) throw new Error('detection found no alerts in ../shared/data');
  process.stdout.write(
    `templates: ${templates.length} alerts from detect() on cloudtrail + ssh-logs ` +
      `(${fmt(performance.now() - t)} ms)\n`,
  );
  t = performance.now();
  const token = await seed(location, templates, now);
  const seconds = (performance.now() - t) / 1000;
  const size =
    statSync(location).size + (statSync(`${location}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  process.stdout.write(
    `stored ${fmt(total)} alerts in ${fmt(seconds, 1)} s (${fmt(total / seconds)} alerts/s), ` +
      `store ${fmt(size / 1024 ** 2, 1)} MiB\n`,
  );

  const config = defaultConfig();
  config.server.port = 0;
  config.store.location = location;
  config.log.level = logLevel;
  const server = await startServer(config, pino({ level: logLevel }, pino.destination(2)));
  try {
    const api = `${server.url}/api/v1`;
    const since = new Date(now - 60 * DAY).toISOString();
    const until = new Date(now - 30 * DAY).toISOString();
    const list = `${api}/alerts?limit=50`;
    const filtered = `${list}&severity=high&since=${since}&until=${until}`;
    const page1 = await firstPage(list, token);
    if (page1.items.length !== 50 || !page1.nextCursor) throw new Error('first page not full');
    const page2Url = `${list}&cursor=${page1.nextCursor}`;
    const checks = [await firstPage(filtered, token), await firstPage(page2Url, token)];
    if (checks.some((p) => p.items.length !== 50)) throw new Error('a page is not full');

    const auth = { authorization: `Bearer ${token}` };
    const results = await runLoad([
      { name: 'health', url: `${api}/health` },
      { name: 'alerts limit=50', url: list, headers: auth },
      { name: 'alerts severity=high, 30-day range', url: filtered, headers: auth },
      { name: 'alerts second page (cursor)', url: page2Url, headers: auth },
    ]);
    report(results);
  } finally {
    await server.stop();
    if (keep) process.stdout.write(`store kept at ${location}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: LoadResult[]): void {
  const health = results[0];
  process.stdout.write(
    `\nautocannon (child process): ${connections} connections, pipelining ${pipelining}, ` +
      `${duration} s each after ${warmup} s warm-up; server in-process, log level ${logLevel}; latencies in whole ms\n\n`,
  );
  const head = [
    'route',
    'req/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'MB/s',
    'req/s ÷ health',
    'p99 ÷ health',
  ];
  const rows = results.map((r) => [
    r.name,
    fmt(r.reqPerSec),
    fmt(r.p50Ms, 1),
    fmt(r.p99Ms, 1),
    fmt(r.maxMs, 1),
    fmt(r.bytesPerSec / 1024 ** 2, 1),
    r === health ? '' : fmt(r.reqPerSec / health.reqPerSec, 3),
    r === health || health.p99Ms === 0 ? '' : fmt(r.p99Ms / health.p99Ms, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [head, ...rows]) {
    process.stdout.write(
      `${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}\n`,
    );
  }
  const bad = results.filter((r) => r.errors + r.timeouts + r.non2xx > 0);
  for (const r of bad) {
    process.stdout.write(
      `warning: ${r.name}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx\n`,
    );
  }
}

await main();
