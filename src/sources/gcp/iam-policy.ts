/** IAM policies in one shape (`{ bindings: [{ role, members }] }`) whatever the source's casing. */

import { isObject } from './json-text.js';

export interface IamBinding {
  role: string;
  members: string[];
  condition?: unknown;
}

export interface IamPolicy {
  bindings: IamBinding[];
  auditConfigs?: unknown[];
  version?: number;
}

/** Normalises an API or CAI IAM policy (camelCase or snake_case keys); drops malformed bindings. */
export function normalizeIamPolicy(raw: unknown): IamPolicy {
  if (!isObject(raw)) return { bindings: [] };
  const bindings: IamBinding[] = [];
  for (const b of Array.isArray(raw.bindings) ? raw.bindings : []) {
    if (!isObject(b) || typeof b.role !== 'string') continue;
    const members = Array.isArray(b.members) ? b.members.filter((m) => typeof m === 'string') : [];
    const binding: IamBinding = { role: b.role, members: members as string[] };
    if (b.condition !== undefined) binding.condition = b.condition;
    bindings.push(binding);
  }
  const policy: IamPolicy = { bindings };
  const audit = raw.auditConfigs ?? raw.audit_configs;
  if (Array.isArray(audit)) policy.auditConfigs = audit;
  if (typeof raw.version === 'number') policy.version = raw.version;
  return policy;
}

/** Adds members to a role's binding (creating it), keeping members unique. */
export function addMembers(policy: IamPolicy, role: string, members: string[]): void {
  let binding = policy.bindings.find(
    (b) => b.role === role && b.condition === undefined && Array.isArray(b.members),
  );
  if (!binding) {
    binding = { role, members: [] };
    policy.bindings.push(binding);
  }
  for (const m of members) if (!binding.members.includes(m)) binding.members.push(m);
}
