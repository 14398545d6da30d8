/**
 * Kubernetes manifests that name no namespace (most `helm template` and kustomize output): the
 * reader places them in `default`, as the API server would without `kubectl -n`. The gate can
 * place them where they will be applied instead (`check --namespace NS`), and says so when a
 * namespace-scoped assignment meets them without it.
 */

import { readFile } from 'node:fs/promises';
import type { Resource } from '../model/resource.js';
import { parseManifestObjects } from '../sources/kubernetes/manifest-documents.js';
import { DEFAULT_NAMESPACE } from '../sources/kubernetes/to-resource.js';
import type { ResolvedAssignment } from './resolve-assignments.js';

/** A Kubernetes object's namespace as its manifest wrote it, by `file` and object start line. */
type WrittenNamespaces = Map<string, Map<number, boolean>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the object at each line of `text` names a namespace. */
function namespacesWritten(file: string, text: string): Map<number, boolean> {
  const byLine = new Map<number, boolean>();
  for (const object of parseManifestObjects(file, text)) {
    const metadata = isRecord(object.value) ? object.value.metadata : undefined;
    const namespace = isRecord(metadata) ? metadata.namespace : undefined;
    byLine.set(object.line, typeof namespace === 'string' && namespace !== '');
  }
  return byLine;
}

/**
 * The namespaced Kubernetes objects among `resources` whose manifest names no namespace. The
 * reader has already filled in `default`, so each manifest is parsed again to tell them apart
 * from objects that write `namespace: default`.
 */
export async function objectsWithoutNamespace(
  resources: Resource[],
  stdin?: { name: string; text: string },
): Promise<Resource[]> {
  const candidates = resources.filter(
    (r) =>
      r.cloud === 'kubernetes' &&
      r.source.file !== undefined &&
      r.id.startsWith(`${DEFAULT_NAMESPACE}/`),
  );
  const written: WrittenNamespaces = new Map();
  for (const file of new Set(candidates.map((r) => r.source.file!))) {
    const text = stdin && file === stdin.name ? stdin.text : await readFile(file, 'utf8');
    written.set(file, namespacesWritten(file, text.replace(/^\uFEFF/, '')));
  }
  return candidates.filter((r) => written.get(r.source.file!)?.get(r.source.line ?? 0) === false);
}

/** `id` (or a relationship target) moved from the default namespace to `namespace`. */
function moved(id: string, namespace: string): string {
  const prefix = `${DEFAULT_NAMESPACE}/`;
  return id.startsWith(prefix) ? `${namespace}/${id.slice(prefix.length)}` : id;
}

/**
 * Places each of `objects` in `namespace`, as `kubectl apply -n NAMESPACE` would: its
 * `metadata.namespace`, its id and IaC address, and the edges it derived from its own namespace
 * (the Role a RoleBinding binds, the ServiceAccount a pod runs as).
 */
export function placeInNamespace(objects: Resource[], namespace: string): void {
  for (const r of objects) {
    const metadata = isRecord(r.properties.metadata) ? r.properties.metadata : {};
    r.properties = { ...r.properties, metadata: { ...metadata, namespace } };
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
