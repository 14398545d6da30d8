/**
 * Recognises Kustomize patches: a file a `kustomization.yaml` lists under `patches`,
 * `patchesStrategicMerge` or `patchesJson6902` holds a fragment of an object (`replicas: 3` under
 * a name), which `kustomize build` merges into the object its bases declare. Judged as it stands
 * it is an object without its containers, limits or security context: every rule would fail it.
 * A patch written inline in the kustomization changes the bases just as much, unseen in them.
 */

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LineCounter, parse, parseDocument } from 'yaml';
import { SourceReadError, type SourceError } from '../../model/source-error.js';
import { scanLookups, type ScanLookups } from '../scan-lookups.js';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/** How every Kustomize patch error's reason begins, so reports can count them apart. */
const KUSTOMIZE_PATCH = 'Kustomize patch';
/** How far up from a file a kustomization that lists it is looked for (patches in subfolders). */
const MAX_DEPTH = 4;
/** A kustomization larger than this is not read for its patches (real ones are a few KB). */
const MAX_KUSTOMIZATION_BYTES = 1024 * 1024;

interface Kustomization {
  file: string;
  /** The patch paths it lists, resolved. */
  patches: Set<string>;
}

/**
 * The kustomization that lists `path` as a patch, or undefined when none does. `allow`
 * (containment, as readers get it) must accept a kustomization's real path for it to be read.
 * `lookups` are the scan's: each folder is looked up once for all the manifests under it.
 */
export function kustomizationPatching(
  path: string,
  allow?: (realPath: string) => boolean,
  lookups: ScanLookups = scanLookups(),
): string | undefined {
  const target = resolve(path);
  let dir = dirname(target);
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const here = lookups.once(`kustomization:${dir}`, () => kustomizationIn(dir, allow));
    if (here?.patches.has(target)) return here.file;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** The error a Kustomize patch gets: the scan lists the file as not assessed with this reason. */
export function kustomizePatchError(file: string, kustomization: string): SourceReadError {
  const shown = nearby(kustomization);
  const dir = dirname(shown);
  return new SourceReadError({
    file,
    code: 'UNSUPPORTED_TEMPLATE',
    message:
      `${KUSTOMIZE_PATCH} (listed in ${shown}): a fragment of an object until ` +
      `\`kustomize build ${dir}\` merges it; scan the built output ` +
      `(\`kubectl kustomize ${dir} | palisade check -\`)`,
  });
}

/** A patch a kustomization writes inline: the field that holds it and its line. */
export interface InlinePatch {
  /** `patches.0.patch`, `patchesStrategicMerge.1`, `patchesJson6902.0.patch`. */
  field: string;
  line?: number;
}

/** True for a file named as Kustomize names a kustomization. */
export function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_NAMES.includes(basename(path));
}

/**
 * The patches a kustomization's text writes inline: `patches[].patch` and
 * `patchesJson6902[].patch` strings, and `patchesStrategicMerge` entries that are a patch
 * rather than a file name (several lines, or YAML of their own). None when the text does not
 * parse or is larger than a kustomization is.
 *
 * ```ts
 * if (inlinePatchesOf(text).length > 0) throw kustomizeInlinePatchError(path, inlinePatchesOf(text));
 * ```
 */
export function inlinePatchesOf(text: string): InlinePatch[] {
  if (text.length > MAX_KUSTOMIZATION_BYTES) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) return [];
  let k: unknown;
  try {
    k = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return [];
  }
  if (typeof k !== 'object' || k === null) return [];
  const found: (string | number)[][] = [];
  const data = k as Record<string, unknown>;
  asList(data.patchesStrategicMerge).forEach((entry, i) => {
    const inline = typeof entry === 'string' ? looksInline(entry) : isRecord(entry);
    if (inline) found.push(['patchesStrategicMerge', i]);
  });
  for (const key of ['patches', 'patchesJson6902']) {
    asList(data[key]).forEach((entry, i) => {
      const patch = isRecord(entry) ? entry.patch : undefined;
      if (patch !== undefined && patch !== null && patch !== '') found.push([key, i, 'patch']);
    });
  }
  return found.map((path) => {
    const node = doc.getIn(path, true) as { range?: [number, number] } | undefined;
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    return { field: path.join('.'), ...(line ? { line } : {}) };
  });
}

/** A `patchesStrategicMerge` entry that is a patch itself, not the name of a file. */
function looksInline(entry: string): boolean {
  return entry.includes('\n') || /^\s*[{[]/.test(entry) || /:\s/.test(entry);
}

/**
 * The error a kustomization with inline patches gets, as a patch file gets one: the patches
 * change objects only when `kustomize build` applies them, so the gate cannot judge the result.
 */
export function kustomizeInlinePatchError(file: string, patches: InlinePatch[]): SourceReadError {
  const shown = nearby(file);
  const dir = dirname(shown);
  const fields = patches.map((p) => p.field).join(', ');
  return new SourceReadError({
    file,
    line: patches[0]?.line,
    code: 'UNSUPPORTED_TEMPLATE',
    message:
      `${KUSTOMIZE_PATCH} written inline (${fields} in ${shown}): changes objects only when ` +
      `\`kustomize build ${dir}\` applies it; scan the built output ` +
      `(\`kubectl kustomize ${dir} | palisade check -\`)`,
  });
}

/**
 * True for the error a Kustomize patch gets (a patch file, or a kustomization with inline
 * patches), to tell it from a Helm template's.
 */
export function isKustomizePatchError(error: SourceError): boolean {
  return error.code === 'UNSUPPORTED_TEMPLATE' && error.message.includes(`: ${KUSTOMIZE_PATCH} `);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `path` relative to the working folder when it lies inside it, else as it is. */
function nearby(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The kustomization in `dir` with the patches it lists, or undefined (none, or not allowed). */
function kustomizationIn(
  dir: string,
  allow: ((realPath: string) => boolean) | undefined,
): Kustomization | undefined {
  for (const name of KUSTOMIZATION_NAMES) {
    const file = join(dir, name);
    const size = fileSize(file);
    if (size === undefined) continue;
    if (allow && !allow(realpathSync(file))) return undefined;
    const patches = size <= MAX_KUSTOMIZATION_BYTES ? patchesOf(file, dir) : new Set<string>();
    return { file, patches };
  }
  return undefined;
}

/** The size of the regular file at `file`, or undefined when there is none. */
function fileSize(file: string): number | undefined {
  try {
    const info = statSync(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

/** The files a kustomization names as patches, resolved from its folder (unreadable: none). */
function patchesOf(file: string, dir: string): Set<string> {
  const patches = new Set<string>();
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'), { uniqueKeys: false, maxAliasCount: 100 });
  } catch {
    return patches;
  }
  if (typeof doc !== 'object' || doc === null) return patches;
  const k = doc as Record<string, unknown>;
  const add = (path: unknown) => {
    if (typeof path === 'string' && path !== '') patches.add(resolve(dir, path));
  };
  for (const entry of asList(k.patchesStrategicMerge)) add(entry);
  for (const key of ['patches', 'patchesJson6902']) {
    for (const entry of asList(k[key])) {
      if (typeof entry === 'object' && entry !== null) add((entry as { path?: unknown }).path);
    }
  }
  return patches;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
