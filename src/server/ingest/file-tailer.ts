/**
 * Follows a log file as `tail -F` does: reads lines appended to it, and when it is rotated
 * (renamed and recreated) or truncated, finishes the old file and starts on the new one. Its
 * position (inode, offset of the last whole line handed on, and bytes to recognise the file by)
 * can be saved and handed back at the next start, which then reads on from there.
 */

import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { TailPosition } from '../../store/tail-positions.js';

export interface FileTailerOptions {
  /**
   * Read the file from its start (default: only what is appended after the tailer starts; a file
   * that does not exist yet when it starts is read from its start once it appears).
   */
  fromStart?: boolean;
  /**
   * Where an earlier run had read to (`position()` then). Reading goes on from there when the file
   * is the same one, grown; when it was rotated meanwhile, the rest of the old file (found beside
   * it by inode, e.g. `auth.log.1`) is read first and then the new one from its start; when it
   * was truncated or rewritten, it is read from its start. Overrides `fromStart`.
   */
  resume?: FilePosition;
  /** How often the file is checked (default 500 ms). */
  pollMs?: number;
  /** Longest line kept (default 1 MiB); longer ones are dropped and counted. */
  maxLineBytes?: number;
  /** Receives each poll's complete lines, in order; the next poll waits for it. */
  onLines(lines: string[]): Promise<void> | void;
  /** Lines dropped for their length, or read failures other than a missing file. */
  onError(error: Error): void;
}

/** A saved position less the path: which file (inode), how far, and the bytes to know it by. */
export type FilePosition = Omit<TailPosition, 'path'>;

/** What the tailer did with `resume` at its start. */
export type ResumeOutcome =
  | 'resumed' // the same file: read on from the position
  | 'rotated' // rotated while stopped: the rest of the old file, then the new one
  | 'rotated-lost' // rotated while stopped and the old file is gone: the new one from its start
  | 'rewritten'; // truncated or rewritten while stopped: from its start

const READ_CHUNK = 1024 * 1024;
/** Bytes kept of the file's start and of what lies just before the offset, to notice a rewrite. */
const MARK_BYTES = 256;

/**
 * One followed file.
 *
 * ```ts
 * const tailer = new FileTailer('/var/log/auth.log', { onLines, onError });
 * tailer.start();
 * await tailer.stop();
 * ```
 */
export class FileTailer {
  readonly path: string;
  readonly #options: FileTailerOptions;
  #handle: FileHandle | undefined;
  #inode = -1;
  #offset = 0;
  /** The file's first bytes and the bytes just before `#offset`, as last read. */
  #head: Buffer = Buffer.alloc(0);
  #behind: Buffer = Buffer.alloc(0);
  #decoder = new StringDecoder('utf8');
  #carry = '';
  #dropping = false;
  #first = true;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> = Promise.resolve();
  #stopped = false;
  /** The offset past the last whole line handed on, and the marks of the file there. */
  #saved: FilePosition | undefined;
  /** Set once the file was first opened with `resume`. */
  resumed: ResumeOutcome | undefined;

  constructor(path: string, options: FileTailerOptions) {
    this.path = path;
    this.#options = options;
  }

