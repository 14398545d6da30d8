/** Builds canonical GCP resources: one place for ids, names, labels as tags and sources. */

import {
  INVENTORY_SOURCE_KINDS,
  type Resource,
  type ResourceSource,
  type SourceKind,
} from '../../model/resource.js';
import { parseCaiName } from './cai-name.js';
import { isObject } from './json-text.js';
import { SERVICE_ACCOUNT_TYPE, serviceAccountName } from './service-account-names.js';

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
 * One canonical GCP resource. Project and location default to what the CAI name holds. An
 * inventory service account is named by its unique id as CAI names it (`serviceAccountName`)
 * and, unless given a name, called by its email.
 *
 * ```ts
 * gcpResource({ type: 'storage.googleapis.com/Bucket', id: '//storage.googleapis.com/b',
 *   properties: { name: 'b' }, kind: 'gcp-api' });
 * ```
 */
export function gcpResource(given: GcpResourceProps): Resource {
  const props = given.type === SERVICE_ACCOUNT_TYPE ? asServiceAccount(given) : given;
  const parsed = props.id.startsWith('//') ? parseCaiName(props.id) : undefined;
  const properties = props.properties;
  const name = props.name ?? parsed?.name ?? props.id;
  const tags = labelsToTags(properties.labels);
  const source = sourceOf(props);
  const account = props.account ?? parsed?.project;
  const region = props.region ?? parsed?.location;
  // The common record (project and location known) is built whole, with its keys in the order
  // the general path adds them: adding keys to a built object costs a second allocation.
  const resource: Resource =
    account !== undefined && region !== undefined
      ? {
          cloud: 'gcp',
          type: props.type,
          id: props.id,
          name,
          tags,
          properties,
          relationships: [],
          source,
          account,
          region,
        }
      : {
          cloud: 'gcp',
          type: props.type,
          id: props.id,
          name,
          tags,
          properties,
          relationships: [],
          source,
        };
  if (account !== undefined && region === undefined) resource.account = account;
  if (region !== undefined && account === undefined) resource.region = region;
  if (props.unknown !== undefined && props.unknown.length > 0) resource.unknown = props.unknown;
  return resource;
}

/** An inventory service account's props: CAI's name for it, its email as its name. */
function asServiceAccount(props: GcpResourceProps): GcpResourceProps {
  if (!INVENTORY_SOURCE_KINDS.has(props.kind)) return props;
  const email = props.properties.email;
  return {
    ...props,
    id: serviceAccountName(props.id, props.properties),
    name: props.name ?? (typeof email === 'string' && email !== '' ? email : undefined),
  };
}

/** Where a resource was read: kind, then file, line and IaC address when known. */
function sourceOf(props: GcpResourceProps): ResourceSource {
  const { kind, file, line, address } = props;
  if (file !== undefined && line !== undefined && address === undefined)
    return { kind, file, line };
  const source: ResourceSource = { kind };
  if (file !== undefined) source.file = file;
  if (line !== undefined) source.line = line;
  if (address !== undefined) source.address = address;
  return source;
}
