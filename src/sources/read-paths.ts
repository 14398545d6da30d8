/**
 * Walks the files and folders a user names and offers each file to the readers: Terraform
 * folders go whole to the directory reader, every other file to the first reader that claims
 * it. Inventory fragments of one resource spread over several files are merged into one, and
 * AWS records of one resource under different ids joined.
 */

import { constants } from 'node:fs';
import { open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import {
  basename,
  dirname,
  extname,
  isAbsolute,
  join,
  normalize,
  relative,
  resolve,
} from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FileReport } from '../model/assessment.js';
import type { Resource } from '../model/resource.js';
import { joinAwsInventory } from './aws/inventory-joins.js';
import { joinGcpServiceAccounts } from './gcp/service-account-names.js';
import { mergeInventoryFragments } from './inventory-merge.js';
import { leftOutWarnings } from './left-out.js';
import { foldIntoKubernetesControllers } from './kubernetes/controlled-objects.js';
import { SourceReadError, type SourceError } from '../model/source-error.js';
import {
  OUTSIDE,
  type ConfigurationInputs,
  type DirectoryReader,
  type Reader,
  type SourceFile,
} from './reader.js';
import { scanLookups, type ScanLookups } from './scan-lookups.js';
import { assertJsonNesting, jsonProblem } from './json-syntax-error.js';
import { assertUtf8Text } from './text-encoding.js';
import {
  directoryReaders as defaultDirectoryReaders,
  fileReaders as defaultFileReaders,
} from './registry.js';

/** How much of a file readers see when deciding whether it is theirs. */
const SNIFF_CHARS = 256 * 1024;

/** Files larger than this are refused rather than read into memory. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.terraform', '.palisade']);
const CANDIDATE_EXTENSIONS = new Set([
  '.json',
  '.yaml',
  '.yml',
  '.tf',
  '.tfvars',
  '.template',
  '.jsonl',
  '.ndjson',
  '.tf.json',
]);

export { OUTSIDE };
export { mergeInventoryFragments };

export interface ReadProgress {
  done: number;
  total: number;
  file: string;
}

export interface ReadPathsOptions {
  fileReaders?: Reader[];
  directoryReaders?: DirectoryReader[];
  onProgress?: (progress: ReadProgress) => void;
  /**
   * Containment: called with the real path (symbolic links resolved) of every folder walked,
   * every linked file found and every file read; a path it refuses is skipped and listed as an
   * error. Unset, links are followed wherever they lead.
   *
   * ```ts
   * await readPaths(['estate/'], { allow: (real) => real.startsWith('/srv/estate/') });
   * ```
   */
  allow?: (realPath: string) => boolean;
  /** Terraform variable files for every root module read (`--var-file`; see `DirectoryReadOptions`). */
  varFiles?: string[];
}

export interface ReadPathsResult {
  resources: Resource[];
  files: FileReport[];
  warnings: string[];
  /** Configurations read whole (Terraform root modules), with what each was evaluated from. */
  configurations: Configuration[];
}

/** One configuration read whole: its resources and file reports, and what it was read from. */
export interface Configuration {
  inputs: ConfigurationInputs;
  resources: Resource[];
  files: FileReport[];
}

interface Folder {
  dir: string;
  files: string[];
  /** Files the user named one by one (not found by walking `dir`): each is read, whatever its name. */
  named?: boolean;
  /** The path the user named that this folder was found under (a folder). */
  root?: string;
}

/**
 * Files named on their own, grouped by folder, so that `main.tf variables.tf` (or one `main.tf`)
 * is read as a module of just those files, as a folder reader reads a folder; a named file whose
 * folder is walked anyway is left to that walk.
 */
function groupNamedFiles(folders: Folder[]): Folder[] {
  const walked = new Set(folders.filter((f) => f.dir).map((f) => resolve(f.dir)));
  const byDir = new Map<string, Folder>();
  const out: Folder[] = [];
  for (const folder of folders) {
    if (folder.dir) {
      out.push(folder);
      continue;
    }
    for (const file of folder.files) {
      const dir = dirname(file);
      const at = resolve(dir);
      if (walked.has(at)) continue;
      let group = byDir.get(at);
      if (!group) {
        group = { dir, files: [], named: true, root: dir };
        byDir.set(at, group);
        out.push(group);
      }
      if (!group.files.some((f) => resolve(f) === resolve(file))) group.files.push(file);
    }
  }
  return out;
}

