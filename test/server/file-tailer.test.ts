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
