import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLive, startRefused } from './ingest-helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-tail-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (tail: { path: string; type?: string }[]) => startRefused({ tail });

describe('tail configuration', () => {
  it('refuses a reader type that does not exist, naming the setting', async () => {
    const error = await refusal([
      { path: join(dir, 'a.log') },
      { path: join(dir, 'b.log'), type: 'nosuchreader' },
    ]);
    expect(error.key).toBe('ingest.tail[1].type');
    expect(error.message).toContain('nosuchreader');
  });

  it('refuses a path that is a directory, naming the setting', async () => {
    const error = await refusal([{ path: dir }]);
    expect(error.key).toBe('ingest.tail[0].path');
  });

  it('accepts a file that does not exist yet and a known reader', async () => {
    const h = await startLive({ tail: [{ path: join(dir, 'later.log'), type: 'syslog' }] });
    await h.close();
  });
});
