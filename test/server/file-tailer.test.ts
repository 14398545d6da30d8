import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTailer } from '../../src/server/ingest/file-tailer.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-tailer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tailer on `file` that collects its lines and errors; polled by hand. */
function follow(file: string): { tailer: FileTailer; lines: string[]; errors: Error[] } {
  const lines: string[] = [];
  const errors: Error[] = [];
  const tailer = new FileTailer(file, {
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
