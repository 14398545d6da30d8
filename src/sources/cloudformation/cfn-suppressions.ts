/**
 * Inline suppressions on CloudFormation resources: `Metadata.palisade.ignore` entries and
 * `# palisade:ignore <rule-id> <reason>` comments on or right above the resource's key, or
 * anywhere inside its body.
 */

import type { InlineSuppression } from '../../model/resource.js';
import { asList, isRecord } from './cfn-values.js';

const COMMENT = /#\s*palisade:ignore\s+(\S+)(?:\s+(.*\S))?\s*$/;

/** Suppressions listed in the resource's Metadata. */
export function metadataSuppressions(metadata: unknown): InlineSuppression[] {
  if (!isRecord(metadata) || !isRecord(metadata.palisade)) return [];
  return asList(metadata.palisade.ignore).flatMap((entry) => {
    if (typeof entry === 'string') return [{ ruleId: entry, reason: '' }];
    if (!isRecord(entry) || typeof entry.rule !== 'string') return [];
    return [{ ruleId: entry.rule, reason: typeof entry.reason === 'string' ? entry.reason : '' }];
  });
}

/**
 * Suppression comments on line `line` (1-based), the comment lines directly above it, and the
 * resource's body below it (the lines indented deeper than its key; a comment at the key's depth
 * after the body sits above the next resource and is that one's). `comments` holds each line's
 * comment as the YAML lexer found it (see `yamlComments`): a `#` inside a value is no comment.
 */
export function commentSuppressions(
  lines: string[],
  comments: (string | undefined)[],
  line: number,
): InlineSuppression[] {
  const found: InlineSuppression[] = [];
  const collect = (index: number) => {
    const text = comments[index];
    const match = text === undefined ? null : COMMENT.exec(text);
    if (match) found.push({ ruleId: match[1]!, reason: match[2] ?? '' });
  };

  collect(line - 1);
  for (let i = line - 2; i >= 0; i--) {
    if (!lines[i]!.trim().startsWith('#')) break;
    collect(i);
  }
  const keyIndent = indentOf(lines[line - 1] ?? '');
  for (let i = line; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    // The body ends at a line no deeper than the key (the next resource, `Outputs:`).
    if (indentOf(text) <= keyIndent) break;
    collect(i);
  }
  return found;
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}
