/**
 * Rule files read ahead of time: each YAML document's data and the line of each of its nodes, in
 * JSON. Palisade's built-in rules are loaded on every run, and parsing their YAML (a parser that
 * has not warmed up yet) cost more than reading the JSON does; the snapshot is used only for a
 * file whose text is still the one it was taken from, so a rule edited since is read as YAML.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { join, relative, sep } from 'node:path';
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
} from 'yaml';
import { checkUniqueKeys } from '../../model/yaml-unique-keys.js';

/** One YAML document of a snapshot file. */
export interface SnapshotDocument {
  /** Its place in the file (0-based), as the loader numbers documents. */
  index: number;
  /** The document as `toJS` gives it. */
  data: Record<string, unknown>;
  /** `[JSON of a node's path, its line]` for every node the document holds, the root's first. */
  lines: [string, number][];
}

/** A rule file's snapshot: the SHA-256 of the text it was taken from, and its documents. */
export interface SnapshotFile {
  sha256: string;
  documents: SnapshotDocument[];
}

/** Snapshots by file path below the rule folder, `/`-separated (`ssh-brute-force.yml`). */
export type RuleSnapshot = Record<string, SnapshotFile>;

/** SHA-256 of a rule file's text, in hex. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The line `lineOf` finds for `path` in a snapshot document: that of the deepest node on the
 * path the document holds (the root's when none).
 */
export function snapshotLine(
  lines: Map<string, number>,
  path: (string | number)[],
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const line = lines.get(JSON.stringify(path.slice(0, depth)));
    if (line !== undefined) return line;
  }
  return undefined;
}

/**
 * The snapshot of one rule file's text, or undefined when the file is not plain enough to be
 * read from one: a YAML error, anchors or aliases, a document that is no mapping, a collection
 * action (`action: global`), keys that are neither text nor whole numbers, or data that JSON
 * does not carry unchanged. Such files are always read as YAML.
 */
export function snapshotOfText(text: string): SnapshotFile | undefined {
  const counter = new LineCounter();
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false }) as Document[];
  } catch {
    return undefined;
  }
  if (!Array.isArray(docs)) return undefined;
  const documents: SnapshotDocument[] = [];
  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index];
    checkUniqueKeys(doc, counter);
    if (doc.errors.length > 0 || !plain(doc)) return undefined;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch {
      return undefined;
    }
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data) || 'action' in data) return undefined;
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(data)), data)) return undefined;
    const lines: [string, number][] = [];
    nodeLines(doc.contents, [], counter, lines);
    documents.push({ index, data: data as Record<string, unknown>, lines });
  }
  return { sha256: textHash(text), documents };
}

/** False when a document holds an anchor, an alias, or a key `lineOf` could not follow. */
function plain(doc: Document): boolean {
  let ok = true;
  visit(doc, {
    Node(_, node) {
      if (isAlias(node) || ('anchor' in node && node.anchor)) {
        ok = false;
        return visit.BREAK;
      }
      return undefined;
    },
    Pair(_, pair) {
      const key = pair.key;
      const usable =
        isScalar(key) &&
        (typeof key.value === 'string' ||
          (typeof key.value === 'number' && Number.isInteger(key.value)));
      if (!usable) {
        ok = false;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return ok;
}

/** Appends the line of `node` and of every node below it, by path, as `doc.getIn` finds them. */
function nodeLines(
  node: unknown,
  path: (string | number)[],
  counter: LineCounter,
  out: [string, number][],
): void {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  if (!range) return;
  out.push([JSON.stringify(path), counter.linePos(range[0]).line]);
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = (pair.key as { value: string | number }).value;
      nodeLines(pair.value, [...path, key], counter, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => nodeLines(item, [...path, i], counter, out));
  }
}

/**
 * The snapshot of every `.yml`/`.yaml` file under `dir` that can have one (`snapshotOfText`),
 * keyed by its path below `dir`.
 *
 * ```ts
 * writeFileSync('rules.snapshot.json', JSON.stringify(await takeRuleSnapshot('rules/')));
 * ```
 */
export async function takeRuleSnapshot(dir: string): Promise<RuleSnapshot> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const snapshot: RuleSnapshot = {};
  for (const file of files) {
    const taken = snapshotOfText(readFileSync(file, 'utf8'));
    if (taken) snapshot[snapshotKey(dir, file)] = taken;
  }
  return snapshot;
}

/** The key of `file` in the snapshot of `dir`. */
export function snapshotKey(dir: string, file: string): string {
  return relative(dir, file).split(sep).join('/');
}

/**
 * Reads a snapshot file written from `takeRuleSnapshot`; undefined when it is missing or is not
 * one (the rules are then read as YAML).
 */
export function readRuleSnapshot(path: string): RuleSnapshot | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return parsed as RuleSnapshot;
  } catch {
    return undefined;
  }
}
