/**
 * Making the folders that hold Palisade's files, without Node's recursive `mkdir`: where a folder
 * cannot be made inside an existing one that answers ENOENT (`/proc/nope`), that form retries the
 * same call without end (Node 20) and the command hangs instead of failing.
 */

import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes `folder` and the folders above it that are missing, one level at a time, each with
 * `mode`; throws (ENOENT, EACCES, ENOTDIR...) where one cannot be made.
 *
 * ```ts
 * makeFolders('/var/lib/palisade/keys', 0o700);
 * ```
 */
export function makeFolders(folder: string, mode = 0o777): void {
  const missing: string[] = [];
  for (let at = folder; !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode });
    } catch (error) {
      // Another process made it meanwhile: that is what was wanted.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
