/**
 * `-o FILE` is checked before the work starts: a report that cannot be written should not cost
 * a whole scan first and then fail with a bare ENOENT.
 */

import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why `file` cannot be written as a report, or undefined when it can. */
export function outputFileProblem(file: string): string | undefined {
  const folder = dirname(resolve(file));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    return `cannot write ${file}: the folder ${dirname(file)} does not exist`;
  }
  if (!isFolder) return `cannot write ${file}: ${dirname(file)} is not a folder`;
  try {
    if (statSync(resolve(file)).isDirectory()) return `cannot write ${file}: it is a folder`;
  } catch {
    // Not there yet: the folder decides.
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    return `cannot write ${file}: the folder ${dirname(file)} is not writable`;
  }
  return undefined;
}
