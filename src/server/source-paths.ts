/**
 * Validation of a source's paths: each must exist, and when allowed roots are configured it must
 * lie inside one of them after symbolic links are resolved, so `..` or a link cannot escape.
 */

import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { HttpError } from './http-error.js';

const badPath = (message: string) => new HttpError(400, 'BAD_PATH', message);

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The real, absolute form of every path, or a 400 naming the first that does not exist or lies
 * outside `allowedRoots` (when any are given).
 */
export async function validateSourcePaths(
  paths: readonly string[],
  allowedRoots: readonly string[],
): Promise<string[]> {
  const roots: string[] = [];
  for (const root of allowedRoots) {
    const real = await realpath(root).catch(() => undefined);
    if (real) roots.push(real);
  }
  const out: string[] = [];
  for (const path of paths) {
    if (path.includes('\0')) throw badPath('a path must not contain NUL characters');
    const real = await realpath(resolve(path)).catch(() => undefined);
    if (!real) throw badPath(`${path} does not exist on the server`);
    if (allowedRoots.length > 0 && !roots.some((root) => inside(real, root))) {
      throw badPath(
        `${path} is outside the folders sources may read (${allowedRoots.join(', ')}); ` +
          'an operator can allow more with PALISADE_SOURCE_ROOTS or posture.allowedRoots',
      );
    }
    if (!out.includes(real)) out.push(real);
  }
  return out;
}
