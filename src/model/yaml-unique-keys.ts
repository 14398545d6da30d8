/**
 * Repeated map keys in YAML a user feeds in (manifests, rules, policies), found in one pass.
 * The yaml library's own check (`uniqueKeys: true`, its default) compares each key with every
 * earlier key of its map: a 20,000-key map took seconds and a 4 MiB file of short keys would
 * take hours. Parse with `uniqueKeys: false` and call `checkUniqueKeys` on each document.
 */

import { isMap, isScalar, isSeq, YAMLParseError, type Document, type LineCounter } from 'yaml';

/** Nesting the check walks; parsers refuse deeper YAML first. */
const MAX_DEPTH = 2_000;

/**
 * Adds the library's own error, `DUPLICATE_KEY` "Map keys must be unique" at the repeated key,
 * in front of `doc.errors` when a map repeats a scalar key: callers report it as they report any
 * parse error. `lineCounter` (of the parse) fills the error's line, as `prettyErrors` would.
 *
 * ```ts
 * const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
 * checkUniqueKeys(doc, lineCounter);
 * if (doc.errors.length > 0) ...
 * ```
 */
export function checkUniqueKeys(doc: Document, lineCounter?: LineCounter): void {
  if (doc.errors.length > 0) return;
  const repeated = repeatedKey(doc.contents, 0);
  if (!repeated) return;
  const start = repeated.range?.[0] ?? 0;
  const error = new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
  if (lineCounter) error.linePos = [lineCounter.linePos(start)];
  doc.errors.unshift(error);
}

/** The first scalar key repeating an earlier key of its map, anywhere in `node`. */
function repeatedKey(node: unknown, depth: number): { range?: number[] | null } | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (isMap(node)) {
    const keys = new Set<unknown>();
    for (const pair of node.items) {
      const key = pair.key;
      if (isScalar(key)) {
        if (keys.has(key.value)) return key;
        keys.add(key.value);
      }
      const inner = repeatedKey(pair.value, depth + 1);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = repeatedKey(item, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}
