/**
 * The policy the webhook judges with: the rules (compiled once), the assignments and exemptions
 * of the files and those made through the API (read again every `refreshMs`), and the exempt
 * namespaces. With no assignment at all every rule is audited: nothing is denied until an
 * administrator assigns deny.
 */

import type { Kysely } from 'kysely';
import type { Rule } from '../../model/rule.js';
import { loadCatalog } from '../../posture/benchmark-catalog.js';
import { compileRules, type CompiledRule } from '../../posture/engine.js';
import type { Exemption } from '../../posture/exemptions.js';
import { storedAssignments } from '../../store/assignment-repository.js';
import { storedExemptions } from '../../store/exemption-repository.js';
import type { EnforcementPolicy } from '../assignment.js';
import { loadPolicy } from '../assignment-loader.js';
import { loadEnforcementRules } from '../enforcement-rules.js';
import { defaultPolicy, resolveAssignments } from '../resolve-assignments.js';
import type { JudgePolicy } from './admission-judge.js';

export interface AdmissionPolicySourceOptions {
  /** Policy files and folders. */
  files: string[];
  ruleDirs: string[];
  exemptNamespaces: readonly string[];
  /** Entries of the exemptions file; none when unset. */
  exemptions?: Exemption[];
  /** Store with API assignments and exemptions; none means files only. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db?: Kysely<any>;
  /** Age past which the store is read again before a review is answered. */
  refreshMs: number;
  /** Reports a read of the store that failed. */
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

/** What the API adds to the files: assignments and exemptions made through it. */
interface StoredPolicy {
  assignments: EnforcementPolicy['assignments'];
  exemptions: Exemption[];
}

const NOTHING_STORED: StoredPolicy = { assignments: [], exemptions: [] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function readStore(db: Kysely<any>): Promise<StoredPolicy> {
  return { assignments: await storedAssignments(db), exemptions: await storedExemptions(db) };
}

/** The stored assignments or exemptions could not be read, so the policy in force is not known. */
export class PolicyRefreshError extends Error {
  constructor(cause: Error) {
    super(`the assignments and exemptions in the store could not be read: ${cause.message}`, {
      cause,
    });
    this.name = 'PolicyRefreshError';
  }
}

/**
 * Loads the policy and keeps it fresh; `current()` is what every review awaits. The stored
 * assignments and exemptions are read again on a timer every `refreshMs`, so reviews rarely
 * wait; a review that finds the policy older than that waits for the next read instead of being
 * judged by an outdated policy. Call `close()` to stop the timer.
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
  /** When the read that built `#policy` started: a later assignment may be missing from it. */
  #loadedAt: number;
  #reading: Promise<Error | undefined> | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(
    options: AdmissionPolicySourceOptions,
    parts: {
      rules: Rule[];
      compiled: CompiledRule[];
      filePolicy: EnforcementPolicy;
      standards: Awaited<ReturnType<typeof loadCatalog>>['standards'];
      policy: JudgePolicy;
      loadedAt: number;
    },
  ) {
    this.#options = options;
    this.#rules = parts.rules;
    this.#compiled = parts.compiled;
    this.#filePolicy = parts.filePolicy;
    this.#standards = parts.standards;
    this.#policy = parts.policy;
    this.#loadedAt = parts.loadedAt;
  }

  /** Loads rules, policy files and the store's policy; throws what the first load hits. */
  static async open(options: AdmissionPolicySourceOptions): Promise<AdmissionPolicySource> {
    // Assignments resolve against every rule, the enforcement pack's included (an initiative may
    // name other clouds' rules too); only Kubernetes rules can judge a request, so only they are
    // compiled.
    const rules = await loadEnforcementRules(options.ruleDirs);
    const compiled = compileRules(admissionRules(rules));
    const filePolicy = await loadPolicy(options.files);
    const { standards } = await loadCatalog();
    const loadedAt = (options.now ?? Date.now)();
    const stored = options.db ? await readStore(options.db) : NOTHING_STORED;
    const policy = build(options, rules, compiled, filePolicy, standards, stored);
    const source = new AdmissionPolicySource(options, {
      rules,
      compiled,
      filePolicy,
      standards,
      policy,
      loadedAt,
    });
    if (options.db && options.refreshMs > 0) {
      source.#timer = setInterval(() => void source.#read(), options.refreshMs);
      source.#timer.unref();
    }
    return source;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** The rules that judge requests (Kubernetes rules only). */
  get compiled(): CompiledRule[] {
    return this.#compiled;
  }

  /** What the policy files hold that loads but likely does not mean what it says. */
  get fileWarnings(): string[] {
    return this.#filePolicy.warnings ?? [];
  }

  /** Ids of every rule loaded, of any cloud: an exemption naming none of them is a typo. */
  get ruleIds(): string[] {
    return this.#rules.map((r) => r.id);
  }

  /**
   * The policy in force. When it is older than `refreshMs` the review waits for a fresh read of
   * the store; throws `PolicyRefreshError` when that read fails (the failure policy answers).
   */
  async current(): Promise<JudgePolicy> {
    const stale = this.#options.db && this.#now() - this.#loadedAt >= this.#options.refreshMs;
    if (!stale) return this.#policy;

    const failure = await this.#read();
    if (failure) throw new PolicyRefreshError(failure);
    return this.#policy;
  }

  /** Reads the store again, after any read already running; failures are reported. */
  async refresh(): Promise<void> {
    // A read already running may have started before the change the caller wants to see.
    await this.#reading;
    await this.#read();
  }

  /** Stops reading the store on a timer. */
  close(): void {
    clearInterval(this.#timer);
  }

  /** One read of the store at a time, shared by every review waiting on it; resolves its error. */
  #read(): Promise<Error | undefined> {
    this.#reading ??= this.#load().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #load(): Promise<Error | undefined> {
    if (!this.#options.db) return undefined;
    const started = this.#now();
    try {
      const stored = await readStore(this.#options.db);
      this.#policy = build(
        this.#options,
        this.#rules,
        this.#compiled,
        this.#filePolicy,
        this.#standards,
        stored,
      );
      this.#loadedAt = started;
      return undefined;
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.#options.onRefreshError?.(err);
      return err;
    }
  }
}

function build(
  options: AdmissionPolicySourceOptions,
  rules: Rule[],
  compiled: CompiledRule[],
  filePolicy: EnforcementPolicy,
  standards: Awaited<ReturnType<typeof loadCatalog>>['standards'],
  stored: StoredPolicy,
): JudgePolicy {
  const merged: EnforcementPolicy = {
    initiatives: filePolicy.initiatives,
    assignments: [...filePolicy.assignments, ...stored.assignments],
  };
  const policy = merged.assignments.length > 0 ? merged : defaultPolicy('audit');
  return {
    compiled,
    assignments: resolveAssignments(policy, rules, standards),
    exemptNamespaces: options.exemptNamespaces,
    // As assessments take them: the file's first, then the API's.
    exemptions: [...(options.exemptions ?? []), ...stored.exemptions],
  };
}
