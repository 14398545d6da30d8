import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { openStore } from '../../src/store/database.js';
import { findingChanges } from '../../src/store/finding-lifecycle.js';
import * as m0001 from '../../src/store/migrations/0001-assessments.js';
import * as m0002 from '../../src/store/migrations/0002-alerts.js';
import * as m0003 from '../../src/store/migrations/0003-identity-and-audit.js';
import { targetSetKey } from '../../src/store/target-set.js';

describe('upgrading a SQLite store written before the finding lifecycle', () => {
  it('keys old assessments by their targets, and the next one compares against them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
    const path = join(dir, 'old.db');
    const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(path) }) });
    const provider = {
      getMigrations: async () => ({
        '0001-assessments': m0001,
        '0002-alerts': m0002,
        '0003-identity-and-audit': m0003,
      }),
    };
    const migrated = await new Migrator({ db: old, provider }).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    const targets = ['samples/estate/kubernetes', 'samples/estate/arm'];
    await old
      .insertInto('assessments')
      .values({
        id: 'before-upgrade',
        started_at: '2026-01-01T00:00:00.000Z',
        finished_at: '2026-01-01T00:00:01.000Z',
        targets: JSON.stringify(targets),
        secure_score: 50,
        resources: 1,
        rules: 1,
        pass: 0,
        fail: 1,
        not_applicable: 0,
        error: 0,
        exempt: 0,
      })
      .execute();
    await old.destroy();

    const db = await openStore(path);
    try {
      const row = await db
        .selectFrom('assessments')
        .select('target_set')
        .where('id', '=', 'before-upgrade')
        .executeTakeFirstOrThrow();
      expect(row.target_set).toBe(targetSetKey([...targets].reverse()));
      const a = await assess({ paths: [...targets].reverse(), rules: await loadRules() });
      await saveAssessment(db, a);
      const changes = await findingChanges(db, a.id);
      expect(changes?.previousAssessmentId).toBe('before-upgrade');
      // The old assessment left no lifecycle, so everything failing now is new.
      expect(changes?.new).toHaveLength(a.findings.filter((f) => f.status === 'fail').length);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
