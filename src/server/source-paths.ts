/**
 * Containment of a source's paths: each must exist, and when allowed roots are configured it must
 * lie inside one of them after symbolic links are resolved, so `..` or a link cannot escape.
 * Checked when a source is created and again by every assessment, down to each file it reads.
 */

import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { HttpError } from './http-error.js';

const badPath = (message: string) => new HttpError(400, 'BAD_PATH', message);

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real form of every allowed root that exists (a root that does not holds nothing). */
async function realRoots(allowedRoots: readonly string[]): Promise<string[]> {
  const roots: string[] = [];
  for (const root of allowedRoots) {
    const real = await realpath(root).catch(() => undefined);
    if (real) roots.push(real);
  }
  return roots;
}

/**
 * The real form of the deepest folder above `absolute` that exists: where a path that does not
 * exist would lie. Outside the roots, "does not exist" would otherwise tell what exists there.
 */
async function realExistingAncestor(absolute: string): Promise<string> {
  let current = dirname(absolute);
  for (;;) {
    const real = await realpath(current).catch(() => undefined);
    if (real) return real;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

const outsideRoots = (path: string, allowedRoots: readonly string[]) =>
  `${path} is outside the folders sources may read (${allowedRoots.join(', ')})`;

/**
 * The real, absolute form of every path, or a 400 naming the first that lies outside
 * `allowedRoots` (when any are given) or does not exist. Containment is checked first, on the
 * path or, when it does not exist, on its deepest existing folder: a path outside the roots gets
 * the same answer whether or not it exists.
 */
export async function validateSourcePaths(
  paths: readonly string[],
  allowedRoots: readonly string[],
): Promise<string[]> {
  const roots = await realRoots(allowedRoots);
  const out: string[] = [];
  for (const path of paths) {
    if (path.includes('\0')) throw badPath('a path must not contain NUL characters');
    const absolute = resolve(path);
    const real = await realpath(absolute).catch(() => undefined);
    const reached = real ?? (await realExistingAncestor(absolute));
    if (allowedRoots.length > 0 && !roots.some((root) => inside(reached, root))) {
      throw badPath(
        `${outsideRoots(path, allowedRoots)}; ` +
          'an operator can allow more with PALISADE_SOURCE_ROOTS or posture.allowedRoots',
      );
    }
    if (!real) throw badPath(`${path} does not exist on the server`);
    if (!out.includes(real)) out.push(real);
  }
  return out;
}

/** A source path that, at assessment time, is gone or resolves outside the allowed roots. */
export class SourcePathError extends Error {
  readonly code = 'SOURCE_PATH';

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'SourcePathError';
  }
}

/**
 * Checks a source's stored paths again as an assessment starts (a folder may have been swapped
 * for a link since the source was created) and returns the filter the folder walk applies to the
 * real path of every folder and file it reaches; undefined when no roots are configured.
 * Throws `SourcePathError` naming the first path that is gone or now lies outside.
 *
 * ```ts
 * const allow = await sourceContainment(paths, settings.allowedRoots);
 * await readPaths(paths, { allow });
 * ```
 */
export async function sourceContainment(
  paths: readonly string[],
  allowedRoots: readonly string[],
): Promise<((realPath: string) => boolean) | undefined> {
  const roots = await realRoots(allowedRoots);
  const allow =
    allowedRoots.length > 0
      ? (real: string) => roots.some((root) => inside(real, root))
      : undefined;
  for (const path of paths) {
    const real = await realpath(path).catch(() => undefined);
    if (!real) throw new SourcePathError(path, `${path} no longer exists`);
    if (allow && !allow(real)) {
      throw new SourcePathError(
        path,
        `${outsideRoots(path, allowedRoots)}: it now resolves to another place, so the source ` +
          'was not assessed; point the path back inside or delete the source',
      );
    }
  }
  return allow;
}
