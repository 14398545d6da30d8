/** `palisade token create --expires`: read before the store and the key are loaded. */

import { InvalidArgumentError } from 'commander';

/** Parses `--expires`: whole days from 1 to 3650, or `never`. */
export function parseExpires(value: string): number | 'never' {
  if (value === 'never') return 'never';
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > 3_650) {
    throw new InvalidArgumentError('give whole days from 1 to 3650, or never');
  }
  return days;
}
