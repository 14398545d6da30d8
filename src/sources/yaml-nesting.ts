/**
 * Where maps and lists of a parsed YAML document nest past a reader's limit, so the reader can
 * name the line even when the yaml library's composer ran out of stack far deeper.
 */

import { isCollection, isPair } from 'yaml';

/**
 * Offset of the first collection, in document order, nested more than `limit` levels deep in a
 * document's `contents` (perhaps partial: what the composer built before it gave out), or
 * undefined. Iterative, as the tree may be too deep to recurse into.
 *
 * ```ts
 * const offset = collectionPastDepth(doc.contents, 500);
 * if (offset !== undefined) lineCounter.linePos(offset).line;
 * ```
 */
export function collectionPastDepth(contents: unknown, limit: number): number | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > limit) return node.range?.[0];
    const children = (node.items as unknown[]).flatMap((item) =>
      isPair(item) ? [item.key, item.value] : [item],
    );
    // Pushed last to first, so the first child is walked first.
    for (let i = children.length - 1; i >= 0; i -= 1) {
      stack.push({ node: children[i], depth: depth + 1 });
    }
  }
  return undefined;
}
