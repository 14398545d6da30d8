/**
 * Which Kubernetes kinds live outside namespaces. A namespaced object written without a
 * namespace lands in `default`; a cluster-scoped one belongs to the whole cluster.
 */

const CLUSTER_SCOPED_KINDS = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PodSecurityPolicy',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/**
 * True for kinds that have no namespace. Custom kinds are unknown statically; those named
 * `Cluster...` (Kyverno `ClusterPolicy`, cert-manager `ClusterIssuer`) are taken as cluster-wide.
 */
// Known gap: the scope of a custom kind is in its CRD, which is not consulted even when it is
// scanned alongside; other custom kinds are taken as namespaced.
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind) || /^Cluster[A-Z]/.test(kind);
}
