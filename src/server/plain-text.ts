/**
 * Free text people type (comments, justifications, names of tokens, exports and automation rules)
 * is shown to other people in the
 * console, logs and tickets: it may not carry control characters (NUL, ESC, BEL, ...) that
 * hide or rewrite what a terminal shows, nor bidi overrides that reorder what a reader sees.
 */

import { HttpError } from './http-error.js';

/** C0 and C1 controls and DEL, except tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/** Every C0 and C1 control and DEL. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_LINE = /[\u0000-\u001f\u007f-\u009f]/u;
/** Bidi marks, embeddings, overrides and isolates (U+200E-200F, U+202A-202E, U+2066-2069). */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Code point of `ch` as `U+001B`. */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Refuses `value` with 400 `BAD_TEXT` naming `field` (e.g. `body/comment`) when it holds a
 * control character (tab and line breaks allowed when `multiline`) or a bidi control.
 */
export function assertPlainText(
  field: string,
  value: string | undefined | null,
  options: { multiline?: boolean } = {},
): void {
  if (value === undefined || value === null) return;
  const control = (options.multiline ? CONTROL_MULTILINE : CONTROL_LINE).exec(value);
  if (control) {
    throw new HttpError(
      400,
      'BAD_TEXT',
      `${field} contains the control character ${codePoint(control[0])} at ${control.index}; ` +
        (options.multiline ? 'only tab and line breaks are allowed' : 'use printable text'),
    );
  }
  const bidi = BIDI.exec(value);
  if (bidi) {
    throw new HttpError(
      400,
      'BAD_TEXT',
      `${field} contains the bidirectional control ${codePoint(bidi[0])} at ${bidi.index}, ` +
        'which reorders what readers see',
    );
  }
}
