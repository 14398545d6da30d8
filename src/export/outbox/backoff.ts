/**
 * Retry delays: exponential in the attempt number, capped, with jitter so retries spread out;
 * never shorter than what the receiver asked for with Retry-After.
 */

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

/**
 * The longest a receiver's Retry-After holds a retry back: ten minutes. A receiver asking for
 * hours would otherwise hold its export's records that long on one answer.
 */
export const MAX_RETRY_AFTER_MS = 600_000;

/**
 * The delay before the next attempt after `attempt` failures: the backoff's (`retryDelay`), or
 * the receiver's Retry-After when that is longer, capped at `MAX_RETRY_AFTER_MS`, so no retry
 * comes before the time the receiver asked for.
 *
 * ```ts
 * nextAttemptDelay(1, DEFAULT_BACKOFF, 30_000); // 30000: the receiver asked for 30 s
 * ```
 */
export function nextAttemptDelay(
  attempt: number,
  backoff: Backoff,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const own = retryDelay(attempt, backoff, random);
  if (retryAfterMs === undefined) return own;
  return Math.max(own, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}
