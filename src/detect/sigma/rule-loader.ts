/**
 * Loads Sigma rules from folders of YAML: single rules, multi-document correlation files and
 * rule collections (`action: global` / `reset` / `repeat`). Every rule is validated and
 * test-compiled; a rule that cannot be used is listed with its file, line, field and reason.
 */

import { readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { checkUniqueKeys } from '../../model/yaml-unique-keys.js';
import { compileSigmaRule } from './rule-compiler.js';
import { readRuleDocument } from './rule-document.js';
import {
  snapshotKey,
  snapshotLine,
  textHash,
  type RuleSnapshot,
  type SnapshotFile,
} from './rule-snapshot.js';
import { SigmaRuleError } from './sigma-rule-error.js';
import type {
  SigmaLoadResult,
  SigmaLogSource,
  SigmaOptions,
  SigmaRule,
  UnsupportedSigmaRule,
} from './types.js';

/** Files larger than this are listed as unsupported rather than parsed. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

async function ruleFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

type Data = Record<string, unknown>;

function isMap(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge for rule collections: maps merge key by key, `extra` wins elsewhere. */
function mergeDocs(base: Data, extra: Data): Data {
  const out: Data = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const prior = out[key];
    out[key] = isMap(prior) && isMap(value) ? mergeDocs(prior, value) : value;
  }
  return out;
}

interface ParsedDoc {
  data: Data;
  /** The line of a YAML path in the document (`lineOf` over the documents that make it up). */
  lineAt: (path: (string | number)[]) => number | undefined;
  index: number;
}

/** `lineOf` over `sources` (the documents whose keys make up a rule, most specific first). */
function lineLookup(sources: Document[], counter: LineCounter): ParsedDoc['lineAt'] {
  return (path) => lineOf(sources, path, counter);
}

/** Line of a YAML path in the first document that has it. */
function lineOf(
  sources: Document[],
  path: (string | number)[],
  counter: LineCounter,
): number | undefined {
  for (const doc of sources) {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return counter.linePos(range[0]).line;
    }
  }
  return undefined;
}

/**
 * Loads every `.yml`/`.yaml` rule under `dirs` (folders or files).
 *
 * ```ts
 * const options = { defaultLicense: 'DRL-1.1' };
 * const { rules, unsupported } = await loadSigmaRules(['rules/cloud'], options);
 * ```
 */

/** The keys of which a Sigma rule document (detection, correlation or filter) has at least one. */
const RULE_KEYS = ['title', 'logsource', 'detection', 'correlation', 'filter'];

export async function loadSigmaRules(
  dirs: string[],
  options: SigmaOptions = {},
  snapshot?: RuleSnapshot,
): Promise<SigmaLoadResult> {
  const rules: SigmaRule[] = [];
  const unsupported: UnsupportedSigmaRule[] = [];

  const seen = new Set<string>();
  for (const dir of dirs) {
    let files: string[];
    try {
      files = await ruleFiles(dir);
    } catch (error) {
      unsupported.push({
        file: dir,
        reason: `cannot read: ${(error as Error).message}`,
        unreadable: true,
      });
      continue;
    }
    for (const file of files) {
      // Folders given twice, or one inside another, load each file once.
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      // Named from where the user is when that is below it; otherwise whole, as a path that
      // climbs out (`../../../work/rules/x.yml`) means little in an alert or a server's log.
      const below = relative(process.cwd(), file);
      const display =
        below && !below.startsWith('..') && !isAbsolute(below) ? below : resolve(file);
      const taken = snapshot ? snapshot[snapshotKey(dir, file)] : undefined;
      const loaded = await loadFile(file, display, options, taken);
      for (const item of loaded.rules) rules.push(item);
      for (const item of loaded.unsupported) unsupported.push(item);
    }
  }

  return resolveReferences(rules, unsupported);
}

/** Loads the rules of one file's text (exposed for tests and fuzzing). */
export function loadSigmaText(
  text: string,
  file: string,
  options: SigmaOptions = {},
): SigmaLoadResult {
  const result = parseRuleText(text, file, options);
  return resolveReferences(result.rules, result.unsupported);
}

