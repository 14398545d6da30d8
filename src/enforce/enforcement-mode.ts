/**
 * Enforcement modes: what a failing rule does where it is enforced. `deny` blocks (a failed CI
 * gate, a refused admission request), `audit` reports and lets it through, `disabled` ignores it.
 */

/** One rule's effect under an assignment. */
export type EnforcementMode = 'audit' | 'deny' | 'disabled';

export const ENFORCEMENT_MODES: readonly EnforcementMode[] = ['audit', 'deny', 'disabled'];

const STRENGTH: Record<EnforcementMode, number> = { disabled: 0, audit: 1, deny: 2 };

/**
 * The stricter of two modes: when several assignments cover one finding, the strictest wins
 * (one assignment's `disabled` never cancels another's `deny`).
 *
 * ```ts
 * strictest('audit', 'deny'); // 'deny'
 * ```
 */
export function strictest(a: EnforcementMode, b: EnforcementMode): EnforcementMode {
  return STRENGTH[a] >= STRENGTH[b] ? a : b;
}

export function isEnforcementMode(value: unknown): value is EnforcementMode {
  return typeof value === 'string' && (ENFORCEMENT_MODES as readonly string[]).includes(value);
}
