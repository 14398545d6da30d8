/**
 * Reader for GCP REST resources as `gcloud ... list/describe --format=json` prints them (a bare
 * array of API resources, or one) and for plain REST responses (a list body such as
 * `{"kind": "compute#firewallList", "items": [...]}`, an aggregated list, a GET body). Each
 * resource is recognised by itself (see `restIdentity`), so no URL or file name is needed; its
 * properties are the body as the API returned it, which is what CAI's `resource.data` holds.
 *
 * `gcloud storage buckets list/describe` print gcloud's own view of a bucket (snake_case keys
 * such as `uniform_bucket_level_access`), not the API resource: those files are reported as not
 * read, with the `--raw` flag that makes gcloud print the API resource instead.
 */

import type { Resource } from '../../model/resource.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import { missingHalves } from './asset-shapes.js';
import { gcpResource } from './gcp-resource.js';
import { isObject, parseJson } from './json-text.js';
import { CLUSTER_TYPE, NODE_POOL_TYPE, nodePoolsOf } from './node-pools.js';
import { restIdentity } from './rest-resource-identity.js';

const SNIFF = 65_536;
const SELF_LINK = /"selfLink"\s*:\s*"https:\/\/[a-z0-9-]+\.googleapis\.com\//;
const OWN_NAME =
  /"name"\s*:\s*"projects\/[^"/]+\/(?:locations\/[^"/]+\/keyRings\/|serviceAccounts\/)/;
const GCLOUD_STORAGE = /"storage_url"\s*:\s*"gs:\/\//;

/**
 * The candidate resources of a document: an array's elements, a list body's `items` (or its
 * one array of resources: `clusters`, `cryptoKeys`, `keys`, ...), an aggregated list's items of
 * every scope, or the document itself (a GET body).
 */
function candidatesOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (!isObject(doc)) return [];
  if (restIdentity(doc)) return [doc];
  if (Array.isArray(doc.items)) return doc.items;
  if (isObject(doc.items)) return Object.values(doc.items).flatMap(arraysOf);
  return arraysOf(doc);
}

/** The elements of every array value of an object (a list body's one list, a scope's list). */
function arraysOf(value: unknown): unknown[] {
  if (!isObject(value)) return [];
  return Object.values(value).flatMap((v) => (Array.isArray(v) ? v : []));
}

/** Region of a resource whose full name holds none: Cloud SQL's `region`, a bucket's location. */
function regionOf(type: string, item: Record<string, unknown>): string | undefined {
  if (type === 'sqladmin.googleapis.com/Instance' && typeof item.region === 'string') {
    return item.region;
  }
  if (type === 'storage.googleapis.com/Bucket' && typeof item.location === 'string') {
    return item.location.toLowerCase();
  }
  return undefined;
}

/** Project of a bucket (its name holds none): the project number the API returns. */
function accountOf(item: Record<string, unknown>): string | undefined {
  const n = item.projectNumber;
  return typeof n === 'string' || typeof n === 'number' ? String(n) : undefined;
}

/** One REST resource as a canonical resource; undefined when it is not one Palisade knows. */
function toResource(file: SourceFile, item: unknown): Resource | undefined {
  if (!isObject(item)) return undefined;
  const identity = restIdentity(item);
  if (!identity) return undefined;
  const { assetType, id } = identity;
  return gcpResource({
    type: assetType,
    id,
    account: id.startsWith('//storage.') ? accountOf(item) : undefined,
    region: regionOf(assetType, item),
    properties: item,
    kind: 'gcp-api',
    file: file.path,
    unknown: missingHalves(assetType, true, false),
  });
}

/** The warning for a file of gcloud's own bucket view, which is not the API resource. */
function gcloudStorageWarning(file: string): string {
  return (
    `${file}: gcloud storage's own view of buckets (snake_case fields such as ` +
    `uniform_bucket_level_access) is not read; print the API resource instead with ` +
    `\`gcloud storage buckets list --raw --format=json\` (or \`describe --raw\`)`
  );
}

/** Reads one file of REST resources; items it does not recognise are counted in a warning. */
export function readRestResources(file: SourceFile): ReadResult {
  const doc = parseJson(file.path, file.text);
  const candidates = candidatesOf(doc);
  const resources: Resource[] = [];
  let skipped = 0;
  for (const item of candidates) {
    const r = toResource(file, item);
    if (r) resources.push(r);
    else skipped += 1;
  }
  const warnings: string[] = [];
  if (resources.length === 0 && GCLOUD_STORAGE.test(file.text.slice(0, SNIFF))) {
    warnings.push(gcloudStorageWarning(file.path));
  } else if (skipped > 0) {
    warnings.push(
      `${file.path}: ${skipped} of ${candidates.length} item(s) are not GCP REST resources ` +
        `Palisade recognises (by selfLink, or a KMS or IAM resource name) and were not read`,
    );
  }
  if (!resources.some((r) => r.type === NODE_POOL_TYPE)) {
    const pools = resources.filter((r) => r.type === CLUSTER_TYPE).flatMap(nodePoolsOf);
    for (const pool of pools) resources.push(pool);
  }
  return warnings.length > 0 ? { resources, warnings } : { resources };
}

/**
 * True when the file holds a REST resource this reader names (or gcloud's bucket view): the
 * text sniffed first, then parsed, since a log entry or an IAM policy may mention the same
 * links and names without being a resource.
 */
function detect(file: SourceFile): boolean {
  if (!/\.json(\.gz)?$/i.test(file.path)) return false;
  const head = file.text.slice(0, SNIFF);
  const storage = GCLOUD_STORAGE.test(head);
  if (!storage && !SELF_LINK.test(head) && !OWN_NAME.test(head)) return false;
  let doc: unknown;
  try {
    doc = JSON.parse(file.text);
  } catch {
    return false;
  }
  return storage || candidatesOf(doc).some((c) => isObject(c) && restIdentity(c) !== undefined);
}

export const restResourceReader: Reader = { kind: 'gcp-api', detect, read: readRestResources };
