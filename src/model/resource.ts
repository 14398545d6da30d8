/**
 * The canonical resource: one shape for every source, so one rule serves IaC and live
 * inventory alike. `properties` is always in the cloud's own API shape.
 */

/** The clouds and platforms Palisade models. */
export type Cloud = 'aws' | 'azure' | 'gcp' | 'kubernetes';

/** Where an IaC resource was written. Inventory resources have no location. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** A directed edge from one resource to another (security group → instance, NSG → subnet). */
export interface Relationship {
  /** What the edge means, from the owning resource's point of view: `attachedTo`, `references`. */
  kind: string;
  /** Canonical id of the other resource, or the IaC address when no id is known statically. */
  target: string;
}

/**
 * One thing in the estate.
 *
 * ```ts
 * const bucket: Resource = {
 *   cloud: 'aws', type: 'AWS::S3::Bucket', id: 'arn:aws:s3:::logs', name: 'logs',
 *   account: '123456789012', region: 'us-east-1', tags: {}, properties: { Name: 'logs' },
 *   relationships: [], source: { kind: 'terraform', file: 's3.tf', line: 3 },
 * };
 * ```
 */
export interface Resource {
  cloud: Cloud;
  /** Type in the cloud's own naming: `AWS::S3::Bucket`, `Microsoft.Storage/storageAccounts`,
   * `storage.googleapis.com/Bucket`, `apps/v1/Deployment`. */
  type: string;
  /** Stable identifier: ARN, ARM id, CAI name, `namespace/kind/name`, or the IaC address. */
  id: string;
  name: string;
  /** AWS account, Azure subscription, GCP project; Kubernetes namespace's cluster if known. */
  account?: string;
  region?: string;
  tags: Record<string, string>;
  /** The resource in its API shape (see docs/resource-shapes.md). */
  properties: Record<string, unknown>;
  relationships: Relationship[];
  source: ResourceSource;
  /**
   * Property paths (dot-separated, list indices as numbers) whose values cannot be known
   * statically. A rule that reads one of them gives no verdict instead of a guess.
   */
  unknown?: string[];
  /** Rule ids suppressed inline in IaC (`# palisade:ignore RULE reason`), with the reason. */
  suppressions?: InlineSuppression[];
}

/** Which reader produced a resource, and where it was written for IaC. */
export interface ResourceSource {
  kind: SourceKind;
  file?: string;
  line?: number;
  /** IaC address (`module.net.aws_security_group.web[0]`) or logical id. */
  address?: string;
  /**
   * When an inventory record was captured, in epoch ms (AWS Config's
   * `configurationItemCaptureTime`): the record is the whole resource as of then, so of two
   * records of one resource that both carry a time, the later stands and the earlier is dropped,
   * not merged into it (history files list a resource once per change, newest first).
   */
  capturedAt?: number;
  /**
   * The record says the resource was deleted at `capturedAt` (Config's `ResourceDeleted`): it
   * stands for no resource and drops the earlier records of it; it is itself never assessed.
   */
  deleted?: true;
}

export type SourceKind =
  | 'terraform'
  | 'terraform-plan'
  | 'cloudformation'
  | 'arm'
  | 'kubernetes'
  | 'aws-config'
  | 'aws-api'
  | 'azure-arm'
  | 'azure-resource-graph'
  | 'gcp-asset-inventory'
  | 'gcp-api';

/** Sources that copy live API bodies (inventory exports): they never hold unknown markers, and
 * one resource may come in fragments across files. */
export const INVENTORY_SOURCE_KINDS: ReadonlySet<SourceKind> = new Set<SourceKind>([
  'aws-config',
  'aws-api',
  'azure-arm',
  'azure-resource-graph',
  'gcp-asset-inventory',
  'gcp-api',
]);

export interface InlineSuppression {
  ruleId: string;
  reason: string;
}

/** A value an IaC reader could not know before apply. It never reaches a rule as a value. */
export const UNKNOWN_KEY = '__palisade_unknown__';

/** Marker object stored in place of a statically unknown value. */
export interface UnknownValue {
  [UNKNOWN_KEY]: string;
}

/** Builds the marker for a value that is known only after apply (`var.cidr`, `aws_vpc.main.id`). */
export function unknownValue(reason: string): UnknownValue {
  return { [UNKNOWN_KEY]: reason };
}

export function isUnknown(value: unknown): value is UnknownValue {
  return typeof value === 'object' && value !== null && UNKNOWN_KEY in value;
}
