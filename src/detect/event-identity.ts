/**
 * A log record's identity. Where its format gives one, the record's own unique id: a record sent
 * twice (a shipper's retry, a file read again) is then one event to an alert, not two. For a
 * record that arrives again whole (a delivery a sender repeats, such as an HTTP request retried
 * after a timeout), a key that also covers records without an id: their content, numbered by
 * occurrence within the delivery.
 */

import { hash } from 'node:crypto';
import type { LogEvent } from '../model/event.js';

/** Where each reader's records carry their id. */
const ID_FIELDS: Record<string, string> = {
  cloudtrail: 'eventID',
  'gcp-audit': 'insertId',
  'azure-activity': 'eventDataId',
  journald: '__CURSOR',
};

/**
 * The record's id, prefixed by its reader (ids of different logs may collide), or undefined when
 * its format has none (syslog, auditd) or this record lacks it.
 *
 * ```ts
 * recordId(event); // 'cloudtrail\u00006e9d1e5a-...'
 * ```
 */
export function recordId(event: LogEvent): string | undefined {
  const reader = event.source.reader;
  const field = Object.hasOwn(ID_FIELDS, reader) ? ID_FIELDS[reader] : undefined;
  if (field === undefined) return undefined;
  const fields = event.fields;
  const id = Object.hasOwn(fields, field) ? fields[field] : undefined;
  return typeof id === 'string' && id !== '' ? `${reader}\u0000${id}` : undefined;
}

/**
 * A record's receipt key: 64 bits of a SHA-256, as 16 hex digits. Two records that are not the
 * same share one with odds of about one in 2^64 / (keys remembered), far below any other loss.
 */
export type ReceiptKey = string;

function key(text: string): ReceiptKey {
  return hash('sha256', text, 'hex').slice(0, 16);
}

/**
 * The receipt key of a record with its own id (`recordId`), however it arrived; undefined for a
 * record without one.
 *
 * ```ts
 * idKey(cloudTrailEvent); // '3f9c0a...' (16 hex digits)
 * ```
 */
export function idKey(event: LogEvent): ReceiptKey | undefined {
  const id = recordId(event);
  return id === undefined ? undefined : key(`id\u0000${id}`);
}

/**
 * The receipt keys of the records of one delivery that a sender may repeat whole (one HTTP
 * request). A record with its own id is keyed by it (`idKey`). Any other (a syslog, auditd or
 * osquery line) is keyed by its content, its reader and every field it was read into (not where
 * in the delivery it stood, nor which delivery), and by which occurrence of that content in the
 * delivery it is: two identical lines in one delivery are two records (sshd's pid and port make
 * them rare), and the same delivery again, byte for byte, gives the same keys. Keys are asked in
 * the order the records were read, one `DeliveryKeys` per delivery.
 *
 * ```ts
 * const keys = new DeliveryKeys();
 * for (const event of events) remember(keys.keyOf(event));
 * ```
 */
export class DeliveryKeys {
  /** Occurrences so far of each content key in this delivery. */
  readonly #occurrences = new Map<string, number>();

  /** The event's receipt key; undefined when its fields cannot be written out (not seen yet). */
  keyOf(event: LogEvent): ReceiptKey | undefined {
    const own = idKey(event);
    if (own !== undefined) return own;
    let content: string;
    try {
      content = JSON.stringify(event.fields);
    } catch {
      return undefined;
    }
    const first = key(`content\u0000${event.source.reader}\u0000${content}`);
    const n = (this.#occurrences.get(first) ?? 0) + 1;
    this.#occurrences.set(first, n);
    return n === 1 ? first : key(`${first}\u0000${n}`);
  }
}
