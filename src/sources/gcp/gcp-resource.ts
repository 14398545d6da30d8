/** Builds canonical GCP resources: one place for ids, names, labels as tags and sources. */

import type { Resource, SourceKind } from '../../model/resource.js';
import { parseCaiName } from './cai-name.js';
import { isObject } from './json-text.js';

export interface GcpResourceProps {
  type: string;
  /** CAI full resource name, or the IaC address when the name is not known. */
  id: string;
  name?: string;
  account?: string;
  region?: string;
  properties: Record<string, unknown>;
  kind: SourceKind;
  file?: string;
  line?: number;
  address?: string;
  unknown?: string[];
}

/** Labels (`{k: v}`) as the canonical flat tag map; non-string values are dropped. */
export function labelsToTags(labels: unknown): Record<string, string> {
  if (!isObject(labels)) return {};
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') tags[k] = v;
  return tags;
}

/**
 * One canonical GCP resource. Project and location default to what the CAI name holds.
 *
 * ```ts
 * gcpResource({ type: 'storage.googleapis.com/Bucket', id: '//storage.googleapis.com/b',
 *   properties: { name: 'b' }, kind: 'gcp-api' });
 * ```
 */
export function gcpResource(props: GcpResourceProps): Resource {
  const parsed = props.id.startsWith('//') ? parseCaiName(props.id) : undefined;
  const properties = props.properties;
  const resource: Resource = {
    cloud: 'gcp',
    type: props.type,
    id: props.id,
    name: props.name ?? parsed?.name ?? props.id,
    tags: labelsToTags(properties.labels),
    properties,
    relationships: [],
    source: { kind: props.kind },
  };
  const account = props.account ?? parsed?.project;
  const region = props.region ?? parsed?.location;
  if (account !== undefined) resource.account = account;
  if (region !== undefined) resource.region = region;
  if (props.file !== undefined) resource.source.file = props.file;
  if (props.line !== undefined) resource.source.line = props.line;
  if (props.address !== undefined) resource.source.address = props.address;
  if (props.unknown !== undefined && props.unknown.length > 0) resource.unknown = props.unknown;
  return resource;
}
