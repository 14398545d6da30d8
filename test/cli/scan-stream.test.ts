/** `palisade scan --stream` as a user runs it, and when a scan streams by itself. */

import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputLargerThan } from '../../src/posture/assess-stream.js';
import { runPalisade } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-cli-stream-'));

const palisade = (...args: string[]) => runPalisade(args);

describe('palisade scan --stream', () => {
  it('gives the score and counts of a normal scan, with only failing findings in JSON', () => {
    const streamed = palisade('scan', 'samples/estate', '--stream', '--no-store', '-f', 'json');
    const whole = palisade('scan', 'samples/estate', '--no-store', '-f', 'json');
    expect(streamed.code, streamed.stderr).toBe(0);
    const s = JSON.parse(streamed.stdout);
    const w = JSON.parse(whole.stdout);
    expect(s.streamed).toBe(true);
    expect(w.streamed).toBe(false);
    expect(s.secureScore).toBe(w.secureScore);
    expect(s.counts).toEqual(w.counts);
    expect(s.recommendations).toEqual(w.recommendations);
    expect(s.findings.every((f: { status: string }) => f.status === 'fail')).toBe(true);
    expect(s.findings).toHaveLength(w.counts.fail + w.counts.exempt + w.counts.error);
  });

  it('stores a streamed scan and exits as a normal one does with --fail-on', () => {
    const db = join(work, 'store.db');
    const run = palisade('scan', 'samples/estate', '--stream', '--db', db, '--fail-on', 'high');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('Streamed scan');
    const history = JSON.parse(palisade('history', '--db', db, '--json').stdout);
    expect(history).toHaveLength(1);
  });
});

describe('inputLargerThan (when a scan streams by itself)', () => {
  it('adds up file sizes under folders and stops at the limit', async () => {
    const dir = join(work, 'sizes');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'a.json'), 'x'.repeat(600));
    writeFileSync(join(dir, 'nested', 'b.json'), 'x'.repeat(600));
    expect(await inputLargerThan([dir], 1000)).toBe(true);
    expect(await inputLargerThan([dir], 1200)).toBe(false);
    expect(await inputLargerThan([join(dir, 'a.json'), join(work, 'missing')], 500)).toBe(true);
    expect(await inputLargerThan([join(work, 'missing')], 0)).toBe(false);
  });

  it('counts each folder once when links lead back up the tree', async () => {
    // Two links to folders above: walked naively, 2^64 paths (the scan hung before it started).
    const dir = join(work, 'loops');
    mkdirSync(join(dir, 'a'), { recursive: true });
    const tf = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n';
    writeFileSync(join(dir, 'a', 'main.tf'), tf.padEnd(100, '#'));
    symlinkSync('..', join(dir, 'a', 'up'));
    symlinkSync(dir, join(dir, 'a', 'self'));
    const started = performance.now();
    expect(await inputLargerThan([dir], 150)).toBe(false);
    expect(await inputLargerThan([dir], 50)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    const run = palisade('scan', dir, '--no-store', '-f', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).counts.resources).toBe(1);
  });
});
