/**
 * Writes a fixed file in place of the one read: a temporary file beside it, renamed over it, so a
 * reader never sees half a file and a symbolic link swapped in since the scan is replaced, never
 * followed.
 */

import { constants } from 'node:fs';
import { lstat, open, readFile, readlink, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';

/** Why a file was not replaced; the message says what to do. */
export class ReplaceRefused extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ReplaceRefused';
  }
}

/**
 * The folder open, and the name to reach files in it by: on Linux `/proc/self/fd/N`, which names
 * the folder actually opened even if its path is swapped for a link afterwards (Node has no
 * `openat` or `renameat`).
 */
async function openFolder(dir: string): Promise<{ handle: FileHandle; at: string }> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  const byFd = `/proc/self/fd/${handle.fd}`;
  const opened = await readlink(byFd).catch(() => undefined);
  if (opened === undefined) return { handle, at: dir };
  if (opened !== dir) {
    await handle.close();
    throw new ReplaceRefused(dir, `the folder now resolves to ${opened}; run palisade fix again`);
  }
  return { handle, at: byFd };
}

/**
 * Replaces the regular file at `real` (a path with every link resolved) with `after`, only if it
 * still holds `before`; keeps its permission bits. Throws `ReplaceRefused` when the file is now a
 * link or something other than a file, or was changed since it was read.
 *
 * ```ts
 * await replaceFile('/repo/infra/main.tf', original, fixed);
 * ```
 */
export async function replaceFile(real: string, before: string, after: string): Promise<void> {
  const { handle, at } = await openFolder(dirname(real));
  const name = basename(real);
  const target = `${at}/${name}`;
  const temp = `${at}/.${name}.palisade-${randomBytes(6).toString('hex')}`;
  try {
    const info = await lstat(target);
    if (info.isSymbolicLink())
      throw new ReplaceRefused(real, 'is now a symbolic link; nothing was written to it');
    if (!info.isFile()) throw new ReplaceRefused(real, 'is no longer a regular file');
    if ((await readFile(target, 'utf8')) !== before) {
      throw new ReplaceRefused(real, 'changed since it was read; run palisade fix again');
    }

    // O_EXCL with O_NOFOLLOW: the temporary name cannot be a link planted beforehand.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const out = await open(temp, flags, info.mode & 0o7777);
    try {
      // The mode given to open is cut by the umask; the file keeps the bits it had.
      await out.chmod(info.mode & 0o7777);
      await out.writeFile(after);
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}
