/** Builds the `TranslationContext` translators query: blocks by address and who refers to whom. */

import { attributeReferences } from './attribute-references.js';
import type { TerraformBlock, TranslationContext } from './terraform-block.js';

/** Strips a trailing instance index: `aws_subnet.a[0]` → `aws_subnet.a`. */
function withoutIndex(address: string): string {
  return address.replace(/\[[^\]]*\]$/, '');
}

/**
 * Indexes `blocks` for translators.
 *
 * ```ts
 * const ctx = createTranslationContext(blocks);
 * ctx.referrers('aws_s3_bucket_policy', 'aws_s3_bucket.logs', 'bucket');
 * ```
 */
export function createTranslationContext(blocks: TerraformBlock[]): TranslationContext {
  const byAddress = new Map<string, TerraformBlock>();
  for (const block of blocks) {
    byAddress.set(block.address, block);
    const base = withoutIndex(block.address);
    if (!byAddress.has(base)) byAddress.set(base, block);
  }
  const referrersOf = new Map<string, TerraformBlock[]>();
  for (const block of blocks) {
    const seen = new Set<string>();
    for (const ref of block.references) {
      for (const key of [ref, withoutIndex(ref)]) {
        if (seen.has(key)) continue;
        seen.add(key);
        const list = referrersOf.get(key) ?? [];
        list.push(block);
        referrersOf.set(key, list);
      }
    }
  }
  return {
    blocks,
    byAddress: (address) => byAddress.get(address),
    referrers(type, address, attr) {
      const target = byAddress.get(address);
      return (referrersOf.get(withoutIndex(address)) ?? []).filter((b) => {
        if (b.type !== type) return false;
        const refs = attr ? attributeReferences(b, attr) : b.references;
        if (refs) return refs.some((r) => sameTarget(r, address));
        return attributeRefersTo(b.attributes[attr!], address, target);
      });
    },
  };
}

/** Same block instance, or one side names the block without an index. */
function sameTarget(ref: string, address: string): boolean {
  if (ref === address) return true;
  return (
    withoutIndex(ref) === withoutIndex(address) &&
    (ref === withoutIndex(ref) || address === withoutIndex(address))
  );
}

/**
 * Whether an attribute's value points at the target block. The evaluated value is compared with
 * the target's configured name/id-like attributes; a reference without a known value counts.
 */
function attributeRefersTo(
  value: unknown,
  address: string,
  target: TerraformBlock | undefined,
): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'object') return true;
  if (!target) return false;
  const own = Object.values(target.attributes).filter((v) => typeof v === 'string');
  return own.includes(value as string) || String(value).includes(address);
}
