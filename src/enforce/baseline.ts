/**
 * The baseline: violations a team has accepted as existing debt, by fingerprint, so that only new
 * ones fail the gate. Written by `palisade check --write-baseline`, read with `--baseline`.
 */

import { readFile, writeFile } from 'node:fs/promises';
import type { Finding } from '../model/finding.js';
import { findingFingerprint } from '../report/sarif-fingerprint.js';

/** One accepted violation; only `fingerprint` counts, the rest helps a reviewer. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  resourceId: string;
  file?: string;
}

/** The baseline file's shape. */
export interface Baseline {
  version: 1;
  createdAt: string;
  entries: BaselineEntry[];
}

/** A baseline file that cannot be used. */
export class BaselineError extends Error {
  readonly code = 'INVALID_BASELINE';
  constructor(
    readonly file: string,
    message: string,
    readonly field?: string,
  ) {
    super(`${file}${field ? ` (field ${field})` : ''}: ${message}`);
    this.name = 'BaselineError';
  }
}

/** Builds a baseline accepting every given finding. */
export function baselineOf(findings: Finding[], now = new Date()): Baseline {
  const seen = new Set<string>();
  const entries: BaselineEntry[] = [];
  for (const f of findings) {
    const fingerprint = findingFingerprint(f);
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    entries.push({ fingerprint, ruleId: f.ruleId, resourceId: f.resourceId, file: f.file });
  }
  entries.sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
  return { version: 1, createdAt: now.toISOString(), entries };
}

export async function writeBaseline(file: string, baseline: Baseline): Promise<void> {
  await writeFile(file, JSON.stringify(baseline, null, 2) + '\n');
}

/**
 * Reads a baseline file and returns its fingerprints; throws `BaselineError` naming the file and
 * field when it is not one.
 */
export async function readBaseline(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BaselineError(file, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(file, `not valid JSON: ${(error as Error).message}`);
  }
  const doc = data as Partial<Baseline> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new BaselineError(file, 'must be a JSON object');
  if (doc.version !== 1) throw new BaselineError(file, 'must be 1', 'version');
  if (!Array.isArray(doc.entries)) throw new BaselineError(file, 'must be a list', 'entries');
  const out = new Set<string>();
  doc.entries.forEach((e: unknown, i) => {
    const fingerprint = (e as BaselineEntry | null)?.fingerprint;
    if (typeof fingerprint !== 'string' || !/^[0-9a-f]{32}$/.test(fingerprint))
      throw new BaselineError(file, 'must be 32 hex characters', `entries.${i}.fingerprint`);
    out.add(fingerprint);
  });
  return out;
}
