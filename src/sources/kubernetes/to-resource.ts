/**
 * Turns one Kubernetes object into the canonical resource: type `<apiVersion>/<kind>`, id
 * `<namespace or _cluster>/<kind>/<name>`, labels as tags, the object itself as properties.
 */

import type { InlineSuppression, Relationship, Resource } from '../../model/resource.js';
import { SourceReadError } from '../../model/source-error.js';
import { isClusterScoped } from './resource-scope.js';
import { annotationSuppressions, commentSuppressions } from './suppressions.js';
import type { ManifestObject } from './manifest-documents.js';

/** Namespace the API server puts a namespaced object in when the manifest names none. */
export const DEFAULT_NAMESPACE = 'default';

/** Id segment for objects that belong to the whole cluster. */
export const CLUSTER_SCOPE = '_cluster';

/**
 * The property path a namespaced object's manifest leaves to apply time when it names no
 * namespace (`kubectl apply -n`, Helm and kustomize output): listed in the resource's `unknown`.
 */
export const NAMESPACE_PATH = 'metadata.namespace';

/**
 * True for a namespaced object whose manifest names no namespace: its id places it in `default`,
 * where the API server puts it without `kubectl -n`, but where it lands is decided at apply time.
 *
 * ```ts
 * const unplaced = resources.filter(namespaceLeftToApply);
 * ```
 */
export function namespaceLeftToApply(resource: Resource): boolean {
  return resource.cloud === 'kubernetes' && resource.unknown?.includes(NAMESPACE_PATH) === true;
}

/**
 * The canonical resource for one object, or `undefined` for a document that is not a
 * Kubernetes object (no `apiVersion`/`kind`). Malformed metadata is a `SourceReadError`.
 */
export function toKubernetesResource(file: string, object: ManifestObject): Resource | undefined {
  const value = object.value;
  if (!isRecord(value)) return undefined;
  const { apiVersion, kind } = value;
  if (apiVersion === undefined && kind === undefined) return undefined;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    throw invalid(file, object.line, '`apiVersion` and `kind` must both be non-empty strings');
  }

  const metadata = value.metadata ?? {};
  if (!isRecord(metadata)) throw invalid(file, object.line, '`metadata` must be a mapping');
  const name = objectName(metadata, object);
  const written = writtenNamespace(file, object.line, metadata);
  const clusterScoped = isClusterScoped(kind);
  const leftToApply = written === undefined && !clusterScoped;
  // The API server ignores a namespace written on a cluster-scoped object, and reads an empty or
  // null one as none: the id and properties say so too, so a claimed namespace places nothing.
  const namespace = clusterScoped ? undefined : (written ?? DEFAULT_NAMESPACE);
  const properties =
    'namespace' in metadata && (clusterScoped || leftToApply)
      ? { ...value, metadata: withoutNamespace(metadata) }
      : value;

  const id = `${namespace ?? CLUSTER_SCOPE}/${kind}/${name}`;
  const resource: Resource = {
    cloud: 'kubernetes',
    type: `${apiVersion}/${kind}`,
    id,
    name,
    tags: stringMap(metadata.labels),
    properties,
    relationships: relationships(kind, namespace, value),
    source: { kind: 'kubernetes', file, line: object.line, address: id },
  };
  if (leftToApply) resource.unknown = [NAMESPACE_PATH];
  const suppressions = [
    ...annotationSuppressions(metadata.annotations),
    ...commentSuppressions(object.source),
  ];
  if (suppressions.length > 0) resource.suppressions = dedupe(suppressions);
  return resource;
}

/**
 * The namespace a cluster-scoped object's manifest writes, which the API server ignores and the
 * resource leaves out, or undefined when it writes none (or the kind is namespaced).
 *
 * ```ts
 * const ignored = ignoredNamespace(object.value); // 'monitoring' for a ClusterRoleBinding
 * ```
 */
export function ignoredNamespace(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string' || !isClusterScoped(value.kind)) {
    return undefined;
  }
  const namespace = isRecord(value.metadata) ? value.metadata.namespace : undefined;
  return typeof namespace === 'string' && namespace ? namespace : undefined;
}

function objectName(metadata: Record<string, unknown>, object: ManifestObject): string {
  const { name, generateName } = metadata;
  if (typeof name === 'string' && name) return name;
  if (typeof name === 'number') return String(name);
  if (typeof generateName === 'string' && generateName) return `${generateName}(generated)`;
  return `unnamed-${object.document + 1}-line-${object.line}`;
}

/** The namespace the manifest names, or undefined when it names none. */
function writtenNamespace(
  file: string,
  line: number,
  metadata: Record<string, unknown>,
): string | undefined {
  const namespace = metadata.namespace;
  if (namespace === undefined || namespace === null || namespace === '') return undefined;
  if (typeof namespace !== 'string')
    throw invalid(file, line, '`metadata.namespace` must be a string');
  return namespace;
}

function withoutNamespace(metadata: Record<string, unknown>): Record<string, unknown> {
  const { namespace: _none, ...rest } = metadata;
  return rest;
}

/** Edges rules and attack paths follow: bindings to their role, pods to their service account. */
function relationships(
  kind: string,
  namespace: string | undefined,
  value: Record<string, unknown>,
): Relationship[] {
  const edges: Relationship[] = [];
  const roleRef = value.roleRef;
  if ((kind === 'RoleBinding' || kind === 'ClusterRoleBinding') && isRecord(roleRef)) {
    const roleKind = typeof roleRef.kind === 'string' ? roleRef.kind : 'ClusterRole';
    const scope = roleKind === 'Role' ? (namespace ?? DEFAULT_NAMESPACE) : CLUSTER_SCOPE;
    if (typeof roleRef.name === 'string') {
      edges.push({ kind: 'bindsRole', target: `${scope}/${roleKind}/${roleRef.name}` });
    }
  }

  const account = podServiceAccount(value);
  if (account !== undefined && namespace !== undefined) {
    edges.push({ kind: 'runsAs', target: `${namespace}/ServiceAccount/${account}` });
  }
  return edges;
}

/** The service account named in a pod spec, wherever the workload keeps it. */
function podServiceAccount(value: Record<string, unknown>): string | undefined {
  const spec = value.spec;
  if (!isRecord(spec)) return undefined;
  const jobSpec = isRecord(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
  const template = isRecord(jobSpec) ? jobSpec.template : spec.template;
  const podSpec = isRecord(template) ? template.spec : spec;
  if (!isRecord(podSpec)) return undefined;
  const account = podSpec.serviceAccountName ?? podSpec.serviceAccount;
  return typeof account === 'string' && account ? account : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(value)) {
    if (tag !== null && tag !== undefined && typeof tag !== 'object') tags[key] = String(tag);
  }
  return tags;
}

function dedupe(list: InlineSuppression[]): InlineSuppression[] {
  const seen = new Set<string>();
  return list.filter((s) => !seen.has(s.ruleId) && seen.add(s.ruleId) !== undefined);
}

function invalid(file: string, line: number, message: string): SourceReadError {
  return new SourceReadError({ file, line, code: 'INVALID_STRUCTURE', message });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