async function loadFile(
  file: string,
  display: string,
  options: SigmaOptions,
  snapshot?: SnapshotFile,
): Promise<SigmaLoadResult> {
  try {
    // Synchronous reads: rule files are small and many, and fs/promises costs 20-40 times the
    // CPU per file (hundreds of milliseconds for SigmaHQ's cloud rules).
    const info = statSync(file);
    if (info.size > MAX_FILE_BYTES) {
      return {
        rules: [],
        unsupported: [{ file: display, reason: `file is larger than ${MAX_FILE_BYTES} bytes` }],
      };
    }
    const text = readFileSync(file, 'utf8');
    if (snapshot?.sha256 === textHash(text)) return readSnapshotDocs(snapshot, display, options);
    return parseRuleText(text, display, options);
  } catch (error) {
    return {
      rules: [],
      unsupported: [{ file: display, reason: `cannot read: ${(error as Error).message}` }],
    };
  }
}

function parseRuleText(text: string, file: string, options: SigmaOptions): SigmaLoadResult {
  const rules: SigmaRule[] = [];
  const unsupported: UnsupportedSigmaRule[] = [];
  const counter = new LineCounter();
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false }) as Document[];
    if (Array.isArray(docs)) for (const doc of docs) checkUniqueKeys(doc, counter);
  } catch (error) {
    return {
      rules,
      unsupported: [{ file, reason: `YAML: ${(error as Error).message}`, unreadable: true }],
    };
  }
  if (!Array.isArray(docs)) docs = [];
  return readDocs(collectDocs(docs, file, counter, unsupported), file, options, unsupported);
}

/**
 * The rules of a file read from its snapshot (`rule-snapshot.ts`), as `parseRuleText` reads them
 * from its YAML: a snapshot holds only plain documents (no collection actions, no YAML errors).
 */
function readSnapshotDocs(
  snapshot: SnapshotFile,
  file: string,
  options: SigmaOptions,
): SigmaLoadResult {
  const unsupported: UnsupportedSigmaRule[] = [];
  const parsed: ParsedDoc[] = [];
  for (const doc of snapshot.documents) {
    const lines = new Map(doc.lines);
    const lineAt: ParsedDoc['lineAt'] = (path) => snapshotLine(lines, path);
    if (!RULE_KEYS.some((key) => Object.hasOwn(doc.data, key))) {
      unsupported.push(notARule(file, lineAt([])));
      continue;
    }
    parsed.push({ data: doc.data, lineAt, index: doc.index });
  }
  return readDocs(parsed, file, options, unsupported);
}

/** Reads and test-compiles each document's rule; those that fail join `unsupported`. */
function readDocs(
  parsed: ParsedDoc[],
  file: string,
  options: SigmaOptions,
  unsupported: UnsupportedSigmaRule[],
): SigmaLoadResult {
  const rules: SigmaRule[] = [];
  for (const doc of parsed) {
    const origin = { file, document: doc.index, line: doc.lineAt([]) ?? 1 };
    try {
      const rule = readRuleDocument(doc.data, origin, options.defaultLicense);
      if (rule.kind === 'detection') compileSigmaRule(rule, options);
      rules.push(rule);
    } catch (error) {
      unsupported.push(describeFailure(error, doc, file));
    }
  }
  return { rules, unsupported };
}

/** The entry for a mapping with none of a rule's parts: some other YAML (a config, a log). */
function notARule(file: string, line: number | undefined): UnsupportedSigmaRule {
  return {
    file,
    line,
    reason: `no Sigma rule: the document has none of ${RULE_KEYS.join(', ')}`,
    unreadable: true,
  };
}

function describeFailure(error: unknown, parsed: ParsedDoc, file: string): UnsupportedSigmaRule {
  const id = typeof parsed.data.id === 'string' ? parsed.data.id : undefined;
  const title = typeof parsed.data.title === 'string' ? parsed.data.title : undefined;
  const logsource = logsourceOf(parsed.data.logsource);
  if (error instanceof SigmaRuleError) {
    const line = parsed.lineAt(error.path);
    const where = error.field ? `${error.field}: ` : '';
    const reason = `${where}${error.message}`;
    return { file, line, field: error.field, id, title, ...(logsource && { logsource }), reason };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    file,
    id,
    title,
    ...(logsource && { logsource }),
    line: parsed.lineAt([]),
    reason: `cannot compile: ${message}`,
  };
}

