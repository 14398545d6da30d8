/**
 * How far the CI gate trusts inline suppressions (`# palisade:ignore RULE REASON`, the
 * `palisade.io/ignore` annotation, ARM `metadata`): the author of a pull request writes them, so
 * by default they waive audit-mode rules only, and a deny is lifted by an exemption that is
 * reviewed where the exemptions file is kept.
 */

import type { InlineSuppression, Resource } from '../model/resource.js';
import {
  inlineExemption,
  inlineSuppressionFor,
  inlineSuppressionPlace,
} from '../posture/exemptions.js';
import type { Decision } from './decide.js';

/** What inline suppressions may waive in the gate. */
export const INLINE_SUPPRESSION_MODES = ['allow', 'audit-only', 'off'] as const;
export type InlineSuppressionMode = (typeof INLINE_SUPPRESSION_MODES)[number];

/** The policy file's `inlineSuppressions` setting. */
export interface InlineSuppressionPolicy {
  /**
   * `allow`: they waive deny- and audit-mode rules; `audit-only`: audit-mode rules only (a
   * deny-mode violation stays denied); `off`: nothing.
   */
  mode: InlineSuppressionMode;
  /** Whether a pattern (`aws-*`) may waive a deny-mode or critical rule; never by default. */
  wildcards: boolean;
}

/** The setting without a policy file saying otherwise: what a security team expects of a gate. */
export const DEFAULT_INLINE_SUPPRESSIONS: InlineSuppressionPolicy = {
  mode: 'audit-only',
  wildcards: false,
};

export function isInlineSuppressionMode(value: unknown): value is InlineSuppressionMode {
  return (INLINE_SUPPRESSION_MODES as readonly unknown[]).includes(value);
}

/** True when a suppression names rules by a pattern rather than one rule id. */
function isWildcard(pattern: string): boolean {
  return /[*?[\]{}!]/.test(pattern);
}

/**
 * Why `policy` does not let `suppression` waive `decision`, or undefined when it does.
 *
 * ```ts
 * refusal(DEFAULT_INLINE_SUPPRESSIONS, denyDecision, { ruleId: 'aws-*', reason: 'x' });
 * // 'deny-mode rules are lifted by an exemption, not inline (inlineSuppressions: audit-only)'
 * ```
 */
export function refusal(
  policy: InlineSuppressionPolicy,
  decision: Decision,
  suppression: InlineSuppression,
): string | undefined {
  const deny = decision.mode === 'deny';
  if (policy.mode === 'off') return 'inline suppressions are off (inlineSuppressions: off)';
  if (deny && policy.mode === 'audit-only') {
    return 'deny-mode rules are lifted by an exemption, not inline (inlineSuppressions: audit-only)';
  }
  const blocking = deny || decision.finding.severity === 'critical';
  if (blocking && isWildcard(suppression.ruleId) && !policy.wildcards) {
    return (
      'a pattern does not lift a deny-mode or critical rule; name the rule ' +
      '(or set inlineSuppressions.wildcards: true)'
    );
  }
  if (deny && !suppression.reason.trim()) return 'it gives no reason, which a deny needs';
  return undefined;
}

export interface WeighedSuppressions {
  deny: Decision[];
  audit: Decision[];
  /** Decisions an inline suppression the policy honours waives (their findings marked exempt). */
  exempted: Decision[];
  /** One line per suppression not honoured, naming the rules it did not lift and why. */
  warnings: string[];
}

/** A suppression the policy did not honour, with the violations it did not lift. */
interface Refused {
  place: string;
  pattern: string;
  why: string;
  rules: Set<string>;
}

function refusedWarning({ place, pattern, why, rules }: Refused): string {
  const list = [...rules];
  const named = list.slice(0, 5).join(', ') + (list.length > 5 ? `, +${list.length - 5}` : '');
  return `inline suppression at ${place} of "${pattern}" does not lift ${named}: ${why}`;
}

/**
 * Lets inline suppressions waive the gate's violations as far as `policy` allows; the others stay
 * denied or audited, and each suppression not honoured is named in a warning.
 *
 * ```ts
 * const weighed = weighInlineSuppressions(decide(findings, assignments), policy, resourceOf);
 * ```
 */
export function weighInlineSuppressions(
  decisions: { deny: Decision[]; audit: Decision[] },
  policy: InlineSuppressionPolicy,
  resourceOf: (d: Decision) => Resource | undefined,
): WeighedSuppressions {
  const out: WeighedSuppressions = { deny: [], audit: [], exempted: [], warnings: [] };
  const refused = new Map<string, Refused>();
  for (const d of [...decisions.deny, ...decisions.audit]) {
    const resource = resourceOf(d);
    const suppression = inlineSuppressionFor(d.finding, resource);
    const why = suppression && refusal(policy, d, suppression);
    if (suppression && !why) {
      d.finding.exemption = inlineExemption(suppression, resource);
      out.exempted.push(d);
      continue;
    }
    out[d.mode].push(d);
    if (!suppression || !why) continue;

    const place = inlineSuppressionPlace(resource);
    const key = `${place}\u0000${suppression.ruleId}\u0000${why}`;
    const entry = refused.get(key) ?? { place, pattern: suppression.ruleId, why, rules: new Set() };
    entry.rules.add(`${d.finding.ruleId} (${d.mode})`);
    refused.set(key, entry);
  }
  out.warnings = [...refused.values()].map(refusedWarning);
  return out;
}
