/**
 * What every AWS block translator needs besides its own block: the blocks that decorate it
 * (policies, rules, attachments) and the canonical ids of the blocks it points at.
 */

import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { attributeReferences } from '../../terraform/attribute-references.js';
import { knownString } from './tf-values.js';

export interface AwsContext {
  tf: TranslationContext;
  /**
   * Blocks of `type` whose attribute `attr` points at `owner`, by expression
   * (`bucket = aws_s3_bucket.logs.id`) or by the owner's literal name (`bucket = "logs"`).
   */
  owned(type: string, owner: TerraformBlock, attr: string, names?: unknown[]): TerraformBlock[];
  /** Blocks of `type` (or any type) that `from` refers to. */
  referenced(from: TerraformBlock, type?: string): TerraformBlock[];
  /** Canonical id of a block's resource: the ARN when known statically, else its address. */
  idOf(block: TerraformBlock): string;
  /** Every block `owned` has returned so far: the decorating blocks that found their owner. */
  joined: ReadonlySet<TerraformBlock>;
}

/** Wraps the evaluator's context with the lookups the AWS translators share. */
export function awsContext(tf: TranslationContext): AwsContext {
  const joined = new Set<TerraformBlock>();
  return {
    tf,
    owned(type, owner, attr, names = []) {
      const found = ownedBlocks(tf, type, owner, attr, names);
      for (const b of found) joined.add(b);
      return found;
    },
    referenced: (from, type) => referencedBlocks(tf, from, type),
    idOf,
    joined,
  };
}

/** The address without its instance key: `aws_s3_bucket.x[0]` → `aws_s3_bucket.x`. */
export function baseAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, '');
}

function ownedBlocks(
  tf: TranslationContext,
  type: string,
  owner: TerraformBlock,
  attr: string,
  names: unknown[],
): TerraformBlock[] {
  const found = new Map<string, TerraformBlock>();
  for (const b of tf.referrers(type, owner.address, attr)) found.set(b.address, b);

  // A child that refers to `aws_x.y` (no index) while the owner is `aws_x.y[0]`: pair the
  // instances by index, as `aws_x.y[count.index]` does. A child naming another instance
  // (`aws_x.y[1]`) is that one's.
  if (found.size === 0 && owner.index !== undefined) {
    for (const b of tf.referrers(type, baseAddress(owner.address), attr)) {
      if (b.index !== undefined && b.index !== owner.index) continue;
      if (namesOtherInstance(b, attr, owner.address)) continue;
      found.set(b.address, b);
    }
  }

  const literal = new Set(names.map(knownString).filter((n): n is string => !!n));
  if (literal.size > 0) {
    for (const b of tf.blocks) {
      if (b.type !== type || b.mode !== 'managed' || found.has(b.address)) continue;
      const value = b.attributes[attr];
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && literal.has(v))) found.set(b.address, b);
    }
  }
  return [...found.values()];
}

/** Whether `b`'s attribute names an instance of `owner`'s block other than `owner`. */
function namesOtherInstance(b: TerraformBlock, attr: string, owner: string): boolean {
  const base = baseAddress(owner);
  return (attributeReferences(b, attr) ?? []).some(
    (r) => r !== owner && r !== base && baseAddress(r) === base,
  );
}

function referencedBlocks(
  tf: TranslationContext,
  from: TerraformBlock,
  type?: string,
): TerraformBlock[] {
  const out: TerraformBlock[] = [];
  for (const address of from.references) {
    const b = tf.byAddress(address);
    if (b && (type === undefined || b.type === type) && !out.includes(b)) out.push(b);
  }
  return out;
}

function idOf(block: TerraformBlock): string {
  if (block.type === 'aws_s3_bucket') {
    const name = knownString(block.attributes.bucket);
    if (name) return `arn:aws:s3:::${name}`;
  }
  return block.address;
}
