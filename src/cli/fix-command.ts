/**
 * `palisade fix`: a patch that makes failing rules pass, for the rules that carry a fix. Prints
 * the unified diff for review; `--write` applies it to the files.
 */

import { writeFile } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { renderPatch, planFixes } from '../enforce/fix/plan-fixes.js';
import { assess } from '../posture/assess.js';
import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
import type { Rule } from '../model/rule.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { counted } from '../report/counted.js';

export interface FixCommandOptions {
  write?: boolean;
  output?: string;
  rules: string[];
  /** Only these rules' fixes (repeatable); all rules with a fix when empty. */
  rule: string[];
  /**
   * Folder the patch's paths are relative to (default: the working folder, or the folder the
   * scanned paths share when a fixed file lies outside the working folder).
   */
  patchRoot?: string;
}

/** The deepest folder holding every one of `paths` (a file counts by its folder). */
async function sharedFolder(paths: string[]): Promise<string> {
  const folders = await Promise.all(
    paths.map(async (p) => {
      const full = resolve(p);
      const info = await stat(full).catch(() => undefined);
      return info?.isDirectory() ? full : dirname(full);
    }),
  );
  let shared = folders[0] ?? process.cwd();
  for (const folder of folders.slice(1)) {
    while (folder !== shared && !folder.startsWith(shared.endsWith(sep) ? shared : shared + sep)) {
      shared = dirname(shared);
    }
  }
  return shared;
}

/** True when `file` lies outside `folder` (a patch path relative to it would start `../`). */
function outside(folder: string, file: string): boolean {
  const rel = relative(folder, file);
  return rel.startsWith('..') || isAbsolute(rel);
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
  // `git apply` refuses `a/../x` paths: fixed files outside the working folder are named from the
  // folder the scanned paths share, and the user is told where to apply the patch.
  let root = resolve(options.patchRoot ?? process.cwd());
  if (!options.patchRoot && plan.files.some((f) => outside(root, resolve(f.file)))) {
    root = await sharedFolder(paths);
    if (!options.write) {
      process.stderr.write(
        `palisade: the fixed files lie outside the working folder; patch paths are relative to ` +
          `${root} (apply there: git -C ${root} apply <patch>)\n`,
      );
    }
  }
  const patch = renderPatch(plan, root);
  const fixed = plan.files.reduce((n, f) => n + f.fixed.length, 0);
  if (options.output) await writeFile(options.output, patch);
  else if (!options.write) process.stdout.write(patch);

  if (options.write) {
    for (const f of plan.files) await writeFile(f.file, f.after);
  }
  const withFix = new Set(chosen.filter((r) => r.fix).map((r) => r.id));
  const chosenIds = new Set(chosen.map((r) => r.id));
  const noFix = assessment.findings.filter(
    (f) => f.status === 'fail' && !f.exemption && chosenIds.has(f.ruleId) && !withFix.has(f.ruleId),
  ).length;
  process.stderr.write(
    `palisade: ${counted(fixed, 'finding')} fixed in ${counted(plan.files.length, 'file')}` +
      `${options.write ? ' (written)' : ''}; ${plan.unfixed.length} with a fix left for a ` +
      `person; ${noFix} failing findings of rules without an automatic fix; ` +
      `${counted(withFix.size, 'rule')} carry a fix\n`,
  );
  for (const u of plan.unfixed.slice(0, 20)) {
    process.stderr.write(
      `palisade:   not fixed: ${u.finding.ruleId} ${u.finding.resourceId}: ${u.reason}\n`,
    );
  }
  return EXIT_OK;
}
