/**
 * Properties computed when first read: a reader can leave work no rule asks for (parsing a
 * string-encoded configuration, converting a body nobody judges) undone, while JSON, spreading
 * and structured cloning still see an ordinary enumerable property.
 */

/**
 * Makes `key` of `target` an enumerable property whose value `compute` gives on first read
 * (and is then kept); writing it replaces the value. An existing `key` keeps its place among
 * the object's keys. `compute` must not throw: it runs wherever the value is first read.
 *
 * ```ts
 * lazyField(props, 'LifecycleConfiguration', () => toPascal(JSON.parse(text)));
 * ```
 */
export function lazyField(target: object, key: string, compute: () => unknown): void {
  let value: unknown;
  // Dropped once used, so what it reads from (raw text, the record it came in) can be freed.
  let pending: (() => unknown) | undefined = compute;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (pending) {
        value = pending();
        pending = undefined;
      }
      return value;
    },
    set(next: unknown) {
      value = next;
      pending = undefined;
    },
  });
}
