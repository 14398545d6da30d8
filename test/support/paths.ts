/** Where tests find the shared real-world data and the repository root. */

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `../shared/data` beside the checkout: real inputs nobody on the team wrote. */
export const SHARED_DATA = resolve(REPO_ROOT, '../shared/data');

/** Absolute path of a file under ../shared/data. */
export function shared(path: string): string {
  return resolve(SHARED_DATA, path);
}
