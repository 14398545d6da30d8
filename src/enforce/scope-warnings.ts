/**
 * Warnings about assignment scopes that cannot have done anything in a run: a `paths` scope that
 * matches none of the files checked, or a place scope (accounts, subscriptions, projects,
 * namespaces) that matches none of the resources, leaves its assignment silent, which looks like
 * a pass.
 */

import type { FileReport } from '../model/assessment.js';
import type { Resource } from '../model/resource.js';
import type { AssignmentScope } from './assignment.js';
import { anyGlobMatch } from './glob.js';
import type { ResolvedAssignment } from './resolve-assignments.js';
import { inScope, scopePath, scopeSubject } from './scope-match.js';
import { counted } from '../report/counted.js';

const PLACE_KEYS = ['accounts', 'subscriptions', 'projects', 'namespaces'] as const;

/** The cloud whose resources each place key scopes. */
const PLACE_CLOUD = {
  accounts: 'aws',
  subscriptions: 'azure',
  projects: 'gcp',
  namespaces: 'kubernetes',
} as const;

/** What each place key names, for the warning. */
const PLACE_NAMES = {
  accounts: 'an AWS account',
  subscriptions: 'an Azure subscription',
  projects: 'a GCP project',
  namespaces: 'a Kubernetes namespace',
} as const;

/**
 * One warning per assignment whose place scope matches none of `resources`, naming the
 * assignment, its file and its patterns. IaC files name no account, subscription or project, so
 * such a scope covers none of their resources.
 *
 * ```ts
 * for (const w of scopeMatchesNoResource(resolved, resources)) process.stderr.write(`${w}\n`);
 * ```
 */
export function scopeMatchesNoResource(
  assignments: ResolvedAssignment[],
  resources: Resource[],
): string[] {
  const warnings: string[] = [];
  for (const { assignment: a } of assignments) {
    const keys = PLACE_KEYS.filter((k) => a.scope[k] !== undefined);
    if (keys.length === 0) continue;
    // Only the place dimensions: a `paths` scope that matches nothing has its own warning.
    const places: AssignmentScope = Object.fromEntries(keys.map((k) => [k, a.scope[k]]));
    if (resources.some((r) => inScope(places, scopeSubject(r)))) continue;

    const from = a.origin ? ` (${a.origin})` : '';
    const given = keys.map((k) => `${k} ${a.scope[k]!.join(', ')}`).join('; ');
    const unplaced = keys.filter((k) => !resources.some((r) => placeKnown(r, k)));
    const why =
      unplaced.length > 0
        ? `; none of them is in ${unplaced.map((k) => PLACE_NAMES[k]).join(' or ')} ` +
          '(an IaC file names none)'
        : '';
    warnings.push(
      `assignment ${a.id}${from}: scope ${given} match none of the ` +
        `${counted(resources.length, 'resource')} checked, so it enforces nothing here${why}`,
    );
  }
  return warnings;
}

/** Whether `resource` has a place of the kind `key` scopes. */
function placeKnown(resource: Resource, key: (typeof PLACE_KEYS)[number]): boolean {
  if (resource.cloud !== PLACE_CLOUD[key]) return false;
  const subject = scopeSubject(resource);
  return key === 'namespaces' ? Boolean(subject.namespace) : Boolean(subject.account);
}

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
