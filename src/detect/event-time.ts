/**
 * Event times in epoch ms. Readers write event times as `toISOString` does
 * (`2023-12-10T06:55:46.000Z`), and detection reads them back for every match; such a text is
 * read from its digits, at a third of the cost of `Date.parse`, which reads every other form.
 */

/**
 * `Date.parse(text)`, for any text.
 *
 * ```ts
 * eventTimeMs('2023-12-10T06:55:46.000Z'); // 1702191346000
 * ```
 */
export function eventTimeMs(text: string): number {
  if (!isPlainIso(text)) return Date.parse(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  // Out-of-range parts are left to `Date.parse`, which refuses some that `Date.UTC` would roll
  // over (month 13, second 60) and reads years below 100 differently.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 31) return Date.parse(text);
  if (hour > 23 || minute > 59 || second > 59) return Date.parse(text);
  return Date.UTC(year, month - 1, day, hour, minute, second, digits(text, 20, 3));
}

/** `dddd-dd-ddTdd:dd:dd.dddZ`. */
function isPlainIso(text: string): boolean {
  if (text.length !== 24) return false;
  for (let i = 0; i < 24; i++) {
    const c = text.charCodeAt(i);
    const expected = PUNCTUATION[i];
    if (expected === 0 ? c < 48 || c > 57 : c !== expected) return false;
  }
  return true;
}

/** The punctuation of `dddd-dd-ddTdd:dd:dd.dddZ` by position; 0 where a digit goes. */
const PUNCTUATION = [...'0000-00-00T00:00:00.000Z'].map((ch) =>
  ch === '0' ? 0 : ch.charCodeAt(0),
);

function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}
