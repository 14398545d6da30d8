/** Paths into ../shared/data for the GCP reader tests, and a helper that reads one file. */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceFile } from '../../../src/sources/reader.js';

export const SHARED = path.resolve(process.cwd(), '../shared/data');
export const GCP_INVENTORY = path.join(SHARED, 'cloud-inventory/gcp');

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

export function sourceFile(file: string): SourceFile {
  return { path: file, text: readFileSync(file, 'utf8') };
}

/** A file under cloud-inventory/gcp by its path relative to that folder. */
export function gcpFile(relative: string): SourceFile {
  return sourceFile(path.join(GCP_INVENTORY, relative));
}
