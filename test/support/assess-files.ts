/**
 * Assessments of small inputs written for a test, with the default benchmark's rules loaded and
 * compiled once per test file.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rule } from '../../src/model/rule.js';
import { assess, type Assessment } from '../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';

let loaded: Promise<{ rules: Rule[]; compiled: CompiledRule[] }> | undefined;

/** The default rules, compiled: loaded on first use. */
export function defaultRules(): Promise<{ rules: Rule[]; compiled: CompiledRule[] }> {
  loaded ??= loadRules().then((rules) => ({ rules, compiled: compileRules(rules) }));
  return loaded;
}

/** A new folder holding `files` (name to content: text as is, anything else as JSON). */
export function writeFolder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-test-input-'));
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

/** `paths` assessed with the default rules, no store. */
export async function assessPaths(paths: string[]): Promise<Assessment> {
  const { rules, compiled } = await defaultRules();
  return assess({ paths, rules, compiled });
}
