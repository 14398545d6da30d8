/**
 * IAM policy documents as objects: heredoc / jsonencode strings parsed, URL-encoded text
 * decoded, and `data.aws_iam_policy_document` blocks rebuilt into the JSON AWS would store.
 */

import { isUnknown, unknownValue, type UnknownValue } from '../../../model/resource.js';
import { jsonEncoded } from '../../terraform/expression/value.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { blocks, items, mapBlocks, str, type Attrs } from './tf-values.js';

/**
 * The policy document in `value` as an object; a marker when it cannot be known or parsed.
 * `owner` is the block holding the attribute, used to find a referenced policy-document data
 * source when the evaluator left the `.json` unknown.
 */
export function policyDocument(value: unknown, owner?: TerraformBlock, ctx?: AwsContext): unknown {
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) return fromDataSource(owner, ctx) ?? encodedDocument(value) ?? value;
  if (typeof value === 'object') return value;
  if (typeof value !== 'string') return unknownValue('policy document is not a JSON object');
  return parsePolicyText(value);
}

/** Parses policy JSON text, URL-decoding it first when IAM returned it encoded. */
export function parsePolicyText(text: string): unknown {
  const trimmed = text.trim();
  const candidates = [trimmed];
  if (trimmed.startsWith('%7B') || trimmed.startsWith('%7b')) {
    try {
      candidates.unshift(decodeURIComponent(trimmed));
    } catch {
      // Not URL-encoded after all; the plain text is tried below.
    }
  }
  for (const c of candidates) {
    try {
      const parsed: unknown = JSON.parse(c);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
    } catch {
      // Try the next candidate.
    }
  }
  return unknownValue('policy document is not valid JSON');
}

/** The object a `jsonencode()` with unknown parts was given, its unknown leaves kept as such. */
function encodedDocument(value: UnknownValue): unknown {
  const given = jsonEncoded.get(value);
  return typeof given === 'object' && given !== null && !Array.isArray(given) && !isUnknown(given)
    ? given
    : undefined;
}

function fromDataSource(owner?: TerraformBlock, ctx?: AwsContext): unknown {
  if (!owner || !ctx) return undefined;
  const docs = ctx.referenced(owner, 'aws_iam_policy_document');
  if (docs.length !== 1) return undefined;
  return documentFromBlock(docs[0]!);
}

/** Rebuilds the JSON document an `aws_iam_policy_document` data source renders. */
export function documentFromBlock(doc: TerraformBlock): unknown {
  const statements = mapBlocks(doc.attributes.statement, statement);
  const version = str(doc.attributes.version, '2012-10-17');
  // Known gap: source_policy_documents / override_policy_documents are not merged in.
  return { Version: version, Statement: statements };
}

function statement(s: Attrs): Attrs {
  const out: Attrs = { Effect: str(s.effect, 'Allow') };
  if (s.sid !== undefined) out.Sid = s.sid;
  setList(out, 'Action', s.actions);
  setList(out, 'NotAction', s.not_actions);
  setList(out, 'Resource', s.resources);
  setList(out, 'NotResource', s.not_resources);
  const principal = principals(s.principals);
  if (principal !== undefined) out.Principal = principal;
  const notPrincipal = principals(s.not_principals);
  if (notPrincipal !== undefined) out.NotPrincipal = notPrincipal;
  if (isUnknown(s.condition)) {
    out.Condition = s.condition;
    return out;
  }
  const conditions = blocks(s.condition);
  if (conditions.length > 0) {
    const cond: Record<string, Record<string, unknown>> = {};
    for (const c of conditions) {
      const test = String(str(c.test, 'StringEquals'));
      const variable = String(str(c.variable, ''));
      cond[test] = { ...(cond[test] ?? {}), [variable]: c.values };
    }
    out.Condition = cond;
  }
  return out;
}

function setList(out: Attrs, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (isUnknown(value)) {
    out[key] = value;
    return;
  }
  const l = items(value);
  out[key] = l.length === 1 ? l[0] : l;
}

function principals(value: unknown): unknown {
  if (isUnknown(value)) return value;
  const list = blocks(value);
  if (list.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const p of list) {
    if (isUnknown(p.type) || isUnknown(p.identifiers)) {
      return unknownValue('the principals of the statement are known only after apply');
    }
    const type = String(str(p.type, 'AWS'));
    const ids = items(p.identifiers);
    if (type === '*' && ids.length === 1 && ids[0] === '*') return '*';
    const prev = out[type];
    const merged = [...(prev === undefined ? [] : items(prev)), ...ids];
    out[type] = merged.length === 1 ? merged[0] : merged;
  }
  return out;
}
