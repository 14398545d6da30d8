/**
 * Store benchmark: builds an AWS Config snapshot of N S3 buckets (default 100,000) from the real
 * Config items in ../shared/data, scans it (read, judge, score; as `palisade scan --no-stream`),
 * then saves the assessment as `palisade scan --db` does, and prints the time of each, their
 * ratio, peak RSS, and on SQLite the file size (MB per 100k resources) and what each table and
 * index holds.
 *
 *   npm run bench:store -- [--resources 100000] [--postgres URL] [--keep]
 *
 * `--postgres URL` saves into a fresh schema of that database instead of a SQLite file (the
 * schema is dropped after). `--keep` keeps the snapshot and the SQLite file and prints where.
 */

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { assess } from '../src/posture/assess.js';
import { loadRules } from '../src/posture/rule-loader.js';
import { saveAssessment } from '../src/store/assessment-repository.js';
import { openStore } from '../src/store/database.js';

const ITEMS = resolve(
  fileURLToPath(new URL('../../shared/data/', import.meta.url)),
  'cloud-inventory/aws/cloud-custodian-config-items',
);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const total = Number(arg('resources', '100000'));
const postgres = process.argv.includes('--postgres') ? arg('postgres', '') : undefined;
const keep = process.argv.includes('--keep');

/** The real S3 bucket configuration items (one per file, as Config delivers them). */
function bucketTemplates(): Record<string, unknown>[] {
  return readdirSync(ITEMS)
    .filter((f) => f.startsWith('s3') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(ITEMS, f), 'utf8')) as Record<string, unknown>)
    .filter((item) => item.resourceType === 'AWS::S3::Bucket');
}

function buildSnapshot(dir: string): string {
  const templates = bucketTemplates();
  const items = [];
  for (let i = 0; i < total; i++) {
    const item = structuredClone(templates[i % templates.length]);
    const name = `bench-bucket-${String(i).padStart(7, '0')}`;
    item.resourceId = name;
    item.resourceName = name;
    item.arn = `arn:aws:s3:::${name}`;
    const configuration = item.configuration as Record<string, unknown> | undefined;
    if (configuration && typeof configuration === 'object') configuration.name = name;
    items.push(item);
  }
  const file = join(dir, 'snapshot.json');
  writeFileSync(file, JSON.stringify({ fileVersion: '1.0', configurationItems: items }));
  return file;
}

const seconds = (from: number) => (performance.now() - from) / 1000;
const mb = (bytes: number) => bytes / 1024 / 1024;

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-store-'));
const snapshot = buildSnapshot(dir);
const rules = await loadRules();
let started = performance.now();
const assessment = await assess({ paths: [snapshot], rules });
const scanSeconds = seconds(started);

const schema = `palisade_bench_${process.pid}`;
let location = join(dir, 'palisade.db');
if (postgres) {
  const url = new URL(postgres);
  url.searchParams.set('schema', schema);
  location = url.toString();
}
const db = await openStore(location);
started = performance.now();
await saveAssessment(db, assessment);
const storeSeconds = seconds(started);

console.log(
  `${assessment.counts.resources} resources, ${assessment.findings.length} findings ` +
    `(snapshot ${mb(statSync(snapshot).size).toFixed(0)} MB)`,
);
console.log(`scan   ${scanSeconds.toFixed(1)} s`);
console.log(`store  ${storeSeconds.toFixed(1)} s (${(storeSeconds / scanSeconds).toFixed(2)}x)`);
console.log(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024).toFixed(0)} MB`);

if (!postgres) {
  // Fold the write-ahead log into the file so its size is what stays on disk.
  await sql`pragma wal_checkpoint(truncate)`.execute(db);
  const size = statSync(location).size;
  console.log(
    `file ${mb(size).toFixed(0)} MB, ` +
      `${((mb(size) * 100_000) / Math.max(1, assessment.counts.resources)).toFixed(0)} MB per 100k`,
  );
  const { rows } = await sql<{ name: string; bytes: number }>`
    select name, sum(pgsize) as bytes from dbstat group by name order by bytes desc limit 12
  `.execute(db);
  for (const r of rows) console.log(`  ${mb(r.bytes).toFixed(1).padStart(8)} MB  ${r.name}`);
}
await db.destroy();

if (postgres) {
  const admin = new pg.Client({ connectionString: postgres });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
}
if (keep) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
