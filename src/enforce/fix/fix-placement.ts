/**
 * Where each fixed file lies against the paths the user named, with symbolic links resolved:
 * inside them (written), outside them (a shared Terraform module a named folder calls: written
 * only when the user allows it), or reached through a link that leads out of them (never written).
 */

import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { FileFix } from './plan-fixes.js';

/** A fixed file and where it lies. */
export type FixPlacement =
  | {
      /** Inside a named path once links are resolved (a link within them is written through). */
      kind: 'inside' | 'outside';
      fix: FileFix;
      /** The file with every link resolved: the one a write replaces. */
      real: string;
      /** The path to patch and show: the real file under the named path holding it. */
      shown: string;
    }
  | {
      /** Named through a symbolic link whose target lies outside every named path. */
      kind: 'linked-out';
      fix: FileFix;
      real: string;
      shown: string;
      /** The link on the file's path, and what it points to as written. */
      link: string;
      target: string;
    };

/** Whether `path` is `folder` or lies under it (both absolute). */
export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The deepest folder holding both absolute paths. */
function commonFolder(a: string, b: string): string {
  let folder = a;
  while (!isWithin(folder, b)) folder = dirname(folder);
  return folder;
}

/** The deepest symbolic link among the parts of `path` below `stop`, with its target. */
async function linkOnPath(
  path: string,
  stop: string,
): Promise<{ link: string; target: string } | undefined> {
  for (let at = path; at !== stop && at !== dirname(at); at = dirname(at)) {
    const info = await lstat(at).catch(() => undefined);
    if (info?.isSymbolicLink()) return { link: at, target: await readlink(at) };
  }
  return undefined;
}

/**
 * Places each of `files` against `roots` (the paths named on the command line).
 *
 * ```ts
 * const placed = await placeFixes(plan.files, ['infra', 'k8s']);
 * const writable = placed.filter((p) => p.kind === 'inside');
 * ```
 */
export async function placeFixes(files: FileFix[], roots: string[]): Promise<FixPlacement[]> {
  const named = await Promise.all(
    roots.map(async (root) => {
      const lexical = resolve(root);
      return { lexical, real: await realpath(lexical).catch(() => lexical) };
    }),
  );
  const placed: FixPlacement[] = [];
  for (const fix of files) {
    const real = await realpath(fix.file).catch(() => fix.file);
    const holder = named.find((n) => isWithin(n.real, real));
    if (holder) {
      const shown = join(holder.lexical, relative(holder.real, real));
      placed.push({ kind: 'inside', fix, real, shown });
      continue;
    }

    // Outside every named path: through a link from inside one, or reached another way (a
    // module call), in which case a link on the way there is refused all the same.
    const lexicalHolder = named.find((n) => isWithin(n.lexical, fix.file));
    const stop = lexicalHolder
      ? lexicalHolder.lexical
      : named.map((n) => commonFolder(n.lexical, fix.file)).sort((a, b) => b.length - a.length)[0];
    const found = await linkOnPath(fix.file, stop ?? dirname(fix.file));
    const link = found ?? (lexicalHolder ? { link: fix.file, target: real } : undefined);
    if (link) placed.push({ kind: 'linked-out', fix, real, shown: fix.file, ...link });
    else placed.push({ kind: 'outside', fix, real, shown: fix.file });
  }
  return placed;
}