/** A rule's `logsource` as far as it is a mapping of strings (a broken rule's may be anything). */
function logsourceOf(value: unknown): SigmaLogSource | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: SigmaLogSource = {};
  for (const key of ['product', 'service', 'category', 'definition'] as const) {
    const part = (value as Record<string, unknown>)[key];
    if (typeof part === 'string') out[key] = part;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Applies collection actions and drops YAML-broken documents (listing them as unsupported). */
function collectDocs(
  docs: Document[],
  file: string,
  counter: LineCounter,
  unsupported: UnsupportedSigmaRule[],
): ParsedDoc[] {
  const out: ParsedDoc[] = [];
  let global: { data: Data; doc: Document } | undefined;
  let previous: ParsedDoc | undefined;
  /** The documents that make up `previous`, most specific first. */
  let sources: Document[] = [];

  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const line = error.linePos?.[0]?.line;
      unsupported.push({
        file,
        line,
        reason: `YAML: ${error.message.split('\n')[0]}`,
        unreadable: true,
      });
      return;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      unsupported.push({ file, reason: `YAML: ${(error as Error).message}`, unreadable: true });
      return;
    }
    if (data === null || data === undefined) return;
    if (!isMap(data)) {
      unsupported.push({
        file,
        line: lineOf([doc], [], counter),
        reason: 'a Sigma rule must be a YAML mapping',
        unreadable: true,
      });
      return;
    }

    const { action, ...rest } = data;
    if (action === 'global') {
      global = { data: rest, doc };
      return;
    }
    if (action === 'reset') {
      global = undefined;
      return;
    }
    if (action === 'repeat' && previous) {
      sources = [doc, ...sources];
      previous = {
        data: mergeDocs(previous.data, rest),
        lineAt: lineLookup(sources, counter),
        index,
      };
      out.push(previous);
      return;
    }
    if (action !== undefined && action !== 'repeat') {
      unsupported.push({
        file,
        line: lineOf([doc], ['action'], counter),
        field: 'action',
        reason: `action: unknown collection action "${String(action)}"`,
      });
      return;
    }
    const merged = global ? mergeDocs(global.data, rest) : rest;
    // A mapping with none of a rule's parts is some other YAML (a config, a log), not a rule.
    if (!RULE_KEYS.some((key) => Object.hasOwn(merged, key))) {
      unsupported.push(notARule(file, lineOf([doc], [], counter)));
      return;
    }
    sources = global ? [doc, global.doc] : [doc];
    previous = { data: merged, lineAt: lineLookup(sources, counter), index };
    out.push(previous);
  });
  return out;
}

/** Drops duplicate ids and correlations whose referenced rules are missing or cyclic. */
function resolveReferences(
  rules: SigmaRule[],
  unsupported: UnsupportedSigmaRule[],
): SigmaLoadResult {
  const kept: SigmaRule[] = [];
  const byId = new Map<string, SigmaRule>();
  for (const rule of rules) {
    const prior = byId.get(rule.id);
    if (prior) {
      unsupported.push({
        file: rule.origin.file,
        line: rule.origin.line,
        id: rule.id,
        title: rule.title,
        field: 'id',
        reason: `id: duplicate rule id, first loaded from ${prior.origin.file}`,
      });
      continue;
    }
    byId.set(rule.id, rule);
    kept.push(rule);
  }

  const byRef = new Map<string, SigmaRule>();
  for (const rule of kept) {
    byRef.set(rule.id, rule);
    if (rule.name && !byRef.has(rule.name)) byRef.set(rule.name, rule);
  }

  const bad = new Map<SigmaRule, string>();
  const visiting = new Set<SigmaRule>();
  const check = (rule: SigmaRule): string | undefined => {
    if (rule.kind !== 'correlation') return undefined;
    if (bad.has(rule)) return bad.get(rule);
    if (visiting.has(rule)) return 'correlation rules refer to each other in a cycle';
    visiting.add(rule);
    let reason: string | undefined;
    for (const ref of rule.rules) {
      const target = byRef.get(ref);
      if (!target) reason = `correlation.rules: refers to unknown rule "${ref}"`;
      else if (check(target)) reason = `correlation.rules: referenced rule "${ref}" is unusable`;
      if (reason) break;
    }
    visiting.delete(rule);
    if (reason) bad.set(rule, reason);
    return reason;
  };

  const usable = kept.filter((rule) => {
    const reason = check(rule);
    if (!reason) return true;
    unsupported.push({
      file: rule.origin.file,
      line: rule.origin.line,
      id: rule.id,
      title: rule.title,
      field: 'correlation.rules',
      reason,
    });
    return false;
  });
  return { rules: usable, unsupported };
}