/**
 * `folders` with every folder a directory reader reads as part of another folder of the scan (a
 * Terraform module its root calls) placed after the folders calling it, the order otherwise kept.
 * Reading the caller first marks the module's files read, so the module is not read again as a
 * root of its own (with every input unknown) whichever sorts first. A cycle keeps scan order.
 */
async function callersFirst(
  folders: Folder[],
  dirReaders: readonly DirectoryReader[],
  allow: ReadPathsOptions['allow'],
): Promise<Folder[]> {
  const byDir = new Map<string, Folder>();
  for (const folder of folders) if (folder.dir) byDir.set(resolve(folder.dir), folder);
  const callers = new Map<Folder, Folder[]>();
  for (const folder of folders) {
    const names = folder.files.map((f) => basename(f));
    const reader = dirReaders.find((d) => d.claims(folder.dir, names));
    if (!reader?.calls) continue;
    for (const dir of await reader.calls(folder.dir, folder.files, allow)) {
      const called = byDir.get(dir);
      if (!called || called === folder) continue;
      callers.set(called, [...(callers.get(called) ?? []), folder]);
    }
  }
  if (callers.size === 0) return folders;

  const ordered: Folder[] = [];
  const placed = new Set<Folder>();
  const placing = new Set<Folder>();
  const place = (folder: Folder): void => {
    if (placed.has(folder) || placing.has(folder)) return;
    placing.add(folder);
    for (const caller of callers.get(folder) ?? []) place(caller);
    placing.delete(folder);
    placed.add(folder);
    ordered.push(folder);
  };
  for (const folder of folders) place(folder);
  return ordered;
}

/**
 * The files of `folder` that `reader` reads itself (a Terraform folder's `.tf` and `.tfvars`
 * files): once another folder's read has consumed them all, the folder is not read again on its
 * own. Other files beside them (a README, a policy document) do not make a module a root.
 */
function ownedFiles(reader: DirectoryReader, folder: Folder): string[] {
  const owns = reader.owns;
  return owns ? folder.files.filter((f) => owns(f)) : folder.files;
}

function outsideError(path: string): SourceError {
  return { file: path, code: 'IO_ERROR', message: `${path}: ${OUTSIDE}` };
}

/** Whether `allow` (when set) accepts the real path of `path`; a path that vanished is refused. */
async function allowed(path: string, allow: ReadPathsOptions['allow']): Promise<boolean> {
  if (!allow) return true;
  const real = await realpath(path).catch(() => undefined);
  return real !== undefined && allow(real);
}

/**
 * Why a path named or found cannot be looked at: a symbolic link loop (ELOOP) or a link to
 * nothing said as such, a missing path as missing, anything else with the system's code.
 */
async function statError(path: string, error: NodeJS.ErrnoException): Promise<SourceError> {
  const at = (message: string): SourceError => ({
    file: path,
    code: 'IO_ERROR',
    message: `${path}: ${message}`,
  });
  if (error.code === 'ELOOP') {
    return at(
      'is a symbolic link loop (ELOOP): its links lead back to one another, so it names no ' +
        'file or folder',
    );
  }
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
    const link = await readlink(path).catch(() => undefined);
    return at(
      link === undefined
        ? 'no such file or folder'
        : `is a symbolic link to ${link}, which does not exist`,
    );
  }
  return at(`cannot be read (${error.code ?? error.message})`);
}

