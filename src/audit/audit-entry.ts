/**
 * An audit log entry and its hash. Each entry's hash covers its whole content and the previous
 * entry's hash, so changing, removing or reordering any entry breaks every hash after it.
 */

import { createHash } from 'node:crypto';
import type { AuditLogTable } from '../store/schema.js';

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

/** The hash of an entry: SHA-256 over its fields in a fixed order, `prev_hash` included. */
export function entryHash(row: Omit<AuditRow, 'hash'>): string {
  const content = JSON.stringify([
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
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
