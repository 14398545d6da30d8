/**
 * Paths in the CLI's error lines as the user typed them. The readers name files relative to the
 * working folder, so `palisade scan /nonexistent` run from a sub-folder would otherwise report
 * `../../../nonexistent`, a path the user never wrote.
 */

import { relative, resolve } from 'node:path';
import type { FileReport } from '../model/assessment.js';

/** Characters that end a path at the start of a message (`path: reason`, `path/file`). */
const PATH_END = new Set(['/', ':', ' ']);

/**
 * Returns a function that rewrites a text starting with the relative form of one of `typed` so
 * it starts with that path as typed instead, and the relative form quoted inside it (Node's
 * `ENOENT: no such file or directory, stat '../../x.tfvars'`) as typed too. Other texts are
 * returned unchanged.
 *
 * ```ts
 * const asTyped = pathsAsTyped(['/nonexistent']); // run from /work/main
 * asTyped('../../nonexistent: no such file or folder'); // '/nonexistent: no such file or folder'
 * ```
 */
export function pathsAsTyped(typed: string[]): (text: string) => string {
  const forms = typed
    .map((path) => ({ path, shown: relative(process.cwd(), resolve(path)) }))
    .filter(({ path, shown }) => shown !== '' && shown !== path)
    .sort((a, b) => b.shown.length - a.shown.length);
  const quoted = (text: string) =>
    forms.reduce((t, { path, shown }) => t.split(`'${shown}'`).join(`'${path}'`), text);
  return (text) => {
    for (const { path, shown } of forms) {
      const next = text.charAt(shown.length);
      if (!text.startsWith(shown) || !(next === '' || PATH_END.has(next))) continue;
      const rest = quoted(text.slice(shown.length));
      return path.endsWith('/') && rest.startsWith('/') ? path + rest.slice(1) : path + rest;
    }
    return quoted(text);
  };
}

/** The file reports with an error, their file and message rewritten by `asTyped`. */
export function errorPathsAsTyped(files: FileReport[], asTyped: (text: string) => string): void {
  for (const report of files) {
    if (!report.error) continue;
    report.file = asTyped(report.file);
    report.error = {
      ...report.error,
      file: asTyped(report.error.file),
      message: asTyped(report.error.message),
    };
  }
}
