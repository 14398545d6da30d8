/**
 * A Sigma match as the alert builder's hit: the rule's metadata (author and licence kept), the
 * events behind it, and a correlation's group-by values as entities.
 */

import type { DetectionHit } from '../../detect/alert-builder.js';
import { isBuiltin } from '../../detect/detect.js';
import type { SigmaMatch } from '../../detect/sigma/types.js';
import type { AlertEntity } from '../../model/alert.js';
import type { Severity } from '../../model/rule.js';

// Known gap: this mirrors detect.ts's private `sigmaHit`; export that one and use it here.

function entityKind(field: string): AlertEntity['kind'] {
  if (/ip|addr/i.test(field)) return 'ip';
  if (/user|actor|principal|identity/i.test(field)) return 'account';
  return 'cloud-resource';
}

/** The hit a Sigma match makes. */
export function matchHit(match: SigmaMatch): DetectionHit {
  const rule = match.rule;
  const entities = match.correlation
    ? Object.entries(match.correlation.group).map(([field, value]) => ({
        kind: entityKind(field),
        value,
      }))
    : undefined;
  return {
    rule: {
      kind: isBuiltin(rule.origin.file) ? 'builtin' : 'sigma',
      id: rule.id,
      title: rule.title,
      author: rule.author,
      license: rule.license,
      source: rule.origin.file,
      references: rule.references,
    },
    title: rule.title,
    description: rule.description ?? '',
    severity: (rule.level ?? 'medium') as Severity,
    tags: rule.tags,
    events: match.events.length > 0 ? match.events : [match.event],
    entities,
    falsePositives: rule.falsepositives,
    remediation: (rule as { remediation?: string[] }).remediation,
  };
}
