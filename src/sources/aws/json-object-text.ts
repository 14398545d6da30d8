/**
 * Tells whether JSON text holds one valid JSON object, without building it: a reader that
 * keeps a string-encoded configuration unparsed until a rule reads it still knows, exactly,
 * whether the key it goes under exists (it exists only when the text parses to an object).
 */

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Where JSON white space (space, tab, line feed, carriage return) after `i` ends. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i += 1;
    else return i;
  }
}

/** A JSON string token; sticky, so it matches exactly at `lastIndex`. */
// eslint-disable-next-line no-control-regex -- JSON strings may hold no raw control characters
const STRING_TOKEN = /"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"/y;

/** End of the string starting at `i` (a quote), or -1 when it is not a valid JSON string. */
function stringEnd(text: string, i: number): number {
  STRING_TOKEN.lastIndex = i;
  return STRING_TOKEN.test(text) ? STRING_TOKEN.lastIndex : -1;
}

function digitsEnd(text: string, i: number): number {
  let j = i;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c >= ZERO && c <= NINE) j += 1;
    else return j;
  }
}

/** End of the number starting at `i`, or -1 when it is not a valid JSON number. */
function numberEnd(text: string, i: number): number {
  let j = i;
  if (text.charCodeAt(j) === MINUS) j += 1;
  const first = text.charCodeAt(j);
  if (first === ZERO) j += 1;
  else if (first > ZERO && first <= NINE) j = digitsEnd(text, j + 1);
  else return -1;
  if (text.charCodeAt(j) === DOT) {
    const end = digitsEnd(text, j + 1);
    if (end === j + 1) return -1;
    j = end;
  }
  const e = text.charCodeAt(j);
  if (e === 0x65 || e === 0x45) {
    j += 1;
    const sign = text.charCodeAt(j);
    if (sign === PLUS || sign === MINUS) j += 1;
    const end = digitsEnd(text, j);
    if (end === j) return -1;
    j = end;
  }
  return j;
}

/** End of the literal `word` at `i`, or -1. */
function literalEnd(text: string, i: number, word: string): number {
  return text.startsWith(word, i) ? i + word.length : -1;
}

/**
 * True exactly when `JSON.parse(text)` returns an object (not an array or null) without
 * throwing. Iterative, so nesting depth costs no stack.
 *
 * ```ts
 * isJsonObjectText('{"a": [1, 2]}'); // true
 * isJsonObjectText('{"a": 1,}'); // false
 * ```
 */
export function isJsonObjectText(text: string): boolean {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_OBJECT) return false;
  /** Open containers, innermost last: true for an object, false for an array. */
  const open: boolean[] = [];
  // Each turn reads one value (or, after `{`, a member's key first), then what follows it.
  let expectKey = false;
  for (;;) {
    i = skipSpace(text, i);
    if (expectKey) {
      if (text.charCodeAt(i) !== QUOTE) return false;
      i = stringEnd(text, i);
      if (i < 0) return false;
      i = skipSpace(text, i);
      if (text.charCodeAt(i) !== COLON) return false;
      i = skipSpace(text, i + 1);
      expectKey = false;
    }
    const c = text.charCodeAt(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const isObject = c === OPEN_OBJECT;
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) !== (isObject ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        open.push(isObject);
        expectKey = isObject;
        continue;
      }
      i += 1;
    } else if (c === QUOTE) i = stringEnd(text, i);
    else if (c === MINUS || (c >= ZERO && c <= NINE)) i = numberEnd(text, i);
    else if (c === 0x74) i = literalEnd(text, i, 'true');
    else if (c === 0x66) i = literalEnd(text, i, 'false');
    else if (c === 0x6e) i = literalEnd(text, i, 'null');
    else return false;
    if (i < 0) return false;
    // After a value: close containers, or a comma and the next member.
    for (;;) {
      i = skipSpace(text, i);
      if (open.length === 0) return i === text.length;
      const inObject = open[open.length - 1];
      const next = text.charCodeAt(i);
      if (next === COMMA) {
        i += 1;
        expectKey = inObject;
        break;
      }
      if (next !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) return false;
      open.pop();
      i += 1;
    }
  }
}
