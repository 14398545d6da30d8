/** Builds the canonical resource for one translated Terraform block, with its location. */

import { isUnknown, type Relationship, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import { knownString, tags as readTags } from './tf-values.js';

export interface ResourceParts {
  /** CloudFormation type name, e.g. `AWS::S3::Bucket`. */
  type: string;
  properties: Record<string, unknown>;
  /** Display name: the resource's own name when known, else the block label. */
  name?: unknown;
  id?: string;
  relationships?: Relationship[];
}

/** The canonical resource for `block`, listing every property path left unknown. */
export function toResource(block: TerraformBlock, parts: ResourceParts): Resource {
  const unknown = unknownPaths(parts.properties);
  const resource: Resource = {
    cloud: 'aws',
    type: parts.type,
    id: parts.id ?? block.address,
    name: knownString(parts.name) ?? block.name,
    tags: readTags(block.attributes.tags_all ?? block.attributes.tags),
    properties: parts.properties,
    relationships: dedupe(parts.relationships ?? []),
    source: { kind: 'terraform', file: block.file, line: block.line, address: block.address },
  };
  // The resource's own region (AWS provider v6), else its provider configuration's.
  const region = knownString(block.attributes.region) ?? knownString(block.providerConfig?.region);
  if (region) resource.region = region;
  if (unknown.length > 0) resource.unknown = unknown;
  if (block.suppressions?.length) resource.suppressions = block.suppressions.map((s) => ({ ...s }));
  return resource;
}

/** Dot-separated paths of every unknown marker inside `value`. */
export function unknownPaths(value: unknown, prefix = ''): string[] {
  if (isUnknown(value)) return [prefix];
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  for (const [k, v] of entries)
    for (const item of unknownPaths(v, prefix ? `${prefix}.${k}` : k)) out.push(item);
  return out;
}

function dedupe(relationships: Relationship[]): Relationship[] {
  const seen = new Set<string>();
  return relationships.filter((r) => {
    const key = `${r.kind}\u0000${r.target}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
