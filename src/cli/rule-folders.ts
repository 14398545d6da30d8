/**
 * The `--rules` paths a command is given: a missing one is an input error (exit 2, naming it),
 * and a folder holding no rule file at all (a log folder passed by mistake) earns a warning.
 */

import { opendir, stat } from 'node:fs/promises';
import { printable } from '../report/terminal-text.js';

const RULE_FILE = /\.ya?ml$/i;

/**
 * Checks each `--rules` path: returns the error for the first that does not exist, else writes a
 * warning to stderr for each folder with no `.yaml`/`.yml` file under it and returns undefined.
 *
 * ```ts
 * const problem = await checkRuleFolders(options.rules);
 * if (problem) return fail(problem);
 * ```
 */
export async function checkRuleFolders(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      const reason =
        info.code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${info.code})`;
      return `--rules ${path}: ${reason}`;
    }
    if (!info.isDirectory()) continue;
    if (!(await holdsRuleFile(path))) {
      process.stderr.write(
        `palisade: warning: --rules ${printable(path)}: the folder holds no rule files ` +
          '(.yaml or .yml); no rule was added from it\n',
      );
    }
  }
  return undefined;
}

/**
 * True once a rule file turns up under `dir`: the walk stops there, so a real rules folder costs
 * a few entries here, not a second full listing before the loader reads it.
 */
async function holdsRuleFile(dir: string): Promise<boolean> {
  try {
    for await (const entry of await opendir(dir, { recursive: true })) {
      if (entry.isFile() && RULE_FILE.test(entry.name)) return true;
    }
  } catch {
    // An unreadable folder is the loader's to report.
  }
  return false;
}
