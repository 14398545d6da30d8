/**
 * The receipt keys (`event-identity.ts`) of the records continuous detection took in lately, so
 * a record that arrives again (a sender's retry) is recognised and not counted twice. Bounded by
 * a retention window (receipt time) and a number of keys, the oldest forgotten first; the keys
 * not yet stored are handed to the store with the alerts their records formed.
 *
 * Compact: a key is kept as two 32-bit halves in typed arrays (a ring in receipt order, and an
 * open-addressing index into it), about 24 bytes a key where a Map of strings needs about 70, so
 * a million keys take some 24 MB. The arrays grow as keys arrive, up to the cap.
 */

import type { ReceiptKey } from '../../detect/event-identity.js';

/** How long and how many keys are remembered, unless configured: a day, a million keys. */
export const DEFAULT_RECEIPT_HOURS = 24;
export const DEFAULT_RECEIPT_MAX_KEYS = 1_000_000;

/** Keys the arrays hold before their first growth. */
const INITIAL_CAPACITY = 1_024;
const EMPTY = -1;

/**
 * Keys with their receipt times, in receipt order, as the store keeps them: entry `i` is the key
 * whose halves are `hi[i]` and `lo[i]` (the first and last 8 hex digits), received at `at[i]`
 * (epoch ms).
 */
export interface Receipts {
  hi: Uint32Array;
  lo: Uint32Array;
  at: Float64Array;
}

/** The keys handed to the store by `takeUnstored`, to hand back when that write failed. */
export interface UnstoredReceipts extends Receipts {
  /** Sequence number of the first of them. */
  from: number;
}

export interface ReceiptMemoryOptions {
  /** Keys received longer ago than this (ms) are forgotten. */
  retentionMs: number;
  /** Keys kept at most; the oldest are forgotten first. */
  maxKeys: number;
  /** Keys the arrays hold before they first grow (default 1,024; tests). */
  initialKeys?: number;
}

/**
 * Receipt keys remembered in receipt order.
 *
 * ```ts
 * const memory = new ReceiptMemory({ retentionMs: 86_400_000, maxKeys: 1_000_000 });
 * if (!memory.add(key, Date.now())) skipRepeat();
 * ```
 */
export class ReceiptMemory {
  readonly retentionMs: number;
  readonly maxKeys: number;
  readonly #initialKeys: number;
  /** The ring: each key's halves and receipt time, by ring slot. */
  #hi = new Uint32Array(0);
  #lo = new Uint32Array(0);
  #at = new Float64Array(0);
  /** Open addressing (linear probing) on the low half: ring slot, or EMPTY. */
  #index = new Int32Array(0);
  #mask = 0;
  /** Sequence numbers (one per key ever added) of the oldest key kept and of the next key. */
  #head = 0;
  #tail = 0;
  /** Sequence number that ring slot 0 stood for when the ring was last laid out. */
  #base = 0;
  /** Sequence number of the first key not yet handed to the store. */
  #unstored = 0;

  constructor(options: ReceiptMemoryOptions) {
    this.retentionMs = options.retentionMs;
    this.maxKeys = Math.max(1, Math.floor(options.maxKeys));
    this.#initialKeys = Math.max(1, options.initialKeys ?? INITIAL_CAPACITY);
  }

  /** Keys remembered now (some may be past the window until the next `add`). */
  get size(): number {
    return this.#tail - this.#head;
  }

  /**
   * Remembers `key`, received at `at` (epoch ms); false when it is remembered already (a repeat,
   * whose first receipt time stays). Keys past the window, and the oldest beyond the cap, go.
   */
  add(key: ReceiptKey, at: number): boolean {
    return this.remember(half(key, 0), half(key, 8), at);
  }

