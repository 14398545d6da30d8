/**
 * Resolves a non-HTTP destination (syslog, NATS, SMTP) through the SSRF guard and reports a
 * refusal the way every sink reports failures: a refused address is final, a name that does not
 * resolve (yet) is retried.
 */

import { SinkError } from '../../model/export-record.js';
import { SsrfError, type AddressGuard, type ResolvedAddress } from '../ssrf-guard.js';

/** The checked address to connect to for `host`, or a `SinkError`. */
export async function resolveDestination(
  guard: AddressGuard,
  host: string,
): Promise<ResolvedAddress> {
  try {
    return await guard.resolve(host);
  } catch (error) {
    if (error instanceof SsrfError) {
      throw new SinkError(error.code, error.message, error.code === 'dns_unresolved');
    }
    throw error;
  }
}
