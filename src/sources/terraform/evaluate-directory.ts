/**
 * Reads one Terraform root module folder into evaluated `TerraformBlock`s: parse, load local
 * modules, evaluate. Parse failures are per-file errors; the rest of the folder is still read.
 */

import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { SourceError } from '../../model/source-error.js';
import { isInside, loadModule, type LoadState } from './module-loader.js';
import { ModuleInstance, type EvaluationRun } from './module-instance.js';
import type { TerraformBlock } from './terraform-block.js';

export interface EvaluateOptions {
  /**
   * Folder that local module sources and `file()` must stay inside; default: the widest of the
   * parent of `dir`, `scanRoot` and the git repository holding `dir` (see `readLimit`).
   */
  treeRoot?: string;
  /** The path the user named for the scan that found `dir` (a folder holding it). */
  scanRoot?: string;
  /** Restrict the root module to these files (default: every `.tf` and `.tf.json` in `dir`). */
  files?: string[];
  /** Deepest chain of nested local modules read (default `MAX_MODULE_DEPTH`). */
  maxModuleDepth?: number;
  /** Most instances one `count` / `for_each` / `dynamic` expands to (default `MAX_INSTANCES`). */
  maxInstances?: number;
  /** Most block and module instances in the whole folder (default `MAX_TOTAL_INSTANCES`). */
  maxTotalInstances?: number;
  /** Evaluation steps for the whole folder (default 2,000,000). */
  budgetSteps?: number;
  /** Real paths (links resolved) that files and module folders read must lie in; default: any. */
  allow?: (realPath: string) => boolean;
  /** Variable files the user named, read after the root's own `.tfvars` (later ones win). */
  varFiles?: string[];
}

export interface DirectoryEvaluation {
  blocks: TerraformBlock[];
  errors: SourceError[];
  warnings: string[];
  /** Every `.tf`, `.tf.json` and `.tfvars` file read, the root's and its modules'. */
  consumed: string[];
  /**
   * What the evaluation read from: every module folder (the root's first), whose `.tf`,
   * `.tf.json` and `.tfvars` files are its inputs, and the files `file()` read.
   */
  inputs: { folders: string[]; files: string[] };
}

// The caps below keep a hostile or runaway configuration from exhausting memory. A configuration
// cut by one is an input error at the block cut (the rest is still judged), never a silent part.
/** Local modules nested deeper than this are not read. */
export const MAX_MODULE_DEPTH = 8;
/**
 * Most instances one `count`, `for_each` or `dynamic` block expands to: real configurations do
 * iterate over a few thousand items (rules, users, records), so the cap is well above that.
 */
export const MAX_INSTANCES = 10_000;
/** Most resource, data and module instances in one root module and its modules. */
export const MAX_TOTAL_INSTANCES = 50_000;

/**
 * Evaluates the Terraform module in `dir`.
 *
 * ```ts
 * const { blocks } = await evaluateTerraformDirectory('infra/prod');
 * blocks.find((b) => b.address === 'aws_s3_bucket.logs')?.attributes.acl;
 * ```
 */
export async function evaluateTerraformDirectory(
  dir: string,
  options: EvaluateOptions = {},
): Promise<DirectoryEvaluation> {
  const rootDir = path.resolve(dir);
  const limit = options.treeRoot
    ? { dir: path.resolve(options.treeRoot), why: 'the folder given' }
    : await readLimit(rootDir, options.scanRoot);
  const treeRoot = limit.dir;
  const state: LoadState = { errors: [], warnings: [], consumed: [], folders: [] };
  // Files are named under `dir` as the caller wrote it, so errors match the scan's own paths.
  const loaded = await loadModule(
    path.normalize(dir),
    options.files,
    {
      treeRoot,
      treeRootWhy: limit.why,
      maxDepth: options.maxModuleDepth ?? MAX_MODULE_DEPTH,
      allow: options.allow,
      varFiles: options.varFiles,
    },
    state,
  );
  const run: EvaluationRun = {
    rootDir,
    treeRoot,
    budget: { steps: options.budgetSteps ?? 2_000_000 },
    maxInstances: options.maxInstances ?? MAX_INSTANCES,
    instancesLeft: options.maxTotalInstances ?? MAX_TOTAL_INSTANCES,
    maxTotalInstances: options.maxTotalInstances ?? MAX_TOTAL_INSTANCES,
    cuts: [],
    filesRead: new Set(),
    maxStringLength: 1024 * 1024,
    warnings: state.warnings,
    parsed: new Map(),
    allow: options.allow,
  };
  const root = new ModuleInstance(loaded, '', run, new Map());
  let blocks: TerraformBlock[];
  try {
    blocks = root.allBlocks();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Nothing of the configuration was judged: an input error, not a warning.
    state.errors.push({
      file: path.normalize(dir),
      code: 'TOO_LARGE',
      message: `${path.normalize(dir)}: configuration too deeply nested to evaluate`,
    });
    blocks = [];
  }
  return {
    blocks,
    errors: oneErrorPerFile([...state.errors, ...run.cuts]),
    warnings: state.warnings,
    consumed: state.consumed,
    inputs: { folders: state.folders, files: [...state.consumed, ...run.filesRead] },
  };
}

/** The folder local modules and `file()` must stay inside, and what that folder is. */
export interface ReadLimit {
  dir: string;
  /** What the folder is to the scan, for the warning about a module left outside. */
  why: string;
}

/**
 * Where a root module in `rootDir` may read local modules and files from: the widest of its
 * parent folder, the path the user named for the scan, and the git repository holding it. The
 * common layout keeps roots in `envs/prod` or `examples/complete` calling `../../modules/x`: the
 * user who scans the repository, or a root in it, means its modules to be read with it. Past that
 * a relative source may reach anywhere on the machine, so it is left unread.
 */
export async function readLimit(rootDir: string, scanRoot?: string): Promise<ReadLimit> {
  let limit: ReadLimit = { dir: path.dirname(rootDir), why: "the root module's parent folder" };
  const widen = (dir: string, why: string): void => {
    // Each candidate holds the root module, so the wider one is the one holding the other.
    if (dir !== limit.dir && isInside(dir, limit.dir)) limit = { dir, why };
  };
  if (scanRoot) {
    const named = path.resolve(scanRoot);
    if (isInside(named, rootDir)) widen(named, 'the path scanned');
  }
  const repository = await gitRepository(rootDir);
  if (repository) widen(repository, 'the git repository holding the root module');
  return limit;
}

/** The nearest folder at or above `dir` holding `.git` (a folder, or a file in a worktree). */
async function gitRepository(dir: string): Promise<string | undefined> {
  for (let at = dir; ;) {
    if (await stat(path.join(at, '.git')).catch(() => undefined)) return at;
    const up = path.dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

/**
 * The scan lists one error per file: a file with several (two blocks cut by caps) gets one that
 * says them all, at the first one's line.
 */
function oneErrorPerFile(errors: SourceError[]): SourceError[] {
  const byFile = new Map<string, SourceError>();
  for (const error of errors) {
    const seen = byFile.get(error.file);
    if (!seen) byFile.set(error.file, { ...error });
    else seen.message += `; ${error.message}`;
  }
  return [...byFile.values()];
}
