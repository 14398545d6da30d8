/**
 * `palisade audit verify`: walks the hash-chained audit log and either proves it intact (exit 0,
 * printing the head hash to record elsewhere) or names the first broken entry (exit 1).
 */

import { verifyAuditChain } from '../audit/verify-audit-chain.js';
import { openStore } from '../store/database.js';
import { EXIT_OK } from './exit-codes.js';

/** Exit code when the audit chain is broken. */
export const EXIT_CHAIN_BROKEN = 1;

/** Verifies the audit log of the store at `options.db`. */
export async function runAuditVerify(options: { db: string; json?: boolean }): Promise<number> {
  const db = await openStore(options.db);
  try {
    const verdict = await verifyAuditChain(db);
    if (options.json) {
      process.stdout.write(JSON.stringify(verdict) + '\n');
    } else if (verdict.intact) {
      process.stdout.write(
        `Audit log intact: ${verdict.entries} entries, head ${verdict.head}\n` +
          'Record the head hash elsewhere: a later verify that does not reach it means entries ' +
          'were cut from the end.\n',
      );
    } else {
      process.stdout.write(
        `Audit log BROKEN at entry ${verdict.brokenAt}: ${verdict.reason} ` +
          `(${verdict.entries} entries before it verified)\n`,
      );
    }
    return verdict.intact ? EXIT_OK : EXIT_CHAIN_BROKEN;
  } finally {
    await db.destroy();
  }
}
