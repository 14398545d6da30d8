/**
 * `palisade token create`: mints an API token straight in the store (whoever can write the
 * store file is its administrator). The token is printed once on stdout; the store keeps only
 * its hash; the creation is audited.
 */

import { HttpError } from '../server/http-error.js';
import { assertPlainText } from '../server/plain-text.js';
import { userInfo } from 'node:os';
import { appendAudit } from '../audit/append-audit.js';
import { isRole, TOKEN_ROLES } from '../server/auth/permissions.js';
import { loadServerKey, ServerKeyError } from '../server/auth/server-key.js';
import { insertToken } from '../server/identity/token-repository.js';
import { openStore } from '../store/database.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';

/** Days a token made with the CLI lives unless `--expires` says otherwise (as in the console). */
export const DEFAULT_TOKEN_DAYS = 90;

export { parseExpires } from './token-expiry.js';

export interface TokenCreateOptions {
  db: string;
  role: string;
  scope: string[];
  /** Days until the token expires (default 90), or `never`. */
  expires?: number | 'never';
  name?: string;
  /** The server key file that seals the audit entry; defaults to the one beside the store. */
  keyFile?: string;
}

/** Creates one token and prints it. */
export async function runTokenCreate(options: TokenCreateOptions): Promise<number> {
  if (!isRole(options.role)) {
    process.stderr.write(
      `palisade token create: --role must be one of ${TOKEN_ROLES.join(', ')}\n`,
    );
    return EXIT_INPUT_ERROR;
  }
  if (options.expires === 0) {
    process.stderr.write('palisade token create: --expires must be at least 1 day\n');
    return EXIT_INPUT_ERROR;
  }
  // As the API: a scope is an account id, never empty and never padded (one that matches no
  // account would leave a token that sees nothing, and reads as unscoped in a listing).
  const badScope = options.scope.find((s) => s.trim() === '' || s !== s.trim() || s.length > 200);
  if (badScope !== undefined) {
    process.stderr.write(
      `palisade token create: --scope ${JSON.stringify(badScope)} is not an account id ` +
        '(empty, padded with spaces, or over 200 characters)\n',
    );
    return EXIT_INPUT_ERROR;
  }
  // The name shows in the audit log and the console, as through the API.
  try {
    assertPlainText('--name', options.name);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    process.stderr.write(`palisade token create: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  const expiresInDays =
    options.expires === 'never' ? undefined : (options.expires ?? DEFAULT_TOKEN_DAYS);
  const role = options.role;
  let key;
  try {
    key = loadServerKey({ storeLocation: options.db, keyFile: options.keyFile });
  } catch (error) {
    if (!(error instanceof ServerKeyError)) throw error;
    process.stderr.write(`palisade token create: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  const db = await openStore(options.db);
  try {
    const now = new Date();
    const actor = userInfo().username;
    const created = await db.transaction().execute(async (trx) => {
      const made = await insertToken(
        trx,
        {
          name: options.name ?? `cli-${role}`,
          role,
          scopes: [...new Set(options.scope)],
          expiresInDays,
          createdBy: `cli:${actor}`,
        },
        now,
      );
      await appendAudit(
        trx,
        {
          actor: { kind: 'cli', name: actor },
          action: 'token.create',
          outcome: 'success',
          target: { kind: 'token', id: made.token.id },
          details: {
            name: made.token.name,
            role,
            scopes: made.token.scopes,
            expiresAt: made.token.expiresAt ?? 'never',
          },
        },
        now,
        key,
      );
      return made;
    });
    const { token } = created;
    process.stderr.write(
      `Created ${token.role} token ${token.id} (${token.name})` +
        `${token.scopes.length ? `, scoped to ${token.scopes.join(', ')}` : ''}` +
        `${token.expiresAt ? `, expires ${token.expiresAt}` : ', never expires'}.\n` +
        'It is shown only now; send it as "Authorization: Bearer <token>".\n',
    );
    process.stdout.write(`${created.secret}\n`);
    return EXIT_OK;
  } finally {
    await db.destroy();
  }
}