async function collect(
  path: string,
  folders: Folder[],
  missing: SourceError[],
  allow: ReadPathsOptions['allow'],
  visited = new Set<string>(),
  root = path,
): Promise<void> {
  const info = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (info instanceof Error) {
    missing.push(await statError(path, info));
    return;
  }
  if (info.isFile()) {
    if (await allowed(path, allow)) folders.push({ dir: '', files: [path] });
    else missing.push(outsideError(path));
    return;
  }
  if (!info.isDirectory()) return;
  // Symbolic links are followed; a folder reached twice (a link loop) is read once.
  const real = await realpath(path).catch(() => path);
  if (visited.has(real)) return;
  visited.add(real);
  if (allow && !allow(real)) {
    missing.push(outsideError(path));
    return;
  }
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
    // A folder swapped for a link while it was listed is not trusted either.
    if (allow && (await realpath(path).catch(() => undefined)) !== real) {
      missing.push(outsideError(path));
      return;
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    missing.push({
      file: path,
      code: 'IO_ERROR',
      message: `${path}: folder cannot be read (${reason})`,
    });
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isFile()) files.push(full);
    else if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) dirs.push(full);
    } else if (entry.isSymbolicLink()) {
      const target = await stat(full).catch((error: unknown) => error as NodeJS.ErrnoException);
      // A link loop names nothing that can be read: said, not passed over. So is a link to
      // nothing named as an input would be (`main.tf -> ../shared/main.tf` after a move): its
      // file is unread, not empty, and its resources' findings must not read as fixed. Other
      // links to nothing (`current -> release-41`) are none of the scan's business.
      if (target instanceof Error) {
        if (target.code === 'ELOOP' || isCandidate(full)) {
          missing.push(await statError(full, target));
        }
        continue;
      }
      if (target?.isFile() && !(await allowed(full, allow))) missing.push(outsideError(full));
      else if (target?.isFile()) files.push(full);
      else if (target?.isDirectory() && !SKIPPED_DIRS.has(entry.name)) dirs.push(full);
    }
  }
  folders.push({ dir: path, files, root });
  for (const dir of dirs) await collect(dir, folders, missing, allow, visited, root);
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') && rel.split('/').filter((p) => p === '..').length > 3
    ? file
    : rel || file;
}

/** Gzipped exports read as what they hold (AWS Config delivers its snapshots and history so). */
const GZIPPED_CANDIDATES = /\.(json|jsonl|ndjson)\.gz$/;

function isCandidate(file: string): boolean {
  const lower = file.toLowerCase();
  return (
    CANDIDATE_EXTENSIONS.has(extname(lower)) ||
    lower.endsWith('.tf.json') ||
    GZIPPED_CANDIDATES.test(lower)
  );
}

/** Longest error message kept: a binary file must not flood the terminal. */
const MAX_MESSAGE_CHARS = 400;

