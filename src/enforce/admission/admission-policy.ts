/**
 * The policy the webhook judges with: the rules (compiled once), the assignments of the policy
 * files and those made through the API (read again every few seconds), and the exempt
 * namespaces. With no assignment at all every rule is audited: nothing is denied until an
 * administrator assigns deny.
 */

import type { Kysely } from 'kysely';
import type { Rule } from '../../model/rule.js';
import { loadCatalog } from '../../posture/benchmark-catalog.js';
import { compileRules, type CompiledRule } from '../../posture/engine.js';
import { loadRules } from '../../posture/rule-loader.js';
import { storedAssignments } from '../../store/assignment-repository.js';
import type { EnforcementPolicy } from '../assignment.js';
import { loadPolicy } from '../assignment-loader.js';
import { defaultPolicy, resolveAssignments } from '../resolve-assignments.js';
import type { JudgePolicy } from './admission-judge.js';

export interface AdmissionPolicySourceOptions {
  /** Policy files and folders. */
  files: string[];
  ruleDirs: string[];
  exemptNamespaces: readonly string[];
  /** Store with API assignments; none means files only. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db?: Kysely<any>;
  refreshMs: number;
  /** Reports a refresh that failed; the last good policy stays in force. */
  onRefreshError?: (error: Error) => void;
  now?: () => number;
}

/**
 * Rules that judge where an object was written, not the object: a Secret at the API server
 * always holds its values, so "values written in the manifest" says nothing there.
 */
export const MANIFEST_ONLY_RULES: ReadonlySet<string> = new Set([
  'kubernetes-secret-not-committed-in-manifest',
]);

/** The rules that can judge an admission request: Kubernetes rules about the object itself. */
export function admissionRules(rules: Rule[]): Rule[] {
  return rules.filter((r) => r.cloud === 'kubernetes' && !MANIFEST_ONLY_RULES.has(r.id));
}

/**
 * Loads the policy and keeps it fresh; `current()` is what every review awaits.
 *
 * ```ts
 * const source = await AdmissionPolicySource.open({ files: ['policy.yaml'], ruleDirs: [],
 *   exemptNamespaces: ['kube-system'], db, refreshMs: 10_000 });
 * const policy = await source.current();
 * ```
 */
export class AdmissionPolicySource {
  readonly #options: AdmissionPolicySourceOptions;
  readonly #rules: Rule[];
  readonly #compiled: CompiledRule[];
  readonly #filePolicy: EnforcementPolicy;
  readonly #standards: Awaited<ReturnType<typeof loadCatalog>>['standards'];
  #policy: JudgePolicy;
  #loadedAt: number;
  #refreshing: Promise<void> | undefined;

  private constructor(
    options: AdmissionPolicySourceOptions,
    parts: {
      rules: Rule[];
      compiled: CompiledRule[];
      filePolicy: EnforcementPolicy;
      standards: Awaited<ReturnType<typeof loadCatalog>>['standards'];
      policy: JudgePolicy;
    },
  ) {
    this.#options = options;
    this.#rules = parts.rules;
    this.#compiled = parts.compiled;
    this.#filePolicy = parts.filePolicy;
    this.#standards = parts.standards;
    this.#policy = parts.policy;
    this.#loadedAt = this.#now();
  }

  /** Loads rules, policy files and stored assignments; throws what the first load hits. */
  static async open(options: AdmissionPolicySourceOptions): Promise<AdmissionPolicySource> {
    // Assignments resolve against every rule (an initiative may name other clouds' rules too);
    // only Kubernetes rules can judge a request, so only they are compiled.
    const rules = await loadRules(options.ruleDirs);
    const compiled = compileRules(admissionRules(rules));
    const filePolicy = await loadPolicy(options.files);
    const { standards } = await loadCatalog();
    const stored = options.db ? await storedAssignments(options.db) : [];
    const policy = build(options, rules, compiled, filePolicy, standards, stored);
    return new AdmissionPolicySource(options, { rules, compiled, filePolicy, standards, policy });
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** The rules that judge requests (Kubernetes rules only). */
  get compiled(): CompiledRule[] {
    return this.#compiled;
  }

  /** The policy in force, read again from the store once it is older than `refreshMs`. */
  async current(): Promise<JudgePolicy> {
    const stale = this.#options.db && this.#now() - this.#loadedAt >= this.#options.refreshMs;
    // A refresh runs in the background: reviews never wait on the store.
    if (stale && !this.#refreshing) {
      this.#refreshing = this.refresh().finally(() => (this.#refreshing = undefined));
    }
    return this.#policy;
  }

  /** Reads the stored assignments again; on failure the last good policy stays. */
  async refresh(): Promise<void> {
    this.#loadedAt = this.#now();
    if (!this.#options.db) return;
    try {
      const stored = await storedAssignments(this.#options.db);
      this.#policy = build(
        this.#options,
        this.#rules,
        this.#compiled,
        this.#filePolicy,
        this.#standards,
        stored,
      );
    } catch (error) {
      this.#options.onRefreshError?.(error as Error);
    }
  }
}

function build(
  options: AdmissionPolicySourceOptions,
  rules: Rule[],
  compiled: CompiledRule[],
  filePolicy: EnforcementPolicy,
  standards: Awaited<ReturnType<typeof loadCatalog>>['standards'],
  stored: EnforcementPolicy['assignments'],
): JudgePolicy {
  const merged: EnforcementPolicy = {
    initiatives: filePolicy.initiatives,
    assignments: [...filePolicy.assignments, ...stored],
  };
  const policy = merged.assignments.length > 0 ? merged : defaultPolicy('audit');
  return {
    compiled,
    assignments: resolveAssignments(policy, rules, standards),
    exemptNamespaces: options.exemptNamespaces,
  };
}
