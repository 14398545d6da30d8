/**
 * Whether a resource lies in an assignment's scope: its cloud's place (AWS account, Azure
 * subscription, GCP project, Kubernetes namespace) and its IaC file path.
 */

import { relative, resolve } from 'node:path';
import type { Resource } from '../model/resource.js';
import { isClusterScoped } from '../sources/kubernetes/resource-scope.js';
import { CLUSTER_SCOPE } from '../sources/kubernetes/to-resource.js';
import type { Assignment, AssignmentScope } from './assignment.js';
import { anyGlobMatch } from './glob.js';

/** What scope matching reads of a resource. */
export interface ScopeSubject {
  cloud: Resource['cloud'];
  /** AWS account, Azure subscription, GCP project. */
  account?: string;
  /** Kubernetes namespace (empty for cluster-scoped objects). */
  namespace?: string;
  /** IaC file the resource was written in. */
  file?: string;
}

const PLACE_KEY = {
  aws: 'accounts',
  azure: 'subscriptions',
  gcp: 'projects',
  kubernetes: 'namespaces',
} as const;

/**
 * The scope-relevant facts of a resource. Kubernetes namespaces come from the object or id;
 * cluster-scoped kinds have none, whatever the object claims, as the API server ignores it.
 */
export function scopeSubject(resource: Resource): ScopeSubject {
  const subject: ScopeSubject = { cloud: resource.cloud, account: resource.account };
  if (resource.source.file) subject.file = resource.source.file;
  if (resource.cloud === 'kubernetes') subject.namespace = kubernetesNamespace(resource);
  return subject;
}

/** A Kubernetes resource's namespace, '' for a cluster-scoped one. */
function kubernetesNamespace(resource: Resource): string {
  // The type is `<apiVersion>/<kind>` even on findings' stubs, which carry no properties.
  const kind = resource.type.split('/').pop() ?? '';
  const fromId = resource.id.split('/')[0];
  if (isClusterScoped(kind) || fromId === CLUSTER_SCOPE) return '';
  const metadata = resource.properties.metadata as { namespace?: unknown } | undefined;
  return typeof metadata?.namespace === 'string' ? metadata.namespace : fromId;
}

function placeOf(subject: ScopeSubject): string | undefined {
  return subject.cloud === 'kubernetes' ? subject.namespace : subject.account;
}

/**
 * A file path as scopes compare it: forward slashes, relative to `base` (the folder of the policy
 * file that declares the scope; the working folder by default).
 */
export function scopePath(file: string, base = process.cwd()): string {
  return relative(base, resolve(file)).split('\\').join('/');
}

/**
 * True when `subject` is in `scope` (every given dimension matches). An empty scope covers
 * everything; `exclude` uses the same test with "any given dimension matches".
 */
export function inScope(
  scope: AssignmentScope,
  subject: ScopeSubject,
  base = process.cwd(),
): boolean {
  const placeKeys = Object.values(PLACE_KEY).filter((k) => scope[k] !== undefined);
  if (placeKeys.length > 0) {
    const patterns = scope[PLACE_KEY[subject.cloud]];
    const place = placeOf(subject);
    if (!patterns || place === undefined || !anyGlobMatch(patterns, place)) return false;
  }
  if (scope.paths) {
    if (!subject.file || !anyGlobMatch(scope.paths, scopePath(subject.file, base))) return false;
  }
  return true;
}

/** True when `subject` falls in any dimension of an exclusion. */
export function excluded(
  exclude: AssignmentScope,
  subject: ScopeSubject,
  base = process.cwd(),
): boolean {
  const patterns = exclude[PLACE_KEY[subject.cloud]];
  const place = placeOf(subject);
  // A cluster-scoped object has no namespace (''), which `*` would match: no namespace
  // exclusion may exempt a ClusterRoleBinding.
  if (patterns && place && anyGlobMatch(patterns, place)) return true;
  return Boolean(
    exclude.paths && subject.file && anyGlobMatch(exclude.paths, scopePath(subject.file, base)),
  );
}

/**
 * True when `assignment` covers `subject`: in its scope and not excluded, with `paths` read
 * relative to the folder of the policy file that declares it.
 *
 * ```ts
 * const covering = resolved.filter((a) => covers(a.assignment, scopeSubject(resource)));
 * ```
 */
export function covers(assignment: Assignment, subject: ScopeSubject): boolean {
  const base = assignment.pathBase ?? process.cwd();
  return inScope(assignment.scope, subject, base) && !excluded(assignment.exclude, subject, base);
}
