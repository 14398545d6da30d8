/**
 * Text from logs and IaC (user names, resource names, rule titles) shown in a terminal. An SSH
 * user name is chosen by whoever reaches sshd, so it may carry escape sequences that retitle the
 * window, clear the screen or reorder text; such characters are shown as escapes instead.
 */

/**
 * C0 and C1 control characters, DEL, and the Unicode bidirectional controls (embeddings,
 * overrides, isolates, marks) that can make a terminal line read differently from its bytes.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(char: string): string {
  const code = char.codePointAt(0)!;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The text with every control or bidi character written as `\xNN` / `\uNNNN`, so that it prints
 * as one inert line.
 *
 * ```ts
 * printable('root\u001b[2J'); // 'root\\x1b[2J'
 * ```
 */
export function printable(text: string): string {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE, escape) : text;
}

/**
 * `text` cut to `max` characters with an ellipsis: a value quoted in a message stays short.
 *
 * ```ts
 * clip('((((((selection))))))', 8); // '(((((((…'
 * ```
 */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
