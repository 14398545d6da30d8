/**
 * A log record's own unique id, where its format gives one: a record sent twice (a shipper's
 * retry, a file read again) is then one event to an alert, not two.
 */

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
