/**
 * Reads a Terraform module folder and, recursively, the local modules it calls: parses every
 * `.tf` and `.tf.json` file and the root's `.tfvars`, so evaluation afterwards needs no I/O but
 * `file()`.
 */

import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SourceError } from '../../model/source-error.js';
import { SourceReadError } from '../../model/source-error.js';
import { OUTSIDE } from '../reader.js';
import { findBlockLocations, findLocalLines, type BlockLocation } from './block-locations.js';
import { HCL_TOO_LARGE, MAX_HCL_BYTES, parseHcl, type HclBody } from './hcl-parse.js';
import { withoutDuplicates } from './duplicate-declarations.js';
import { mergeOverrideFiles } from './override-files.js';
import { parseTerraformJson } from './tf-json-parse.js';
import { assertUtf8Text } from '../text-encoding.js';

/** The files Terraform reads a module's configuration from: `.tf`, and `.tf.json` (JSON syntax). */
export const CONFIGURATION_FILE = /\.tf(\.json)?$/;

/** One parsed `.tf` or `.tf.json` file. */
export interface ParsedFile {
  path: string;
  body: HclBody;
  locations: BlockLocation[];
  /** The line each local value of the file is defined on (best effort; see `findLocalLines`). */
  localLines?: Map<string, number>;
}

/** A module folder, parsed, with the local modules it calls (null: not loadable). */
export interface LoadedModule {
  dir: string;
  files: ParsedFile[];
  /**
   * Variable values from `terraform.tfvars`, `*.auto.tfvars` and the files the user named (root
   * module only).
   */
  tfvars: Record<string, unknown>;
  children: Map<string, LoadedModule | null>;
}

export interface LoadOptions {
  /** Folder that module sources and `file()` must stay inside. */
  treeRoot: string;
  /** What `treeRoot` is to the scan ("the path scanned"), for the warning about a module outside. */
  treeRootWhy?: string;
  maxDepth: number;
  /** Real paths (links resolved) that module folders and files must lie in; unset: any. */
  allow?: (realPath: string) => boolean;
  /** Variable files the user named, read after the root's own `.tfvars` (later ones win). */
  varFiles?: string[];
}

export interface LoadState {
  errors: SourceError[];
  warnings: string[];
  /** Every file read, for the scan's list of consumed files. */
  consumed: string[];
  /** Every module folder read, the root's first. */
  folders: string[];
}

export function withoutTrailingSlash(p: string): string {
  return p.replace(/(.)[\\/]+$/, '$1');
}

/** Whether `target` lies inside `root` (both absolute). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** `file` with links resolved, when `allow` accepts it; read that, not the name, after the check. */
async function containedPath(file: string, allow: (realPath: string) => boolean): Promise<string> {
  const real = await realpath(file);
  if (!allow(real)) throw new SourceReadError({ file, code: 'IO_ERROR', message: OUTSIDE });
  return real;
}

async function readText(file: string, allow?: (realPath: string) => boolean): Promise<string> {
  const target = allow ? await containedPath(file, allow) : file;
  const info = await stat(target);
  if (info.size > MAX_HCL_BYTES) {
    throw new SourceReadError({ file, code: 'TOO_LARGE', message: HCL_TOO_LARGE });
  }
  const text = await readFile(target, 'utf8');
  assertUtf8Text(file, text);
  return text;
}

function asError(file: string, error: unknown): SourceError {
  if (error instanceof SourceReadError) return error.toSourceError();
  const message = error instanceof Error ? error.message : String(error);
  return { file, code: 'IO_ERROR', message };
}

async function parseFile(
  file: string,
  state: LoadState,
  allow?: (realPath: string) => boolean,
): Promise<ParsedFile | undefined> {
  state.consumed.push(file);
  try {
    const text = await readText(file, allow);
    if (file.endsWith('.json')) return { path: file, ...parseTerraformJson(file, text) };
    const body = await parseHcl(file, text);
    return {
      path: file,
      body,
      locations: findBlockLocations(text),
      localLines: findLocalLines(text),
    };
  } catch (error) {
    state.errors.push(asError(file, error));
    return undefined;
  }
}

async function readTfvars(
  dir: string,
  names: string[],
  state: LoadState,
  options: Pick<LoadOptions, 'allow' | 'varFiles'>,
): Promise<Record<string, unknown>> {
  // Terraform's order: terraform.tfvars, then *.auto.tfvars by name, then -var-file as given.
  const ordered = [
    ...names.filter((n) => n === 'terraform.tfvars' || n === 'terraform.tfvars.json'),
    ...names.filter((n) => /\.auto\.tfvars(\.json)?$/.test(n)).sort(),
  ].map((name) => path.join(dir, name));
  ordered.push(...(options.varFiles ?? []));
  const allow = options.allow;
  const values: Record<string, unknown> = {};
  for (const file of ordered) {
    const name = path.basename(file);
    state.consumed.push(file);
    try {
      const text = await readText(file, allow);
      const body = name.endsWith('.json')
        ? (JSON.parse(text) as unknown)
        : await parseHcl(file, text);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new SourceReadError({
          file,
          code: 'INVALID_STRUCTURE',
          message: 'tfvars must be an object',
        });
      }
      Object.assign(values, body);
    } catch (error) {
      const parsed =
        error instanceof SyntaxError
          ? { file, code: 'PARSE_ERROR' as const, message: `invalid JSON: ${error.message}` }
          : asError(file, error);
      state.errors.push(parsed);
    }
  }
  return values;
}

