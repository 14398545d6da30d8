/**
 * The secure score as people read it: a percentage with the one decimal the score carries, as
 * the API and the console write it.
 */

/**
 * Writes a secure score (0..100, rounded to a tenth when computed) as `49.9%`. A whole percent
 * would print 49.9 as 50%, a different number from the API's and past the 50% mark.
 *
 * ```ts
 * scorePercent(49.9); // '49.9%'
 * scorePercent(100); // '100.0%'
 * ```
 */
export function scorePercent(score: number): string {
  return `${score.toFixed(1)}%`;
}