  /** `add` of the key whose halves are `hi` and `lo` (unsigned 32-bit integers). */
  remember(hi: number, lo: number, at: number): boolean {
    this.#expire(at - this.retentionMs);
    if (this.#find(hi, lo) !== EMPTY) return false;
    if (this.size === this.#hi.length) {
      if (this.#hi.length < this.maxKeys) this.#grow();
      else this.#dropOldest();
    }
    const slot = this.#slotOf(this.#tail);
    this.#hi[slot] = hi;
    this.#lo[slot] = lo;
    this.#at[slot] = at;
    let i = lo & this.#mask;
    while (this.#index[i] !== EMPTY) i = (i + 1) & this.#mask;
    this.#index[i] = slot;
    this.#tail += 1;
    return true;
  }

  /** True when `key` is remembered (whatever its age until the next `add`). */
  has(key: ReceiptKey): boolean {
    return this.#find(half(key, 0), half(key, 8)) !== EMPTY;
  }

  /** The receipt time of the oldest key remembered, or undefined when none is. */
  get oldest(): number | undefined {
    return this.size === 0 ? undefined : this.#at[this.#slotOf(this.#head)];
  }

  /** The keys added since the last call (those still remembered), oldest first, for the store. */
  takeUnstored(): UnstoredReceipts {
    const from = Math.max(this.#unstored, this.#head);
    const n = this.#tail - from;
    const taken: UnstoredReceipts = {
      hi: new Uint32Array(n),
      lo: new Uint32Array(n),
      at: new Float64Array(n),
      from,
    };
    for (let i = 0; i < n; i++) {
      const slot = this.#slotOf(from + i);
      taken.hi[i] = this.#hi[slot];
      taken.lo[i] = this.#lo[slot];
      taken.at[i] = this.#at[slot];
    }
    this.#unstored = this.#tail;
    return taken;
  }

  /**
   * Takes back keys `takeUnstored` gave when the store could not write them: the next call gives
   * them again (those still remembered).
   */
  returnUnstored(taken: UnstoredReceipts): void {
    this.#unstored = Math.min(this.#unstored, taken.from);
  }

  /** Forgets the keys received before `horizon` (epoch ms), oldest first. */
  #expire(horizon: number): void {
    while (this.size > 0 && this.#at[this.#slotOf(this.#head)] < horizon) this.#dropOldest();
  }

  #dropOldest(): void {
    const slot = this.#slotOf(this.#head);
    let i = this.#lo[slot] & this.#mask;
    while (this.#index[i] !== slot) i = (i + 1) & this.#mask;
    this.#remove(i);
    this.#head += 1;
  }

  /** Empties index position `i`, moving later entries of its probe run back (no tombstones). */
  #remove(i: number): void {
    const index = this.#index;
    const mask = this.#mask;
    for (;;) {
      index[i] = EMPTY;
      let j = i;
      for (;;) {
        j = (j + 1) & mask;
        const slot = index[j];
        if (slot === EMPTY) return;
        const home = this.#lo[slot] & mask;
        // The entry at j may stay when its home lies cyclically in (i, j].
        const stays = i <= j ? i < home && home <= j : i < home || home <= j;
        if (stays) continue;
        index[i] = slot;
        i = j;
        break;
      }
    }
  }

  /** The ring slot of key (hi, lo), or EMPTY. */
  #find(hi: number, lo: number): number {
    if (this.#index.length === 0) return EMPTY;
    const mask = this.#mask;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const slot = this.#index[i];
      if (slot === EMPTY) return EMPTY;
      if (this.#lo[slot] === lo && this.#hi[slot] === hi) return slot;
    }
  }

  #slotOf(seq: number): number {
    return (seq - this.#base) % this.#hi.length;
  }

  /** Doubles the ring (up to the cap), laying its keys out from slot 0, and rebuilds the index. */
  #grow(): void {
    const capacity = Math.min(this.maxKeys, Math.max(this.#initialKeys, this.#hi.length * 2));
    const hi = new Uint32Array(capacity);
    const lo = new Uint32Array(capacity);
    const at = new Float64Array(capacity);
    for (let seq = this.#head, n = 0; seq < this.#tail; seq++, n++) {
      const slot = this.#slotOf(seq);
      hi[n] = this.#hi[slot];
      lo[n] = this.#lo[slot];
      at[n] = this.#at[slot];
    }
    // At most half full, so probe runs stay short.
    let size = 1;
    while (size < capacity * 2) size *= 2;
    const index = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (let n = 0; n < this.size; n++) {
      let i = lo[n] & mask;
      while (index[i] !== EMPTY) i = (i + 1) & mask;
      index[i] = n;
    }
    this.#hi = hi;
    this.#lo = lo;
    this.#at = at;
    this.#index = index;
    this.#mask = mask;
    this.#base = this.#head;
  }
}

const KEY = /^[0-9a-f]{16}$/;

/** True for a receipt key as `event-identity.ts` writes them: 16 lowercase hex digits. */
export function isReceiptKey(key: string): boolean {
  return KEY.test(key);
}

/** 32 bits of a key's 16 hex digits, from digit `from`. */
function half(key: ReceiptKey, from: number): number {
  if (!KEY.test(key)) {
    throw new RangeError(`a receipt key is 16 lowercase hex digits, not ${JSON.stringify(key)}`);
  }
  return Number.parseInt(key.slice(from, from + 8), 16) >>> 0;
}

/** The key whose halves are `hi` and `lo`. */
export function keyOfHalves(hi: number, lo: number): ReceiptKey {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
