/**
 * Collects the addresses of blocks an evaluation touches. Evaluation is synchronous, so a stack
 * of collectors is enough: lazily computed values evaluate inside their own collector.
 */

const stack: Set<string>[] = [];

/** Runs `fn` and returns its result with the block addresses it referred to. */
export function collectReferences<T>(fn: () => T): { value: T; references: string[] } {
  const refs = new Set<string>();
  stack.push(refs);
  try {
    const value = fn();
    return { value, references: [...refs] };
  } finally {
    stack.pop();
  }
}

/** Records a reference in the innermost running collection. */
export function noteReference(address: string): void {
  stack[stack.length - 1]?.add(address);
}

/** Records several references (those of a local or module output just read). */
export function noteReferences(addresses: Iterable<string>): void {
  const top = stack[stack.length - 1];
  if (!top) return;
  for (const a of addresses) top.add(a);
}
