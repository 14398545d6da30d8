/**
 * Policy assignments: a benchmark or a custom initiative (a named set of rules) applied to a scope
 * (accounts, subscriptions, projects, namespaces, paths) with an enforcement mode per rule and
 * parameters (allowed regions, allowed ports, required tags) that reach the rules' CEL as `params`.
 */

import type { InlineSuppressionPolicy } from './inline-suppression-policy.js';
import type { EnforcementMode } from './enforcement-mode.js';

/**
 * A custom initiative: a named set of rules. Entries are rule ids or globs over rule ids
 * (`aws-s3-*`).
 *
 * ```yaml
 * initiatives:
 *   - id: storage-baseline
 *     title: Storage baseline
 *     rules: [aws-s3-*, azure-storage-https-only]
 * ```
 */
export interface Initiative {
  id: string;
  title: string;
  rules: string[];
  /** File the initiative was read from, or `api` for an API object. */
  origin?: string;
}

/**
 * Where an assignment applies. Every dimension given must match; a dimension left out matches
 * everything. `accounts`, `subscriptions`, `projects` and `namespaces` are the AWS, Azure, GCP and
 * Kubernetes places: when any of them is given, a resource matches only through its own cloud's
 * list, so `namespaces: [prod]` covers no AWS bucket. Values are globs (`prod-*`); `paths` are
 * globs over IaC file paths (`infra/**`), relative to the folder of the policy file that declares
 * them (`pathBase`), or to the working folder for an assignment that came from no file.
 */
export interface AssignmentScope {
  accounts?: string[];
  subscriptions?: string[];
  projects?: string[];
  namespaces?: string[];
  paths?: string[];
}

/**
 * One assignment.
 *
 * ```yaml
 * assignments:
 *   - id: prod-deny
 *     initiative: storage-baseline       # or: benchmark: palisade | cis-aws | nist-800-53 ...
 *     scope: { namespaces: [prod-*], paths: [infra/prod/**] }
 *     exclude: { namespaces: [kube-system] }
 *     mode: deny
 *     rules: { aws-s3-versioning: audit } # per-rule modes
 *     parameters: { allowed_regions: [eu-west-1] }
 * ```
 */
export interface Assignment {
  id: string;
  title: string;
  /** `palisade` (every loaded rule) or a standard id (`cis-aws`): rules mapped to it. */
  benchmark?: string;
  /** Id of a custom initiative. Exactly one of `benchmark` and `initiative` is set. */
  initiative?: string;
  scope: AssignmentScope;
  /** Places inside the scope the assignment does not cover. */
  exclude: AssignmentScope;
  /** Mode of every rule in the set unless `rules` names another; `audit` when left out. */
  mode: EnforcementMode;
  /** Per-rule modes (rule id → mode); the ids must be in the assignment's rule set. */
  rules: Record<string, EnforcementMode>;
  /** Values for rule parameters, by parameter name. */
  parameters: Record<string, unknown>;
  origin?: string;
  /** Absolute folder that scope and exclude `paths` are relative to (a policy file's folder). */
  pathBase?: string;
}

/** Everything one or more assignment files declare. */
export interface EnforcementPolicy {
  initiatives: Initiative[];
  assignments: Assignment[];
  /** What inline suppressions may waive in the CI gate; unset: `audit-only`, no wildcards. */
  inlineSuppressions?: InlineSuppressionPolicy;
  /** What the files hold that loads but likely does not mean what it says (a mode left out). */
  warnings?: string[];
}

/** The benchmark id that means every loaded rule. */
export const WHOLE_BENCHMARK = 'palisade';
