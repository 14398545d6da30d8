/**
 * Public ids (tokens, users, exports, automation rules) are typed as command arguments:
 * `palisade export remove <id>` read an id starting with `-` as an unknown option (trial,
 * helper-128: `error: unknown option '-PsdcxdPoRKL'`).
 */

import { describe, expect, it } from 'vitest';
import { newId } from '../../src/server/auth/secrets.js';

describe('public ids', () => {
  it('never start with "-", and stay random base64url of the asked length', () => {
    // One base64url text in 64 starts with "-": 5,000 ids would hold about 78 of them.
    const short = Array.from({ length: 5000 }, () => newId(9));
    expect(short.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(new Set(short).size).toBe(short.length);
    expect(short.every((id) => /^[A-Za-z0-9_-]{12}$/.test(id))).toBe(true);
    expect(newId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{15}$/);
  });
});
