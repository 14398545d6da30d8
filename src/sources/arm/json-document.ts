/**
 * Parses an ARM JSON file (comments allowed, as Azure accepts them) into plain values while
 * remembering the line of every object and array, so resources can point back at their source.
 */

import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { SourceReadError } from '../../model/source-error.js';
import { assertJsonNesting } from '../json-syntax-error.js';
import { setKey } from './arm-values.js';

/** A parsed JSON file: its value, and the line (1-based) where each object or array opens. */
export interface JsonDocument {
  value: unknown;
  lineOf(node: unknown): number | undefined;
}

/** Largest file a reader accepts: deployment templates are capped at 4 MB by Azure. */
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * Parses `text` (a UTF-8 BOM is dropped) and throws `SourceReadError` with the line and column
 * of the first syntax error, or the line where nesting passes `MAX_JSON_DEPTH`.
 *
 * ```ts
 * const doc = parseJsonDocument('main.json', '{ "resources": [] }');
 * doc.lineOf(doc.value); // 1
 * ```
 */
export function parseJsonDocument(file: string, text: string): JsonDocument {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.length > MAX_BYTES) {
    throw new SourceReadError({ file, code: 'TOO_LARGE', message: 'file is larger than 8 MB' });
  }

  // Measured before parsing, so a runaway document is refused with the limit and its line named
  // rather than by the parser running out of stack.
  assertJsonNesting(file, source);

  const lineStarts = computeLineStarts(source);
  const position = (offset: number) => toPosition(lineStarts, offset);
  const errors: ParseError[] = [];
  const root = parseWithoutStackOverflow(file, source, errors);
  if (errors.length > 0 || !root) {
    const first = errors[0];
    const where = first ? position(first.offset) : { line: 1, column: 1 };
    const what = first ? printParseErrorCode(first.error) : 'empty document';
    throw new SourceReadError({
      file,
      code: 'PARSE_ERROR',
      message: `invalid JSON: ${what}; fix the syntax at this position`,
      ...where,
    });
  }

  const lines = new WeakMap<object, number>();
  const value = toValue(root, lines, position);
  return { value, lineOf: (node) => (isObject(node) ? lines.get(node) : undefined) };
}

function parseWithoutStackOverflow(file: string, source: string, errors: ParseError[]) {
  try {
    return parseTree(source, errors, { allowTrailingComma: true, disallowComments: false });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new SourceReadError({ file, code: 'TOO_LARGE', message: 'JSON is nested too deeply' });
  }
}

/** Builds plain values iteratively, so a deeply nested file cannot overflow the stack. */
function toValue(
  root: Node,
  lines: WeakMap<object, number>,
  position: (offset: number) => { line: number },
): unknown {
  const made = new Map<Node, unknown>();
  const stack: { node: Node; expanded: boolean }[] = [{ node: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const children = top.node.children ?? [];
    if (!top.expanded && (top.node.type === 'object' || top.node.type === 'array')) {
      top.expanded = true;
      for (const child of children) {
        const valueNode = top.node.type === 'object' ? child.children?.[1] : child;
        if (valueNode) stack.push({ node: valueNode, expanded: false });
      }
      continue;
    }
    stack.pop();
    made.set(top.node, build(top.node, made));
    const built = made.get(top.node);
    if (isObject(built)) lines.set(built, position(top.node.offset).line);
  }
  return made.get(root);
}

function build(node: Node, made: Map<Node, unknown>): unknown {
  if (node.type === 'array') return (node.children ?? []).map((child) => made.get(child));
  if (node.type !== 'object') return node.value;

  const object: Record<string, unknown> = {};
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || !value) continue;
    setKey(object, String(key.value), made.get(value));
  }
  return object;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  return starts;
}

function toPosition(starts: number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low] + 1 };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
