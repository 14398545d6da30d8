/**
 * The Terraform plan gate: of a plan (`terraform show -json`), only resources the plan creates or
 * updates are judged, on their planned (`after`) values. Deleted, unchanged and read-only entries
 * are left out; values unknown until apply are already unknown markers (see the plan reader), so
 * they give "cannot be judged", never a failure.
 */

import type { Resource } from '../model/resource.js';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a plan does to each resource address. */
export interface PlanChanges {
  /** Addresses the plan creates or updates (a replacement counts: it creates). */
  changed: Set<string>;
  /** Actions by address, for every managed resource change. */
  actions: Map<string, string[]>;
  /** Addresses each changed block's configuration refers to (`aws_s3_bucket.logs`). */
  references: Map<string, string[]>;
}

/** True for `["create"]`, `["update"]` and both orders of a replacement. */
export function createsOrUpdates(actions: string[]): boolean {
  return actions.includes('create') || actions.includes('update');
}

/** Reads the changes of a plan JSON document (already parsed). */
export function planChanges(plan: unknown): PlanChanges {
  const changed = new Set<string>();
  const actions = new Map<string, string[]>();
  const doc = isRecord(plan) ? plan : {};
  for (const change of Array.isArray(doc.resource_changes) ? doc.resource_changes : []) {
    if (!isRecord(change) || typeof change.address !== 'string' || !isRecord(change.change))
      continue;
    if (change.mode === 'data') continue;
    const list = Array.isArray(change.change.actions)
      ? change.change.actions.filter((a): a is string => typeof a === 'string')
      : [];
    actions.set(change.address, list);
    if (createsOrUpdates(list)) changed.add(change.address);
  }
  const references = new Map<string, string[]>();
  const config = isRecord(doc.configuration) ? doc.configuration.root_module : undefined;
  collectReferences(config, '', references, 0);
  return { changed, actions, references };
}

function collectReferences(
  module: unknown,
  prefix: string,
  out: Map<string, string[]>,
  depth: number,
): void {
  if (!isRecord(module) || depth > 32) return;
  for (const r of Array.isArray(module.resources) ? module.resources : []) {
    if (!isRecord(r) || typeof r.address !== 'string') continue;
    const refs = new Set<string>();
    gatherRefs(r.expressions, refs, 0);
    const address = prefix ? `${prefix}.${r.address}` : r.address;
    out.set(
      address,
      [...refs].map((ref) => (prefix ? `${prefix}.${ref}` : ref)),
    );
  }
  if (!isRecord(module.module_calls)) return;
  for (const [name, call] of Object.entries(module.module_calls)) {
    if (!isRecord(call)) continue;
    const path = prefix ? `${prefix}.module.${name}` : `module.${name}`;
    collectReferences(call.module, path, out, depth + 1);
  }
}

/** `aws_s3_bucket.logs.id` → `aws_s3_bucket.logs`; `var.x` gives nothing. */
function blockOf(ref: string): string | undefined {
  const m = /^([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)/.exec(ref);
  if (!m || /^(var|local|count|each|path|terraform|self|data|module)\./.test(m[1]))
    return undefined;
  return m[1];
}

function gatherRefs(expr: unknown, out: Set<string>, depth: number): void {
  if (depth > 32) return;
  if (Array.isArray(expr)) {
    for (const e of expr) gatherRefs(e, out, depth + 1);
    return;
  }
  if (!isRecord(expr)) return;
  for (const ref of Array.isArray(expr.references) ? expr.references : []) {
    const block = typeof ref === 'string' ? blockOf(ref) : undefined;
    if (block) out.add(block);
  }
  for (const [k, v] of Object.entries(expr)) if (k !== 'references') gatherRefs(v, out, depth + 1);
}

/** Module path and address without instance keys: `module.a[0].x.y[1]` → `module.a.x.y`. */
function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]/g, '');
}

/**
 * The resources of one plan file that the gate judges. A resource is judged when the plan creates
 * or updates it, or when a changed block was folded into it by the reader (an S3 bucket's public
 * access block becomes part of the bucket): changing the fragment changes the bucket.
 *
 * ```ts
 * const judged = resourcesToJudge(planResources, planChanges(JSON.parse(text)));
 * ```
 */
export function resourcesToJudge(resources: Resource[], changes: PlanChanges): Resource[] {
  const own = new Set(resources.map((r) => r.source.address).filter(Boolean) as string[]);
  const touched = new Set(changes.changed);
  for (const address of changes.changed) {
    if (own.has(address)) continue;
    // Folded into another resource: the blocks it refers to change with it.
    for (const ref of changes.references.get(configAddress(address)) ?? []) touched.add(ref);
  }
  return resources.filter((r) => {
    const address = r.source.address;
    if (!address) return false;
    return touched.has(address) || touched.has(configAddress(address));
  });
}
