/**
 * `palisade fix`: a patch that makes failing rules pass, for the rules that carry a fix. Prints
 * the unified diff for review; `--write` applies it to the files.
 */

import { stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { placeFixes, type FixPlacement } from '../enforce/fix/fix-placement.js';
import { renderPatch, planFixes } from '../enforce/fix/plan-fixes.js';
import { replaceFile, ReplaceRefused } from '../enforce/fix/replace-file.js';
import { judgedResource } from '../posture/engine.js';
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
  /** Also write fixes to files outside `paths` (shared Terraform modules they call). */
  allowOutside?: boolean;
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

/** `path` as the user would name it: relative to the working folder when under it. */
function shown(path: string): string {
  return outside(process.cwd(), path) ? path : relative(process.cwd(), path);
}

/** Why a fixed file lies outside the paths given, from the resources fixed in it. */
function outsideReason(placement: FixPlacement): string {
  const address = placement.fix.fixed
    .map((f) => judgedResource(f)?.source.address)
    .find((a) => a?.startsWith('module.'));
  return address ? `${address} is read through a module call` : 'a file they refer to';
}

/**
 * Writes the fixed files with `--write` (or, without it, only says which it would refuse): a file
 * outside the paths given only with `--allow-outside`. Returns the files written (or shown) and
 * how many were refused.
 */
async function writeOrShow(
  kept: FixPlacement[],
  options: FixCommandOptions,
): Promise<{ written: FixPlacement[]; refused: number }> {
  let written = kept;
  let refused = 0;
  for (const p of kept.filter((x) => x.kind === 'outside')) {
    const why = `${shown(p.shown)} lies outside the paths given (${outsideReason(p)})`;
    if (options.allowOutside) continue;
    if (!options.write) {
      process.stderr.write(`palisade: ${why}; --write refuses it without --allow-outside\n`);
      continue;
    }
    refused += 1;
    written = written.filter((x) => x !== p);
    process.stderr.write(
      `palisade: refused ${why}: its fix would change every configuration that shares it; ` +
        `review the patch (without --write), then add --allow-outside to write it\n`,
    );
  }
  if (!options.write) return { written, refused };

  for (const p of written) {
    try {
      await replaceFile(p.real, p.fix.before, p.fix.after);
    } catch (error) {
      if (!(error instanceof ReplaceRefused)) throw error;
      refused += 1;
      written = written.filter((x) => x !== p);
      process.stderr.write(`palisade: refused ${error.message}\n`);
    }
  }
  return { written, refused };
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
  const placed = await placeFixes(plan.files, paths);
  let refused = plan.refused.length;
  for (const r of plan.refused) {
    process.stderr.write(
      `palisade: refused ${shown(r.file.file)}: ${r.reason}; it is neither written nor in the ` +
        `patch\n`,
    );
  }
  for (const p of placed.filter((x) => x.kind === 'linked-out')) {
    refused += 1;
    process.stderr.write(
      `palisade: refused ${shown(p.shown)}: ${shown(p.link)} is a symbolic link to ${p.target}, ` +
        `so the file is ${p.real}, outside the paths given; fix never writes through a link ` +
        `out of them, and leaves it out of the patch\n`,
    );
  }
  const kept = placed.filter((p) => p.kind !== 'linked-out');
  const shownPlan = { ...plan, files: kept.map((p) => ({ ...p.fix, file: p.shown })) };

  // `git apply` refuses `a/../x` paths: fixed files outside the working folder are named from the
  // folder the scanned paths share, and the user is told where to apply the patch.
  let root = resolve(options.patchRoot ?? process.cwd());
  if (!options.patchRoot && shownPlan.files.some((f) => outside(root, resolve(f.file)))) {
    root = await sharedFolder([...paths, ...shownPlan.files.map((f) => f.file)]);
    if (!options.write) {
      process.stderr.write(
        `palisade: the fixed files lie outside the working folder; patch paths are relative to ` +
          `${root} (apply there: git -C ${root} apply <patch>)\n`,
      );
    }
  }
  const patch = renderPatch(shownPlan, root);
  if (options.output) await writeFile(options.output, patch);
  else if (!options.write) process.stdout.write(patch);

  const result = await writeOrShow(kept, options);
  refused += result.refused;
  const written = result.written;
  const fixed = written.reduce((n, p) => n + p.fix.fixed.length, 0);
  const withFix = new Set(chosen.filter((r) => r.fix).map((r) => r.id));
  const chosenIds = new Set(chosen.map((r) => r.id));
  const noFix = assessment.findings.filter(
    (f) => f.status === 'fail' && !f.exemption && chosenIds.has(f.ruleId) && !withFix.has(f.ruleId),
  ).length;
  process.stderr.write(
    `palisade: ${counted(fixed, 'finding')} fixed in ${counted(written.length, 'file')}` +
      `${options.write ? ' (written)' : ''}; ${plan.unfixed.length} with a fix left for a ` +
      `person; ${noFix} failing findings of rules without an automatic fix; ` +
      `${counted(withFix.size, 'rule')} carry a fix\n`,
  );
  for (const u of plan.unfixed.slice(0, 20)) {
    process.stderr.write(
      `palisade:   not fixed: ${u.finding.ruleId} ${u.finding.resourceId}: ${u.reason}\n`,
    );
  }
  return refused > 0 ? EXIT_INPUT_ERROR : EXIT_OK;
}
