/** Paths to the shared third-party Kubernetes manifests the reader tests run on. */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { SourceFile } from '../../../src/sources/reader.js';

export const SHARED = resolve(process.cwd(), '../shared/data');
export const GOAT = join(SHARED, 'iac/kubernetes-goat');
export const EXAMPLES = join(SHARED, 'iac/kubernetes-examples');

/** Every file under `dir`, sorted, as paths relative to `../shared/data`. */
export function sharedFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(SHARED, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** A shared file as a reader sees it. */
export function sharedFile(path: string): SourceFile {
  const full = join(SHARED, path);
  return { path: full, text: readFileSync(full, 'utf8') };
}

/**
 * The lines of an alias bomb: twelve levels, each a list aliasing the level before ten times
 * (10^12 nodes once expanded), for a ConfigMap's `data`.
 */
export function aliasBombLines(): string[] {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i += 1) {
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  }
  return lines;
}
