/**
 * The GCP REST collections the recorded-response reader understands: URL path template, where
 * the items sit in the body, their Cloud Asset Inventory type and how to name them.
 */

import { lastSegment, relativeFromSelfLink } from './cai-name.js';

/** Values captured from the URL path (`project`, `zone`, ...) plus an aggregated list's scope. */
export type PathVars = Record<string, string | undefined>;

export interface RestCollection {
  /** Path after the host, `{var}` for a captured segment, e.g. `compute/v1/projects/{project}`. */
  path: string;
  /** CAI asset type of the items. */
  assetType: string;
  /** CAI service host prefix (`compute` -> `//compute.googleapis.com/`). */
  service: string;
  /** `list`: items under `listKey`; `aggregated`: `items[scope][listKey]`; `get`: one resource;
   * `iamPolicy`: the body is the IAM policy of the resource the path names. */
  shape: 'list' | 'aggregated' | 'get' | 'iamPolicy';
  listKey?: string;
  /** Relative CAI name (after the host) of one item. */
  name(item: Record<string, unknown>, vars: PathVars): string | undefined;
  /** Zone, region or location of one item. */
  region?(item: Record<string, unknown>, vars: PathVars): string | undefined;
}

const ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;
const REGION = /^[a-z]+-[a-z]+\d+$/;

/** Zone of a compute item: the aggregated scope, the path, or the item's `zone` URL. */
function zoneOf(item: Record<string, unknown>, vars: PathVars): string | undefined {
  if (vars.scope?.startsWith('zones/')) return vars.scope.slice('zones/'.length);
  if (vars.zone) return vars.zone;
  const z = lastSegment(item.zone);
  return z && ZONE.test(z) ? z : undefined;
}

/** Region of a compute item: the aggregated scope, the path, or the item's `region` URL. */
function regionOf(item: Record<string, unknown>, vars: PathVars): string | undefined {
  if (vars.scope?.startsWith('regions/')) return vars.scope.slice('regions/'.length);
  if (vars.region) return vars.region;
  const r = lastSegment(item.region);
  return r && REGION.test(r) ? r : undefined;
}

const itemName = (item: Record<string, unknown>): string | undefined =>
  typeof item.name === 'string' && item.name !== '' ? item.name : undefined;

/** `projects/p/<scope>/<collection>/<name>` for zonal, regional or global compute items. */
function computeName(collection: string, scope: 'zone' | 'region' | 'global') {
  return (item: Record<string, unknown>, vars: PathVars): string | undefined => {
    const name = itemName(item);
    if (!name || !vars.project) return undefined;
    if (scope === 'global') return `projects/${vars.project}/global/${collection}/${name}`;
    const where = scope === 'zone' ? zoneOf(item, vars) : regionOf(item, vars);
    if (!where) return undefined;
    return `projects/${vars.project}/${scope}s/${where}/${collection}/${name}`;
  };
}

/** Collections of one compute resource kind: aggregated list, scoped list and get. */
function compute(
  collection: string,
  assetType: string,
  scope: 'zone' | 'region' | 'global',
): RestCollection[] {
  const name = computeName(collection, scope);
  const region = scope === 'zone' ? zoneOf : scope === 'region' ? regionOf : undefined;
  const base = { assetType, service: 'compute', name, region };
  const root = 'compute/v1/projects/{project}';
  if (scope === 'global') {
    return [
      { ...base, path: `${root}/global/${collection}`, shape: 'list', listKey: 'items' },
      { ...base, path: `${root}/global/${collection}/{name}`, shape: 'get' },
    ];
  }
  const scoped = `${root}/${scope}s/{${scope}}/${collection}`;
  return [
    { ...base, path: `${root}/aggregated/${collection}`, shape: 'aggregated', listKey: collection },
    { ...base, path: scoped, shape: 'list', listKey: 'items' },
    { ...base, path: `${scoped}/{name}`, shape: 'get' },
  ];
}

