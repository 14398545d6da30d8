/** Canonical resources from google_* blocks: ids, source location, references and unknowns. */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import { gcpResource } from '../gcp-resource.js';
import { knownStr, unknownPaths } from './values.js';

export interface TfResourceProps {
  type: string;
  /** CAI full name when every part of it is known; the block address otherwise. */
  caiId?: string;
  name?: unknown;
  account?: unknown;
  region?: unknown;
  properties: Record<string, unknown>;
  /** Extra unknown paths (values known only after apply that the API shape would hold). */
  unknown?: string[];
}

/** A resource for one block, keeping its file, line, address, suppressions and references. */
export function tfResource(block: TerraformBlock, props: TfResourceProps): Resource {
  const unknown = [...unknownPaths(props.properties), ...(props.unknown ?? [])];
  const r = gcpResource({
    type: props.type,
    id: props.caiId ?? block.address,
    name: knownStr(props.name) ?? block.name,
    account: knownStr(props.account),
    region: knownStr(props.region),
    properties: props.properties,
    kind: 'terraform',
    file: block.file,
    line: block.line,
    address: block.address,
    unknown,
  });
  if (block.suppressions && block.suppressions.length > 0) r.suppressions = [...block.suppressions];
  for (const target of block.references) {
    if (target.startsWith('var.') || target.startsWith('local.')) continue;
    r.relationships.push({ kind: 'references', target });
  }
  return r;
}

/** Address without its instance key: `google_x.y["a"]` -> `google_x.y`. */
export function baseAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, '');
}

/**
 * True when `decorator` (an IAM member, a node pool) points at `target`: by reference to its
 * address, or by a literal value equal to the target's `name` attribute.
 */
export function refersTo(decorator: TerraformBlock, attr: string, target: TerraformBlock): boolean {
  const refs = decorator.references;
  const addrs = [target.address, baseAddress(target.address)];
  if (refs.some((r) => addrs.includes(r) || addrs.includes(baseAddress(r)))) return true;
  const value = knownStr(decorator.attributes[attr]);
  if (value === undefined) return false;
  const name = knownStr(target.attributes.name);
  return value === name || value === target.attributes.id || value.endsWith(`/${name ?? '\0'}`);
}

/** The CAI full name if every part is a known string, else undefined. */
export function caiIdIfKnown(
  service: string,
  parts: unknown[],
  build: (p: string[]) => string,
): string | undefined {
  const known = parts.map(knownStr);
  if (known.some((p) => p === undefined)) return undefined;
  return `//${service}.googleapis.com/${build(known as string[])}`;
}
