/**
 * Which blocks each top-level attribute of a block refers to (`bucket` → `aws_s3_bucket.b`),
 * kept beside the block so `TranslationContext.referrers(type, address, attr)` can be exact.
 */

import type { TerraformBlock } from './terraform-block.js';

const byBlock = new WeakMap<TerraformBlock, Record<string, string[]>>();

/** Records the references of each attribute of `block`. */
export function setAttributeReferences(
  block: TerraformBlock,
  refs: Record<string, string[]>,
): void {
  byBlock.set(block, refs);
}

/** References of one attribute, or undefined when the reader did not record them. */
export function attributeReferences(block: TerraformBlock, attr: string): string[] | undefined {
  const refs = byBlock.get(block);
  if (!refs) return undefined;
  return refs[attr] ?? [];
}
