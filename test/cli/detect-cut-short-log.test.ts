/**
 * A JSON log cut short before a reader can recognise it (a CloudTrail record copied while it was
 * written, ending at `"eventVersion"`) is a read error naming the file and where it ends, exit 2,
 * named or in a folder: it is a broken log, not a file of another kind that a folder may hold.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const record = readFileSync(
  shared('cloudtrail/cloud-custodian-cwe/event-cloud-trail-run-instances.json'),
  'utf8',
);
// The record up to its first member's name: no reader's mark (`"eventVersion":`) is there yet.
const cut = record.slice(0, record.indexOf('"eventVersion"') + '"eventVersion"'.length);
const lines = cut.split('\n');
const place = `line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;

const work = mkdtempSync(join(tmpdir(), 'palisade-cut-'));

describe('palisade detect on a JSON log cut short', () => {
  it('names the file and where it ends, and exits 2, when the file is named', () => {
    const file = join(work, 'trail.json');
    writeFileSync(file, cut);
    const run = runPalisade(['detect', file, '--no-store', '--quiet']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(
      `palisade: ${file}:${lines.length}: invalid JSON: cut short at ${place}`,
    );
    expect(run.stderr).not.toContain('no log reader recognises');
  });

  it('does the same for such a file in a folder, where other files that are no logs are skipped', () => {
    const folder = mkdtempSync(join(work, 'bucket-'));
    writeFileSync(join(folder, 'trail.json'), cut);
    writeFileSync(join(folder, 'notes.csv'), 'a,b\n1,2\n');
    const run = runPalisade(['detect', folder, '--no-store', '--quiet', '--format', 'json']);
    expect(run.code, run.stderr).toBe(2);
    const errors = JSON.parse(run.stdout).readErrors as { file: string; code: string }[];
    expect(errors.map((e) => [e.file.slice(folder.length + 1), e.code])).toEqual([
      ['notes.csv', 'UNSUPPORTED_FORMAT'],
      ['trail.json', 'PARSE_ERROR'],
    ]);
    expect(run.stderr).toContain(`trail.json:${lines.length}: invalid JSON: cut short at ${place}`);
  });

  it('reads the whole record as before', () => {
    const file = join(work, 'whole.json');
    writeFileSync(file, record);
    const run = runPalisade(['detect', file, '--no-store', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
  });
});
