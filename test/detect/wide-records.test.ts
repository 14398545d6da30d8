/**
 * A record with a very wide list (a CloudTrail request padded with 300,000 ranges) is judged like
 * any other: reading a field through a list of that width must not depend on the call stack.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { runPalisade } from '../support/cli.js';
import { KEY_FOR_ANOTHER, OPEN_TO_INTERNET, wideRecords } from '../support/wide-records.js';

describe('very wide records', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-wide-')), 'wide.ndjson');
  writeFileSync(file, wideRecords());

  it('raises the alert a range past 300,000 padding ranges opens, and the others', async () => {
    const result = await detect({ paths: [file] });
    expect(result.readErrors).toEqual([]);
    expect(result.alerts.map((a) => a.title).sort()).toEqual([KEY_FOR_ANOTHER, OPEN_TO_INTERNET]);
  });

  it('reports both alerts from the command line and exits 0', () => {
    const run = runPalisade(['detect', file, '--no-store', '--format', 'json', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const titles = (JSON.parse(run.stdout).alerts as { title: string }[]).map((a) => a.title);
    expect(titles.sort()).toEqual([KEY_FOR_ANOTHER, OPEN_TO_INTERNET]);
  });
});
