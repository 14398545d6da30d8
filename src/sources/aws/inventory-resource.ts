/**
 * Builds canonical resources for the AWS inventory readers, filling account and region from the
 * ARN when the record does not carry them.
 */

import type { Relationship, Resource, SourceKind } from '../../model/resource.js';
import { arnParts, type Props } from './aws-api-values.js';
import { lazyField } from '../lazy-field.js';

export interface InventoryInput {
  type: string;
  id: string;
  name?: string;
  /** The properties, or how to build them when first read (see `lazyField`). */
  properties: Props | (() => Props);
  arn?: string;
  account?: string;
  region?: string;
  tags?: Record<string, string>;
  relationships?: Relationship[];
  /** Sub-resource keys this record did not show (see docs/resource-shapes-aws.md). */
  unknown?: string[];
  /** When the record was captured, epoch ms (see `ResourceSource.capturedAt`). */
  capturedAt?: number;
  /** The record says the resource was deleted then (see `ResourceSource.deleted`). */
  deleted?: true;
}

/** One inventory resource; `kind` and `file` say which reader and file produced it. */
export function inventoryResource(input: InventoryInput, kind: SourceKind, file: string): Resource {
  const resource = {
    cloud: 'aws',
    type: input.type,
    id: input.id,
    name: input.name ?? input.id,
    tags: input.tags ?? {},
  } as Resource;
  // Every resource gets its keys in the same order, built lazily or not.
  const properties = input.properties;
  if (typeof properties === 'function') lazyField(resource, 'properties', properties);
  else resource.properties = properties;
  resource.relationships = input.relationships ?? [];
  const source: Resource['source'] = { kind, file };
  if (input.capturedAt !== undefined) source.capturedAt = input.capturedAt;
  if (input.deleted) source.deleted = true;
  resource.source = source;
  let account = input.account;
  let region = input.region;
  // The ARN is split only when the record lacks its account or region.
  if (account == null || region == null) {
    const fromArn = arnParts(input.arn ?? input.id);
    account ??= fromArn.account;
    region ??= fromArn.region;
  }
  if (account) resource.account = account;
  if (region) resource.region = region;
  if (input.unknown && input.unknown.length > 0) resource.unknown = input.unknown;
  return resource;
}
