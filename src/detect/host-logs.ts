/**
 * Which logs are one host's own: their account names, process paths and file paths are local to
 * that host, so alerts link and fold on them only within the host (or, unnamed, the log file).
 */

import type { EventSource } from '../model/event.js';

/** Products and readers whose events are a host's own logs. */
const HOST_PRODUCTS = new Set(['linux', 'windows', 'macos']);
const HOST_READERS = new Set(['syslog', 'journald', 'auditd', 'osquery', 'falco']);

/** True when the record comes from a host's own log (syslog, auditd, Falco, ...). */
export function isHostLog(source: EventSource): boolean {
  return HOST_PRODUCTS.has(source.product ?? '') || HOST_READERS.has(source.reader);
}
