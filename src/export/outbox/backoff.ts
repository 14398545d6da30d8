/** Retry delays: exponential in the attempt number, capped, with jitter so retries spread out. */

/** Backoff settings in milliseconds. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 5 * 60_000 };

/**
 * The delay before attempt `attempt + 1` after `attempt` failures: base × 2^(attempt−1), capped
 * at max, then a random share of it between a half and the whole ("equal jitter").
 *
 * ```ts
 * retryDelay(3, { baseMs: 1000, maxMs: 60000 }); // between 2000 and 4000
 * ```
 */
export function retryDelay(attempt: number, backoff: Backoff, random = Math.random): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
