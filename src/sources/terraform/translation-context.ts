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
 *
 * @param warn receives what a translator could not place (`TranslationContext.warn`)
 */
export function createTranslationContext(
  blocks: TerraformBlock[],
  warn?: (message: string) => void,
): TranslationContext {
  const byAddress = new Map<string, TerraformBlock>();
  for (const block of blocks) {
    byAddress.set(block.address, block);
    const base = withoutIndex(block.address);
    if (!byAddress.has(base)) byAddress.set(base, block);
  }
  // Referrers by the address they name as written, and by its block: an instance's candidates
  // are those naming it or its block, not every referrer of every sibling instance.
  const byName = new Map<string, TerraformBlock[]>();
  const byBlock = new Map<string, TerraformBlock[]>();
  for (const block of blocks) {
    for (const ref of new Set(block.references)) addTo(byName, ref, block);
    for (const base of new Set(block.references.map(withoutIndex))) addTo(byBlock, base, block);
  }
  return {
    blocks,
    warn,
    byAddress: (address) => byAddress.get(address),
    referrers(type, address, attr) {
      const target = byAddress.get(address);
      const base = withoutIndex(address);
      const candidates =
        base === address
          ? (byBlock.get(address) ?? [])
          : [...new Set([...(byName.get(address) ?? []), ...(byName.get(base) ?? [])])];
      return candidates.filter((b) => {
        if (b.type !== type) return false;
        const refs = attr ? attributeReferences(b, attr) : b.references;
        if (refs) return refersTo(refs, address);
        return attributeRefersTo(b.attributes[attr!], address, target);
      });
    },
  };
}

function addTo(map: Map<string, TerraformBlock[]>, key: string, block: TerraformBlock): void {
  const list = map.get(key);
  if (list) list.push(block);
  else map.set(key, [block]);
}

/**
 * Whether references point at the block instance `address`: by naming it, or by naming its
 * block without an index. References that name another instance of the same block and not this
 * one belong to that instance, even when the expression also read the whole block
 * (`bucket = local.first.id` with `first = values(aws_s3_bucket.b)[0]`).
 */
function refersTo(refs: string[], address: string): boolean {
  if (refs.includes(address)) return true;
  const base = withoutIndex(address);
  let loose = false;
  for (const ref of refs) {
    if (withoutIndex(ref) !== base) continue;
    if (address === base || ref === base) loose = true;
    else return false;
  }
  return loose;
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
