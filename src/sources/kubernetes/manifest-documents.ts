/**
 * Splits a manifest file (multi-document YAML or JSON) into plain objects, each with the line
 * it starts on and its own source text, expanding `List` kinds into their items.
 */

import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Alias,
  type Document,
} from 'yaml';
import { SourceReadError } from '../../model/source-error.js';
import { checkUniqueKeys } from '../../model/yaml-unique-keys.js';
import { MAX_JSON_DEPTH } from '../json-syntax-error.js';
import { collectionPastDepth } from '../yaml-nesting.js';

/** Files above this size are refused rather than parsed. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/**
 * Nodes that aliases (merge keys included) may add to a file once expanded: a benign anchor
 * used hundreds of times stays far below it, while an alias bomb (each level aliasing the one
 * before several times) passes it within a few levels and is refused before anything expands.
 */
export const MAX_ALIAS_EXPANSION = 200_000;

const MAX_DOCUMENTS = 10_000;

/**
 * Deepest nesting of maps and lists a manifest may have, block or flow, as the JSON readers. Flow
 * nesting is measured before the parser recurses into it; the yaml library's composer, which
 * recurses into block nesting too, gives out hundreds of levels past this on a default stack.
 */
export const MAX_MANIFEST_DEPTH = MAX_JSON_DEPTH;

/** One object of the file: a document, or one item of a `List` document. */
export interface ManifestObject {
  value: unknown;
  /** 1-based line where the object starts. */
  line: number;
  /** Index of the document in the file (0-based). */
  document: number;
  /** The object's own source text, for comment suppressions. */
  source: string;
  /** 1-based line of the object's `metadata.namespace`, when it writes one. */
  namespaceLine?: number;
}

/**
 * Parses every document of `text`. YAML 1.1 rules apply (`yes`/`no` are booleans), as in the
 * Kubernetes YAML decoder. Throws `SourceReadError` with the line of the first syntax error.
 */
export function parseManifestObjects(file: string, text: string): ManifestObject[] {
  if (text.length > MAX_MANIFEST_BYTES) {
    throw new SourceReadError({
      file,
      code: 'TOO_LARGE',
      message: `manifest is larger than ${MAX_MANIFEST_BYTES} bytes; split it into smaller files`,
    });
  }

  const deepAt = flowTooDeepAt(text);
  if (deepAt !== undefined) throw tooDeep(file, text.slice(0, deepAt).split('\n').length);

  const lineCounter = new LineCounter();
  const docs = parseDocuments(file, text, lineCounter);
  const objects: ManifestObject[] = [];
  const aliasBudget = { left: MAX_ALIAS_EXPANSION };
  docs.forEach((doc, index) => {
    const start = index === 0 ? 0 : doc.range[0];
    const end = index + 1 < docs.length ? docs[index + 1].range[0] : text.length;
    const span = { text, start, end, lineCounter, aliasBudget };
    objects.push(...documentObjects(file, doc, index, span));
  });
  return objects;
}

/** A document's place in the file: its text spans `text.slice(start, end)`. */
interface DocumentSpan {
  text: string;
  start: number;
  end: number;
  lineCounter: LineCounter;
  /** Nodes aliases may still add in this file (shared by its documents). */
  aliasBudget: { left: number };
}

function parseDocuments(file: string, text: string, lineCounter: LineCounter): Document.Parsed[] {
  let docs: Document.Parsed[];
  try {
    // `logLevel: 'error'`: a key that is a collection is written as text, as Kubernetes itself
    // would refuse it, without a process warning that names no file.
    // `uniqueKeys: false`: `checkUniqueKeys` below finds repeated keys in one pass.
    const parsed = parseAllDocuments(text, {
      lineCounter,
      version: '1.1',
      prettyErrors: true,
      logLevel: 'error',
      uniqueKeys: false,
    });
    docs = Array.isArray(parsed) ? parsed : [parsed];
  } catch (err) {
    throw parseFailure(file, err);
  }

  if (docs.length > MAX_DOCUMENTS) {
    throw new SourceReadError({
      file,
      code: 'TOO_LARGE',
      message: `manifest holds more than ${MAX_DOCUMENTS} documents; split it into smaller files`,
    });
  }

  for (const doc of docs) {
    const first = doc.errors[0];
    if (first && /call stack/i.test(first.message)) {
      // The composer gave out deeper than the limit; its partial tree shows where nesting passed.
      const past = collectionPastDepth(doc.contents, MAX_MANIFEST_DEPTH);
      throw tooDeep(file, lineCounter.linePos(past ?? first.pos[0]).line);
    }
    checkUniqueKeys(doc, lineCounter);
    const error = doc.errors[0];
    if (!error) continue;
    const pos = error.linePos?.[0];
    throw new SourceReadError({
      file,
      line: pos?.line,
      column: pos?.col,
      code: 'PARSE_ERROR',
      message: `invalid YAML: ${firstLine(error.message)}`,
    });
  }
  return docs;
}

