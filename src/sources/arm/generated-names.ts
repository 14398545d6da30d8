/**
 * Deterministic stand-ins for ARM's `uniqueString()` and `guid()`. Both only make names, never
 * secrets, so the reader needs them stable and well-shaped rather than byte-identical to Azure.
 */

import { createHash } from 'node:crypto';

// Known gap: Azure computes uniqueString with its own 64-bit hash; this stand-in (SHA-256, base32)
// yields a same-shaped 13-character name that is stable across runs but differs from Azure's.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 13 lowercase base32 characters derived from the arguments, like ARM's `uniqueString`. */
export function uniqueStringStandIn(parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('-')).digest();
  let out = '';
  for (let i = 0; i < 13; i++) out += BASE32[digest[i] & 31];
  return out;
}

/** A version-5-shaped GUID derived from the arguments, like ARM's `guid` (stand-in hash). */
export function guidStandIn(parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('-')).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...groups, hex.slice(20)].join('-');
}
