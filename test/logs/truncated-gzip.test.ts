/**
 * A gzip log cut short (copied while written, `head -c`): the lines before the cut are read, and
 * the cut is reported once, naming the file (loghub's OpenSSH log, gzipped and cut here).
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readLogs } from '../../src/logs/read-logs.js';
import { runPalisade } from '../support/cli.js';
import { collect, dataPath } from './shared-data.js';

const LOG = dataPath('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const work = mkdtempSync(join(tmpdir(), 'palisade-cut-gzip-'));
const whole = gzipSync(readFileSync(LOG));

/** The log gzipped and cut after `bytes`, written under a temporary folder. */
function cutAt(bytes: number): string {
  const file = join(work, `auth-${bytes}.log.gz`);
  writeFileSync(file, whole.subarray(0, bytes));
  return file;
}

/** The complete lines gzip data cut short holds (zlib flushing what it has, not failing). */
function completeLines(file: string): number {
  const text = gunzipSync(readFileSync(file), { finishFlush: constants.Z_SYNC_FLUSH });
  return text.toString('utf8').split('\n').length - 1;
}

describe('gzip logs cut short', () => {
  it.each([
    ['within the first 64 KB', 2000],
    ['past the first 64 KB', Math.floor(whole.length * 0.8)],
  ])('reads the lines before a cut %s, then reports the cut', async (_where, bytes) => {
    const file = cutAt(bytes);
    const lines = completeLines(file);
    expect(lines).toBeGreaterThan(100);
    const { events, errors } = await collect(readLogs([file]));
    expect(events).toHaveLength(lines);
    expect(errors.map((e) => [e.file, e.code])).toEqual([[file, 'TRUNCATED']]);
    expect(errors[0].message).toMatch(/cut short/);
  });

  it('is bad input to palisade detect (exit 2), with the file named and its alerts raised', () => {
    const file = cutAt(2000);
    const run = runPalisade(['detect', file, '--no-store', '-q']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}: the gzip data is cut short`);
    expect(run.stdout).toContain(`${completeLines(file)} events`);
    expect(run.stdout).toMatch(/SSH brute force/);
  });
});
