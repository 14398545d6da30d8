/**
 * Where an alert's source address goes in a SIEM line: the format's address field when that
 * field can carry the text exactly as logged, otherwise a plain text field.
 */

import type { AlertEntity } from '../../model/alert.js';

/** An alert's source address, in exactly one of the two fields. */
export interface SourceAddress {
  /** For the format's address field (CEF and LEEF `src`). */
  address?: string;
  /** The address as logged, for a text field, when the address field cannot take it. */
  text?: string;
}

/**
 * Splits the alert's source address by whether `fits` the format's address field. Text such as
 * `010.001.002.003` is not put there, nor rewritten: parsers read a leading zero as octal (8.1.2.3)
 * or as decimal (10.1.2.3), and the readers keep addresses as logged, so a rewrite would guess.
 * The first address that fits wins; otherwise the first one is kept as text.
 *
 * ```ts
 * sourceAddress(alert.entities, isIPv4); // { text: '010.001.002.003' }
 * ```
 */
export function sourceAddress(
  entities: readonly AlertEntity[],
  fits: (text: string) => boolean,
): SourceAddress {
  const addresses = entities.filter((e) => e.kind === 'ip').map((e) => e.value);
  const address = addresses.find(fits);
  if (address !== undefined) return { address };
  return addresses.length > 0 ? { text: addresses[0] } : {};
}
