/** Where the first Owner's password goes: beside the key, one file per store sharing it. */

import { describe, expect, it } from 'vitest';
import { ownerPasswordPath } from '../../src/server/bootstrap-owner.js';

describe('the Owner password file', () => {
  it('sits beside a SQLite store’s key as <store>.owner-password', () => {
    expect(ownerPasswordPath('.palisade/palisade.db.key', '.palisade/palisade.db')).toBe(
      '.palisade/palisade.db.owner-password',
    );
  });

  it('names the PostgreSQL database and schema, so stores sharing a key file keep their own', () => {
    const key = '/etc/palisade/server.key';
    const main = ownerPasswordPath(key, 'postgres://palisade:pw@db:5432/main');
    const schema = ownerPasswordPath(key, 'postgresql://palisade@db/main?schema=team_a');
    expect(main).toBe('/etc/palisade/server.main.owner-password');
    expect(schema).toBe('/etc/palisade/server.main.team_a.owner-password');
  });
});
