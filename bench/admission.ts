/**
 * Admission benchmark, in one run: AdmissionReview requests built from every manifest of
 * ../shared/data/iac/kubernetes-goat and kubernetes-examples, sent over keep-alive HTTPS to the
 * real webhook (whole benchmark, baseline rules in deny, decisions stored in SQLite) and to a
 * no-op webhook on the same TLS server stack. Prints latency p50/p99 of both, their ratios and
 * the server CPU time per review. Each server runs in its own process; rounds alternate.
 *
 *   npm run bench:admission -- [--reviews 2000] [--concurrency 4] [--rounds 2] [--warmup 200]
 */

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { createWebhookCertificates } from '../src/enforce/admission/admission-certs.js';
import {
  manifestFilesUnder,
  manifestReviews,
  type ManifestReview,
} from '../src/enforce/admission/manifest-reviews.js';

const SHARED = resolve(fileURLToPath(new URL('../../shared/data/iac/', import.meta.url)));
const SERVER = fileURLToPath(new URL('./admission-server.ts', import.meta.url));

function arg(name: string, fallback: string): number {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : fallback);
}

const total = arg('reviews', '2000');
const concurrency = arg('concurrency', '4');
const rounds = arg('rounds', '2');
const warmup = arg('warmup', '200');

const POLICY = `
initiatives:
  - id: baseline
    rules: [kubernetes-pod-no-privileged-containers, kubernetes-pod-no-host-pid,
      kubernetes-pod-no-host-ipc, kubernetes-pod-no-host-network, kubernetes-pod-no-hostpath-volumes,
      kubernetes-pod-capabilities-baseline, kubernetes-rbac-no-cluster-admin-binding]
assignments:
  - { id: baseline-deny, initiative: baseline, mode: deny }
  - { id: audit-all, benchmark: palisade, mode: audit }
`;

async function templates(): Promise<ManifestReview[]> {
  const out: ManifestReview[] = [];
  for (const dir of ['kubernetes-goat', 'kubernetes-examples']) {
    for (const file of manifestFilesUnder(join(SHARED, dir))) {
      // Files the reader refuses (Helm templates, Chart.yaml) are not sent by kubectl either.
      out.push(...(await manifestReviews(file).catch(() => [])));
    }
  }
  return out;
}

/** `count` request bodies cycling through the templates, each with its own uid. */
function bodies(from: ManifestReview[], count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => {
    const { review } = from[i % from.length];
    return JSON.stringify({ ...review, request: { ...review.request, uid: `${tag}-${i}` } });
  });
}

interface Server {
  child: ChildProcessByStdio<Writable, Readable, null>;
  port: number;
  next(): Promise<Record<string, number>>;
}

async function startServer(mode: string, dir: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SERVER,
      mode,
      join(dir, 'certs'),
      join(dir, 'policy.yaml'),
      join(dir, `${mode}.db`),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () =>
    JSON.parse((await lines.next()).value as string) as Record<string, number>;
  const { port } = await next();
  return { child, port, next };
}

async function cpuOf(server: Server): Promise<number> {
  server.child.stdin.write('cpu\n');
  return (await server.next()).cpu;
}

/** Sends `list` with `concurrency` requests in flight; returns each latency in ms. */
async function send(agent: Agent, port: number, list: string[]): Promise<number[]> {
  const latencies: number[] = [];
  let i = 0;
  const lane = async () => {
    while (i < list.length) {
      const body = list[i++];
      const start = performance.now();
      const res = await request(`https://127.0.0.1:${port}/validate`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body,
      });
      const answer = (await res.body.json()) as { response?: { allowed?: boolean } };
      latencies.push(performance.now() - start);
      if (res.statusCode !== 200 || typeof answer.response?.allowed !== 'boolean') {
        throw new Error(`review answered ${res.statusCode}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return latencies;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-admission-'));
try {
  const files = await createWebhookCertificates({
    dir: join(dir, 'certs'),
    service: 'palisade-admission',
    namespace: 'palisade',
    extraNames: ['127.0.0.1'],
    days: 1,
  });
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  const reviews = await templates();
  const agent = new Agent({
    connect: { ca: readFileSync(files.caCert) },
    connections: concurrency,
    keepAliveTimeout: 30_000,
  });

  const servers = {
    webhook: await startServer('webhook', dir),
    noop: await startServer('noop', dir),
  };
  const latency = { webhook: [] as number[], noop: [] as number[] };
  const cpu = { webhook: 0, noop: 0 };
  for (const mode of ['webhook', 'noop'] as const) {
    await send(agent, servers[mode].port, bodies(reviews, warmup, `warm-${mode}`));
  }
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['webhook', 'noop'] as const) {
      const before = await cpuOf(servers[mode]);
      latency[mode].push(
        ...(await send(agent, servers[mode].port, bodies(reviews, total, `r${round}-${mode}`))),
      );
      cpu[mode] += (await cpuOf(servers[mode])) - before;
    }
  }
  for (const s of Object.values(servers)) s.child.stdin.write('stop\n');
  await agent.close();

  const stats = (mode: 'webhook' | 'noop') => {
    const sorted = [...latency[mode]].sort((a, b) => a - b);
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      cpuPerReviewUs: cpu[mode] / latency[mode].length,
    };
  };
  const webhook = stats('webhook');
  const noop = stats('noop');
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  process.stdout.write(
    [
      `Admission reviews: ${rounds} x ${total} per webhook (${reviews.length} distinct objects from ` +
        `kubernetes-goat and kubernetes-examples), ${concurrency} in flight, keep-alive HTTPS`,
      `  webhook: p50 ${ms(webhook.p50)}  p99 ${ms(webhook.p99)}  server CPU ${webhook.cpuPerReviewUs.toFixed(0)} µs/review`,
      `  no-op:   p50 ${ms(noop.p50)}  p99 ${ms(noop.p99)}  server CPU ${noop.cpuPerReviewUs.toFixed(0)} µs/review`,
      `  ratio webhook / no-op: p50 ${(webhook.p50 / noop.p50).toFixed(2)}x  p99 ${(webhook.p99 / noop.p99).toFixed(2)}x  ` +
        `CPU ${(webhook.cpuPerReviewUs / noop.cpuPerReviewUs).toFixed(2)}x`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
