/**
 * Reads one Terraform root module folder into evaluated `TerraformBlock`s: parse, load local
 * modules, evaluate. Parse failures are per-file errors; the rest of the folder is still read.
 */

import path from 'node:path';
import type { SourceError } from '../../model/source-error.js';
import { loadModule, type LoadState } from './module-loader.js';
import { ModuleInstance, type EvaluationRun } from './module-instance.js';
import type { TerraformBlock } from './terraform-block.js';

export interface EvaluateOptions {
  /** Folder that local module sources and `file()` must stay inside; default: parent of `dir`. */
  treeRoot?: string;
  /** Restrict the root module to these `.tf` files (default: every `.tf` in `dir`). */
  files?: string[];
  /** Deepest chain of nested local modules read (default 8). */
  maxModuleDepth?: number;
  /** Most instances one `count` / `for_each` expands to (default 1000). */
  maxInstances?: number;
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
  /** Every `.tf` / `.tfvars` file read, the root's and its modules'. */
  consumed: string[];
}

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
  const treeRoot = path.resolve(options.treeRoot ?? path.dirname(rootDir));
  const state: LoadState = { errors: [], warnings: [], consumed: [] };
  // Files are named under `dir` as the caller wrote it, so errors match the scan's own paths.
  const loaded = await loadModule(
    path.normalize(dir),
    options.files,
    {
      treeRoot,
      maxDepth: options.maxModuleDepth ?? 8,
      allow: options.allow,
      varFiles: options.varFiles,
    },
    state,
  );
  const run: EvaluationRun = {
    rootDir,
    treeRoot,
    budget: { steps: options.budgetSteps ?? 2_000_000 },
    maxInstances: options.maxInstances ?? 1000,
    instancesLeft: 50_000,
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
    state.warnings.push(`${rootDir}: configuration too deeply nested to evaluate`);
    blocks = [];
  }
  return { blocks, errors: state.errors, warnings: state.warnings, consumed: state.consumed };
}
