/**
 * The benchmark's catalog: controls (with the points they carry) and regulatory standards, read
 * from the YAML under src/benchmark. Rules point into it by control id and standard mappings.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Control, Standard } from '../model/benchmark.js';
import { BENCHMARK_DIR } from './rule-loader.js';

export interface BenchmarkCatalog {
  controls: Control[];
  domains: Record<string, string>;
  standards: Standard[];
}

let cached: Promise<BenchmarkCatalog> | undefined;

/** Loads controls.yaml and standards/*.yaml once per process. */
export function loadCatalog(dir = BENCHMARK_DIR): Promise<BenchmarkCatalog> {
  if (dir === BENCHMARK_DIR && cached) return cached;
  const loading = readCatalog(dir);
  if (dir === BENCHMARK_DIR) cached = loading;
  return loading;
}

async function readCatalog(dir: string): Promise<BenchmarkCatalog> {
  const controlsDoc = parse(await readFile(join(dir, 'controls.yaml'), 'utf8')) as {
    domains: Record<string, string>;
    controls: { id: string; title: string; max_score: number }[];
  };
  const controls: Control[] = controlsDoc.controls.map((c) => ({
    id: c.id,
    domain: c.id.split('-')[0],
    title: c.title,
    max_score: c.max_score,
  }));
  const standardsDir = join(dir, 'standards');
  const names = (await readdir(standardsDir).catch(() => [] as string[]))
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  const standards: Standard[] = [];
  for (const name of names) {
    const doc = parse(await readFile(join(standardsDir, name), 'utf8')) as Standard;
    standards.push({
      ...doc,
      id: doc.id ?? name.replace(/\.ya?ml$/, ''),
      controls: doc.controls ?? [],
    });
  }
  return { controls, domains: controlsDoc.domains, standards };
}
