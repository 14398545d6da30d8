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
  // A UTF-16 byte order mark decodes as two replacement characters; without one, ASCII text in
  // UTF-16LE puts a NUL after every character.
  const utf16 = text.startsWith('\ufffd\ufffd') || everyOtherIsNul(text.slice(0, 16));
  throw new SourceReadError({
    file,
    code: 'PARSE_ERROR',
    message: utf16
      ? 'the file is UTF-16 encoded; Palisade reads UTF-8 (re-save it as UTF-8)'
      : 'the file holds NUL bytes: it is not a text file',
  });
}

function everyOtherIsNul(head: string): boolean {
  if (head.length < 8) return false;
  for (let i = 1; i < head.length; i += 2) if (head.charCodeAt(i) !== 0) return false;
  return true;
}
