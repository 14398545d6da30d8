/**
 * The enforcement rule pack: rules whose verdict depends on an organisation's parameters (allowed
 * regions and locations, required tags and labels, allowed public ports, allowed registries).
 * They judge nothing until an assignment sets their parameters, so they are not part of the
 * scored benchmark; `palisade check` and admission load them beside it.
 */

import { fileURLToPath } from 'node:url';
import { resolve, sep } from 'node:path';
import type { Rule } from '../model/rule.js';
import { loadRules } from '../posture/rule-loader.js';

/** Folder of the pack (`src/enforce/rules`, or `dist/enforce/rules` once built). */
export const ENFORCEMENT_RULES_DIR = fileURLToPath(new URL('./rules/', import.meta.url));

/** True for a rule loaded from the enforcement pack. */
export function isEnforcementPackRule(rule: Rule): boolean {
  return (
    rule.origin !== undefined &&
    resolve(rule.origin).startsWith(resolve(ENFORCEMENT_RULES_DIR) + sep)
  );
}

/**
 * The rules an enforcement point judges with: the benchmark, the pack, then `extraDirs` (a rule
 * there replaces one of the same id, bundled or from an earlier folder, and `onWarning` is told).
 *
 * ```ts
 * const rules = await loadEnforcementRules(['team-rules/'], { onWarning: console.error });
 * ```
 */
export function loadEnforcementRules(
  extraDirs: string[] = [],
  options: { onWarning?: (message: string) => void } = {},
): Promise<Rule[]> {
  return loadRules([ENFORCEMENT_RULES_DIR, ...extraDirs], options);
}
