/**
 * Splits a manifest file (multi-document YAML or JSON) into plain objects, each with the line
 * it starts on and its own source text, expanding `List` kinds into their items.
 */

import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { SourceReadError } from '../../model/source-error.js';

/** Files above this size are refused rather than parsed. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/** Aliases a document may expand; more is taken as an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

const MAX_DOCUMENTS = 10_000;

/** Flow collections nested deeper than this are refused before the parser recurses into them. */
const MAX_FLOW_DEPTH = 1_000;

/** One object of the file: a document, or one item of a `List` document. */
export interface ManifestObject {
  value: unknown;
  /** 1-based line where the object starts. */
  line: number;
  /** Index of the document in the file (0-based). */
  document: number;
  /** The object's own source text, for comment suppressions. */
  source: string;
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
  if (deepAt !== undefined) {
    throw new SourceReadError({
      file,
      line: text.slice(0, deepAt).split('\n').length,
      code: 'TOO_LARGE',
      message: `YAML nesting is deeper than ${MAX_FLOW_DEPTH} levels; flatten the document`,
    });
  }

  const lineCounter = new LineCounter();
  const docs = parseDocuments(file, text, lineCounter);
  const objects: ManifestObject[] = [];
  docs.forEach((doc, index) => {
    const start = index === 0 ? 0 : doc.range[0];
    const end = index + 1 < docs.length ? docs[index + 1].range[0] : text.length;
    const span = { text, start, end, lineCounter };
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
}

function parseDocuments(file: string, text: string, lineCounter: LineCounter): Document.Parsed[] {
  let docs: Document.Parsed[];
  try {
    // `logLevel: 'error'`: a key that is a collection is written as text, as Kubernetes itself
    // would refuse it, without a process warning that names no file.
    const parsed = parseAllDocuments(text, {
      lineCounter,
      version: '1.1',
      prettyErrors: true,
      logLevel: 'error',
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
    const error = doc.errors[0];
    if (!error) continue;
    const pos = error.linePos?.[0];
    if (/call stack/i.test(error.message)) throw parseFailure(file, new RangeError(), pos?.line);
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
  const value = toPlain(file, doc, line);
  const source = span.text.slice(span.start, span.end);
  if (!isListObject(value) || !isMap(contents)) return [{ value, line, document: index, source }];

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
    };
    from = range[2];
    return object;
  });
}

function toPlain(file: string, doc: Document, line: number): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw parseFailure(file, err, line);
  }
}

/** `kind: List`, `kind: PodList` and friends: a wrapper whose `items` are the objects. */
function isListObject(value: unknown): value is { kind: string; items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, items } = value as { kind?: unknown; items?: unknown };
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items);
}

function parseFailure(file: string, err: unknown, line?: number): SourceReadError {
  if (err instanceof SourceReadError) return err;
  if (err instanceof RangeError) {
    return new SourceReadError({
      file,
      line,
      code: 'TOO_LARGE',
      message: 'YAML nesting is too deep to read; flatten the document',
    });
  }
  const reason = err instanceof Error ? firstLine(err.message) : String(err);
  const aliasBomb = /alias/i.test(reason);
  return new SourceReadError({
    file,
    line,
    code: aliasBomb ? 'TOO_LARGE' : 'PARSE_ERROR',
    message: aliasBomb
      ? `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT}); refusing a possible alias bomb`
      : `invalid YAML: ${reason}`,
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
      if (depth > MAX_FLOW_DEPTH) return i;
    } else if ((ch === ']' || ch === '}') && depth > 0) depth -= 1;
  }
  return undefined;
}
