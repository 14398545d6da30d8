/**
 * The roles the Kubernetes API server creates in every cluster and restores at each start
 * (RBAC "default roles"): recognised by name, scope and the `kubernetes.io/bootstrapping:
 * rbac-defaults` label together, so rules can leave alone what no operator can remove.
 */

import { CLUSTER_SCOPE } from './to-resource.js';

/** Label the API server puts on every default role and binding. */
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

/** Annotation that, set to "false", stops the API server from reconciling a default role. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

/**
 * Default ClusterRoles of current releases (user-facing, component, controller and
 * feature-gated ones) and of earlier ones an upgraded cluster still holds: the API server adds
 * defaults but never deletes one a newer release dropped.
 */
const DEFAULT_CLUSTER_ROLES = new Set([
  'admin',
  'cluster-admin',
  'edit',
  'view',
  'system:aggregate-to-admin',
  'system:aggregate-to-edit',
  'system:aggregate-to-view',
  'system:auth-delegator',
  'system:aws-cloud-provider',
  'system:basic-user',
  'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
  'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
  'system:certificates.k8s.io:kube-apiserver-client-approver',
  'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver',
  'system:certificates.k8s.io:kubelet-serving-approver',
  'system:certificates.k8s.io:legacy-unknown-approver',
  'system:cluster-trust-bundle-discovery',
  'system:csi-external-attacher',
  'system:csi-external-provisioner',
  'system:discovery',
  'system:heapster',
  'system:kube-aggregator',
  'system:kube-controller-manager',
  'system:kube-dns',
  'system:kube-scheduler',
  'system:kubelet-api-admin',
  'system:monitoring',
  'system:node',
  'system:node-bootstrapper',
  'system:node-problem-detector',
  'system:node-proxier',
  'system:persistent-volume-provisioner',
  'system:public-info-viewer',
  'system:service-account-issuer-discovery',
  'system:volume-scheduler',
  ...[
    'attachdetach-controller',
    'certificate-controller',
    'clusterrole-aggregation-controller',
    'cronjob-controller',
    'daemon-set-controller',
    'deployment-controller',
    'device-taint-eviction-controller',
    'disruption-controller',
    'endpoint-controller',
    'endpointslice-controller',
    'endpointslicemirroring-controller',
    'ephemeral-volume-controller',
    'expand-controller',
    'generic-garbage-collector',
    'horizontal-pod-autoscaler',
    'job-controller',
    'kube-apiserver-serving-clustertrustbundle-publisher',
    'legacy-service-account-token-cleaner',
    'namespace-controller',
    'node-controller',
    'persistent-volume-binder',
    'pod-garbage-collector',
    'podcertificaterequestcleaner',
    'podgroup-protection-controller',
    'pv-protection-controller',
    'pvc-protection-controller',
    'replicaset-controller',
    'replication-controller',
    'resource-claim-controller',
    'resourcepoolstatusrequest-controller',
    'resourcequota-controller',
    'root-ca-cert-publisher',
    'route-controller',
    'selinux-warning-controller',
    'service-account-controller',
    'service-cidrs-controller',
    'service-controller',
    'statefulset-controller',
    'storage-version-garbage-collector',
    'storage-version-migrator-controller',
    'ttl-after-finished-controller',
    'ttl-controller',
    'validatingadmissionpolicy-status-controller',
    'volumeattributesclass-protection-controller',
  ].map((controller) => `system:controller:${controller}`),
]);

/** Default Roles, as `<namespace>/<name>`: the only namespaces they live in are these two. */
const DEFAULT_ROLES = new Set([
  'kube-public/system:controller:bootstrap-signer',
  'kube-system/extension-apiserver-authentication-reader',
  'kube-system/system::leader-locking-kube-controller-manager',
  'kube-system/system::leader-locking-kube-scheduler',
  'kube-system/system:controller:bootstrap-signer',
  'kube-system/system:controller:cloud-provider',
  'kube-system/system:controller:token-cleaner',
]);

/**
 * True for a Role or ClusterRole the API server created and still keeps: its resource id
 * (`_cluster/ClusterRole/<name>`, `<namespace>/Role/<name>`) names a default role, it carries
 * the bootstrap label, and its autoupdate annotation is not "false" (with "false" the operator
 * owns the role and its rules are theirs to judge). The label on a role of another name, or a
 * default name without the label, is not enough.
 *
 * ```ts
 * const labels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
 * isKubernetesDefaultRole('_cluster/ClusterRole/edit', labels, {}); // true
 * isKubernetesDefaultRole('_cluster/ClusterRole/my-edit', labels, {}); // false
 * ```
 */
// Known gap: the role's rules are not compared with the defaults. The API server restores rules
// removed from a default role but keeps rules added to it, so a default role widened in place
// is not judged by the role rules.
export function isKubernetesDefaultRole(
  id: unknown,
  labels: unknown,
  annotations: unknown,
): boolean {
  if (typeof id !== 'string') return false;
  if (valueOf(labels, BOOTSTRAP_LABEL) !== 'rbac-defaults') return false;
  if (valueOf(annotations, AUTOUPDATE_ANNOTATION) === 'false') return false;

  const [scope, kind, ...name] = id.split('/');
  const roleName = name.join('/');
  if (kind === 'ClusterRole') return scope === CLUSTER_SCOPE && DEFAULT_CLUSTER_ROLES.has(roleName);
  if (kind === 'Role') return DEFAULT_ROLES.has(`${scope}/${roleName}`);
  return false;
}

function valueOf(map: unknown, key: string): unknown {
  if (typeof map !== 'object' || map === null) return undefined;
  if (map instanceof Map) return map.get(key);
  return (map as Record<string, unknown>)[key];
}
