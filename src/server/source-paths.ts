/**
 * Containment of a source's paths: each must exist, and when allowed roots are configured it must
 * lie inside one of them after symbolic links are resolved, so `..` or a link cannot escape; and
 * none may be, or read, one of the server's own files (its store, key, Owner password file).
 * Checked when a source is created and again by every assessment, down to each file it reads.
 */

import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
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

/**
 * A test of whether a real path is one of the server's own files, or named after one (the
 * store's `-wal`, `.key` and `.owner-password` files share its name). Each file is taken by its
 * real folder, so a link to the folder does not hide it; a file not made yet is protected too.
 */
async function ownFileTest(ownFiles: readonly string[]): Promise<(real: string) => boolean> {
  const prefixes: string[] = [];
  for (const file of ownFiles) {
    const absolute = resolve(file);
    prefixes.push(absolute);
    const folder = await realpath(dirname(absolute)).catch(() => undefined);
    if (folder) prefixes.push(join(folder, basename(absolute)));
  }
  return (real) => prefixes.some((prefix) => real.startsWith(prefix));
}

const ownFile = (path: string) =>
  `${path} is one of the server's own files (its store, key or Owner password), which no source may read`;

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
  ownFiles: readonly string[] = [],
): Promise<string[]> {
  const roots = await realRoots(allowedRoots);
  const isOwn = await ownFileTest(ownFiles);
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
    if (isOwn(real)) throw badPath(ownFile(path));
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
  ownFiles: readonly string[] = [],
): Promise<((realPath: string) => boolean) | undefined> {
  const roots = await realRoots(allowedRoots);
  const isOwn = await ownFileTest(ownFiles);
  const inRoots =
    allowedRoots.length > 0
      ? (real: string) => roots.some((root) => inside(real, root))
      : undefined;
  const allow =
    ownFiles.length > 0 ? (real: string) => !isOwn(real) && (inRoots?.(real) ?? true) : inRoots;
  for (const path of paths) {
    const real = await realpath(path).catch(() => undefined);
    if (!real) throw new SourcePathError(path, `${path} no longer exists`);
    if (isOwn(real)) throw new SourcePathError(path, ownFile(path));
    if (inRoots && !inRoots(real)) {
      throw new SourcePathError(
        path,
        `${outsideRoots(path, allowedRoots)}: it now resolves to another place, so the source ` +
          'was not assessed; point the path back inside or delete the source',
      );
    }
  }
  return allow;
}
