/**
 * Objects a controller in the same scan makes are judged through that controller: a Deployment's
 * ReplicaSets and pods, a StatefulSet's or DaemonSet's pods, a CronJob's Jobs and their pods
 * carry the controller's pod template, so judging them again counts one flaw once per replica.
 */

import type { Resource } from '../../model/resource.js';

/** Workload kinds the pod rules judge by their pod template: the controllers a copy folds into. */
const WORKLOAD_KINDS = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
]);

/** Kinds a controller makes from its template: the only ones folded. */
const MADE_KINDS = new Set(['Pod', 'ReplicaSet', 'Job']);

/** The label a Deployment puts on its ReplicaSets and their pods; the ReplicaSet's name ends in it. */
const POD_TEMPLATE_HASH = 'pod-template-hash';

interface OwnerReference {
  kind: string;
  name: string;
  uid?: string;
}

/**
 * The resources without the pods, ReplicaSets and Jobs whose controller is also in `resources`;
 * those without one (`kubectl get pods -o json` alone, a bare pod) are kept and judged.
 *
 * The controller is the owner reference marked `controller: true`. A pod whose ReplicaSet is not
 * in the scan folds into the Deployment that made it when that is: the ReplicaSet is named
 * `<deployment>-<pod-template-hash>`. An owner reference that names a uid matches only the
 * object of that uid.
 *
 * ```ts
 * const judged = foldIntoKubernetesControllers(resources); // kubectl get deploy,rs,pods -A -o json
 * ```
 */
// Known gap: containers an admission webhook adds to pods (a service mesh's sidecar and init
// container) are in the pods only; folded into their controller, they are not judged.
export function foldIntoKubernetesControllers(resources: Resource[]): Resource[] {
  const workloads = new Map<string, Resource>();
  for (const r of resources) {
    if (r.cloud === 'kubernetes' && WORKLOAD_KINDS.has(kindOf(r))) workloads.set(r.id, r);
  }
  if (workloads.size === 0) return resources;

  return resources.filter((r) => !(r.cloud === 'kubernetes' && controllerInScan(r, workloads)));
}

function controllerInScan(resource: Resource, workloads: Map<string, Resource>): boolean {
  if (!MADE_KINDS.has(kindOf(resource))) return false;
  const owner = controllerOf(resource.properties);
  if (!owner || !WORKLOAD_KINDS.has(owner.kind)) return false;

  const namespace = resource.id.slice(0, resource.id.indexOf('/'));
  const controller = workloads.get(`${namespace}/${owner.kind}/${owner.name}`);
  if (controller) return owner.uid === undefined || uidOf(controller) === owner.uid;

  // A Deployment's pod whose ReplicaSet was not listed: the Deployment by the ReplicaSet's name.
  const hash = resource.tags[POD_TEMPLATE_HASH];
  if (owner.kind !== 'ReplicaSet' || !hash || !owner.name.endsWith(`-${hash}`)) return false;
  const deployment = owner.name.slice(0, -hash.length - 1);
  return workloads.has(`${namespace}/Deployment/${deployment}`);
}

/** The owner reference marked as the object's controller, if any. */
function controllerOf(properties: Record<string, unknown>): OwnerReference | undefined {
  const metadata = properties.metadata;
  if (!isRecord(metadata) || !Array.isArray(metadata.ownerReferences)) return undefined;
  for (const ref of metadata.ownerReferences) {
    if (!isRecord(ref) || ref.controller !== true) continue;
    if (typeof ref.kind !== 'string' || typeof ref.name !== 'string') continue;
    return {
      kind: ref.kind,
      name: ref.name,
      uid: typeof ref.uid === 'string' ? ref.uid : undefined,
    };
  }
  return undefined;
}

function uidOf(resource: Resource): string | undefined {
  const metadata = resource.properties.metadata;
  return isRecord(metadata) && typeof metadata.uid === 'string' ? metadata.uid : undefined;
}

/** The kind, the last segment of `<apiVersion>/<kind>`. */
function kindOf(resource: Resource): string {
  return resource.type.slice(resource.type.lastIndexOf('/') + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