/** GKE clusters: named by their selfLink, else by project and location. */
function clusterName(item: Record<string, unknown>, vars: PathVars): string | undefined {
  const fromLink = relativeFromSelfLink(item.selfLink);
  if (fromLink) return fromLink;
  const location = typeof item.location === 'string' ? item.location : (vars.location ?? vars.zone);
  const name = itemName(item);
  if (!name || !vars.project || !location || location === '-') return undefined;
  return `projects/${vars.project}/locations/${location}/clusters/${name}`;
}

/** Items whose API `name` already is the relative resource name (IAM, KMS). */
const ownName = (item: Record<string, unknown>): string | undefined => itemName(item);

const sqlName = (item: Record<string, unknown>, vars: PathVars): string | undefined => {
  const project = typeof item.project === 'string' ? item.project : vars.project;
  const name = itemName(item);
  return name && project ? `projects/${project}/instances/${name}` : undefined;
};

const locationOfVars = (_item: Record<string, unknown>, vars: PathVars) => vars.location;

/** Every collection, most specific path first. */
export const REST_COLLECTIONS: RestCollection[] = [
  ...compute('instances', 'compute.googleapis.com/Instance', 'zone'),
  ...compute('disks', 'compute.googleapis.com/Disk', 'zone'),
  ...compute('subnetworks', 'compute.googleapis.com/Subnetwork', 'region'),
  ...compute('firewalls', 'compute.googleapis.com/Firewall', 'global'),
  ...compute('networks', 'compute.googleapis.com/Network', 'global'),
  ...compute('sslPolicies', 'compute.googleapis.com/SslPolicy', 'global'),
  {
    path: 'compute/v1/projects/{project}',
    assetType: 'compute.googleapis.com/Project',
    service: 'compute',
    shape: 'get',
    name: (_i, v) => (v.project ? `projects/${v.project}` : undefined),
  },
  {
    path: 'storage/v1/b/{bucket}/iam',
    assetType: 'storage.googleapis.com/Bucket',
    service: 'storage',
    shape: 'iamPolicy',
    name: (_i, v) => v.bucket,
  },
  {
    path: 'storage/v1/b/{bucket}',
    assetType: 'storage.googleapis.com/Bucket',
    service: 'storage',
    shape: 'get',
    name: (i, v) => itemName(i) ?? v.bucket,
    region: (i) => lower(i.location),
  },
  {
    path: 'storage/v1/b',
    assetType: 'storage.googleapis.com/Bucket',
    service: 'storage',
    shape: 'list',
    listKey: 'items',
    name: itemName,
    region: (i) => lower(i.location),
  },
  ...['locations/{location}', 'zones/{zone}'].flatMap((scope): RestCollection[] => [
    {
      path: `v1/projects/{project}/${scope}/clusters/{cluster}/nodePools`,
      assetType: 'container.googleapis.com/NodePool',
      service: 'container',
      shape: 'list',
      listKey: 'nodePools',
      name: (i) => relativeFromSelfLink(i.selfLink),
      region: (_i, v) => v.location ?? v.zone,
    },
    {
      path: `v1/projects/{project}/${scope}/clusters`,
      assetType: 'container.googleapis.com/Cluster',
      service: 'container',
      shape: 'list',
      listKey: 'clusters',
      name: clusterName,
      region: (i, v) => (typeof i.location === 'string' ? i.location : (v.location ?? v.zone)),
    },
  ]),
  ...['sql/v1beta4', 'v1'].map((version): RestCollection => ({
    path: `${version}/projects/{project}/instances`,
    assetType: 'sqladmin.googleapis.com/Instance',
    service: 'cloudsql',
    shape: 'list',
    listKey: 'items',
    name: sqlName,
    region: (i) => (typeof i.region === 'string' ? i.region : undefined),
  })),
  {
    path: 'v1/projects/{project}/serviceAccounts/{account}/keys',
    assetType: 'iam.googleapis.com/ServiceAccountKey',
    service: 'iam',
    shape: 'list',
    listKey: 'keys',
    name: ownName,
  },
  {
    path: 'v1/projects/{project}/serviceAccounts',
    assetType: 'iam.googleapis.com/ServiceAccount',
    service: 'iam',
    shape: 'list',
    listKey: 'accounts',
    name: ownName,
  },
  {
    path: 'v1/projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}:getIamPolicy',
    assetType: 'cloudkms.googleapis.com/CryptoKey',
    service: 'cloudkms',
    shape: 'iamPolicy',
    name: (_i, v) =>
      `projects/${v.project}/locations/${v.location}/keyRings/${v.ring}/cryptoKeys/${v.key}`,
    region: locationOfVars,
  },
  {
    path: 'v1/projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys',
    assetType: 'cloudkms.googleapis.com/CryptoKey',
    service: 'cloudkms',
    shape: 'list',
    listKey: 'cryptoKeys',
    name: ownName,
    region: locationOfVars,
  },
  {
    path: 'v1/projects/{project}/locations/{location}/keyRings',
    assetType: 'cloudkms.googleapis.com/KeyRing',
    service: 'cloudkms',
    shape: 'list',
    listKey: 'keyRings',
    name: ownName,
    region: locationOfVars,
  },
  ...['v1', 'v3'].flatMap((version): RestCollection[] => [
    {
      path: `${version}/projects/{project}:getIamPolicy`,
      assetType: 'cloudresourcemanager.googleapis.com/Project',
      service: 'cloudresourcemanager',
      shape: 'iamPolicy',
      name: (_i, v) => `projects/${v.project}`,
    },
  ]),
  ...['v2', 'v3'].map((version): RestCollection => ({
    path: `${version}/folders/{folder}:getIamPolicy`,
    assetType: 'cloudresourcemanager.googleapis.com/Folder',
    service: 'cloudresourcemanager',
    shape: 'iamPolicy',
    name: (_i, v) => `folders/${v.folder}`,
  })),
  {
    path: 'bigquery/v2/projects/{project}/datasets/{dataset}',
    assetType: 'bigquery.googleapis.com/Dataset',
    service: 'bigquery',
    shape: 'get',
    name: (_i, v) => `projects/${v.project}/datasets/${v.dataset}`,
    region: (i) => lower(i.location),
  },
  {
    path: 'dns/v1/projects/{project}/managedZones',
    assetType: 'dns.googleapis.com/ManagedZone',
    service: 'dns',
    shape: 'list',
    listKey: 'managedZones',
    name: (i, v) =>
      itemName(i) && v.project ? `projects/${v.project}/managedZones/${i.name}` : undefined,
  },
];

