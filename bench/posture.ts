/**
 * Posture benchmark: builds an inventory of N resources (default 100,000) from real resource
 * shapes in ../shared/data (AWS Config items, Azure ARM bodies, GCP Cloud Asset Inventory
 * records), then times, each in a fresh process, (a) plain `JSON.parse` of the same files and
 * (b) a full scan (read, judge, score, compliance; no store), with the rules and the catalog of
 * controls and standards loaded before the clock starts (a server holds them between scans).
 * Prints the ratio and peak RSS.
 *
 *   npm run bench:posture -- [--resources 100000] [--per-file 50000] [--stream] [--heap-mb 8192]
 *                            [--keep] [--inventory DIR] [--verdicts FILE] [--runs 1]
 *
 * `--keep` keeps the generated inventory and `--inventory DIR` scans one kept before instead of
 * building another (runs to compare then read the same files). `--verdicts FILE` writes every
 * finding of the scan (rule id, resource id, status, message; one a line) to FILE and prints the
 * SHA-256 of that text: a change made for speed must leave it as it was.
 *
 * `--runs N` runs the baseline and the scan N times each, alternately, and reports each one's
 * fastest run (wall and CPU time apart; peak RSS the highest of any run): on a shared machine
 * one run of each can land in different loads.
 *
 * `--stream` measures the streaming scan (`palisade scan --stream`: file by file, only failing
 * findings and resource summaries kept) instead of the whole-estate scan.
 *
 * Each cloud's records go in files of at most `--per-file` records, as real exports come per
 * account or project (and stay under the readers' per-file limits at 1M resources).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const WORKER = fileURLToPath(new URL('./posture-worker.ts', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const total = Number(arg('resources', '100000'));
const keep = process.argv.includes('--keep');
const stream = process.argv.includes('--stream');
/** V8 old-space limit of both workers: V8 grows its heap lazily up to it, so it bounds RSS. */
const heapMb = Number(arg('heap-mb', '8192'));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
}

/** AWS Config configuration items, as delivered or inside a Config rule's invoking event. */
function awsTemplates(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of jsonFiles(join(SHARED, 'cloud-inventory/aws/cloud-custodian-config-items'))) {
    const data = readJson(file) as Record<string, unknown>;
    if (typeof data.invokingEvent === 'string') {
      const item = (
        JSON.parse(data.invokingEvent) as { configurationItem?: Record<string, unknown> }
      ).configurationItem;
      if (item?.resourceType) out.push(item);
    } else if (data.resourceType && data.configuration) {
      out.push(data);
    }
  }
  return out;
}

/** ARM resource bodies from recorded Azure REST calls and the REST API spec examples. */
function azureTemplates(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const take = (body: unknown) => {
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        return;
      }
    }
    if (typeof body !== 'object' || body === null) return;
    const b = body as Record<string, unknown>;
    if (Array.isArray(b.value)) b.value.forEach(take);
    else if (typeof b.id === 'string' && typeof b.type === 'string' && b.type.includes('/'))
      out.push(b);
  };
  for (const file of jsonFiles(join(SHARED, 'cloud-inventory/azure'))) {
    const data = readJson(file) as Record<string, any>;
    for (const i of data.interactions ?? [])
      if (i.request?.method === 'GET') take(i.response?.body?.data ?? i.response?.body?.string);
    for (const r of Object.values(data.responses ?? {}) as Record<string, unknown>[]) take(r.body);
  }
  return out;
}

/** Cloud Asset Inventory records. */
function gcpTemplates(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of jsonFiles(join(SHARED, 'cloud-inventory/gcp/policy-library-cai-assets'))) {
    const data = readJson(file);
    if (Array.isArray(data))
      out.push(...(data as Record<string, unknown>[]).filter((a) => a.asset_type && a.resource));
  }
  return out;
}

/** A kept inventory to scan instead of building one (`--inventory DIR`). */
const given = process.argv.includes('--inventory') ? resolve(arg('inventory', '')) : undefined;
/** Where every finding of the scan is written (`--verdicts FILE`). */
const verdictsFile = process.argv.includes('--verdicts') ? resolve(arg('verdicts', '')) : undefined;
const dir = given ?? mkdtempSync(join(tmpdir(), 'palisade-bench-'));
const perFile = Number(arg('per-file', '50000'));
const files: string[] = given ? jsonFiles(given).sort() : [];

/** Readers refuse inventory files over 64 MiB (the Azure readers); files stay under this. */
const MAX_FILE_BYTES = 60_000_000;

/**
 * Writes `count` records in files of at most `perFile` records and about 60 MB (exports come
 * per account and region).
 */
function writeChunks(
  name: string,
  count: number,
  templates: unknown[],
  make: (from: number, to: number) => unknown,
): void {
  const average = templates.reduce<number>((n, t) => n + JSON.stringify(t).length, 0);
  const records = Math.max(
    1,
    Math.min(perFile, Math.floor((MAX_FILE_BYTES * templates.length) / (average * 1.1))),
  );
  for (let from = 0, part = 0; from < count; from += records, part += 1) {
    const file = join(dir, `${name}-${part}.json`);
    writeFileSync(file, JSON.stringify(make(from, Math.min(count, from + records))));
    files.push(file);
  }
}

/** Replicas `from..to` of the templates, each renamed by its number. */
function slice<T>(templates: T[], from: number, to: number, rename: (t: T, i: number) => T): T[] {
  return Array.from({ length: to - from }, (_, k) =>
    rename(structuredClone(templates[(from + k) % templates.length]), from + k),
  );
}