/** Local module sources (`./net`, `../modules/db`) as literal strings; others are remote. */
export function localSource(source: unknown): string | undefined {
  if (typeof source !== 'string') return undefined;
  return /^\.\.?(\/|$)/.test(source) ? source : undefined;
}

/**
 * Loads the module in `dir`. `files` limits the root's configuration files (the scan's list); child
 * modules are read whole. `chain` holds the folders above, to stop recursive sources.
 */
export async function loadModule(
  dir: string,
  files: string[] | undefined,
  options: LoadOptions,
  state: LoadState,
  chain: string[] = [],
): Promise<LoadedModule> {
  state.folders.push(dir);
  const names = files ? files.map((f) => path.basename(f)) : await readdir(dir).catch(() => []);
  const tfFiles = names.filter((n) => CONFIGURATION_FILE.test(n)).sort();
  const read: ParsedFile[] = [];
  for (const name of tfFiles) {
    const file = await parseFile(path.join(dir, name), state, options.allow);
    if (file) read.push(file);
  }
  // Module calls are read after the merge too: an override may change a module's source.
  const unique = withoutDuplicates(read);
  const { files: parsed, errors } = mergeOverrideFiles(unique.files);
  state.errors.push(...unique.errors, ...errors);
  const tfvars = chain.length === 0 ? await readTfvars(dir, names, state, options) : {};
  const module: LoadedModule = { dir, files: parsed, tfvars, children: new Map() };

  for (const file of parsed) {
    const calls = (file.body.module ?? {}) as Record<string, unknown>;
    if (typeof calls !== 'object' || calls === null) continue;
    for (const [name, bodies] of Object.entries(calls)) {
      const body = (Array.isArray(bodies) ? bodies[0] : bodies) as
        Record<string, unknown> | undefined;
      const line = file.locations.find((l) => l.address === `module.${name}`)?.line;
      const call = { file: file.path, line };
      module.children.set(
        name,
        await loadChild(dir, name, body?.source, call, options, state, chain),
      );
    }
  }
  return module;
}

async function loadChild(
  dir: string,
  name: string,
  source: unknown,
  call: { file: string; line?: number },
  options: LoadOptions,
  state: LoadState,
  chain: string[],
): Promise<LoadedModule | null> {
  const local = localSource(source);
  if (!local) {
    state.warnings.push(
      `module "${name}" in ${dir}: remote source ${JSON.stringify(source)} not read`,
    );
    return null;
  }
  const childDir = withoutTrailingSlash(path.join(dir, local));
  if (!isInside(options.treeRoot, path.resolve(childDir))) {
    const why = options.treeRootWhy ? ` (${options.treeRootWhy})` : '';
    state.warnings.push(
      `module "${name}" in ${dir}: source ${local} is outside ${options.treeRoot}${why}, so it ` +
        'was not read: local modules are read only inside the path scanned or the git ' +
        'repository holding the root module',
    );
    return null;
  }
  const here = withoutTrailingSlash(dir);
  if (chain.includes(childDir) || childDir === here) {
    // Terraform itself refuses a module that calls itself, so nothing is deployed from this.
    state.warnings.push(`module "${name}" in ${dir}: module calls itself (recursive source)`);
    return null;
  }
  if (chain.length >= options.maxDepth) {
    // A module left unread may hold anything: the configuration cannot be vouched for.
    const where = call.line ? `${call.file}:${call.line}` : call.file;
    state.errors.push({
      file: call.file,
      ...(call.line ? { line: call.line } : {}),
      code: 'TOO_LARGE',
      message:
        `${where}: module "${name}" is nested deeper than the ${options.maxDepth} levels of ` +
        'local modules read; it and the modules it calls were left out',
    });
    return null;
  }
  const info = await stat(childDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    state.warnings.push(`module "${name}" in ${dir}: source folder ${local} not found`);
    return null;
  }
  const real = options.allow && (await realpath(childDir).catch(() => undefined));
  if (options.allow && !(real && options.allow(real))) {
    state.errors.push({ file: childDir, code: 'IO_ERROR', message: `${childDir}: ${OUTSIDE}` });
    return null;
  }
  return loadModule(childDir, undefined, options, state, [...chain, here]);
}
