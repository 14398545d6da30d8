/**
 * Kubernetes manifests that name no namespace (most `helm template` and kustomize output): the
 * reader places them in `default`, as the API server would without `kubectl -n`, and lists their
 * namespace as unknown until apply. The gate can place them where they will be applied instead
 * (`check --namespace NS`), and says so when a namespace-scoped assignment meets them without it.
 */

import type { Resource } from '../model/resource.js';
import {
  DEFAULT_NAMESPACE,
  NAMESPACE_PATH,
  namespaceLeftToApply,
} from '../sources/kubernetes/to-resource.js';
import type { ResolvedAssignment } from './resolve-assignments.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The namespaced Kubernetes objects among `resources` whose manifest names no namespace. */
export function objectsWithoutNamespace(resources: Resource[]): Resource[] {
  return resources.filter(namespaceLeftToApply);
}

/** `id` (or a relationship target) moved from the default namespace to `namespace`. */
function moved(id: string, namespace: string): string {
  const prefix = `${DEFAULT_NAMESPACE}/`;
  return id.startsWith(prefix) ? `${namespace}/${id.slice(prefix.length)}` : id;
}

/**
 * Places each of `objects` in `namespace`, as `kubectl apply -n NAMESPACE` would: its
 * `metadata.namespace` (known from then on), its id and IaC address, and the edges it derived
 * from its own namespace (the Role a RoleBinding binds, the ServiceAccount a pod runs as).
 */
export function placeInNamespace(objects: Resource[], namespace: string): void {
  for (const r of objects) {
    const metadata = isRecord(r.properties.metadata) ? r.properties.metadata : {};
    r.properties = { ...r.properties, metadata: { ...metadata, namespace } };
    const unknown = r.unknown?.filter((path) => path !== NAMESPACE_PATH) ?? [];
    if (unknown.length > 0) r.unknown = unknown;
    else delete r.unknown;
    r.id = moved(r.id, namespace);
    if (r.source.address) r.source.address = moved(r.source.address, namespace);
    r.relationships = r.relationships.map((e) => ({ ...e, target: moved(e.target, namespace) }));
  }
}

/**
 * A warning when assignments scope namespaces and some objects name none (so they are judged as
 * in `default`), or undefined.
 */
export function unplacedObjectsWarning(
  objects: Resource[],
  assignments: ResolvedAssignment[],
): string | undefined {
  if (objects.length === 0) return undefined;
  const scoped = assignments
    .filter((a) => a.assignment.scope.namespaces || a.assignment.exclude.namespaces)
    .map((a) => a.assignment.id);
  if (scoped.length === 0) return undefined;
  return (
    `${objects.length} Kubernetes objects name no namespace and are judged as in ` +
    `"${DEFAULT_NAMESPACE}", while assignments ${scoped.join(', ')} scope namespaces; give ` +
    '--namespace NS (as kubectl -n) for the namespace they are applied to'
  );
}
