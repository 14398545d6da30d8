/**
 * Login throttling per username, beside the per-address limit: password guesses spread over many
 * addresses still stop after a few failures for one account, for a while. Failures are counted in
 * memory (bounded), so the limit is per server process.
 */

/** Limits of the throttle. */
export interface LoginThrottleOptions {
  /** Failed logins one username may have within the window. */
  max: number;
  windowMs: number;
  /** Usernames tracked at once; the oldest are forgotten past it (default 10,000). */
  maxNames?: number;
}

interface Failures {
  /** Times of failures inside the window, oldest first. */
  times: number[];
}

/**
 * Counts failed logins per username.
 *
 * ```ts
 * const throttle = new LoginThrottle({ max: 10, windowMs: 15 * 60_000 });
 * const wait = throttle.retryAfterMs(name, now);
 * if (wait > 0) refuse(wait); else if (!valid) throttle.fail(name, now); else throttle.succeed(name);
 * ```
 */
export class LoginThrottle {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxNames: number;
  readonly #failures = new Map<string, Failures>();

  constructor(options: LoginThrottleOptions) {
    this.#max = options.max;
    this.#windowMs = options.windowMs;
    this.#maxNames = options.maxNames ?? 10_000;
  }

  #current(name: string, now: number): Failures | undefined {
    const entry = this.#failures.get(name);
    if (!entry) return undefined;
    const horizon = now - this.#windowMs;
    while (entry.times.length > 0 && entry.times[0] <= horizon) entry.times.shift();
    if (entry.times.length > 0) return entry;
    this.#failures.delete(name);
    return undefined;
  }

  /** Milliseconds until `name` may try again; 0 when it may now. */
  retryAfterMs(name: string, now: Date): number {
    const at = now.getTime();
    const entry = this.#current(name, at);
    if (!entry || entry.times.length < this.#max) return 0;
    return entry.times[entry.times.length - this.#max] + this.#windowMs - at;
  }

  /** Records a failed login for `name`. */
  fail(name: string, now: Date): void {
    const at = now.getTime();
    const entry = this.#current(name, at);
    if (entry) {
      entry.times.push(at);
      if (entry.times.length > this.#max) entry.times.shift();
      return;
    }
    if (this.#failures.size >= this.#maxNames) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    this.#failures.set(name, { times: [at] });
  }

  /** Forgets the failures of `name` after it logged in. */
  succeed(name: string): void {
    this.#failures.delete(name);
  }
}
