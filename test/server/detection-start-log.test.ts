/** What continuous detection logs when it starts: a waiting built-in is a hint, not a warning. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DetectionService } from '../../src/server/ingest/detection-service.js';
import { openStore } from '../../src/store/database.js';

/** Starts the service over an in-memory store and returns the JSON lines it logged. */
async function startLines(options: {
  ruleDirs?: string[];
  placeholders?: Record<string, string[]>;
}): Promise<{ level: number; msg: string; rules?: string[] }[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  const db = await openStore(':memory:');
  const service = await DetectionService.start({
    db,
    logger: pino({ level: 'info' }, sink),
    flushIntervalMs: 60_000,
    ...options,
  });
  await service.close();
  await db.destroy();
  return lines.map((l) => JSON.parse(l));
}

describe('detection start-up log', () => {
  it('reports the break-glass built-in waiting for its placeholder once, at info level', async () => {
    const lines = await startLines({});
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    const waiting = lines.filter((l) => /until its placeholder has a value/.test(l.msg));
    expect(waiting).toHaveLength(1);
    expect(waiting[0].level).toBe(30);
    expect(waiting[0].rules).toContain('Azure break-glass account signed in');
  });

  it('logs nothing about it once the placeholder has a value', async () => {
    const lines = await startLines({
      placeholders: { BreakGlassAccounts: ['breakglass@example.onmicrosoft.com'] },
    });
    expect(lines.some((l) => /placeholder|not loaded/.test(l.msg))).toBe(false);
  });

  it('still warns about a user rule that cannot be used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-rules-'));
    writeFileSync(
      join(dir, 'needs-admins.yml'),
      [
        'title: Admin login',
        'logsource: { product: linux, service: auth }',
        'detection:',
        '  sel: { user|expand: "%Admins%" }',
        '  condition: sel',
      ].join('\n'),
    );
    const lines = await startLines({ ruleDirs: [dir] });
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map((l) => l.msg)).toEqual(['detection rule not loaded']);
  });
});
