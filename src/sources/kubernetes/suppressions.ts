/**
 * Inline suppressions in Kubernetes manifests: the `palisade.io/ignore` annotation and
 * `# palisade:ignore <rule-id> <reason>` comments inside the document.
 */

import type { InlineSuppression } from '../../model/resource.js';
import { yamlComments } from '../yaml-comments.js';

/** Annotation whose value is `<rule-id>[,<rule-id>...]: reason`. */
export const IGNORE_ANNOTATION = 'palisade.io/ignore';

/** `# palisade:ignore rule-id reason` as one comment. */
const IGNORE_COMMENT = /^#[ \t]*palisade:ignore[ \t]+(\S+)[ \t]*(.*)$/;

/** Suppressions from the object's `palisade.io/ignore` annotation, if any. */
export function annotationSuppressions(annotations: unknown): InlineSuppression[] {
  if (!isRecord(annotations)) return [];
  const value = annotations[IGNORE_ANNOTATION];
  if (typeof value !== 'string') return [];

  // One `rule-id[,rule-id...]: reason` a line (a block scalar may hold several).
  return value.split('\n').flatMap((line) => {
    const colon = line.indexOf(':');
    const idsPart = colon < 0 ? line : line.slice(0, colon);
    const reason = colon < 0 ? '' : line.slice(colon + 1).trim();
    return idsPart
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id.length > 0)
      .map((ruleId) => ({ ruleId, reason }));
  });
}

/**
 * Suppressions from `# palisade:ignore` comments in one document's source text: comments as the
 * YAML lexer finds them, so the text in a quoted value or a block scalar (a ConfigMap holding a
 * script, say) suppresses nothing.
 */
export function commentSuppressions(source: string): InlineSuppression[] {
  if (!source.includes('palisade:ignore')) return [];
  const found: InlineSuppression[] = [];
  for (const comment of yamlComments(source)) {
    const match = comment === undefined ? null : IGNORE_COMMENT.exec(comment);
    if (match) found.push({ ruleId: match[1], reason: match[2].trim() });
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
