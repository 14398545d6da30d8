/** A helper function offered to rule expressions, registered once in the CEL environment. */

/**
 * ```ts
 * const f: CelFunction = {
 *   signature: 'cidrIsPublic(string): bool',
 *   description: 'True for 0.0.0.0/0, ::/0, * and Internet',
 *   impl: (cidr: string) => PUBLIC.has(cidr),
 * };
 * ```
 * CEL integers arrive as `bigint`; return `bigint` for `int` results. Functions must be pure,
 * total (never throw on odd input: return false / null instead) and fast.
 */
export interface CelFunction {
  signature: string;
  description: string;
  // Parameters are typed by the signature; CEL hands over plain JS values.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  impl: (...args: any[]) => unknown;
}
