/**
 * The exporter's send timeout as operators set it (`export run --send-timeout`, the server's
 * `export.sendTimeoutSeconds`): the longest a sink may take to accept one batch before the send
 * is cut and the batch retried. A sink's own, shorter timeout (`timeoutMs`) cuts it first.
 */

/**
 * Default and bounds, in seconds. Each send holds its consumer's lease for the send timeout plus
 * the lease, so the upper bound also bounds how long another exporter waits to take over the
 * exports of one that died mid-send.
 */
export const SEND_TIMEOUT_SECONDS = { default: 60, min: 1, max: 600 } as const;

/**
 * Why `value` is no send timeout in seconds, or undefined when it is one.
 *
 * ```ts
 * sendTimeoutProblem(0); // 'expected whole seconds from 1 to 600'
 * ```
 */
export function sendTimeoutProblem(value: number): string | undefined {
  const { min, max } = SEND_TIMEOUT_SECONDS;
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `expected whole seconds from ${min} to ${max}`;
}
