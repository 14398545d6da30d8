/**
 * IaC and inventory files are read as UTF-8. A file saved as UTF-16 (Windows editors and
 * PowerShell's `Out-File` do so) decodes into text full of NUL characters, which the parsers
 * would report as hundreds of invalid characters on one line; it is named for what it is instead.
 */

import { SourceReadError } from '../model/source-error.js';

/** How far into a file a NUL is looked for: UTF-16 text shows one every other byte. */
const SNIFF = 4096;

/** Throws a `SourceReadError` naming `file` when `text` is not UTF-8 text (UTF-16, binary). */
export function assertUtf8Text(file: string, text: string): void {
  // The head only: an inventory export runs to hundreds of megabytes.
  if (text.lastIndexOf('\u0000', SNIFF) === -1) return;
  throw new SourceReadError({
    file,
    code: 'PARSE_ERROR',
    message: looksUtf16(text)
      ? 'the file is UTF-16 encoded; Palisade reads UTF-8 (re-save it as UTF-8)'
      : 'the file is binary, not a text file (it holds NUL bytes); Palisade reads UTF-8 text',
  });
}

/**
 * True for UTF-16 text: mostly ASCII characters, each beside a NUL, so one of every two
 * characters is NUL and the other is not. A byte order mark (which decodes as two replacement
 * characters) comes first or not. Binary data also decodes to replacement characters and holds
 * NULs, but not in that rhythm.
 */
function looksUtf16(text: string): boolean {
  const body = text.startsWith('\ufffd\ufffd') ? text.slice(2) : text;
  const head = body.slice(0, 512);
  if (head.length < 8) return false;
  const nuls = [0, 0];
  for (let i = 0; i < head.length; i += 1) if (head.charCodeAt(i) === 0) nuls[i % 2] += 1;
  const pairs = head.length / 2;
  // Little-endian puts the NUL second (odd places), big-endian first (even places).
  const [nulSide, other] = nuls[1] >= nuls[0] ? [nuls[1], nuls[0]] : [nuls[0], nuls[1]];
  return nulSide >= pairs * 0.75 && other <= pairs * 0.05;
}