  /** Starts polling; resolves once the file was first looked at (so later appends are read). */
  async start(): Promise<void> {
    this.#polling = this.#poll();
    await this.#polling;
    this.#timer = setInterval(() => {
      this.#polling = this.#polling.then(() => this.#poll());
    }, this.#options.pollMs ?? 500);
    this.#timer.unref();
  }

  /** Checks the file once now (tests; polling does the same). */
  poll(): Promise<void> {
    this.#polling = this.#polling.then(() => this.#poll());
    return this.#polling;
  }

  /**
   * Where reading has got to: every line before `offset` of the file `inode` was handed to
   * `onLines` (and `onLines` resolved). Undefined before the file was first opened.
   */
  position(): TailPosition | undefined {
    return this.#saved && { path: this.path, ...this.#saved };
  }

  /** Stops polling and closes the file. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#polling;
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (!this.#handle && !(await this.#open())) return;
      await this.#drain();
      await this.#checkRotation();
    } catch (error) {
      this.#options.onError(error as Error);
    }
  }

  /**
   * Opens the file when it exists. A file there when the tailer started is followed from its end
   * (unless `fromStart`); one that appears later is read from its start, as `tail -F` does, so
   * the lines written when it was created are not lost.
   */
  async #open(): Promise<boolean> {
    const resume = this.#first ? this.#options.resume : undefined;
    if (resume) return this.#resume(resume);
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#first = false;
      return false;
    }
    const info = await handle.stat();
    this.#handle = handle;
    this.#inode = info.ino;
    this.#offset = this.#first && !this.#options.fromStart ? info.size : 0;
    this.#first = false;
    await this.#mark();
    await this.#commit(this.#offset);
    return true;
  }

  /** The first open with a saved position: the same file, the rotated one, or a new start. */
  async #resume(resume: FilePosition): Promise<boolean> {
    this.#first = false;
    const current = await open(this.path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    const info = await current?.stat();
    if (current && info!.ino === resume.inode) {
      const same = await holds(current, info!.size, resume);
      this.resumed = same ? 'resumed' : 'rewritten';
      await this.#take(current, info!.ino, same ? resume.offset : 0);
      return true;
    }
    const old = await this.#rotatedFile(resume);
    if (old) {
      await current?.close();
      this.resumed = 'rotated';
      await this.#take(old, resume.inode, resume.offset);
      return true;
    }
    this.resumed = 'rotated-lost';
    if (!current) return false;
    await this.#take(current, info!.ino, 0);
    return true;
  }

  /** The file beside this one (`auth.log.1`, `auth.log-20261205`) that is the saved inode, still holding what was read. */
  async #rotatedFile(resume: FilePosition): Promise<FileHandle | undefined> {
    const dir = dirname(this.path);
    const name = basename(this.path);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const candidate of names) {
      if (candidate === name || !candidate.startsWith(name)) continue;
      if (!/^[.-]/.test(candidate.slice(name.length)) || COMPRESSED.test(candidate)) continue;
      const path = join(dir, candidate);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile() || info.ino !== resume.inode) continue;
      const handle = await open(path, 'r').catch(() => undefined);
      if (!handle) continue;
      if (await holds(handle, (await handle.stat()).size, resume)) return handle;
      await handle.close();
    }
    return undefined;
  }

  async #take(handle: FileHandle, inode: number, offset: number): Promise<void> {
    this.#handle = handle;
    this.#inode = inode;
    this.#offset = offset;
    await this.#mark();
    await this.#commit(offset);
  }

  /** Records `offset` (past a whole line) as the position, with the file's marks there. */
  async #commit(offset: number): Promise<void> {
    const handle = this.#handle!;
    const from = Math.max(0, offset - MARK_BYTES);
    this.#saved = {
      inode: this.#inode,
      offset,
      head: await readAt(handle, 0, Math.min(MARK_BYTES, offset)),
      behind: await readAt(handle, from, offset - from),
    };
  }

  /** Remembers the bytes `#rewritten` compares: two small reads. */
  async #mark(): Promise<void> {
    const handle = this.#handle!;
    this.#head = await readAt(handle, 0, Math.min(MARK_BYTES, this.#offset));
    const from = Math.max(0, this.#offset - MARK_BYTES);
    this.#behind = await readAt(handle, from, this.#offset - from);
  }

  /**
   * Truncated in place (copytruncate): the file is shorter than what was read, or, when it was
   * refilled past the old offset before this poll, its first bytes or those before the offset
   * are no longer the ones read.
   */
  async #rewritten(size: number): Promise<boolean> {
    if (size < this.#offset) return true;
    if (this.#offset === 0) return false;
    const handle = this.#handle!;
    if (!(await readAt(handle, 0, this.#head.length)).equals(this.#head)) return true;
    const from = this.#offset - this.#behind.length;
    return !(await readAt(handle, from, this.#behind.length)).equals(this.#behind);
  }

  /** Reads what was appended since the last read. */
  async #drain(): Promise<void> {
    const handle = this.#handle!;
    const info = await handle.stat();
    if (await this.#rewritten(info.size)) {
      this.#restart();
      await this.#commit(0);
    }
    const start = this.#offset;
    let lineEnd = -1;
    const buffer = Buffer.alloc(Math.min(READ_CHUNK, Math.max(1, info.size - this.#offset)));
    while (this.#offset < info.size && !this.#stopped) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.#offset);
      if (bytesRead === 0) break;
      const at = this.#offset;
      this.#offset += bytesRead;
      const lines = this.#split(this.#decoder.write(buffer.subarray(0, bytesRead)));
      if (lines.length > 0) await this.#options.onLines(lines);
      // A line feed is one byte in UTF-8 and never inside a character: what precedes it is whole.
      const feed = buffer.lastIndexOf(0x0a, bytesRead - 1);
      if (feed >= 0) lineEnd = at + feed + 1;
    }
    if (this.#offset !== start) await this.#mark();
    if (lineEnd >= 0) await this.#commit(lineEnd);
  }

  /** The path now names another file (or none): finish the old one, then follow the new. */
  async #checkRotation(): Promise<void> {
    let inode: number;
    try {
      inode = (await stat(this.path)).ino;
    } catch {
      return; // Moved away and not yet recreated: keep the old file until a new one appears.
    }
    if (inode === this.#inode) return;
    await this.#drain();
    const rest = this.#carry + this.#decoder.end();
    this.#restart();
    if (rest.length > 0 && !this.#dropping) await this.#options.onLines([trimCr(rest)]);
    this.#dropping = false;
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    if (await this.#open()) await this.#drain();
  }

  #restart(): void {
    this.#offset = 0;
    this.#head = Buffer.alloc(0);
    this.#behind = Buffer.alloc(0);
    this.#carry = '';
    this.#decoder = new StringDecoder('utf8');
  }

  #split(text: string): string[] {
    const max = this.#options.maxLineBytes ?? 1024 * 1024;
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = this.#carry + text.slice(start, nl);
      start = nl + 1;
      this.#carry = '';
      if (this.#dropping || piece.length > max) {
        this.#dropping = false;
        this.#options.onError(new Error(`${this.path}: a line over ${max} characters was dropped`));
        continue;
      }
      lines.push(trimCr(piece));
    }
    this.#carry += text.slice(start);
    if (this.#carry.length > max) {
      this.#carry = '';
      this.#dropping = true;
    }
    return lines;
  }
}

/** Up to `length` bytes of the file from `position` (fewer when the file is shorter). */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Compressed rotations (`auth.log.2.gz`) hold no plain text to read on in. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|Z)$/;

/** True when the open file is at least `offset` long and holds the saved marks. */
async function holds(handle: FileHandle, size: number, saved: FilePosition): Promise<boolean> {
  if (size < saved.offset) return false;
  if (!(await readAt(handle, 0, saved.head.length)).equals(saved.head)) return false;
  const from = saved.offset - saved.behind.length;
  return (await readAt(handle, from, saved.behind.length)).equals(saved.behind);
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
