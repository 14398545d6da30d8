/**
 * Recognises Kustomize patches: a file a `kustomization.yaml` lists under `patches`,
 * `patchesStrategicMerge` or `patchesJson6902` holds a fragment of an object (`replicas: 3` under
 * a name), which `kustomize build` merges into the object its bases declare. Judged as it stands
 * it is an object without its containers, limits or security context: every rule would fail it.
 */

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { SourceReadError } from '../../model/source-error.js';
import { scanLookups, type ScanLookups } from '../scan-lookups.js';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
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
      `Kustomize patch (listed in ${shown}): a fragment of an object until ` +
      `\`kustomize build ${dir}\` merges it; scan the built output ` +
      `(\`kubectl kustomize ${dir} | palisade check -\`)`,
  });
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