function clip(message: string): string {
  return message.length > MAX_MESSAGE_CHARS
    ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`
    : message;
}

function toSourceError(file: string, error: unknown): SourceError {
  if (error instanceof SourceReadError) {
    const e = error.toSourceError();
    return {
      ...e,
      file: displayPath(e.file),
      message: clip(e.message.split(e.file).join(displayPath(e.file))),
    };
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'EISDIR') {
    return { file, code: 'IO_ERROR', message: `${file}: cannot be read (${code})` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { file, code: 'PARSE_ERROR', message: clip(`${file}: could not be read: ${message}`) };
}

function tooLarge(shown: string, size: number): SourceReadError {
  return new SourceReadError({
    file: shown,
    code: 'TOO_LARGE',
    message: `is ${size} bytes; the limit is ${MAX_FILE_BYTES}`,
  });
}

/**
 * A file whose reading has begun: its bytes (or the error reading them gave, reported in the
 * file's turn), and when the bulk read was handed to the I/O threads, after which the file is
 * read while the caller works.
 */
interface Loading {
  file: string;
  /** Taken (and let go of) by `takeText`: a file's bytes are not kept while it is parsed. */
  bytes: Promise<Buffer> | undefined;
  underway: Promise<void>;
}

/**
 * Starts reading `file`: only if `allow` (when set) accepts the file actually opened, on Linux
 * named by its descriptor, so a link swapped in after the folder was walked cannot redirect the
 * read; opened without blocking then, so a pipe swapped in cannot hang the assessment.
 */
function startLoading(file: string, allow?: (realPath: string) => boolean): Loading {
  let began!: () => void;
  const underway = new Promise<void>((resolve) => (began = resolve));
  const bytes = (allow ? loadContained(file, allow, began) : loadWhole(file, began)).finally(began);
  // The error is reported in the file's turn; a read started ahead is never left unheard.
  bytes.catch(() => undefined);
  return { file, bytes, underway };
}

async function loadContained(
  file: string,
  allow: (realPath: string) => boolean,
  began: () => void,
): Promise<Buffer> {
  const shown = displayPath(file);
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    const real = opened && isAbsolute(opened) ? opened : await realpath(file);
    if (!allow(real))
      throw new SourceReadError({ file: shown, code: 'IO_ERROR', message: OUTSIDE });
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new SourceReadError({ file: shown, code: 'IO_ERROR', message: 'is not a file' });
    }
    if (info.size > MAX_FILE_BYTES) throw tooLarge(shown, info.size);
    return await readAll(handle, info.size, began);
  } finally {
    await handle.close();
  }
}

async function loadWhole(file: string, began: () => void): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (info.size > MAX_FILE_BYTES) throw tooLarge(displayPath(file), info.size);
    return await readAll(handle, info.size, began);
  } finally {
    await handle.close();
  }
}

/** Bytes read past a file's measured size, a chunk at a time (a file written while read). */
const GROWTH_CHUNK = 64 * 1024;

/**
 * Every byte of an open file of `size` bytes, in one read where the system allows: the file is
 * then read on an I/O thread while the caller works (`readFile` reads half a megabyte a turn,
 * each turn waiting for the caller). A file that shrank or grew since it was measured is read to
 * its end all the same.
 */
async function readAll(handle: FileHandle, size: number, began: () => void): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const reading = handle.read(buffer, filled, size - filled, filled);
    began();
    const { bytesRead } = await reading;
    if (bytesRead === 0) return buffer.subarray(0, filled);
    filled += bytesRead;
  }
  const chunks = [buffer];
  for (let position = size; ;) {
    const chunk = Buffer.allocUnsafe(GROWTH_CHUNK);
    const { bytesRead } = await handle.read(chunk, 0, GROWTH_CHUNK, position);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
  return chunks.length === 1 ? buffer : Buffer.concat(chunks);
}

/**
 * A file's bytes as text. Decoded whole, not as `readFile(file, 'utf8')` does: that decodes
 * chunk by chunk through a stream decoder into a string of joined pieces, which every reader's
 * first look then copies into one flat string again (a tenth of an inventory scan's reading).
 */
function utf8Text(bytes: Buffer): string {
  return bytes.toString('utf8');
}

const gunzipBytes = promisify(gunzip);

/**
 * The text of a file being loaded, gunzipped when it starts with gzip's magic bytes; the loading
 * holds its bytes no longer. What a gzip file holds counts against the same size limit as a
 * plain file, checked while it is inflated (a small file can hold gigabytes of repeats).
 */
async function takeText(loading: Loading, shown: string): Promise<string> {
  const pending = loading.bytes!;
  loading.bytes = undefined;
  const bytes = await pending;
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return utf8Text(bytes);
  try {
    return utf8Text(await gunzipBytes(bytes, { maxOutputLength: MAX_FILE_BYTES }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SourceReadError({
        file: shown,
        code: 'TOO_LARGE',
        message: `is gzip data holding more than ${MAX_FILE_BYTES} bytes, the limit`,
      });
    }
    throw new SourceReadError({
      file: shown,
      code: 'PARSE_ERROR',
      message: `is not valid gzip data: ${(error as Error).message}`,
    });
  }
}

async function readOne(
  loading: Loading,
  readers: Reader[],
  lookups: ScanLookups,
  allow?: (realPath: string) => boolean,
): Promise<{ report: FileReport; resources: Resource[]; warnings: string[] }> {
  const shown = displayPath(loading.file);
  /** The file's text once it is known to be text: what a reader's syntax error is about. */
  let readText: string | undefined;
  try {
    let text = await takeText(loading, shown);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    assertUtf8Text(shown, text);
    readText = text;
    const source: SourceFile = allow
      ? { path: shown, text, allow, lookups }
      : { path: shown, text, lookups };
    // Readers sniff the head of a big file first (inventory exports run to hundreds of
    // megabytes); a reader that must parse the whole file to decide still gets it when no reader
    // claims the head.
    const head =
      text.length > SNIFF_CHARS ? { path: shown, text: text.slice(0, SNIFF_CHARS) } : source;
    const reader =
      readers.find((r) => safeDetect(r, head)) ??
      (head === source ? undefined : readers.find((r) => safeDetect(r, source)));
    if (!reader) {
      // A document nested past what readers follow is said so, not passed over in silence.
      if (/\.json(\.gz)?$/i.test(shown)) assertJsonNesting(shown, text);
      return {
        report: { file: shown, kind: 'unrecognised', resources: 0 },
        resources: [],
        warnings: [],
      };
    }
    const result = await reader.read(source);
    return {
      report: { file: shown, kind: reader.kind, resources: liveCount(result.resources) },
      resources: result.resources,
      warnings: result.warnings ?? [],
    };
  } catch (error) {
    return {
      report: {
        file: shown,
        kind: 'error',
        resources: 0,
        error: toSourceError(shown, asJsonError(shown, readText, error)),
      },
      resources: [],
      warnings: [],
    };
  }
}

/** How many of a file's records stand for a resource (deletions do not). */
function liveCount(resources: Resource[]): number {
  let n = 0;
  for (const r of resources) if (!r.source.deleted) n += 1;
  return n;
}

/**
 * A `.json` file a reader could not parse is reported with JSON's own syntax error, line and
 * column, unless the reader already spoke of JSON: one that reads JSON with its YAML parser
 * would speak of flow maps and block collections. (A reader's own JSON error stands: ARM
 * templates, for one, may hold comments that `JSON.parse` refuses.)
 */
function asJsonError(file: string, text: string | undefined, error: unknown): unknown {
  if (text === undefined || !/\.json(\.gz)?$/i.test(file)) return error;
  if (!(error instanceof SourceReadError) || error.code !== 'PARSE_ERROR') return error;
  if (/\bJSON\b/.test(error.message)) return error;
  return jsonProblem(file, text) ?? error;
}

/** How many resources each file (as `Resource.source.file` names it) was written in. */
function resourcesPerFile(resources: Resource[]): Map<string, number> {
  const perFile = new Map<string, number>();
  for (const r of resources) {
    if (r.source.file) perFile.set(r.source.file, (perFile.get(r.source.file) ?? 0) + 1);
  }
  return perFile;
}

function safeDetect(reader: Reader, source: { path: string; text: string }): boolean {
  try {
    return reader.detect(source);
  } catch {
    return false;
  }
}

/** What one unit of input gave: one file, or one folder read whole by a directory reader. */
export interface ReadUnit {
  resources: Resource[];
  files: FileReport[];
  warnings: string[];
  /** For a folder read whole: what its configuration was evaluated from (absolute paths). */
  inputs?: ConfigurationInputs;
}

/**
 * Reads `paths` one unit at a time (a file, or a Terraform folder), in the order `readPaths`
 * reads them, with files and resources already named relative to the working folder. Inventory
 * fragments are not merged: that is the caller's choice (`readPaths` merges across all files).
 *
 * ```ts
 * for await (const unit of readPathsByUnit(['exports/'])) judge(unit.resources);
 * ```
 */
export async function* readPathsByUnit(
  paths: string[],
  options: ReadPathsOptions = {},
): AsyncGenerator<ReadUnit> {
  const fileReaders = options.fileReaders ?? defaultFileReaders;
  const dirReaders = options.directoryReaders ?? defaultDirectoryReaders;
  const folders: Folder[] = [];
  const missing: SourceError[] = [];
  // One walk over all the paths: a folder named twice, or inside another one named, is read once
  // (its resources counted once).
  const visited = new Set<string>();
  // Named as the user typed it (`infra/prod/../prod`), a folder would not hold the files found in
  // it, which path.join names without the `..`: the folder's Terraform read as no files at all.
  for (const path of paths) {
    await collect(normalize(path), folders, missing, options.allow, visited);
  }
  folders.splice(0, folders.length, ...groupNamedFiles(folders));
  folders.splice(0, folders.length, ...(await callersFirst(folders, dirReaders, options.allow)));

  if (missing.length > 0) {
    yield normalise({
      resources: [],
      files: missing.map((error) => ({ file: error.file, kind: 'error', resources: 0, error })),
      warnings: [],
    });
  }
  const consumed = new Set<string>();
  const lookups = scanLookups();
  const total = folders.reduce((n, f) => n + f.files.length, 0);
  let done = 0;

  for (const folder of folders) {
    const names = folder.files.map((f) => f.slice(folder.dir.length + 1));
    const dirReader = dirReaders.find((d) => d.claims(folder.dir, names));
    if (dirReader && !ownedFiles(dirReader, folder).every((f) => consumed.has(f))) {
      const unit: ReadUnit = { resources: [], files: [], warnings: [] };
      const files = unit.files;
      try {
        const result = await dirReader.readDirectory(folder.dir, folder.files, {
          allow: options.allow,
          varFiles: options.varFiles,
          scanRoot: folder.root,
        });
        for (const item of result.resources) unit.resources.push(item);
        for (const item of result.warnings ?? []) unit.warnings.push(item);
        for (const f of result.consumed) consumed.add(f);
        if (result.inputs) unit.inputs = result.inputs;
        const errored = new Map(result.errors.map((e) => [e.file, e]));
        const written = resourcesPerFile(result.resources);
        // A file with an error may still have given resources (a `count` cut at the cap gives
        // the instances up to it): they are judged, so the file counts them beside its error.
        for (const f of result.consumed) {
          const shown = displayPath(f);
          const error = errored.get(f) ?? errored.get(shown);
          files.push({
            file: shown,
            kind: dirReader.kind,
            resources: written.get(f) ?? written.get(shown) ?? 0,
            ...(error ? { error } : {}),
          });
        }
        // Resources written in no file of the folder (a child module's, read from elsewhere) are
        // counted on its last file read without error (else its last file), so the folder's
        // files still add up to what it produced.
        const own = files.filter((r) => r.kind === dirReader.kind);
        const counted = own.filter((r) => !r.error);
        const placed = own.reduce((n, r) => n + r.resources, 0);
        const last = counted[counted.length - 1] ?? own[own.length - 1];
        if (last) last.resources += result.resources.length - placed;
        for (const error of result.errors) {
          if (!result.consumed.some((f) => f === error.file || displayPath(f) === error.file)) {
            files.push({ file: error.file, kind: 'error', resources: 0, error });
          }
        }
      } catch (error) {
        files.push({
          file: displayPath(folder.dir),
          kind: 'error',
          resources: 0,
          error: toSourceError(folder.dir, error),
        });
      }
      yield normalise(unit);
    }
    const toRead = folder.files.filter(
      (file) => !consumed.has(file) && (folder.named === true || isCandidate(file)),
    );
    let ahead: Loading | undefined;
    for (const file of folder.files) {
      done += 1;
      options.onProgress?.({ done, total, file });
      if (toRead[0] !== file) continue;
      toRead.shift();
      const loading = ahead?.file === file ? ahead : startLoading(file, options.allow);
      // The next file is read while the readers work on this one: its bulk read is under way
      // before they start.
      ahead = toRead.length > 0 ? startLoading(toRead[0], options.allow) : undefined;
      if (ahead) await ahead.underway;
      const { report, resources, warnings } = await readOne(
        loading,
        fileReaders,
        lookups,
        options.allow,
      );
      yield normalise({ resources, files: [report], warnings });
    }
  }
}

/**
 * One way of naming files everywhere (relative to the working folder), and no message so long
 * that it floods a terminal.
 */
function normalise(unit: ReadUnit): ReadUnit {
  // A unit's resources share a few files: each path is worked out once (an inventory file holds
  // tens of thousands of resources, and a path kept absolute would otherwise be one each time).
  let lastFile: string | undefined;
  let lastShown = '';
  for (const r of unit.resources) {
    const file = r.source.file;
    if (!file) continue;
    if (file !== lastFile) {
      lastFile = file;
      lastShown = isAbsolute(file) ? displayPath(file) : file;
    }
    r.source.file = lastShown;
  }
  for (const f of unit.files) {
    if (isAbsolute(f.file)) f.file = displayPath(f.file);
    if (!f.error) continue;
    const absolute = f.error.file;
    if (isAbsolute(absolute)) {
      f.error.file = displayPath(absolute);
      f.error.message = f.error.message.split(absolute).join(f.error.file);
    }
    f.error.message = clip(f.error.message);
  }
  return unit;
}

/**
 * Reads every resource under `paths`.
 *
 * ```ts
 * const { resources, files } = await readPaths(['infra/', 'exports/config.json']);
 * ```
 */
export async function readPaths(
  paths: string[],
  options: ReadPathsOptions = {},
): Promise<ReadPathsResult> {
  const resources: Resource[] = [];
  const files: FileReport[] = [];
  const warnings: string[] = [];
  const configurations: Configuration[] = [];
  for await (const unit of readPathsByUnit(paths, options)) {
    for (const r of unit.resources) resources.push(r);
    for (const f of unit.files) files.push(f);
    for (const w of unit.warnings) warnings.push(w);
    if (unit.inputs)
      configurations.push({ inputs: unit.inputs, resources: unit.resources, files: unit.files });
  }
  const settled = settleResources(resources, files);
  for (const w of settled.warnings) warnings.push(w);
  return { resources: settled.resources, files, warnings, configurations };
}

/** What `settleResources` gives: the resources to judge, and what the scan must say of them. */
export interface Settled {
  resources: Resource[];
  /**
   * Of listings that left resources' settings out (`az resource list`, Cloud Asset Inventory
   * records without resource data), those no other file read filled in, per file.
   */
  warnings: string[];
}

/**
 * What the readers' resources become before they are judged: fragments of one inventory
 * resource merged, AWS records of one resource under different ids joined, and Kubernetes
 * objects folded into their controllers (each file's count adjusted). `readPaths` settles a whole
 * scan, the streamed scan each file. Resources a listing read without their settings are warned
 * of here, once the merge has had every file's fragment: a GET body read beside the listing
 * leaves nothing to warn of.
 *
 * ```ts
 * const { resources, warnings } = settleResources(read.resources, read.files);
 * ```
 */
export function settleResources(resources: Resource[], files: FileReport[]): Settled {
  const settled = foldKubernetesObjects(
    joinGcpServiceAccounts(joinAwsInventory(mergeInventoryFragments(resources))),
    files,
  );
  return { resources: settled, warnings: leftOutWarnings(settled, files) };
}

/**
 * `resources` without the Kubernetes objects judged through their controller in the scan
 * (`foldIntoKubernetesControllers`), each file's report counting only the resources it still
 * gives and, as `folded`, how many of its objects were folded: a file's count is what the
 * assessment judges from it.
 *
 * ```ts
 * const judged = foldKubernetesObjects(resources, files); // files[i].resources now add up
 * ```
 */
function foldKubernetesObjects(resources: Resource[], files: FileReport[]): Resource[] {
  const judged = foldIntoKubernetesControllers(resources);
  if (judged.length === resources.length) return judged;

  const kept = new Set(judged);
  const foldedPerFile = new Map<string, number>();
  for (const r of resources) {
    const file = r.source.file;
    if (kept.has(r) || !file) continue;
    foldedPerFile.set(file, (foldedPerFile.get(file) ?? 0) + 1);
  }
  for (const report of files) {
    const folded = foldedPerFile.get(report.file);
    if (!folded || report.error) continue;
    report.resources = Math.max(0, report.resources - folded);
    report.folded = (report.folded ?? 0) + folded;
  }
  return judged;
}
