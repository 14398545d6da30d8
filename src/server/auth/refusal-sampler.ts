/**
 * Throttled logins go on the audit record without letting a flood of them grow the append-only
 * log without bound: per key (an address, a username) the first refusal is recorded, then at
 * most one a window, each entry counting the refusals since the previous one.
 */

/** Limits of the sampler. */
export interface RefusalSamplerOptions {
  windowMs: number;
  /** Keys tracked at once; the oldest are forgotten past it (default 10,000). */
  maxKeys?: number;
}

interface Slot {
  recordedAt: number;
  /** Refusals since the last recorded one, not recorded themselves. */
  unrecorded: number;
}

/**
 * Decides which refusals to audit.
 *
 * ```ts
 * const sampler = new RefusalSampler({ windowMs: 60_000 });
 * const take = sampler.take(`address:${ip}`, now);
 * if (take) await audit({ ..., details: { refusedSinceLastEntry: take.unrecorded } });
 * ```
 */
export class RefusalSampler {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #slots = new Map<string, Slot>();

  constructor(options: RefusalSamplerOptions) {
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /**
   * Counts a refusal for `key`: returns how many went unrecorded before it when this one is to
   * be recorded, or null when it is only counted.
   */
  take(key: string, now: Date): { unrecorded: number } | null {
    const at = now.getTime();
    const slot = this.#slots.get(key);
    if (slot && at - slot.recordedAt < this.#windowMs) {
      slot.unrecorded++;
      return null;
    }
    const unrecorded = slot?.unrecorded ?? 0;
    this.#slots.delete(key);
    if (this.#slots.size >= this.#maxKeys) {
      const oldest = this.#slots.keys().next().value;
      if (oldest !== undefined) this.#slots.delete(oldest);
    }
    this.#slots.set(key, { recordedAt: at, unrecorded: 0 });
    return { unrecorded };
  }
}
