/**
 * Tokenizer and recursive-descent parser for ARM template expressions: the text between the
 * brackets of `"[concat(parameters('a'), '-x')[0].b]"`.
 */

/** One node of a parsed expression. */
export type ExprNode =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'literal'; value: boolean | null }
  | { kind: 'call'; name: string; args: ExprNode[] }
  | { kind: 'property'; target: ExprNode; name: string }
  | { kind: 'index'; target: ExprNode; index: ExprNode };

/** The expression text is not valid ARM syntax. */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
}

type Token =
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'ident'; value: string; at: number }
  | { kind: 'punct'; value: '(' | ')' | ',' | '.' | '[' | ']'; at: number }
  | { kind: 'end'; at: number };

/** Deepest nesting of calls, indexes and parentheses accepted; deeper input is rejected. */
const MAX_DEPTH = 64;

/**
 * Classifies a JSON string: an expression (returns its inner text), an escaped literal
 * (`"[[x]"` is the string `[x]`) or plain text.
 */
export function classifyString(
  text: string,
): { kind: 'expression'; body: string } | { kind: 'text'; value: string } {
  if (text.length < 2 || text[0] !== '[' || text[text.length - 1] !== ']') {
    return { kind: 'text', value: text };
  }
  if (text[1] === '[') return { kind: 'text', value: text.slice(1) };
  return { kind: 'expression', body: text.slice(1, -1) };
}

/**
 * Parses the inner text of an expression.
 *
 * ```ts
 * parseExpression("concat('a', parameters('b'))");
 * // { kind: 'call', name: 'concat', args: [{ kind: 'string', value: 'a' }, ...] }
 * ```
 */
export function parseExpression(body: string): ExprNode {
  const parser = new Parser(tokenize(body));
  const node = parser.expression(0);
  parser.expectEnd();
  return node;
}

class Parser {
  #tokens: Token[];
  #pos = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  expression(depth: number): ExprNode {
    if (depth > MAX_DEPTH) throw new ExpressionSyntaxError('expression is nested too deeply');

    let node = this.#primary(depth);
    for (;;) {
      const token = this.#peek();
      if (token.kind !== 'punct') return node;
      if (token.value === '.') {
        this.#pos++;
        node = { kind: 'property', target: node, name: this.#identifier() };
      } else if (token.value === '[') {
        this.#pos++;
        const index = this.expression(depth + 1);
        this.#expectPunct(']');
        node = { kind: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  expectEnd(): void {
    const token = this.#peek();
    if (token.kind !== 'end') throw this.#unexpected(token);
  }

  #primary(depth: number): ExprNode {
    const token = this.#next();
    if (token.kind === 'string') return { kind: 'string', value: token.value };
    if (token.kind === 'number') return { kind: 'number', value: token.value };
    if (token.kind === 'punct' && token.value === '(') {
      const inner = this.expression(depth + 1);
      this.#expectPunct(')');
      return inner;
    }
    if (token.kind !== 'ident') throw this.#unexpected(token);

    let name = token.value;
    while (this.#isPunct('.') && this.#peekAt(1).kind === 'ident' && this.#isPunctAt(2, '(')) {
      this.#pos++;
      name += `.${this.#identifier()}`;
    }
    if (!this.#isPunct('(')) return this.#bareWord(name, token.at);

    this.#pos++;
    const args: ExprNode[] = [];
    if (this.#isPunct(')')) {
      this.#pos++;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(this.expression(depth + 1));
      const separator = this.#next();
      if (separator.kind === 'punct' && separator.value === ')') break;
      if (separator.kind !== 'punct' || separator.value !== ',') throw this.#unexpected(separator);
    }
    return { kind: 'call', name, args };
  }

  #bareWord(name: string, at: number): ExprNode {
    const lower = name.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (lower === 'null') return { kind: 'literal', value: null };
    throw new ExpressionSyntaxError(`'${name}' at position ${at} is not a function call`);
  }

  #identifier(): string {
    const token = this.#next();
    if (token.kind !== 'ident') throw this.#unexpected(token);
    return token.value;
  }

  #expectPunct(value: string): void {
    const token = this.#next();
    if (token.kind !== 'punct' || token.value !== value) throw this.#unexpected(token);
  }

  #isPunct(value: string): boolean {
    return this.#isPunctAt(0, value);
  }

  #isPunctAt(ahead: number, value: string): boolean {
    const token = this.#peekAt(ahead);
    return token.kind === 'punct' && token.value === value;
  }

  #peek(): Token {
    return this.#peekAt(0);
  }

  #peekAt(ahead: number): Token {
    return this.#tokens[Math.min(this.#pos + ahead, this.#tokens.length - 1)];
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#pos++;
    return token;
  }

  #unexpected(token: Token): ExpressionSyntaxError {
    const what = token.kind === 'end' ? 'end of expression' : `'${String(token.value)}'`;
    return new ExpressionSyntaxError(`unexpected ${what} at position ${token.at}`);
  }
}

const PUNCTUATION = new Set(['(', ')', ',', '.', '[', ']']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, at: i });
      i = end;
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i, i + 40)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_$]/.test(ch)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i, i + 256)) as RegExpExecArray;
      tokens.push({ kind: 'ident', value: match[0], at: i });
      i += match[0].length;
    } else if (PUNCTUATION.has(ch)) {
      tokens.push({ kind: 'punct', value: ch as '(', at: i });
      i++;
    } else {
      throw new ExpressionSyntaxError(`unexpected character '${ch}' at position ${i}`);
    }
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

/** Reads a single-quoted string starting at `start`; `''` stands for one quote. */
function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close < 0) throw new ExpressionSyntaxError(`unterminated string at position ${start}`);
    value += text.slice(i, close);
    if (text[close + 1] !== "'") return { value, end: close + 1 };
    value += "'";
    i = close + 2;
  }
}