/** Builds the inventory from the real shapes; returns how many of each cloud it replicated. */
function buildInventory(): string {
  const aws = awsTemplates();
  const azure = azureTemplates();
  const gcp = gcpTemplates();
  const per = Math.ceil(total / 3);
  writeChunks('aws-config-snapshot', per, aws, (from, to) => ({
    fileVersion: '1.0',
    configSnapshotId: 'palisade-bench',
    configurationItems: slice(aws, from, to, (item: Record<string, any>, i) => ({
      ...item,
      resourceId: `${item.resourceId}-${i}`,
      resourceName: `${item.resourceName ?? item.resourceId}-${i}`,
      // Items without an ARN (Config records some types without one) keep none; some items
      // spell the key `ARN`, which the reader takes as well.
      ...(typeof item.arn === 'string' ? { arn: `${item.arn}-${i}` } : {}),
      ...(typeof item.ARN === 'string' ? { ARN: `${item.ARN}-${i}` } : {}),
    })),
  }));
  writeChunks('azure-resources', per, azure, (from, to) => ({
    value: slice(azure, from, to, (body: Record<string, any>, i) => ({
      ...body,
      id: `${body.id}-${i}`,
      name: `${body.name}-${i}`,
    })),
  }));
  writeChunks('gcp-assets', total - 2 * per, gcp, (from, to) =>
    slice(gcp, from, to, (asset: Record<string, any>, i) => ({
      ...asset,
      name: `${asset.name}-${i}`,
    })),
  );
  return `${total} resources from ${aws.length} AWS, ${azure.length} Azure, ${gcp.length} GCP real shapes`;
}

const built = given ? `the inventory kept in ${given}` : buildInventory();
const bytes = files.reduce((n, f) => n + readFileSync(f).length, 0);

interface WorkerResult {
  ms: number;
  cpuMs: number;
  readMs?: number;
  judgeMs?: number;
  maxRssMb: number;
  resources?: number;
  findings?: number;
  secureScore?: number;
  /** SHA-256 of the verdicts written with `--verdicts`. */
  verdicts?: string;
  /** Streaming: findings kept (failing and error). */
  kept?: number;
}

function run(mode: 'parse' | 'scan' | 'stream'): WorkerResult {
  // A scan that also writes its verdicts runs as the worker's `verdicts` mode.
  const args = mode === 'scan' && verdictsFile ? ['verdicts', verdictsFile] : [mode];
  const child = spawnSync(process.execPath, ['--import', 'tsx', WORKER, ...args, ...files], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMb}`,
    },
  });
  if (child.status !== 0) throw new Error(`${mode} worker failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as WorkerResult;
}

if (verdictsFile && stream)
  throw new Error('--verdicts writes the whole-estate scan; drop --stream');
console.log(`Palisade posture benchmark: ${built}`);
console.log(
  `inventory: ${(bytes / 1e6).toFixed(1)} MB in ${files.length} files (${dir}); V8 heap limit ${heapMb} MB`,
);
const runs = Math.max(1, Number(arg('runs', '1')));

/**
 * The fastest of several runs: least wall time, with the least CPU time of any of them, and the
 * highest peak RSS of any (memory is not flattered by the choice).
 */
function fastest(results: WorkerResult[]): WorkerResult {
  const best = results.reduce((a, b) => (b.ms < a.ms ? b : a));
  return {
    ...best,
    cpuMs: Math.min(...results.map((r) => r.cpuMs)),
    maxRssMb: Math.max(...results.map((r) => r.maxRssMb)),
  };
}

const parses: WorkerResult[] = [];
const scans: WorkerResult[] = [];
for (let i = 0; i < runs; i += 1) {
  parses.push(run('parse'));
  scans.push(run(stream ? 'stream' : 'scan'));
}
const parse = fastest(parses);
const scan = fastest(scans);
if (runs > 1) {
  const walls = (results: WorkerResult[]) => results.map((r) => r.ms.toFixed(0)).join(', ');
  console.log(`runs: baseline ${walls(parses)} ms; scan ${walls(scans)} ms (fastest of each kept)`);
}
const ratio = scan.ms / parse.ms;
console.log('');
console.log(
  `  baseline JSON.parse   ${parse.ms.toFixed(0).padStart(7)} ms (cpu ${parse.cpuMs.toFixed(0).padStart(6)} ms)   peak RSS ${parse.maxRssMb.toFixed(0).padStart(6)} MB`,
);
console.log(
  `  palisade scan${stream ? ' --stream' : '         '}${scan.ms.toFixed(0).padStart(7)} ms (cpu ${scan.cpuMs.toFixed(0).padStart(6)} ms)   peak RSS ${scan.maxRssMb.toFixed(0).padStart(6)} MB   (${scan.resources} resources, ${scan.findings} findings, score ${scan.secureScore}%)`,
);
if (scan.readMs !== undefined) {
  console.log(
    `    of which reading ${scan.readMs.toFixed(0)} ms, judging and scoring ${scan.judgeMs?.toFixed(0)} ms`,
  );
} else {
  console.log(`    reading and judging interleaved; ${scan.kept} failing/error findings kept`);
}
console.log('');
console.log(
  `  scan / JSON.parse = ${ratio.toFixed(2)}x   (target <= 2x; cpu time ratio ${(scan.cpuMs / parse.cpuMs).toFixed(2)}x)`,
);
console.log(
  `  peak RSS per 100k resources = ${((scan.maxRssMb * 100_000) / Math.max(1, scan.resources ?? total)).toFixed(0)} MB   (target: 1M resources under 2 GB)`,
);
if (scan.verdicts) console.log(`  verdicts written to ${verdictsFile}: sha256 ${scan.verdicts}`);
if (!keep && !given) rmSync(dir, { recursive: true, force: true });
