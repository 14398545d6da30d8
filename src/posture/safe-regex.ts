/**
 * Regular expressions from rules run on RE2 (linear time), so no rule a user writes can hang a
 * scan with catastrophic backtracking. Compiled patterns are cached per pattern text.
 */

import { RE2JS } from 're2js';

const MAX_CACHED = 2_000;
const cache = new Map<string, RE2JS | Error>();

/** Compiles `pattern` with RE2 semantics; throws a plain Error naming the pattern if invalid. */
export function compileSafeRegex(pattern: string): RE2JS {
  let compiled = cache.get(pattern);
  if (!compiled) {
    try {
      compiled = RE2JS.compile(pattern);
    } catch (error) {
      compiled = new Error(
        `invalid regular expression ${JSON.stringify(pattern)}: ${String(error)}`,
      );
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(pattern, compiled);
  }
  if (compiled instanceof Error) throw compiled;
  return compiled;
}

/**
 * Verdicts remembered per pattern for short texts: rules test the same few values (engine
 * names, protocols, image tags) on resource after resource, and an RE2 match costs microseconds.
 */
const verdicts = new Map<string, Map<string, boolean>>();
const MAX_REMEMBERED_TEXT = 256;
const MAX_VERDICTS = 10_000;

/** True when `pattern` matches anywhere in `text` (CEL `matches` semantics). */
export function safeMatches(text: string, pattern: string): boolean {
  if (text.length > MAX_REMEMBERED_TEXT) return compileSafeRegex(pattern).matcher(text).find();
  let known = verdicts.get(pattern);
  const remembered = known?.get(text);
  if (remembered !== undefined) return remembered;
  const verdict = compileSafeRegex(pattern).matcher(text).find();
  if (!known) {
    if (verdicts.size >= MAX_CACHED) verdicts.clear();
    known = new Map();
    verdicts.set(pattern, known);
  }
  if (known.size >= MAX_VERDICTS) known.clear();
  known.set(text, verdict);
  return verdict;
}
