/**
 * A small HCL scanner for text edits: finds the attributes and nested blocks of a block body with
 * their exact offsets, stepping over strings (with `${}` templates), heredocs and comments, so a
 * fix can rewrite one value and leave every other byte (formatting, comments) as written.
 */

/** One top-level item of a block body. */
export interface HclItem {
  kind: 'attribute' | 'block';
  name: string;
  /** Offset of the item's first character (its name). */
  start: number;
  /** Offset just past the item (past the value, or past the closing brace). */
  end: number;
  /** Attribute value span. */
  valueStart?: number;
  valueEnd?: number;
  /** Block brace offsets: `open` at `{`, `close` at the matching `}`. */
  open?: number;
  close?: number;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const HEREDOC = /<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/y;

function skipLineComment(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
}

function skipBlockComment(text: string, i: number): number {
  const close = text.indexOf('*/', i + 2);
  return close < 0 ? text.length : close + 2;
}

function skipHeredoc(text: string, i: number): number | undefined {
  HEREDOC.lastIndex = i;
  const m = HEREDOC.exec(text);
  if (!m) return undefined;
  let at = i + m[0].length;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const line = text.slice(at, nl < 0 ? text.length : nl);
    if (line.trim() === m[1]) return nl < 0 ? text.length : nl;
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return text.length;
}

/** Offset just past the string literal opening at `i`. */
export function skipString(text: string, i: number): number {
  let at = i + 1;
  while (at < text.length) {
    const c = text[at];
    if (c === '\\') at += 2;
    else if (c === '"') return at + 1;
    else if ((c === '$' || c === '%') && text[at + 1] === '{' && text[at - 1] !== c) {
      at = matchBrace(text, at + 1) + 1;
    } else if (c === '\n') return at;
    else at += 1;
  }
  return text.length;
}

/** Steps over a comment, string or heredoc at `i`; undefined when none starts there. */
function skipOpaque(text: string, i: number): number | undefined {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '#' || (c === '/' && text[i + 1] === '/')) return skipLineComment(text, i);
  if (c === '/' && text[i + 1] === '*') return skipBlockComment(text, i);
  if (c === '<' && text[i + 1] === '<') return skipHeredoc(text, i);
  return undefined;
}

/** Offset of the `}` that closes the `{` at `i` (or the end of the text). */
export function matchBrace(text: string, i: number): number {
  let depth = 0;
  let at = i;
  while (at < text.length) {
    const skipped = skipOpaque(text, at);
    if (skipped !== undefined) {
      at = skipped;
      continue;
    }
    const c = text[at];
    if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return at;
    }
    at += 1;
  }
  return text.length;
}

/** End of the expression starting at `i`: a newline or comment outside brackets, or `end`. */
function expressionEnd(text: string, i: number, end: number): number {
  let depth = 0;
  let at = i;
  while (at < end) {
    const c = text[at];
    const lineComment = c === '#' || (c === '/' && text[at + 1] === '/');
    if (lineComment && depth === 0) return at;
    const skipped = skipOpaque(text, at);
    if (skipped !== undefined) {
      at = skipped;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return at;
      depth -= 1;
    } else if (c === '\n' && depth === 0) return at;
    at += 1;
  }
  return at;
}

/**
 * The attributes and nested blocks directly inside the body `[from, to)` (between a block's
 * braces).
 *
 * ```ts
 * const items = scanBody(text, open + 1, close);
 * const encrypted = items.find((i) => i.kind === 'attribute' && i.name === 'encrypted');
 * ```
 */
export function scanBody(text: string, from: number, to: number): HclItem[] {
  const items: HclItem[] = [];
  let at = from;
  while (at < to) {
    const c = text[at];
    if (/\s/.test(c) || c === ',') {
      at += 1;
      continue;
    }
    const skipped = skipOpaque(text, at);
    if (skipped !== undefined) {
      at = skipped;
      continue;
    }
    IDENT.lastIndex = at;
    const m = IDENT.exec(text);
    if (!m) {
      at = expressionEnd(text, at + 1, to);
      continue;
    }
    const start = at;
    let next = at + m[0].length;
    while (text[next] === ' ' || text[next] === '\t') next += 1;
    if (text[next] === '=' && text[next + 1] !== '=') {
      let valueStart = next + 1;
      while (text[valueStart] === ' ' || text[valueStart] === '\t') valueStart += 1;
      let valueEnd = expressionEnd(text, valueStart, to);
      while (valueEnd > valueStart && /\s/.test(text[valueEnd - 1])) valueEnd -= 1;
      items.push({ kind: 'attribute', name: m[0], start, end: valueEnd, valueStart, valueEnd });
      at = valueEnd;
      continue;
    }
    // A block: labels (strings or names) up to `{`.
    let open = next;
    while (open < to && text[open] !== '{' && text[open] !== '\n') {
      open = text[open] === '"' ? skipString(text, open) : open + 1;
    }
    if (text[open] !== '{') {
      at = open + 1;
      continue;
    }
    const close = matchBrace(text, open);
    items.push({ kind: 'block', name: m[0], start, end: close + 1, open, close });
    at = close + 1;
  }
  return items;
}

/** Leading whitespace of the line holding offset `i`. */
export function indentAt(text: string, i: number): string {
  const lineStart = text.lastIndexOf('\n', i - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}
