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

/** True when `pattern` matches anywhere in `text` (CEL `matches` semantics). */
export function safeMatches(text: string, pattern: string): boolean {
  return compileSafeRegex(pattern).matcher(text).find();
}
