/**
 * Terraform IAM decorators (`*_iam_binding`, `*_iam_member`, `*_iam_policy`) folded into the
 * `iamPolicy` of the resource they grant on, as Cloud Asset Inventory reports it.
 */

import { isUnknown } from '../../../model/resource.js';
import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { addMembers, normalizeIamPolicy, type IamPolicy } from '../iam-policy.js';
import { baseAddress, refersTo } from './tf-resource.js';
import { blocks } from './values.js';

/** Bindings of a `data "google_iam_policy"` block, as API bindings. */
function dataPolicyBindings(data: TerraformBlock): { role: unknown; members: unknown }[] {
  return blocks(data.attributes, 'binding').map((b) => ({ role: b.role, members: b.members }));
}

/** Policy of an `*_iam_policy` block: its `policy_data` JSON, or the data block it refers to. */
function policyOf(decorator: TerraformBlock, ctx: TranslationContext): IamPolicy | unknown {
  const raw = decorator.attributes.policy_data;
  if (typeof raw === 'string') {
    try {
      return normalizeIamPolicy(JSON.parse(raw));
    } catch {
      return { bindings: [] };
    }
  }
  const ref = decorator.references.find((r) => r.startsWith('data.google_iam_policy.'));
  const data = ref ? (ctx.byAddress(ref) ?? ctx.byAddress(baseAddress(ref))) : undefined;
  if (data) return { bindings: dataPolicyBindings(data) };
  return raw;
}

/** Adds one decorator's grants to `policy`; returns the policy to use (a marker if unknown). */
function apply(policy: IamPolicy, d: TerraformBlock, ctx: TranslationContext): IamPolicy | unknown {
  const a = d.attributes;
  if (d.type.endsWith('_iam_policy')) return policyOf(d, ctx);
  if (isUnknown(a.role))
    return { ...policy, bindings: [...policy.bindings, { role: a.role, members: [] }] };
  if (typeof a.role !== 'string') return policy;
  const members = d.type.endsWith('_iam_member') ? [a.member] : a.members;
  if (isUnknown(members)) {
    policy.bindings.push({ role: a.role, members: members as unknown as string[] });
    return policy;
  }
  const list = Array.isArray(members) ? members : [];
  const known = list.filter((m): m is string => typeof m === 'string');
  addMembers(policy, a.role, known);
  const unknownMembers = list.filter((m) => isUnknown(m));
  if (unknownMembers.length > 0) {
    const binding = policy.bindings.find((b) => b.role === a.role);
    binding?.members.push(...(unknownMembers as unknown as string[]));
  }
  return policy;
}

/** IAM decorator blocks of a resource family (`google_storage_bucket_iam`). */
export function iamDecorators(ctx: TranslationContext, family: string): TerraformBlock[] {
  const types = [`${family}_binding`, `${family}_member`, `${family}_policy`];
  return ctx.blocks.filter((b) => b.mode === 'managed' && types.includes(b.type));
}

/**
 * The IAM policy the decorators of `family` give `target` (matched through `attr`), and which
 * decorators were used. An `_iam_policy` replaces everything; bindings and members add up.
 */
export function mergedIamPolicy(
  ctx: TranslationContext,
  family: string,
  attr: string,
  target: TerraformBlock,
): { policy: unknown; used: TerraformBlock[] } {
  const used = iamDecorators(ctx, family).filter((d) => refersTo(d, attr, target));
  return { policy: foldPolicy(ctx, used), used };
}

/** Folds decorators into one policy (authoritative `_iam_policy` blocks first). */
export function foldPolicy(ctx: TranslationContext, decorators: TerraformBlock[]): unknown {
  const ordered = [...decorators].sort((x, y) => rank(x) - rank(y));
  let policy: unknown = { bindings: [] };
  for (const d of ordered) {
    if (isUnknown(policy)) break;
    policy = apply(policy as IamPolicy, d, ctx);
  }
  return policy;
}

function rank(b: TerraformBlock): number {
  return b.type.endsWith('_iam_policy') ? 0 : 1;
}
