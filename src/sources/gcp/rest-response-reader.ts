/**
 * Reader for recorded GCP REST responses (Cloud Custodian "flights": one API call a file, named
 * `<verb>-<url path with / and : as ->_<n>.json`, the body bare or under `body` with `headers`).
 *
 * Context comes from the request URL: the `content-location` header when recorded, else the
 * file name. It supplies what a body lacks: the project of `storage/v1/b?project=` lists (header
 * only; without it a bucket's account is its `projectNumber`), the zone or region of aggregated
 * lists, and the owner of an IAM policy (`.../folders/222:getIamPolicy`). Custodian's own
 * annotations (`c7n:*`, `c7n.*` keys) are stripped: the API never returns them.
 */

import path from 'node:path';
import type { Resource } from '../../model/resource.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import { missingHalves } from './asset-shapes.js';
import { caiName } from './cai-name.js';
import { gcpResource } from './gcp-resource.js';
import { normalizeIamPolicy } from './iam-policy.js';
import { isObject, parseJson } from './json-text.js';
import { CLUSTER_TYPE, nodePoolsOf } from './node-pools.js';
import { matchCollection, type PathVars, type RestCollection } from './rest-collections.js';

const FLIGHT_NAME = /^(get|post|put|patch|delete)-(.+?)(?:_\d+)?\.json$/i;
const CONTENT_LOCATION =
  /"content-location"\s*:\s*"(https:\/\/[a-z0-9.-]+\.googleapis\.com\/[^"]*)"/;

interface Located {
  collection: RestCollection;
  vars: PathVars;
  query: URLSearchParams;
}

/** The collection of a recorded URL (`https://host/path?query`). */
function fromUrl(url: string): Located | undefined {
  let parsed: URL;
  let urlPath: string;
  try {
    parsed = new URL(url);
    urlPath = decodeURIComponent(parsed.pathname).replace(/^\/+/, '');
  } catch {
    return undefined;
  }
  const match = matchCollection(urlPath, 'slash');
  return match ? { ...match, query: parsed.searchParams } : undefined;
}

/** The collection named by a flight file name, if it is one. */
function fromFileName(file: string): Located | undefined {
  const m = FLIGHT_NAME.exec(path.basename(file));
  if (!m) return undefined;
  const match = matchCollection(m[2], 'dash');
  return match ? { ...match, query: new URLSearchParams() } : undefined;
}

/** Where the response came from: the recorded header first, then the file name. */
function locate(file: SourceFile): Located | undefined {
  const header = CONTENT_LOCATION.exec(file.text.slice(0, 65_536));
  return (header ? fromUrl(header[1]) : undefined) ?? fromFileName(file.path);
}

/** Drops Cloud Custodian's annotation keys from an item. */
function clean(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!/^c7n[:.]/.test(k)) out[k] = v;
  return out;
}

/** Items of a response body with the aggregated scope (`zones/us-east1-b`) they came under. */
function itemsOf(
  body: Record<string, unknown>,
  c: RestCollection,
): { item: unknown; scope?: string }[] {
  if (c.shape === 'get' || c.shape === 'iamPolicy') return [{ item: body }];
  const listKey = c.listKey ?? 'items';
  if (c.shape === 'list') {
    const list = body[listKey];
    return Array.isArray(list) ? list.map((item) => ({ item })) : [];
  }
  if (!isObject(body.items)) return [];
  return Object.entries(body.items).flatMap(([scope, group]) => {
    const list = isObject(group) ? group[listKey] : undefined;
    return Array.isArray(list) ? list.map((item) => ({ item, scope })) : [];
  });
}

/** Account of an item: the path's project, the list's `?project=`, or a bucket's number. */
function accountOf(item: Record<string, unknown>, loc: Located): string | undefined {
  const project = loc.vars.project ?? loc.query.get('project') ?? undefined;
  if (project) return project;
  if (typeof item.projectId === 'string') return item.projectId;
  if (typeof item.projectNumber === 'string' || typeof item.projectNumber === 'number') {
    return String(item.projectNumber);
  }
  return undefined;
}

/** One response item as a canonical resource; undefined when it cannot be named. */
function toResource(
  file: SourceFile,
  raw: unknown,
  scope: string | undefined,
  loc: Located,
): Resource | undefined {
  if (!isObject(raw)) return undefined;
  const c = loc.collection;
  const vars = { ...loc.vars, scope };
  const relative = c.name(raw, vars);
  if (!relative) return undefined;
  const isPolicy = c.shape === 'iamPolicy';
  const properties = isPolicy ? { iamPolicy: normalizeIamPolicy(raw) } : clean(raw);
  return gcpResource({
    type: c.assetType,
    id: caiName(c.service, relative),
    name: isPolicy ? undefined : typeof raw.name === 'string' ? lastName(raw.name) : undefined,
    account: accountOf(raw, loc),
    region: c.region?.(raw, vars),
    properties,
    kind: 'gcp-api',
    file: file.path,
    unknown: missingHalves(c.assetType, !isPolicy, isPolicy),
  });
}

/** Short name of `projects/p/serviceAccounts/sa@p.iam...` style names. */
function lastName(name: string): string {
  const segs = name.split('/');
  return segs[segs.length - 1] || name;
}

/** Reads one recorded response; non-2xx recordings yield no resources and a warning. */
export function readRestResponse(file: SourceFile): ReadResult {
  const loc = locate(file);
  if (!loc)
    return { resources: [], warnings: [`${file.path}: not a GCP REST collection Palisade reads`] };
  const doc = parseJson(file.path, file.text);
  if (!isObject(doc))
    return { resources: [], warnings: [`${file.path}: response is not a JSON object`] };
  const wrapped = isObject(doc.body) && (isObject(doc.headers) || Object.keys(doc).length === 1);
  const headers = wrapped && isObject(doc.headers) ? doc.headers : {};
  const status = headers.status;
  // A status that is neither text nor a number is no success either (and cannot become text).
  const code = typeof status === 'string' || typeof status === 'number' ? String(status) : '?';
  if (status !== undefined && !/^2\d\d$/.test(code)) {
    return { resources: [], warnings: [`${file.path}: recorded HTTP status ${code}`] };
  }
  const body = wrapped ? (doc.body as Record<string, unknown>) : doc;
  const resources = itemsOf(body, loc.collection)
    .map(({ item, scope }) => toResource(file, item, scope, loc))
    .filter((r): r is Resource => r !== undefined);
  const pools = resources.filter((r) => r.type === CLUSTER_TYPE).flatMap(nodePoolsOf);
  return { resources: [...resources, ...pools] };
}

export const restResponseReader: Reader = {
  kind: 'gcp-api',
  detect: (file) => /\.json(\.gz)?$/i.test(file.path) && locate(file) !== undefined,
  read: readRestResponse,
};
