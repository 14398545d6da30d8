/**
 * The contract every source reader meets: look at a file, say whether it is yours, turn it into
 * canonical resources. Readers never judge; rules do.
 */

import type { Resource } from '../model/resource.js';
import type { ScanLookups } from './scan-lookups.js';

/** What a reader gets: one file's path and text. Folders are walked by the scan. */
export interface SourceFile {
  path: string;
  text: string;
  /**
   * Containment of any other file a reader opens beside this one (a parameters file, a sibling
   * recording): its real path (links resolved) must pass, else the reader does without it.
   */
  allow?: (realPath: string) => boolean;
  /** Lookups the scan's files share (absent: the reader looks up what it needs for this file). */
  lookups?: ScanLookups;
}

export interface ReadResult {
  resources: Resource[];
  /** Non-fatal notes (an unsupported function, an unresolved module), shown with the scan. */
  warnings?: string[];
}

/**
 * A reader for one input kind.
 *
 * ```ts
 * const k8s: Reader = { kind: 'kubernetes', detect: (f) => /\bkind:/.test(f.text), read: ... };
 * ```
 */
export interface Reader {
  kind: string;
  /** Cheap sniff of one file; the first reader that claims a file reads it. */
  detect(file: SourceFile): boolean;
  /** Throws `SourceReadError` naming the file and line when the file cannot be read. */
  read(file: SourceFile): ReadResult | Promise<ReadResult>;
}

/** Why a path outside the folders a source may read is listed as an error (after the path). */
export const OUTSIDE = 'resolves outside the folders this source may read, so it was not read';

/** How a folder is read. */
export interface DirectoryReadOptions {
  /**
   * Containment: the real path (links resolved) of every file and folder the reader reads (its
   * own files, a local module, a `file()`) must pass it, else that one is skipped as an error.
   */
  allow?: (realPath: string) => boolean;
  /**
   * Terraform variable files the user named (`--var-file`), read after the root module's
   * `terraform.tfvars` and `*.auto.tfvars`, later ones winning, as `terraform plan -var-file`.
   */
  varFiles?: string[];
  /**
   * The path the user named for the scan that found this folder (the folder itself, or one
   * above it): a Terraform root may read local modules anywhere inside it.
   */
  scanRoot?: string;
}

/**
 * A reader that needs a whole folder at once (Terraform: a module is a folder of `.tf` files).
 */
export interface DirectoryReader {
  kind: string;
  /** True when the folder holds files this reader owns (e.g. any `.tf`). */
  claims(dir: string, files: string[]): boolean;
  /** Reads the module rooted at `dir`; `files` are the ones inside it (not recursive). */
  readDirectory(
    dir: string,
    files: string[],
    options?: DirectoryReadOptions,
  ): Promise<DirectoryReadResult>;
  /**
   * Whether the reader reads `file` itself when it reads the folder holding it (Terraform: `.tf`
   * and `.tfvars` files); others beside them (a README, a policy document) are left to the file
   * readers. Absent: every file of the folder.
   */
  owns?(file: string): boolean;
  /**
   * Other folders (absolute) that reading `dir` reads as part of it (a Terraform root's local
   * modules), so the scan reads `dir` before them and does not read them again on their own.
   */
  calls?(dir: string, files: string[], allow?: (realPath: string) => boolean): Promise<string[]>;
}

export interface DirectoryReadResult extends ReadResult {
  /** Files that failed, each with its own error; the rest of the folder is still read. */
  errors: import('../model/source-error.js').SourceError[];
  /** Files consumed by this reader, so no other reader reads them again. */
  consumed: string[];
  /** What the configuration was evaluated from, for `check --diff-base` to see it changed. */
  inputs?: ConfigurationInputs;
}

/**
 * What one configuration read whole (a Terraform root module with its local modules) was
 * evaluated from, as absolute paths: a change to any of them may change any of its resources.
 */
export interface ConfigurationInputs {
  /** Folders whose Terraform files (`.tf`, `.tf.json`, `.tfvars`, `.tfvars.json`) all feed it. */
  folders: string[];
  /** Other files it read: variable files named, files `file()` read. */
  files: string[];
}