function documentObjects(
  file: string,
  doc: Document.Parsed,
  index: number,
  span: DocumentSpan,
): ManifestObject[] {
  const contents = doc.contents;
  if (contents === null) return [];

  const line = span.lineCounter.linePos(contents.range?.[0] ?? doc.range[0]).line;
  const value = toPlain(file, doc, line, span);
  const source = span.text.slice(span.start, span.end);
  if (!isListObject(value) || !isMap(contents)) {
    return [{ value, line, document: index, source, ...namespaceLine(contents, span) }];
  }

  // Each item of a List keeps its own line and the text from the previous item's end to its
  // own end, so a comment written just above an item belongs to that item.
  const itemsNode = contents.get('items', true);
  if (!isSeq(itemsNode)) return [];
  let from = itemsNode.range?.[0] ?? span.start;
  return value.items.map((item, i) => {
    const node = itemsNode.items[i] as { range?: [number, number, number] } | null;
    const range = node?.range ?? [from, from, from];
    const object = {
      value: item,
      line: span.lineCounter.linePos(range[0]).line,
      document: index,
      source: span.text.slice(from, range[2]),
      ...namespaceLine(node, span),
    };
    from = range[2];
    return object;
  });
}

/** Where an object's node writes `metadata.namespace`, for a warning to point at. */
function namespaceLine(node: unknown, span: DocumentSpan): { namespaceLine?: number } {
  if (!isMap(node)) return {};
  const value = node.getIn(['metadata', 'namespace'], true) as { range?: number[] } | undefined;
  const at = value?.range?.[0];
  return at === undefined ? {} : { namespaceLine: span.lineCounter.linePos(at).line };
}

function toPlain(file: string, doc: Document, line: number, span: DocumentSpan): unknown {
  try {
    expandAliases(file, doc, span);
    // No alias is left to count: the file's budget has judged them.
    return doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    throw parseFailure(file, err, line);
  }
}

/** What the alias expansion of one document knows: anchors so far, and sizes of anchored nodes. */
interface Expansion {
  file: string;
  lineCounter: LineCounter;
  budget: { left: number };
  /** The node each anchor names at this point of the document (a later anchor shadows). */
  anchors: Map<string, unknown>;
  /** Expanded size, in nodes, of each anchored node walked. */
  sizes: Map<unknown, number>;
  /** Collections being walked: an alias to one of them is a cycle. */
  open: Set<unknown>;
}

/**
 * Replaces every alias of `doc` by the node it names, in document order, charging the nodes each
 * one adds to `budget`; refuses the file once the budget is spent or an alias names a node that
 * contains it. The size of an anchored node is remembered, so a bomb is judged by the size it
 * would expand to without expanding it. With no alias left, `toJS` does no alias look-up (the
 * yaml library's look-up scans every anchor before each alias, quadratic in their number) and
 * costs what the expanded document holds.
 */
function expandAliases(file: string, doc: Document, span: DocumentSpan): void {
  const x: Expansion = {
    file,
    lineCounter: span.lineCounter,
    budget: span.aliasBudget,
    anchors: new Map(),
    sizes: new Map(),
    open: new Set(),
  };
  const [contents] = expandChild(doc.contents, x, 1);
  doc.contents = contents as typeof doc.contents;
}

