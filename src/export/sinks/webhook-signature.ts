/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the shared secret, sent as
 * `X-Palisade-Signature: v1=<hex>` beside `X-Palisade-Timestamp: <unix seconds>`. A receiver
 * recomputes it, compares in constant time and refuses timestamps outside its tolerance, so a
 * captured request cannot be replayed later (see docs/webhooks.md).
 */

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-palisade-signature';
export const TIMESTAMP_HEADER = 'x-palisade-timestamp';
export const DELIVERY_HEADER = 'x-palisade-delivery';

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

/** Why a webhook request fails verification, or undefined when it is genuine and fresh. */
export function webhookRefusal(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): string | undefined {
  const timestamp = Number(headers.timestamp);
  if (!headers.timestamp || !Number.isInteger(timestamp)) return 'missing or malformed timestamp';
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) {
    return 'timestamp outside the tolerance (possible replay)';
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const offered = (headers.signature ?? '').split(',').map((s) => Buffer.from(s.trim()));
  const match = offered.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
  return match ? undefined : 'signature does not match';
}
