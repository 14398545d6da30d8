import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTailer } from '../../src/server/ingest/file-tailer.js';
import type { TailPosition } from '../../src/store/tail-positions.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-tailer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tailer on `file` that collects its lines and errors; polled by hand. */
function follow(
  file: string,
  options: { resume?: TailPosition; fromStart?: boolean } = {},
): { tailer: FileTailer; lines: string[]; errors: Error[] } {
  const lines: string[] = [];
  const errors: Error[] = [];
  const tailer = new FileTailer(file, {
    ...options,
    pollMs: 60_000,
    onLines: (l) => void lines.push(...l),
    onError: (e) => void errors.push(e),
  });
  return { tailer, lines, errors };
}

describe('file tailer', () => {
  it('follows a file that existed at start from its end', async () => {
    const file = join(dir, 'existing.log');
    writeFileSync(file, 'old line\n');
    const { tailer, lines } = follow(file);
    await tailer.start();
    try {
      appendFileSync(file, 'new line\n');
      await tailer.poll();
      expect(lines).toEqual(['new line']);
    } finally {
      await tailer.stop();
    }
  });

  it('reads a file that appears after the tailer started from its start', async () => {
    const file = join(dir, 'later.log');
    const { tailer, lines } = follow(file);
    await tailer.start();
    try {
      await tailer.poll();
      writeFileSync(file, 'first line\nsecond line\n');
      await tailer.poll();
      appendFileSync(file, 'third line\n');
      await tailer.poll();
      expect(lines).toEqual(['first line', 'second line', 'third line']);
    } finally {
      await tailer.stop();
    }
  });
});

describe('file tailer and copytruncate', () => {
  it('notices a truncation when the file was refilled past the old offset before a poll', async () => {
    const file = join(dir, 'copytruncate.log');
    writeFileSync(file, '');
    const { tailer, lines } = follow(file);
    await tailer.start();
    try {
      appendFileSync(file, 'Dec 10 06:00:00 before rotation\n');
      await tailer.poll();
      // Copied away, truncated and written again, longer than before, between two polls.
      writeFileSync(file, 'Dec 10 07:00:00 after rotation, one\nDec 10 07:00:01 after, two\n');
      await tailer.poll();
      expect(lines).toEqual([
        'Dec 10 06:00:00 before rotation',
        'Dec 10 07:00:00 after rotation, one',
        'Dec 10 07:00:01 after, two',
      ]);
    } finally {
      await tailer.stop();
    }
  });

  it('notices it for a file followed from its end whose first bytes stay the same', async () => {
    const file = join(dir, 'same-head.log');
    const header = '# a header line every copy of the file starts with\n';
    writeFileSync(file, `${header}old one\n`);
    const { tailer, lines } = follow(file);
    await tailer.start();
    try {
      writeFileSync(file, `${header}new one, longer than before\n`);
      await tailer.poll();
      expect(lines).toEqual([header.trimEnd(), 'new one, longer than before']);
    } finally {
      await tailer.stop();
    }
  });
});

describe('file tailer resuming from a saved position', () => {
  /** Reads `file` from its start in a first run and returns where it got to. */
  async function firstRun(file: string): Promise<{ lines: string[]; position: TailPosition }> {
    const { tailer, lines } = follow(file, { fromStart: true });
    await tailer.start();
    await tailer.stop();
    return { lines, position: tailer.position()! };
  }

  it('reads on from the position, lines written while stopped included, never half a line', async () => {
    const file = join(dir, 'resume.log');
    writeFileSync(file, 'Dec 10 06:00:00 one\nDec 10 06:00:01 zwei, über\nDec 10 06:00:02 th');
    const first = await firstRun(file);
    expect(first.lines).toEqual(['Dec 10 06:00:00 one', 'Dec 10 06:00:01 zwei, über']);
    // The unfinished third line is not behind the position: the next run reads it whole.
    expect(first.position.offset).toBe(
      Buffer.byteLength('Dec 10 06:00:00 one\nDec 10 06:00:01 zwei, über\n'),
    );
    appendFileSync(file, 'ree\nDec 10 06:00:03 four\n');
    const { tailer, lines } = follow(file, { resume: first.position });
    await tailer.start();
    try {
      expect(tailer.resumed).toBe('resumed');
      expect(lines).toEqual(['Dec 10 06:00:02 three', 'Dec 10 06:00:03 four']);
      appendFileSync(file, 'Dec 10 06:00:04 five\n');
      await tailer.poll();
      expect(lines.at(-1)).toBe('Dec 10 06:00:04 five');
      expect(tailer.position()!.offset).toBe(Buffer.byteLength(readFileSync(file, 'utf8')));
    } finally {
      await tailer.stop();
    }
  });

  it('finishes the old file found beside it by inode when it was rotated while stopped', async () => {
    const file = join(dir, 'rotated.log');
    writeFileSync(file, 'Dec 10 06:00:00 read before the stop\n');
    const first = await firstRun(file);
    appendFileSync(file, 'Dec 10 06:00:01 written to the old file while stopped\n');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'Dec 10 06:00:02 the new file\n');
    const { tailer, lines } = follow(file, { resume: first.position });
    await tailer.start();
    try {
      await tailer.poll();
      expect(tailer.resumed).toBe('rotated');
      expect(lines).toEqual([
        'Dec 10 06:00:01 written to the old file while stopped',
        'Dec 10 06:00:02 the new file',
      ]);
    } finally {
      await tailer.stop();
    }
  });

  it('reads the new file from its start when the old one was compressed or removed', async () => {
    const file = join(dir, 'rotated-away.log');
    writeFileSync(file, 'Dec 10 06:00:00 read before the stop\n');
    const first = await firstRun(file);
    renameSync(file, `${file}.1.gz`);
    writeFileSync(file, 'Dec 10 06:00:02 the new file\n');
    const { tailer, lines } = follow(file, { resume: first.position });
    await tailer.start();
    try {
      expect(tailer.resumed).toBe('rotated-lost');
      expect(lines).toEqual(['Dec 10 06:00:02 the new file']);
    } finally {
      await tailer.stop();
    }
  });

  it('reads a file rewritten in place while stopped from its start, even when it grew past the position', async () => {
    const file = join(dir, 'rewritten.log');
    writeFileSync(file, 'Dec 10 06:00:00 before\n');
    const first = await firstRun(file);
    // Same inode, other bytes before the position (copytruncate, then new lines).
    writeFileSync(file, 'Dec 10 07:00:00 after one\nDec 10 07:00:01 after two\n');
    const { tailer, lines } = follow(file, { resume: first.position });
    await tailer.start();
    try {
      expect(tailer.resumed).toBe('rewritten');
      expect(lines).toEqual(['Dec 10 07:00:00 after one', 'Dec 10 07:00:01 after two']);
    } finally {
      await tailer.stop();
    }
  });
});
