/**
 * A tailed file across a server restart: the second server reads on from where the first one had
 * read, so the lines written while no server ran are detected on, and none is read twice.
 * SQLite and PostgreSQL.
 */

import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTailPositions } from '../../src/store/tail-positions.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { startHarness } from './harness.js';
import { SSH_BRUTE_FORCE, sshLines, until } from './ingest-helpers.js';

describe.each(STORE_TARGETS)('tailing across a restart on $name', (target) => {
  it.skipIf(target.skip)(
    'reads the lines written while stopped once, and alerts on them',
    () =>
      target.with(async ({ db }) => {
        const dir = mkdtempSync(join(tmpdir(), 'palisade-tail-resume-'));
        const file = join(dir, 'auth.log');
        const lines = sshLines();
        const text = (from: number, to: number) => lines.slice(from, to).join('\n') + '\n';
        const start = () =>
          startHarness({
            db,
            config: (c) => {
              c.ingest = {
                flushIntervalMs: 30,
                tailPollMs: 20,
                tail: [{ path: file, type: 'syslog' }],
              };
            },
          });
        const tailed = (h: Awaited<ReturnType<typeof start>>) =>
          h.app.ingest.service.stats().intakes.tail?.events ?? 0;
        try {
          // Followed from its end: the first 100 lines were there before any server.
          writeFileSync(file, text(0, 100));
          const first = await start();
          try {
            appendFileSync(file, text(100, 1_000));
            await until(() => tailed(first) === 900);
          } finally {
            await first.close();
          }
          const saved = (await loadTailPositions(db, [file])).get(file)!;
          expect(saved.offset).toBe(statSync(file).size);
          expect(saved.inode).toBe(statSync(file).ino);

          // Written while no server ran; 183.62.140.253 appears in the log only from here on.
          appendFileSync(file, text(1_000, lines.length));
          const second = await start();
          try {
            expect(second.app.ingest.tailers[0].resumed).toBe('resumed');
            await until(() => tailed(second) === lines.length - 1_000);
            const stored = await until(async () => {
              const rows = await db
                .selectFrom('alerts')
                .select(['rule_id', 'entities'])
                .where('rule_id', '=', SSH_BRUTE_FORCE)
                .execute();
              return rows.find((r) => r.entities.includes('"183.62.140.253"'));
            });
            expect(stored).toBeDefined();
            // Nothing read twice: the count stays, and the saved position is the file's end.
            await new Promise((r) => setTimeout(r, 200));
            expect(tailed(second)).toBe(lines.length - 1_000);
          } finally {
            await second.close();
          }
          expect((await loadTailPositions(db, [file])).get(file)!.offset).toBe(statSync(file).size);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    60_000,
  );
});
