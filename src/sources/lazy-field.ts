/**
 * Properties computed when first read: a reader can leave work no rule asks for (parsing a
 * string-encoded configuration, converting a body nobody judges) undone, while JSON, spreading
 * and structured cloning still see an ordinary enumerable property.
 */

/** A computation not yet run, as a lazy key's slot holds it. */
class Pending {
  constructor(readonly compute: () => unknown) {}
}

/** Per key name: the hidden slot each object keeps its state in, and the shared accessors. */
interface LazyKey {
  slot: symbol;
  descriptor: PropertyDescriptor;
}

const lazyKeys = new Map<string, LazyKey>();

/**
 * One getter and setter pair per key name, shared by every object, with the state in a
 * non-enumerable symbol-keyed slot: objects built alike keep one hidden class (accessors made
 * per object would give each object its own).
 */
function lazyKey(key: string): LazyKey {
  let found = lazyKeys.get(key);
  if (found) return found;
  const slot = Symbol(`palisade.lazy.${key}`);
  type Holder = Record<symbol, unknown>;
  const descriptor: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: Holder) {
      const state = this[slot];
      if (!(state instanceof Pending)) return state;
      // The computation is dropped once run, so what it reads from can be freed.
      const value = state.compute();
      this[slot] = value;
      return value;
    },
    set(this: Holder, next: unknown) {
      this[slot] = next;
    },
  };
  found = { slot, descriptor };
  lazyKeys.set(key, found);
  return found;
}

/**
 * Adds `key` to `target` as an enumerable property whose value `compute` gives on first read
 * (and is then kept); writing it replaces the value. Add it where the key belongs while
 * building the object: turning an existing key lazy makes V8 keep the object as a slow
 * dictionary. `compute` must not throw: it runs wherever the value is first read.
 *
 * ```ts
 * lazyField(props, 'LifecycleConfiguration', () => toPascal(JSON.parse(text)));
 * ```
 */
export function lazyField(target: object, key: string, compute: () => unknown): void {
  const { slot, descriptor } = lazyKey(key);
  Object.defineProperty(target, slot, {
    value: new Pending(compute),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.defineProperty(target, key, descriptor);
}
