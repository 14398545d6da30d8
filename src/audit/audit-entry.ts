/**
 * An audit log entry and its hash. Each entry's hash is an HMAC under the server key over its
 * whole content and the previous entry's hash, so changing, removing or reordering any entry
 * breaks every hash after it, and nobody without the key file can compute a replacement chain.
 */

import { createHash } from 'node:crypto';
import type { AuditLogTable } from '../store/schema.js';

/** The server key's purpose name for the audit chain's HMAC. */
export const AUDIT_CHAIN_PURPOSE = 'audit-chain';

/** What seals entries: the server key (`ServerKey` from src/server/auth/server-key.ts). */
export interface AuditSealer {
  /** Public id of the key, stored with each entry it seals. */
  readonly id: string;
  mac(purpose: string, data: string): string;
  verifyMac(purpose: string, data: string, tag: string): boolean;
}

/** The `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** How an audited action ended. */
export type AuditOutcome = 'success' | 'failure' | 'denied';

/** What a caller records; the log adds sequence, time, and hashes. */
export interface AuditEvent {
  actor: { kind: string; id?: string | null; name?: string | null };
  /** Stable dotted name, e.g. `token.create`, `auth.login`, `http.post`. */
  action: string;
  outcome: AuditOutcome;
  target?: { kind: string; id?: string | null };
  ip?: string | null;
  requestId?: string | null;
  /** Extra facts; never secrets. */
  details?: Record<string, unknown>;
}

/** A stored entry, as read back. */
export type AuditRow = AuditLogTable;

/** An entry's fields in a fixed order, `prev_hash` last: what its hash covers. */
function entryContent(row: Omit<AuditRow, 'hash' | 'key_id'>): string {
  return JSON.stringify([
    row.seq,
    row.at,
    row.actor_kind,
    row.actor_id,
    row.actor_name,
    row.action,
    row.outcome,
    row.target_kind,
    row.target_id,
    row.ip,
    row.request_id,
    row.details,
    row.prev_hash,
  ]);
}

/**
 * The hash of an entry written before the chain was keyed: SHA-256 of its content. Anyone can
 * compute it, which is why such entries are trusted only when a keyed entry seals them.
 */
export function legacyEntryHash(row: Omit<AuditRow, 'hash' | 'key_id'>): string {
  return createHash('sha256').update(entryContent(row), 'utf8').digest('hex');
}

/** The data an entry's HMAC covers: its content and the id of the key that seals it. */
function sealedContent(row: Omit<AuditRow, 'hash'>): string {
  return `${row.key_id ?? ''}\n${entryContent(row)}`;
}

/** The hash of an entry sealed by `key`: HMAC-SHA256 of its content and key id. */
export function entryMac(row: Omit<AuditRow, 'hash'>, key: AuditSealer): string {
  return key.mac(AUDIT_CHAIN_PURPOSE, sealedContent(row));
}

/** True when `row.hash` is the HMAC of its content under `key`. */
export function entryMacMatches(row: AuditRow, key: AuditSealer): boolean {
  const { hash, ...content } = row;
  return key.verifyMac(AUDIT_CHAIN_PURPOSE, sealedContent(content), hash);
}
