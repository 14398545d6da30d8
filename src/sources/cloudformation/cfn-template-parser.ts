/**
 * Parses a CloudFormation template (YAML with short-form tags, or JSON) into plain JSON where
 * every short form becomes its long form (`!Ref x` -> `{ Ref: 'x' }`), keeping resource lines.
 * A JSON template is read by `JSON.parse`, never by the YAML parser: that is fast, and a syntax
 * error is reported as JSON's.
 */

import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
} from 'yaml';
import type { Document, Node, ScalarTag, CollectionTag } from 'yaml';
import { SourceReadError } from '../../model/source-error.js';
import { jsonSyntaxError, MAX_JSON_DEPTH, stringEnd } from '../json-syntax-error.js';
import { collectionPastDepth } from '../yaml-nesting.js';

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

/** Deepest nesting of maps and lists a template may have; the converter stops there too. */
export const MAX_TEMPLATE_DEPTH = MAX_JSON_DEPTH;

/**
 * Largest template read (10 MiB). CloudFormation itself takes at most 1 MB (a template in S3)
 * and 51,200 bytes (one uploaded directly); ten times the larger leaves room for templates that
 * are processed before deployment while refusing, at once, files that are no template.
 */
export const MAX_TEMPLATE_BYTES = 10 * 1024 * 1024;

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
  #counter: LineCounter;

  constructor(doc: Document.Parsed, file: string, counter: LineCounter) {
    this.#file = file;
    this.#counter = counter;
    // yaml's Alias.resolve searches the whole document per alias; index anchors once instead.
    visit(doc, {
      Node: (_, node) => {
        if (node.anchor && !isAlias(node)) this.#anchors.set(node.anchor, node);
      },
    });
  }

  toPlain(node: unknown, depth = 0): unknown {
    this.#visited += 1;
    // The top-level mapping is level 1, at depth 0.
    if (depth >= MAX_TEMPLATE_DEPTH && isCollection(node)) {
      const at = node.range?.[0];
      throw tooDeep(this.#file, at === undefined ? undefined : this.#counter.linePos(at).line);
    }
    if (this.#visited > MAX_NODES) {
      throw new SourceReadError({
        file: this.#file,
        code: 'TOO_LARGE',
        message: `template expands to more than ${MAX_NODES} nodes; refusing a possible alias bomb`,
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
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  assertTemplateSize(file, body);
  if (/\.json$/i.test(file)) return parseJsonTemplate(file, body);
  // A `.template` or `.cfn` file opening with `{` is JSON, unless it does not parse as such (a
  // YAML flow mapping with short-form tags).
  if (/^\s*\{/.test(body))
    return parseJsonTemplate(file, body, () => parseYamlTemplate(file, body));
  return parseYamlTemplate(file, body);
}

function assertTemplateSize(file: string, body: string): void {
  // A character is at most three UTF-8 bytes: count the bytes only when the limit could be near.
  if (body.length <= MAX_TEMPLATE_BYTES / 3 || Buffer.byteLength(body) <= MAX_TEMPLATE_BYTES) {
    return;
  }
  throw new SourceReadError({
    file,
    code: 'TOO_LARGE',
    message: `template is ${mebibytes(Buffer.byteLength(body))}; Palisade reads templates up to ${mebibytes(MAX_TEMPLATE_BYTES)} (CloudFormation itself takes at most 1 MB)`,
  });
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Parses a JSON template; a syntax error names its line and column, or hands over to `orElse`
 * when one is given. Nesting is measured before parsing, so a runaway document is refused with
 * the limit named rather than by a stack overflow.
 */
function parseJsonTemplate(
  file: string,
  body: string,
  orElse?: () => ParsedTemplate,
): ParsedTemplate {
  const shape = jsonShape(file, body);
  let template: unknown;
  try {
    template = JSON.parse(body);
  } catch (error) {
    if (orElse) return orElse();
    throw jsonSyntaxError(file, body, error);
  }
  assertMapping(file, template);
  return {
    template: template as Record<string, unknown>,
    resourceLines: shape.resourceLines,
    warnings: [],
  };
}

/** What one pass over a JSON template's text finds before it is parsed. */
interface JsonShape {
  /** Logical id -> 1-based line of the resource's key under the top-level `Resources`. */
  resourceLines: Map<string, number>;
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * One pass over JSON text, skipping strings: refuses nesting deeper than `MAX_TEMPLATE_DEPTH`
 * (naming the line) and notes the line of every key of the top-level `Resources` object. The text
 * may be malformed; `JSON.parse` judges that afterwards.
 */
function jsonShape(file: string, text: string): JsonShape {
  const resourceLines = new Map<string, number>();
  /** Open containers, `{` or `[`, innermost last. */
  const open: number[] = [];
  let line = 1;
  let afterOpenOrComma = false;
  let nextIsResources = false;
  let resourcesDepth = -1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) line += 1;
    else if (c === QUOTE) {
      const end = stringEnd(text, i);
      const depth = open.length;
      const isKey = afterOpenOrComma && open[depth - 1] === 0x7b;
      if (isKey && (depth === 1 || depth === resourcesDepth)) {
        const key = stringValue(text, i, end);
        if (depth === 1) nextIsResources = key === 'Resources';
        else if (key !== undefined) resourceLines.set(key, line);
      }
      afterOpenOrComma = false;
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      open.push(c);
      if (open.length > MAX_TEMPLATE_DEPTH) throw tooDeep(file, line);
      if (nextIsResources && c === 0x7b && open.length === 2) resourcesDepth = 2;
      nextIsResources = false;
      afterOpenOrComma = true;
    } else if (c === 0x7d || c === 0x5d) {
      if (open.length === resourcesDepth) resourcesDepth = -1;
      open.pop();
      afterOpenOrComma = false;
    } else if (c === 0x2c) afterOpenOrComma = true;
    else if (c !== 0x3a && c !== 0x20 && c !== 0x09 && c !== 0x0d) nextIsResources = false;
  }
  return { resourceLines };
}

/** The value of the JSON string from `start` to `end` (its quotes); undefined when malformed. */
function stringValue(text: string, start: number, end: number): string | undefined {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return undefined;
  }
}

function tooDeep(file: string, line: number | undefined): SourceReadError {
  return new SourceReadError({
    file,
    code: 'TOO_LARGE',
    message: `template nests maps and lists more than ${MAX_TEMPLATE_DEPTH} levels deep, past the ${MAX_TEMPLATE_DEPTH} levels Palisade reads`,
    line,
  });
}

function parseYamlTemplate(file: string, body: string): ParsedTemplate {
  const counter = new LineCounter();
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
  if (error && /call stack/i.test(error.message)) {
    // The composer gave out deeper than the limit; its partial tree shows where nesting passed.
    const past = collectionPastDepth(doc.contents, MAX_TEMPLATE_DEPTH);
    throw tooDeep(file, counter.linePos(past ?? error.pos[0]).line);
  }
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

  const template = new Converter(doc, file, counter).toPlain(doc.contents);
  assertMapping(file, template);
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

function assertMapping(file: string, template: unknown): asserts template is object {
  if (typeof template === 'object' && template !== null && !Array.isArray(template)) return;
  throw new SourceReadError({
    file,
    code: 'INVALID_STRUCTURE',
    message: 'a CloudFormation template must be a mapping at the top level',
    line: 1,
  });
}
