/**
 * Which Cloud Asset Inventory asset a GCP REST resource is, read from the resource alone: its
 * `selfLink` (compute, Cloud SQL, Cloud Storage, GKE, BigQuery) or, for APIs whose resources
 * carry none, its relative `name` (Cloud KMS, IAM). The full name built is the one CAI gives
 * the asset, so the same asset read from a REST body and from a CAI export is one resource.
 */

import { caiName } from './cai-name.js';

/** A REST resource's asset: its CAI type and full resource name. */
export interface RestIdentity {
  assetType: string;
  /** CAI full resource name (`//compute.googleapis.com/projects/p/global/firewalls/f`). */
  id: string;
}

interface SelfLinkPattern {
  /** Matched against `host/path` of the selfLink; group `relative` is the CAI relative name. */
  pattern: RegExp;
  service: string;
  /** Asset type, or a function of the matched link and the body (compute: one per collection). */
  assetType: string | ((m: RegExpExecArray, item: Record<string, unknown>) => string);
}

const GOOGLEAPIS = String.raw`(?:www|[a-z0-9-]+)\.googleapis\.com`;

/** A compute resource path: project, scope (global, a zone or a region), collection, name. */
const COMPUTE_PATH = String.raw`projects/[^/]+/(?:global|zones/[^/]+|regions/[^/]+)/(?<collection>[A-Za-z]+)/[^/]+`;

const SELF_LINKS: SelfLinkPattern[] = [
  {
    pattern: new RegExp(`^${GOOGLEAPIS}/compute/(?:v1|beta|alpha)/(?<relative>${COMPUTE_PATH})$`),
    service: 'compute',
    assetType: (m, item) => `compute.googleapis.com/${computeTypeName(m.groups!.collection, item)}`,
  },
  {
    pattern: new RegExp(`^${GOOGLEAPIS}/compute/(?:v1|beta|alpha)/(?<relative>projects/[^/]+)$`),
    service: 'compute',
    assetType: 'compute.googleapis.com/Project',
  },
  {
    pattern: new RegExp(
      `^${GOOGLEAPIS}/(?:sql/v1beta4|v1)/(?<relative>projects/[^/]+/instances/[^/]+)$`,
    ),
    service: 'cloudsql',
    assetType: 'sqladmin.googleapis.com/Instance',
  },
  {
    pattern: new RegExp(`^${GOOGLEAPIS}/storage/v1/b/(?<relative>[^/]+)$`),
    service: 'storage',
    assetType: 'storage.googleapis.com/Bucket',
  },
  {
    pattern: new RegExp(
      `^container\\.googleapis\\.com/v1(?:beta1)?/(?<relative>projects/[^/]+/(?:zones|locations)/[^/]+/clusters/[^/]+/nodePools/[^/]+)$`,
    ),
    service: 'container',
    assetType: 'container.googleapis.com/NodePool',
  },
  {
    pattern: new RegExp(
      `^container\\.googleapis\\.com/v1(?:beta1)?/(?<relative>projects/[^/]+/(?:zones|locations)/[^/]+/clusters/[^/]+)$`,
    ),
    service: 'container',
    assetType: 'container.googleapis.com/Cluster',
  },
  {
    pattern: new RegExp(`^${GOOGLEAPIS}/bigquery/v2/(?<relative>projects/[^/]+/datasets/[^/]+)$`),
    service: 'bigquery',
    assetType: 'bigquery.googleapis.com/Dataset',
  },
];

/** Resources whose API `name` is their relative resource name, and which carry no selfLink. */
const OWN_NAMES: { pattern: RegExp; service: string; assetType: string }[] = [
  {
    pattern: /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/,
    service: 'cloudkms',
    assetType: 'cloudkms.googleapis.com/CryptoKey',
  },
  {
    pattern: /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+$/,
    service: 'cloudkms',
    assetType: 'cloudkms.googleapis.com/KeyRing',
  },
  {
    pattern: /^projects\/[^/]+\/serviceAccounts\/[^/]+\/keys\/[^/]+$/,
    service: 'iam',
    assetType: 'iam.googleapis.com/ServiceAccountKey',
  },
  {
    pattern: /^projects\/[^/]+\/serviceAccounts\/[^/]+$/,
    service: 'iam',
    assetType: 'iam.googleapis.com/ServiceAccount',
  },
];

/**
 * The CAI type name of a compute resource: its `kind` (`compute#sslPolicy` -> `SslPolicy`) when
 * it has one, else its collection made singular (`firewalls` -> `Firewall`, `addresses` ->
 * `Address`, `sslPolicies` -> `SslPolicy`).
 */
function computeTypeName(collection: string, item: Record<string, unknown>): string {
  const kind = typeof item.kind === 'string' ? /^compute#([a-zA-Z]+)$/.exec(item.kind) : null;
  const singular = kind
    ? kind[1]
    : collection
        .replace(/ies$/, 'y')
        .replace(/sses$/, 'ss')
        .replace(/([^s])s$/, '$1');
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/** `host/path` of a googleapis.com selfLink, or undefined when it is not one. */
function linkPath(selfLink: unknown): string | undefined {
  if (typeof selfLink !== 'string' || !selfLink.startsWith('https://')) return undefined;
  try {
    const url = new URL(selfLink);
    return `${url.host}/${decodeURIComponent(url.pathname).replace(/^\/+/, '')}`;
  } catch {
    return undefined;
  }
}

/**
 * The asset a REST resource body is, or undefined when it names none Palisade knows.
 *
 * ```ts
 * restIdentity({ kind: 'compute#firewall', name: 'f',
 *   selfLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewalls/f' });
 * // { assetType: 'compute.googleapis.com/Firewall',
 * //   id: '//compute.googleapis.com/projects/p/global/firewalls/f' }
 * ```
 */
export function restIdentity(item: Record<string, unknown>): RestIdentity | undefined {
  const link = linkPath(item.selfLink);
  if (link !== undefined) {
    for (const s of SELF_LINKS) {
      const m = s.pattern.exec(link);
      if (!m) continue;
      const assetType = typeof s.assetType === 'string' ? s.assetType : s.assetType(m, item);
      return { assetType, id: caiName(s.service, m.groups!.relative) };
    }
    return undefined;
  }
  if (typeof item.name !== 'string') return undefined;
  const own = OWN_NAMES.find((o) => o.pattern.test(item.name as string));
  return own ? { assetType: own.assetType, id: caiName(own.service, item.name) } : undefined;
}
