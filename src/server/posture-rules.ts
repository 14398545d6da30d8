/** The rules the server assesses with: loaded and compiled once, shared by runs and routes. */

import type { Rule } from '../model/rule.js';
import { compileRules, type CompiledRule } from '../posture/engine.js';
import { loadRules } from '../posture/rule-loader.js';

export interface PostureRules {
  rules: Rule[];
  compiled: CompiledRule[];
  byId: Map<string, Rule>;
}

/** A loader that reads the bundled benchmark (plus `ruleDirs`) on first use, then reuses it. */
export function ruleCache(ruleDirs: string[] = []): () => Promise<PostureRules> {
  let loading: Promise<PostureRules> | undefined;
  return () => {
    loading ??= (async () => {
      const rules = await loadRules(ruleDirs);
      return { rules, compiled: compileRules(rules), byId: new Map(rules.map((r) => [r.id, r])) };
    })();
    // A failed load is retried next time instead of being cached.
    loading.catch(() => (loading = undefined));
    return loading;
  };
}
