/**
 * Reader for Cloud Asset Inventory exports: JSON arrays of asset records (`gcloud asset list
 * --format=json`, snake_case or camelCase) and NDJSON (`gcloud asset export` to a file).
 */

import type { Resource } from '../../model/resource.js';
import { ANY_OTHER_PROPERTY } from '../../posture/unknown-tracker.js';
import { SourceReadError } from '../../model/source-error.js';
import { leftOutWay, markLeftOut } from '../left-out.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import { missingHalves } from './asset-shapes.js';
import { parseCaiName } from './cai-name.js';
import { gcpResource } from './gcp-resource.js';
import { normalizeIamPolicy } from './iam-policy.js';
import { isObject, looksLikeNdjson, parseJson, parseNdjson } from './json-text.js';
import { CLUSTER_TYPE, NODE_POOL_TYPE, nodePoolsOf } from './node-pools.js';

const SNIFF = 65_536;
const ASSET_TYPE_KEY = /"(asset_type|assetType)"\s*:\s*"[^"]*"/;
const FULL_NAME = /"name"\s*:\s*"\/\/[a-z0-9.-]+\.googleapis\.com\//;

/** Project of an asset: from its name, else its parent or first `projects/` ancestor. */
function projectOf(
  asset: Record<string, unknown>,
  resourceBody: Record<string, unknown>,
): string | undefined {
  const fromName = parseCaiName(String(asset.name)).project;
  if (fromName) return fromName;
  const parent =
    typeof resourceBody.parent === 'string' ? parseCaiName(resourceBody.parent) : undefined;
  if (parent && /\/projects\/[^/]+$/.test(String(resourceBody.parent))) return parent.name;
  const ancestors = Array.isArray(asset.ancestors) ? asset.ancestors : [];
  const project = ancestors.find((a) => typeof a === 'string' && a.startsWith('projects/'));
  return typeof project === 'string' ? project.slice('projects/'.length) : undefined;
}

/** Location of an asset: CAI `resource.location`, the name's zone/region, or data.location. */
function regionOf(
  name: string,
  body: Record<string, unknown>,
  data: Record<string, unknown>,
): string | undefined {
  if (typeof body.location === 'string') return body.location.toLowerCase();
  const fromName = parseCaiName(name).location;
  if (fromName) return fromName;
  const own = data.location ?? data.region;
  return typeof own === 'string' && !own.includes('/') ? own.toLowerCase() : undefined;
}

/** One asset record as a canonical resource. */
function toResource(file: SourceFile, raw: unknown, line: number): Resource {
  if (!isObject(raw) || typeof raw.name !== 'string') {
    throw new SourceReadError({
      file: file.path,
      line,
      code: 'INVALID_STRUCTURE',
      message: 'asset record without a string `name`; expected Cloud Asset Inventory records',
    });
  }
  const type = raw.asset_type ?? raw.assetType;
  if (typeof type !== 'string') {
    throw new SourceReadError({
      file: file.path,
      line,
      code: 'INVALID_STRUCTURE',
      message: `asset ${raw.name} has no asset_type/assetType`,
    });
  }
  const body = isObject(raw.resource) ? raw.resource : {};
  const sawData = isObject(body.data);
  // The record was parsed for this read alone: its data becomes the properties as it is (a
  // copy would hold the same keys in the same order, with the IAM policy added the same way).
  const data: Record<string, unknown> = sawData ? (body.data as Record<string, unknown>) : {};
  const rawPolicy = raw.iam_policy ?? raw.iamPolicy;
  const sawPolicy = rawPolicy !== undefined;
  if (sawPolicy) data.iamPolicy = normalizeIamPolicy(rawPolicy);
  const resource = gcpResource({
    type,
    id: raw.name,
    account: projectOf(raw, body),
    region: regionOf(raw.name, body, data),
    properties: data,
    kind: 'gcp-asset-inventory',
    file: file.path,
    line,
    unknown: missingHalves(type, sawData, sawPolicy),
  });
  if (!sawData) markLeftOut(resource, file.path, WITHOUT_DATA);
  return resource;
}

/** Resources of the export's records (a JSON document's records all start on line 1). */
function resourcesOf(file: SourceFile): Resource[] {
  if (looksLikeNdjson(file.text)) {
    return parseNdjson(file.path, file.text).map((r) => toResource(file, r.value, r.line));
  }
  const doc = parseJson(file.path, file.text);
  if (Array.isArray(doc)) return doc.map((value) => toResource(file, value, 1));
  if (isObject(doc) && Array.isArray(doc.assets)) {
    return doc.assets.map((value) => toResource(file, value, 1));
  }
  return [toResource(file, doc, 1)];
}

/** Reads a whole export; clusters' embedded node pools become resources when none are listed. */
export function readAssetInventory(file: SourceFile): ReadResult {
  const resources = resourcesOf(file);
  if (resources.some((r) => r.type === NODE_POOL_TYPE)) return { resources };
  const pools = resources.filter((r) => r.type === CLUSTER_TYPE).flatMap(nodePoolsOf);
  for (const pool of pools) resources.push(pool);
  return { resources };
}

/**
 * Records read without their resource data (see `missingHalves`): the scan warns of those no
 * other file's record of the same asset filled in (`leftOutWarnings` in `../left-out.ts`).
 */
const WITHOUT_DATA = leftOutWay(
  ANY_OTHER_PROPERTY,
  (file, count) =>
    `${file}: ${count} asset record(s) carry no resource data: rules that read a resource's ` +
    `settings cannot judge them; export with \`gcloud asset export --content-type=resource\` ` +
    `(or \`gcloud asset list --content-type=resource\`)`,
);

export const assetInventoryReader: Reader = {
  kind: 'gcp-asset-inventory',
  detect: (file) => {
    if (!/\.(json|jsonl|ndjson)(\.gz)?$/i.test(file.path)) return false;
    const head = file.text.slice(0, SNIFF);
    return ASSET_TYPE_KEY.test(head) && FULL_NAME.test(head);
  },
  read: readAssetInventory,
};
