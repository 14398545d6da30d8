/**
 * Warnings about assignment scopes that cannot have done anything in a run: a `paths` scope that
 * matches none of the files checked leaves its assignment silent, which looks like a pass.
 */

import type { FileReport } from '../model/assessment.js';
import { anyGlobMatch } from './glob.js';
import type { ResolvedAssignment } from './resolve-assignments.js';
import { scopePath } from './scope-match.js';
import { counted } from '../report/counted.js';

/**
 * One warning per assignment whose `paths` scope matches none of `files`, naming the assignment,
 * its file, its patterns and the folder they are relative to.
 *
 * ```ts
 * for (const w of scopeMatchesNoFile(resolved, read.files)) process.stderr.write(`${w}\n`);
 * ```
 */
export function scopeMatchesNoFile(
  assignments: ResolvedAssignment[],
  files: FileReport[],
): string[] {
  const warnings: string[] = [];
  for (const { assignment: a } of assignments) {
    const patterns = a.scope.paths;
    if (!patterns) continue;
    const base = a.pathBase ?? process.cwd();
    if (files.some((f) => anyGlobMatch(patterns, scopePath(f.file, base)))) continue;

    const from = a.origin ? ` (${a.origin})` : '';
    const folder = a.pathBase
      ? `${a.pathBase}, the policy file's folder`
      : `${base}, the working folder`;
    warnings.push(
      `assignment ${a.id}${from}: scope paths ${patterns.join(', ')} match none of the ` +
        `${counted(files.length, 'file')} checked, so it enforces nothing here; paths are relative to ` +
        `${folder}`,
    );
  }
  return warnings;
}
