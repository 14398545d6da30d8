/** Where the embedded store lives by default: known to every command without loading the store. */

import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Default location of the embedded store, relative to the working folder. */
export const DEFAULT_STORE_PATH = '.palisade/palisade.db';

/** True when `location` is a PostgreSQL connection URL rather than a SQLite path. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Why a SQLite store cannot be at `location`, or undefined when it can. Only the default
 * location's folder (`.palisade` where the command runs) is made when missing: a folder the
 * user named (`--db`, `PALISADE_DB`, the server's `store.location`) must exist, so that a typo
 * is refused instead of starting a new, empty store somewhere else.
 *
 * ```ts
 * storeFolderProblem('/srv/palisad/palisade.db'); // 'no store at /srv/palisad/palisade.db, ...'
 * ```
 */
export function storeFolderProblem(location: string): string | undefined {
  if (isPostgresLocation(location)) return undefined;
  const path = location.replace(/^sqlite:/, '');
  if (path === ':memory:' || resolve(path) === resolve(DEFAULT_STORE_PATH)) return undefined;
  const folder = dirname(path);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    return (
      `no store at ${path}, and no folder ${folder} to make one in; check the path, or ` +
      'create the folder first'
    );
  }
  if (!isFolder) return `no store at ${path}, and ${folder} is not a folder to make one in`;
  return undefined;
}
