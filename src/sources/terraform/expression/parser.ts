/**
 * Parser for HCL expressions and string templates (the `${...}` strings hcl2json leaves behind).
 * Recursive descent with precedence climbing for operators; nesting depth is bounded.
 */

import type { BinaryOp, ForNode, Node, TemplatePart } from './ast.js';

/** A syntax error inside one expression, with the offset where parsing stopped. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

const MAX_DEPTH = 200;

const PRECEDENCE: Record<BinaryOp, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '>': 4,
  '<=': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

const OPERATORS: BinaryOp[] = [
  '||',
  '&&',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
];

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

type TemplateStop = 'end' | 'quote' | 'else' | 'endif' | 'endfor';

interface TemplateResult {
  parts: TemplatePart[];
  stop: TemplateStop;
}

class Parser {
  #src: string;
  #pos = 0;
  #depth = 0;

  constructor(src: string) {
    this.#src = src;
  }

  parseWholeExpression(): Node {
    const node = this.expression();
    this.#skipSpace();
    if (this.#pos < this.#src.length) this.#fail(`unexpected "${this.#src[this.#pos]}"`);
    return node;
  }

  parseWholeTemplate(): Node {
    const { parts, stop } = this.template(false);
    if (stop !== 'end') this.#fail(`unexpected %{ ${stop} }`);
    return simplifyTemplate(parts);
  }

  /** Template text up to the end, a closing quote (when quoted) or a directive keyword. */
  template(quoted: boolean): TemplateResult {
    const parts: TemplatePart[] = [];
    let text = '';
    const flush = (): void => {
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
    };
    const src = this.#src;
    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (quoted && c === '"') {
        this.#pos++;
        flush();
        return { parts, stop: 'quote' };
      }
      if (quoted && c === '\\') {
        text += this.#escape();
        continue;
      }
      if ((c === '$' || c === '%') && src[this.#pos + 1] === c && src[this.#pos + 2] === '{') {
        text += c + '{';
        this.#pos += 3;
        continue;
      }
      if (c === '$' && src[this.#pos + 1] === '{') {
        this.#pos += 2;
        const stripBefore = this.#eat('~');
        if (stripBefore) text = text.trimEnd();
        flush();
        const expr = this.expression();
        this.#skipSpace();
        if (this.#eat('~')) this.#stripNext = true;
        this.#expect('}');
        parts.push({ kind: 'interp', expr });
        if (this.#stripNext) this.#skipStripped();
        continue;
      }
      if (c === '%' && src[this.#pos + 1] === '{') {
        this.#pos += 2;
        if (this.#eat('~')) text = text.trimEnd();
        flush();
        const stop = this.#directive(parts, quoted);
        if (stop) return { parts, stop };
        continue;
      }
      text += c;
      this.#pos++;
    }
    if (quoted) this.#fail('unterminated string');
    flush();
    return { parts, stop: 'end' };
  }

  #stripNext = false;

  #skipStripped(): void {
    this.#stripNext = false;
    while (this.#pos < this.#src.length && /\s/.test(this.#src[this.#pos])) this.#pos++;
  }

  #closeDirective(): void {
    this.#skipSpace();
    if (this.#eat('~')) this.#stripNext = true;
    this.#expect('}');
    if (this.#stripNext) this.#skipStripped();
  }

  /** Parses one `%{ ... }` directive; returns a stop keyword when it ends the enclosing part. */
  #directive(parts: TemplatePart[], quoted: boolean): TemplateStop | undefined {
    this.#skipSpace();
    const word = this.#identifier();
    if (word === 'else' || word === 'endif' || word === 'endfor') {
      this.#closeDirective();
      return word;
    }
    this.#enter();
    if (word === 'if') {
      const condition = this.expression();
      this.#closeDirective();
      const first = this.template(quoted);
      let elseParts: TemplatePart[] = [];
      let stop = first.stop;
      if (stop === 'else') {
        const second = this.template(quoted);
        elseParts = second.parts;
        stop = second.stop;
      }
      if (stop !== 'endif') this.#fail('%{ if } without %{ endif }');
      parts.push({ kind: 'if', condition, then: first.parts, else: elseParts });
    } else if (word === 'for') {
      const { keyVar, valueVar } = this.#forVariables();
      const collection = this.expression();
      this.#closeDirective();
      const body = this.template(quoted);
      if (body.stop !== 'endfor') this.#fail('%{ for } without %{ endfor }');
      parts.push({ kind: 'for', keyVar, valueVar, collection, body: body.parts });
    } else {
      this.#fail(`unknown template directive "${word}"`);
    }
    this.#depth--;
    return undefined;
  }

  expression(): Node {
    this.#enter();
    const condition = this.#binary(1);
    this.#skipSpace();
    let node = condition;
    if (this.#peek('?')) {
      this.#pos++;
      const thenNode = this.expression();
      this.#skipSpace();
      this.#expect(':');
      const elseNode = this.expression();
      node = { kind: 'conditional', condition, then: thenNode, else: elseNode };
    }
    this.#depth--;
    return node;
  }

  #binary(minPrec: number): Node {
    let left = this.#unary();
    for (;;) {
      this.#skipSpace();
      const op = this.#peekOperator();
      if (!op || PRECEDENCE[op] < minPrec) return left;
      this.#pos += op.length;
      const right = this.#binary(PRECEDENCE[op] + 1);
      left = { kind: 'binary', op, left, right };
    }
  }

  #peekOperator(): BinaryOp | undefined {
    const src = this.#src;
    for (const op of OPERATORS) {
      if (!src.startsWith(op, this.#pos)) continue;
      // `=>` and `==` share a prefix with `=`; `<<` starts a heredoc, not a comparison.
      if (op === '<' && src[this.#pos + 1] === '<') return undefined;
      return op;
    }
    return undefined;
  }

  #unary(): Node {
    this.#skipSpace();
    const c = this.#src[this.#pos];
    if (c === '!' || (c === '-' && !/[0-9]/.test(this.#src[this.#pos + 1] ?? ''))) {
      this.#pos++;
      this.#enter();
      const operand = this.#unary();
      this.#depth--;
      return { kind: 'unary', op: c, operand };
    }
    if (c === '-') {
      this.#pos++;
      const operand = this.#postfix(this.#primary());
      return { kind: 'unary', op: '-', operand };
    }
    return this.#postfix(this.#primary());
  }

  #postfix(start: Node): Node {
    let node = start;
    for (;;) {
      this.#skipSpace();
      const src = this.#src;
      if (src[this.#pos] === '.' && src[this.#pos + 1] === '*') {
        this.#pos += 2;
        node = { kind: 'splat', object: node, each: this.#postfix({ kind: 'splat-item' }) };
        return node;
      }
      if (src[this.#pos] === '.' && src[this.#pos + 1] !== '.') {
        this.#pos++;
        this.#skipSpace();
        if (/[0-9]/.test(src[this.#pos] ?? '')) {
          const digits = /^[0-9]+/.exec(src.slice(this.#pos))![0];
          this.#pos += digits.length;
          node = { kind: 'index', object: node, key: { kind: 'literal', value: Number(digits) } };
          continue;
        }
        node = { kind: 'getattr', object: node, name: this.#identifier() };
        continue;
      }
      if (src[this.#pos] === '[') {
        const save = this.#pos;
        this.#pos++;
        this.#skipSpace();
        if (this.#eat('*')) {
          this.#skipSpace();
          this.#expect(']');
          node = { kind: 'splat', object: node, each: this.#postfix({ kind: 'splat-item' }) };
          return node;
        }
        this.#pos = save + 1;
        const key = this.expression();
        this.#skipSpace();
        this.#expect(']');
        node = { kind: 'index', object: node, key };
        continue;
      }
      return node;
    }
  }

  #primary(): Node {
    this.#skipSpace();
    const src = this.#src;
    const c = src[this.#pos];
    if (c === undefined) this.#fail('expression expected');
    if (/[0-9]/.test(c)) return this.#number();
    if (c === '"') {
      this.#pos++;
      this.#enter();
      const { parts } = this.template(true);
      this.#depth--;
      return simplifyTemplate(parts);
    }
    if (c === '<' && src[this.#pos + 1] === '<') return this.#heredoc();
    if (c === '(') {
      this.#pos++;
      const inner = this.expression();
      this.#skipSpace();
      this.#expect(')');
      return { kind: 'parens', inner };
    }
    if (c === '[') return this.#tuple();
    if (c === '{') return this.#object();
    if (/[A-Za-z_]/.test(c)) return this.#name();
    return this.#fail(`unexpected "${c}"`);
  }

  #name(): Node {
    let name = this.#identifier();
    while (this.#src.startsWith('::', this.#pos)) {
      this.#pos += 2;
      name += '::' + this.#identifier();
    }
    if (name === 'true') return { kind: 'literal', value: true };
    if (name === 'false') return { kind: 'literal', value: false };
    if (name === 'null') return { kind: 'literal', value: null };
    this.#skipSpace();
    if (!this.#peek('(')) return { kind: 'variable', name };
    this.#pos++;
    const args: Node[] = [];
    let expandLast = false;
    this.#enter();
    for (;;) {
      this.#skipSpace();
      if (this.#eat(')')) break;
      args.push(this.expression());
      this.#skipSpace();
      if (this.#src.startsWith('...', this.#pos)) {
        this.#pos += 3;
        expandLast = true;
        this.#skipSpace();
      }
      if (this.#eat(',')) continue;
      this.#expect(')');
      break;
    }
    this.#depth--;
    return { kind: 'call', name, args, expandLast };
  }

  #tuple(): Node {
    this.#pos++;
    this.#enter();
    this.#skipSpace();
    if (this.#keyword('for')) {
      const node = this.#forBody(false);
      this.#expect(']');
      this.#depth--;
      return node;
    }
    const items: Node[] = [];
    for (;;) {
      this.#skipSpace();
      if (this.#eat(']')) break;
      items.push(this.expression());
      this.#skipSpace();
      if (this.#eat(',')) continue;
      this.#expect(']');
      break;
    }
    this.#depth--;
    return { kind: 'tuple', items };
  }

  #object(): Node {
    this.#pos++;
    this.#enter();
    this.#skipSpace();
    if (this.#keyword('for')) {
      const node = this.#forBody(true);
      this.#expect('}');
      this.#depth--;
      return node;
    }
    const items: { key: Node; value: Node }[] = [];
    for (;;) {
      this.#skipSpace();
      if (this.#eat('}')) break;
      const key = this.#objectKey();
      this.#skipSpace();
      if (!this.#eat('=') && !this.#eat(':')) this.#fail('"=" expected after object key');
      const value = this.expression();
      items.push({ key, value });
      this.#skipSpace();
      this.#eat(',');
    }
    this.#depth--;
    return { kind: 'object', items };
  }

  #objectKey(): Node {
    const save = this.#pos;
    if (/[A-Za-z_]/.test(this.#src[this.#pos] ?? '')) {
      const name = this.#identifier();
      this.#skipSpace();
      const next = this.#src[this.#pos];
      if ((next === '=' && this.#src[this.#pos + 1] !== '=') || next === ':') {
        return { kind: 'literal', value: name };
      }
      this.#pos = save;
    }
    return this.#binary(1);
  }

  /** After `for`: `k, v in coll : [k =>] v [...] [if cond]`. */
  #forBody(object: boolean): ForNode {
    const { keyVar, valueVar } = this.#forVariables();
    const collection = this.expression();
    this.#skipSpace();
    this.#expect(':');
    let keyExpr: Node | undefined;
    let valueExpr = this.expression();
    this.#skipSpace();
    if (object) {
      if (!this.#src.startsWith('=>', this.#pos)) this.#fail('"=>" expected in for expression');
      this.#pos += 2;
      keyExpr = valueExpr;
      valueExpr = this.expression();
      this.#skipSpace();
    }
    let grouped = false;
    if (this.#src.startsWith('...', this.#pos)) {
      this.#pos += 3;
      grouped = true;
      this.#skipSpace();
    }
    let condition: Node | undefined;
    if (this.#keyword('if')) condition = this.expression();
    this.#skipSpace();
    return {
      kind: 'for',
      keyVar,
      valueVar,
      collection,
      keyExpr,
      valueExpr,
      condition,
      grouped,
      object,
    };
  }

  #forVariables(): { keyVar?: string; valueVar: string } {
    this.#skipSpace();
    const first = this.#identifier();
    this.#skipSpace();
    let keyVar: string | undefined;
    let valueVar = first;
    if (this.#eat(',')) {
      this.#skipSpace();
      keyVar = first;
      valueVar = this.#identifier();
      this.#skipSpace();
    }
    if (!this.#keyword('in')) this.#fail('"in" expected in for expression');
    return { keyVar, valueVar };
  }

  #heredoc(): Node {
    const match = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(this.#src.slice(this.#pos));
    if (!match) return this.#fail('malformed heredoc');
    const start = this.#pos + match[0].length;
    const lines = this.#src.slice(start).split('\n');
    const body: string[] = [];
    let consumed = start;
    for (const line of lines) {
      consumed += line.length + 1;
      if (line.trim() === match[2]) {
        this.#pos = Math.min(consumed - 1, this.#src.length);
        const text = match[1] ? dedent(body) : body.map((l) => l + '\n').join('');
        return new Parser(text).parseWholeTemplate();
      }
      body.push(line);
    }
    return this.#fail('unterminated heredoc');
  }

  #number(): Node {
    const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.#src.slice(this.#pos))!;
    this.#pos += match[0].length;
    return { kind: 'literal', value: Number(match[0]) };
  }

  #escape(): string {
    const next = this.#src[this.#pos + 1];
    if (next !== undefined && next in ESCAPES) {
      this.#pos += 2;
      return ESCAPES[next];
    }
    const unicode = /^\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(
      this.#src.slice(this.#pos, this.#pos + 10),
    );
    if (unicode) {
      this.#pos += unicode[0].length;
      return String.fromCodePoint(parseInt(unicode[1].slice(1), 16));
    }
    return this.#fail('invalid escape sequence');
  }

  #identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.#src.slice(this.#pos, this.#pos + 256));
    if (!match) return this.#fail('name expected');
    this.#pos += match[0].length;
    return match[0];
  }

  #keyword(word: string): boolean {
    const src = this.#src;
    if (!src.startsWith(word, this.#pos)) return false;
    if (/[A-Za-z0-9_-]/.test(src[this.#pos + word.length] ?? '')) return false;
    this.#pos += word.length;
    return true;
  }

  #skipSpace(): void {
    const src = this.#src;
    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.#pos++;
      } else if (c === '#' || (c === '/' && src[this.#pos + 1] === '/')) {
        const end = src.indexOf('\n', this.#pos);
        this.#pos = end < 0 ? src.length : end + 1;
      } else if (c === '/' && src[this.#pos + 1] === '*') {
        const end = src.indexOf('*/', this.#pos + 2);
        this.#pos = end < 0 ? src.length : end + 2;
      } else {
        return;
      }
    }
  }

  #peek(c: string): boolean {
    return this.#src[this.#pos] === c;
  }

  #eat(c: string): boolean {
    if (this.#src[this.#pos] !== c) return false;
    this.#pos++;
    return true;
  }

  #expect(c: string): void {
    if (!this.#eat(c)) this.#fail(`"${c}" expected`);
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH) this.#fail('expression nested too deeply');
  }

  #fail(message: string): never {
    throw new ExpressionSyntaxError(message, this.#pos);
  }
}

/** A template that is a single interpolation yields its value unconverted, as in HCL. */
function simplifyTemplate(parts: TemplatePart[]): Node {
  if (parts.length === 1 && parts[0].kind === 'interp') return parts[0].expr;
  if (parts.length === 0) return { kind: 'literal', value: '' };
  if (parts.length === 1 && parts[0].kind === 'text')
    return { kind: 'literal', value: parts[0].text };
  return { kind: 'template', parts };
}

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut) + '\n').join('');
}

/** Parses one HCL expression, e.g. `var.a == "x" ? 1 : 2`. */
export function parseExpression(source: string): Node {
  return new Parser(source).parseWholeExpression();
}

/** Parses a string template, e.g. `bucket-${var.env}`; a lone `${x}` parses to `x` itself. */
export function parseTemplate(source: string): Node {
  return new Parser(source).parseWholeTemplate();
}
