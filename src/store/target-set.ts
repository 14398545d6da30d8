/**
 * The key of a set of scan targets: continuous assessment compares an assessment with the
 * previous one of the same targets. Stored in the database, so the derivation must never change.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';

/** A stable key for `targets`, whatever their order or repetition. */
export function targetSetKey(targets: readonly string[]): string {
  const canonical = JSON.stringify([...new Set(targets)].sort());
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * What a command-line scan's paths are, independent of the folder they were typed from: a path
 * inside a git work tree is its repository (the `origin` URL without credentials, else the
 * work tree's folder name) and its path within it; any other path is absolute. `palisade scan .`
 * in two repositories writing to one store are then two target sets, while the same repository
 * checked out anywhere (CI runners) stays one.
 *
 * ```ts
 * scanTargetIdentities(['.'], '/ci/build/42/shop') // ['git:github.com/acme/shop:.']
 * ```
 */
export function scanTargetIdentities(paths: readonly string[], cwd = process.cwd()): string[] {
  return paths.map((path) => {
    const absolute = resolve(cwd, path);
    const root = gitRoot(absolute);
    if (!root) return absolute;
    const inside = relative(root, absolute).split(sep).join('/') || '.';
    return `git:${originOf(root) ?? basename(root)}:${inside}`;
  });
}

/**
 * `file` (as a report names it, relative to `cwd` or absolute) as a path from the root of its git
 * work tree, with forward slashes; unchanged outside one. The same file then has the same name
 * from whichever folder the command ran (baselines and SARIF fingerprints rely on it).
 */
export function repositoryPath(file: string, cwd = process.cwd()): string {
  return repositoryRelative(file, cwd) ?? file;
}

/** `repositoryPath`, or undefined for a file in no git work tree. */
export function repositoryRelative(file: string, cwd = process.cwd()): string | undefined {
  const absolute = resolve(cwd, file);
  const dir = dirname(absolute);
  let root = ROOTS.get(dir);
  if (root === undefined) {
    root = gitRoot(dir) ?? '';
    if (ROOTS.size > 10_000) ROOTS.clear();
    ROOTS.set(dir, root);
  }
  return root ? relative(root, absolute).split(sep).join('/') : undefined;
}

/** Git work tree root by folder ('' for none), for `repositoryPath`. */
const ROOTS = new Map<string, string>();

/** The nearest folder at or above `path` holding `.git` (a folder, or a worktree's file). */
function gitRoot(path: string): string | undefined {
  let dir = path;
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    if (existsSync(resolve(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The repository's `origin` URL as host/path (no scheme, user, password or `.git`). */
function originOf(root: string): string | undefined {
  let config: string;
  try {
    config = readFileSync(resolve(root, '.git', 'config'), 'utf8');
  } catch {
    return undefined; // a worktree or submodule (`.git` is a file): the folder name stands in
  }
  const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1] ?? '';
  const url = /^\s*url\s*=\s*(\S+)\s*$/m.exec(section)?.[1];
  if (!url) return undefined;
  return url
    .replace(/^[a-z+]+:\/\//i, '')
    .replace(/^[^@/]*@/, '')
    .replace(/:(?!\d+\/)/, '/')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}
