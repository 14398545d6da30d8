/** Helpers for Sigma tests: a rule from inline YAML, events from plain field maps. */

import type { EventSource, LogEvent } from '../../../src/model/event.js';
import { loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import { compileSigmaRule } from '../../../src/detect/sigma/rule-compiler.js';
import type { SigmaDetectionRule, SigmaOptions } from '../../../src/detect/sigma/types.js';

export const CLOUDTRAIL: EventSource = {
  reader: 'cloudtrail',
  product: 'aws',
  service: 'cloudtrail',
};

/** A LogEvent around `fields`. */
export function event(
  fields: Record<string, unknown>,
  time = '2024-01-01T00:00:00Z',
  source = CLOUDTRAIL,
): LogEvent {
  return { time, source, fields };
}

/** Loads one detection rule from YAML text; throws with the loader's reason if unsupported. */
export function ruleFrom(yaml: string, options: SigmaOptions = {}): SigmaDetectionRule {
  const { rules, unsupported } = loadSigmaText(yaml, 'inline.yml', options);
  if (unsupported.length > 0) throw new Error(unsupported.map((u) => u.reason).join('; '));
  const rule = rules[0];
  if (rule?.kind !== 'detection') throw new Error('not a detection rule');
  return rule;
}

/** Why an inline rule is unsupported (empty string when it loads). */
export function reasonFor(yaml: string, options: SigmaOptions = {}): string {
  return loadSigmaText(yaml, 'inline.yml', options)
    .unsupported.map((u) => u.reason)
    .join('; ');
}

/** A matcher for a rule whose detection is `selection` (YAML, indented by 4) and `condition`. */
export function matcher(
  selection: string,
  options: SigmaOptions = {},
  condition = 'selection',
): (fields: Record<string, unknown>) => boolean {
  const yaml = `title: t\nlogsource:\n    product: aws\ndetection:\n${selection}\n    condition: ${condition}\n`;
  const compiled = compileSigmaRule(ruleFrom(yaml, options), options);
  return (fields) => compiled.matches(event(fields));
}
