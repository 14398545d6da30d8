/**
 * `palisade audit verify`: walks the HMAC-chained audit log with the server key and either proves
 * it intact (exit 0, printing the head hash to record elsewhere) or names the first broken entry
 * (exit 1). `--head` checks that the log still reaches a head recorded earlier, which is what
 * catches entries cut from the end.
 */

import { verifyAuditChain } from '../audit/verify-audit-chain.js';
import { loadServerKey, ServerKeyError } from '../server/auth/server-key.js';
import { openStore } from '../store/database.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';

/** Exit code when the audit chain is broken. */
export const EXIT_CHAIN_BROKEN = 1;

export interface AuditVerifyOptions {
  db: string;
  /** The server key file; defaults to the one beside the SQLite store. */
  keyFile?: string;
  /** A head hash recorded from an earlier verify. */
  head?: string;
  json?: boolean;
}

/** Verifies the audit log of the store at `options.db`. */
export async function runAuditVerify(options: AuditVerifyOptions): Promise<number> {
  if (options.head !== undefined && !/^[0-9a-f]{64}$/.test(options.head)) {
    process.stderr.write('palisade audit verify: --head must be 64 lower-case hex digits\n');
    return EXIT_INPUT_ERROR;
  }
  let key;
  try {
    key = loadServerKey({ storeLocation: options.db, keyFile: options.keyFile, create: false });
  } catch (error) {
    if (!(error instanceof ServerKeyError)) throw error;
    process.stderr.write(`palisade audit verify: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }

  const db = await openStore(options.db);
  try {
    const verdict = await verifyAuditChain(db, key, { head: options.head });
    if (options.json) {
      process.stdout.write(JSON.stringify(verdict) + '\n');
    } else if (verdict.intact) {
      const pinned = verdict.pinnedHeadAt
        ? `The recorded head is entry ${verdict.pinnedHeadAt}; the log still reaches it.\n`
        : '';
      process.stdout.write(
        `Audit log intact: ${verdict.entries} entries, head ${verdict.head}\n${pinned}` +
          'Record the head hash elsewhere and pass it to the next verify as --head: a log that ' +
          'no longer reaches it had entries cut from the end.\n',
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
