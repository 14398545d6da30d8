/**
 * Parses a CloudFormation template (YAML with short-form tags, or JSON) into plain JSON where
 * every short form becomes its long form (`!Ref x` -> `{ Ref: 'x' }`), keeping resource lines.
 */

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, ScalarTag, CollectionTag } from 'yaml';
import { SourceReadError } from '../../model/source-error.js';

/** A template as plain JSON plus where each resource starts. */
export interface ParsedTemplate {
  template: Record<string, unknown>;
  /** Logical id -> 1-based line of the resource's key. */
  resourceLines: Map<string, number>;
  /** What the YAML parser let pass but a template should not hold (a tag no one knows), with lines. */
  warnings: string[];
}

/** Short-form functions; `!Ref` and `!Condition` are not `Fn::` prefixed in long form. */
const FUNCTION_TAGS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'Join',
  'If',
  'Equals',
  'And',
  'Or',
  'Not',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'GetAZs',
  'ImportValue',
  'Cidr',
  'Transform',
  'Length',
  'ToJsonString',
  'ForEach',
];

/**
 * Upper bound on nodes visited. `toPlain` expands aliases itself (yaml's `maxAliasCount` guards
 * only its own toJS), so this budget is what stops alias bombs.
 */
const MAX_NODES = 500_000;

function longName(tag: string): string {
  return tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`;
}

/** Tags registered so the yaml package accepts them; conversion happens in `toPlain`. */
function customTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const name of FUNCTION_TAGS) {
    const tag = `!${name}`;
    tags.push({ tag, resolve: (value: string) => value });
    tags.push({ tag, collection: 'seq', resolve: (value) => value });
    tags.push({ tag, collection: 'map', resolve: (value) => value });
  }
  return tags;
}

const TAGS = customTags();

/** Turns `!GetAtt a.b` into `['a', 'b']` (split at the first dot, as CloudFormation does). */
function getAttArgs(value: string): unknown {
  const dot = value.indexOf('.');
  return dot < 0 ? [value, ''] : [value.slice(0, dot), value.slice(dot + 1)];
}

class Converter {
  #visited = 0;
  #anchors = new Map<string, unknown>();
  #file: string;

  constructor(doc: Document.Parsed, file: string) {
    this.#file = file;
    // yaml's Alias.resolve searches the whole document per alias; index anchors once instead.
    visit(doc, {
      Node: (_, node) => {
        if (node.anchor && !isAlias(node)) this.#anchors.set(node.anchor, node);
      },
    });
  }

  toPlain(node: unknown, depth = 0): unknown {
    this.#visited += 1;
    if (this.#visited > MAX_NODES || depth > 500) {
      throw new SourceReadError({
        file: this.#file,
        code: 'TOO_LARGE',
        message: 'template expands to too many nodes (alias bomb or runaway nesting)',
      });
    }

    if (isAlias(node)) return this.toPlain(this.#anchors.get(node.source) ?? null, depth + 1);
    const plain = this.#untagged(node, depth);
    const tag = (node as { tag?: string } | null)?.tag;
    if (!tag || !tag.startsWith('!')) return plain;

    const name = tag.slice(1);
    if (!FUNCTION_TAGS.includes(name)) return plain;
    if (name === 'GetAtt' && typeof plain === 'string') return { 'Fn::GetAtt': getAttArgs(plain) };
    return { [longName(name)]: plain };
  }

  #untagged(node: unknown, depth: number): unknown {
    if (isScalar(node)) return node.value;
    if (isSeq(node)) return node.items.map((item) => this.toPlain(item, depth + 1));
    if (!isMap(node)) return node ?? null;

    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = this.toPlain(pair.key, depth + 1);
      if (key === '<<' && isAlias(pair.value)) {
        Object.assign(out, this.toPlain(pair.value, depth + 1));
        continue;
      }
      // A collection as a key is named by its YAML text, as the yaml package names it: its own
      // `toString` (`? {toString: {}}`) may not be a function.
      const name = typeof key === 'object' && key !== null ? String(pair.key) : String(key);
      // defineProperty, not assignment: a logical id of `__proto__` must stay a plain key.
      Object.defineProperty(out, name, {
        value: this.toPlain(pair.value, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}

/** Lines of each entry under the top-level `Resources` map. */
function resourceLines(doc: Document.Parsed, counter: LineCounter): Map<string, number> {
  const lines = new Map<string, number>();
  const root = doc.contents;
  if (!isMap(root)) return lines;

  const resources = root.items.find((p) => isScalar(p.key) && p.key.value === 'Resources');
  if (!resources || !isMap(resources.value)) return lines;

  for (const pair of resources.value.items) {
    const key = pair.key as Node | null;
    if (!isScalar(key) || !key.range) continue;
    lines.set(String(key.value), counter.linePos(key.range[0]).line);
  }
  return lines;
}

/**
 * Parses template text; throws `SourceReadError` with the line of the first syntax error.
 *
 * ```ts
 * const { template } = parseTemplate('t.yaml', 'Resources:\n  B: { Type: AWS::S3::Bucket }');
 * ```
 */
export function parseTemplate(file: string, text: string): ParsedTemplate {
  const counter = new LineCounter();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let doc: Document.Parsed;
  try {
    doc = parseDocument(body, {
      customTags: TAGS,
      lineCounter: counter,
      uniqueKeys: false,
      strict: false,
      // A collection as a key is written as text without a process warning that names no file.
      logLevel: 'error',
    });
  } catch (err) {
    throw new SourceReadError({ file, code: 'PARSE_ERROR', message: String(err) });
  }

  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const message = error.message.split('\n')[0] ?? 'invalid YAML';
    throw new SourceReadError({
      file,
      code: 'PARSE_ERROR',
      message,
      line: pos?.line,
      column: pos?.col,
    });
  }

  const template = new Converter(doc, file).toPlain(doc.contents);
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new SourceReadError({
      file,
      code: 'INVALID_STRUCTURE',
      message: 'a CloudFormation template must be a mapping at the top level',
      line: 1,
    });
  }
  // An unknown tag (`!NotATag`, a typo of `!GetAtt`) is read as its plain value: say where.
  const warnings = doc.warnings.map((w) => {
    const line = w.linePos?.[0]?.line;
    const text = w.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return `${file}${line ? `:${line}` : ''}: ${text}; read as its plain value`;
  });
  return {
    template: template as Record<string, unknown>,
    resourceLines: resourceLines(doc, counter),
    warnings,
  };
}
