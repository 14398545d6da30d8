/**
 * Load generator of the API benchmark, run in its own process so that autocannon's work does not
 * share the server's event loop: reads the targets as JSON on argv, prints results as JSON.
 */

import autocannon from 'autocannon';

/** One endpoint to load. */
export interface LoadTarget {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

/** What the benchmark keeps of one autocannon run. */
export interface LoadResult {
  name: string;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  bytesPerSec: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface LoadPlan {
  targets: LoadTarget[];
  duration: number;
  warmup: number;
  connections: number;
  pipelining: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
const results: LoadResult[] = [];
for (const target of plan.targets) {
  const base = {
    url: target.url,
    headers: target.headers ?? {},
    connections: plan.connections,
    pipelining: plan.pipelining,
  };
  // Warm-up: JIT, SQLite page cache and the statement cache, not counted.
  if (plan.warmup > 0) await autocannon({ ...base, duration: plan.warmup });
  const r = await autocannon({ ...base, duration: plan.duration });
  results.push({
    name: target.name,
    requests: r.requests.total,
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    bytesPerSec: r.throughput.average,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