function lower(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

interface CompiledCollection {
  collection: RestCollection;
  slash: RegExp;
  dash: RegExp;
}

/** Dashed-form patterns: project ids are 6-30 characters, which also bounds backtracking. */
const SEGMENT_DASHED: Record<string, string> = {
  project: '[a-z][a-z0-9-]{4,28}[a-z0-9]',
  zone: '[a-z]+-[a-z]+\\d+-[a-z]',
  region: '[a-z]+-[a-z]+\\d+',
  location: '-|global|[a-z]+(?:-[a-z]+\\d+)?(?:-[a-z])?',
};

/** Regex for the path with `/` separators, and for the flight file-name form with `-`. */
function compile(collection: RestCollection): CompiledCollection {
  const escape = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const parts = collection.path.split(/(\{[a-z]+\})/);
  const build = (dashed: boolean) =>
    parts
      .map((p) => {
        const m = /^\{([a-z]+)\}$/.exec(p);
        if (!m) return escape(dashed ? p.replace(/[/:]/g, '-') : p);
        const inner = dashed ? (SEGMENT_DASHED[m[1]] ?? '.+?') : '[^/:]+';
        return `(?<${m[1]}>${inner})`;
      })
      .join('');
  return {
    collection,
    slash: new RegExp(`^${build(false)}$`),
    dash: new RegExp(`^${build(true)}$`),
  };
}

const COMPILED = REST_COLLECTIONS.map(compile);

/** The collection a URL path (`/` form) or flight file-name path (`-` form) belongs to. */
export function matchCollection(
  path: string,
  form: 'slash' | 'dash',
): { collection: RestCollection; vars: PathVars } | undefined {
  for (const c of COMPILED) {
    const m = (form === 'slash' ? c.slash : c.dash).exec(path);
    if (m) return { collection: c.collection, vars: { ...(m.groups ?? {}) } };
  }
  return undefined;
}
