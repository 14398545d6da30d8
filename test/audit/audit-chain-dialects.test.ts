import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/append-audit.js';
import { verifyAuditChain } from '../../src/audit/verify-audit-chain.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { STORE_TARGETS } from '../store/store-targets.js';

for (const target of STORE_TARGETS) {
  describe.skipIf(target.skip)(`audit log on ${target.name}`, () => {
    it('stays one unbroken chain under concurrent appends, and refuses updates', async () => {
      await target.with(async ({ db }) => {
        const key = loadServerKey({ storeLocation: ':memory:' });
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            recordAudit(
              db,
              { actor: { kind: 'system' }, action: `a${i}`, outcome: 'success' },
              new Date(),
              key,
            ),
          ),
        );
        expect(await verifyAuditChain(db, key)).toMatchObject({ intact: true, entries: 25 });
        await expect(sql`update audit_log set outcome = 'failure'`.execute(db)).rejects.toThrow(
          /append-only/,
        );
        await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/append-only/);
      });
    });
  });
}