/** `node` at nesting `depth`, or the node an alias names, and its expanded size. */
function expandChild(node: unknown, x: Expansion, depth: number): [unknown, number] {
  if (!isAlias(node)) return [node, expandNode(node, x, depth)];
  const target = x.anchors.get(node.source);
  // An alias to no anchor is left for `toJS` to report as the YAML error it is.
  if (target === undefined) return [node, 1];
  if (x.open.has(target)) {
    throw aliasRefusal(x, node, `YAML alias *${node.source} refers to a node that contains it`);
  }
  const size = x.sizes.get(target) ?? 1;
  x.budget.left -= size;
  if (x.budget.left < 0) {
    throw aliasRefusal(
      x,
      node,
      `YAML aliases would expand the file by more than ${MAX_ALIAS_EXPANSION} nodes; refusing a possible alias bomb`,
    );
  }
  return [target, size];
}

/**
 * The expanded size of a node that is not an alias, replacing the aliases inside it; a collection
 * nested deeper than the limit refuses the file.
 */
function expandNode(node: unknown, x: Expansion, depth: number): number {
  const anchor = isScalar(node) || isCollection(node) ? node.anchor : undefined;
  if (anchor) x.anchors.set(anchor, node);
  if (!isCollection(node)) return node === null || node === undefined ? 0 : 1;
  if (depth > MAX_MANIFEST_DEPTH) {
    const at = node.range?.[0];
    throw tooDeep(x.file, at === undefined ? undefined : x.lineCounter.linePos(at).line);
  }

  x.open.add(node);
  let size = 1;
  const items = node.items as unknown[];
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (isPair(item)) {
      const [key, keySize] = expandChild(item.key, x, depth + 1);
      const [value, valueSize] = expandChild(item.value, x, depth + 1);
      item.key = key;
      item.value = value;
      size += keySize + valueSize;
    } else {
      const [value, valueSize] = expandChild(item, x, depth + 1);
      items[i] = value;
      size += valueSize;
    }
  }
  x.open.delete(node);
  if (anchor) x.sizes.set(node, size);
  return size;
}

function aliasRefusal(x: Expansion, alias: Alias, message: string): SourceReadError {
  const at = alias.range?.[0];
  const line = at === undefined ? undefined : x.lineCounter.linePos(at).line;
  return new SourceReadError({ file: x.file, line, code: 'TOO_LARGE', message });
}

/** `kind: List`, `kind: PodList` and friends: a wrapper whose `items` are the objects. */
function isListObject(value: unknown): value is { kind: string; items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, items } = value as { kind?: unknown; items?: unknown };
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items);
}

function parseFailure(file: string, err: unknown, line?: number): SourceReadError {
  if (err instanceof SourceReadError) return err;
  // Nesting within the limit is read without running out of stack: running out means past it.
  if (err instanceof RangeError) return tooDeep(file, line);
  const reason = err instanceof Error ? firstLine(err.message) : String(err);
  return new SourceReadError({
    file,
    line,
    code: 'PARSE_ERROR',
    message: `invalid YAML: ${reason}`,
  });
}

/** Nesting past `MAX_MANIFEST_DEPTH`, at `line` where it passes the limit when that is known. */
function tooDeep(file: string, line: number | undefined): SourceReadError {
  return new SourceReadError({
    file,
    line,
    code: 'TOO_LARGE',
    message: `manifest nests maps and lists more than ${MAX_MANIFEST_DEPTH} levels deep, past the ${MAX_MANIFEST_DEPTH} levels Palisade reads; flatten the document`,
  });
}

/** The first line of a yaml error, without the `at line L, column C:` the error fields carry. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Offset where `[`/`{` nesting first passes the limit, skipping quoted strings and comments; a
 * linear scan that spares the recursive parser from pathological input.
 */
function flowTooDeepAt(text: string): number | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quote) {
      if (ch === quote || ch === '\n') quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (ch === '[' || ch === '{') {
      depth += 1;
      if (depth > MAX_MANIFEST_DEPTH) return i;
    } else if ((ch === ']' || ch === '}') && depth > 0) depth -= 1;
  }
  return undefined;
}
