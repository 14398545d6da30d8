/**
 * Hand-built evaluated Terraform blocks for translator tests: references are written as
 * `ref('aws_vpc.main')`, which the evaluator would leave as an unknown id, and the context
 * answers `referrers` per attribute as the evaluator does.
 */

import { unknownValue } from '../../../src/model/resource.js';
import type {
  TerraformBlock,
  TranslationContext,
} from '../../../src/sources/terraform/terraform-block.js';

const REF = Symbol('ref');

interface Ref {
  [REF]: string;
}

/** A reference to another block's computed attribute (`aws_vpc.main.id`). */
export function ref(address: string): Ref {
  return { [REF]: address };
}

function isRef(v: unknown): v is Ref {
  return typeof v === 'object' && v !== null && REF in v;
}

interface Built {
  block: TerraformBlock;
  /** attribute name → addresses referenced inside it */
  refs: Map<string, Set<string>>;
}

function resolveRefs(value: unknown, found: Set<string>): unknown {
  if (isRef(value)) {
    found.add(value[REF]);
    return unknownValue(`${value[REF]} is known only after apply`);
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, found));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, found)]));
  }
  return value;
}

/** One managed (or data) block at `address`, e.g. `aws_s3_bucket.logs`. */
export function tf(address: string, attributes: Record<string, unknown>, line = 1): Built {
  const data = address.startsWith('data.');
  const [type, name] = address.replace(/^data\./, '').split('.');
  const refs = new Map<string, Set<string>>();
  const resolved: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributes)) {
    const found = new Set<string>();
    resolved[k] = resolveRefs(v, found);
    if (found.size > 0) refs.set(k, found);
  }
  const references = [...new Set([...refs.values()].flatMap((s) => [...s]))];
  return {
    block: {
      mode: data ? 'data' : 'managed',
      type: type!,
      name: name!.replace(/\[.*$/, ''),
      address,
      module: '',
      attributes: resolved,
      references,
      file: 'main.tf',
      line,
    },
    refs,
  };
}

/** The translation context over `built` blocks. */
export function context(...built: Built[]): TranslationContext {
  const blocks = built.map((b) => b.block);
  return {
    blocks,
    byAddress: (address) =>
      blocks.find((b) => b.address === address || b.address.replace(/\[.*\]$/, '') === address),
    referrers: (type, address, attr) =>
      built
        .filter((b) => b.block.type === type)
        .filter((b) =>
          attr === undefined
            ? b.block.references.includes(address)
            : (b.refs.get(attr)?.has(address) ?? false),
        )
        .map((b) => b.block),
  };
}
