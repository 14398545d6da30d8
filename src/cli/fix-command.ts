/**
 * `palisade fix`: a patch that makes failing rules pass, for the rules that carry a fix. Prints
 * the unified diff for review; `--write` applies it to the files.
 */

import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderPatch, planFixes } from '../enforce/fix/plan-fixes.js';
import { assess } from '../posture/assess.js';
import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
import type { Rule } from '../model/rule.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';

export interface FixCommandOptions {
  write?: boolean;
  output?: string;
  rules: string[];
  /** Only these rules' fixes (repeatable); all rules with a fix when empty. */
  rule: string[];
  /** Folder the patch's paths are relative to (default: the working folder). */
  patchRoot?: string;
}

function fail(message: string): number {
  process.stderr.write(`palisade: ${message}\n`);
  return EXIT_INPUT_ERROR;
}

/** Plans (and with `--write` applies) the fixes; returns the exit code. */
export async function runFix(paths: string[], options: FixCommandOptions): Promise<number> {
  let rules: Rule[];
  try {
    rules = await loadRules(options.rules);
  } catch (error) {
    if (error instanceof RuleLoadError) return fail(error.message);
    throw error;
  }
  const unknown = options.rule.filter((id) => !rules.some((r) => r.id === id));
  if (unknown.length > 0) return fail(`no rule named ${unknown.join(', ')}`);
  const chosen = options.rule.length > 0 ? rules.filter((r) => options.rule.includes(r.id)) : rules;

  const assessment = await assess({ paths, rules });
  const unreadable = assessment.files.filter(
    (f) => f.error && f.error.code !== 'UNSUPPORTED_TEMPLATE',
  );
  for (const f of unreadable)
    process.stderr.write(`palisade: ${f.error!.code} ${f.error!.message}\n`);
  if (unreadable.length > 0) return EXIT_INPUT_ERROR;
  if (assessment.counts.resources === 0) return fail(`no resources found in ${paths.join(', ')}`);

  const plan = await planFixes(assessment.findings, chosen);
  const patch = renderPatch(plan, resolve(options.patchRoot ?? process.cwd()));
  const fixed = plan.files.reduce((n, f) => n + f.fixed.length, 0);
  if (options.output) await writeFile(options.output, patch);
  else if (!options.write) process.stdout.write(patch);

  if (options.write) {
    for (const f of plan.files) await writeFile(f.file, f.after);
  }
  const withFix = chosen.filter((r) => r.fix).length;
  process.stderr.write(
    `palisade: ${fixed} findings fixed in ${plan.files.length} files` +
      `${options.write ? ' (written)' : ''}; ${plan.unfixed.length} left for a person; ` +
      `${withFix} rules carry a fix\n`,
  );
  for (const u of plan.unfixed.slice(0, 20)) {
    process.stderr.write(
      `palisade:   not fixed: ${u.finding.ruleId} ${u.finding.resourceId}: ${u.reason}\n`,
    );
  }
  return EXIT_OK;
}
