import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import {
  saveAssessment,
  scoreHistory,
  storedFindings,
} from '../../src/store/assessment-repository.js';
import { openStore } from '../../src/store/database.js';

describe('assessment store (SQLite)', () => {
  it('keeps every assessment of the sample estate, so score history can be drawn', async () => {
    const db = await openStore(join(mkdtempSync(join(tmpdir(), 'palisade-store-')), 'p.db'));
    try {
      const rules = await loadRules();
      const first = await assess({ paths: ['samples/estate'], rules });
      await saveAssessment(db, first);
      const second = await assess({ paths: ['samples/estate/kubernetes'], rules });
      await saveAssessment(db, second);

      const history = await scoreHistory(db);
      expect(history.map((h) => h.id)).toEqual([first.id, second.id]);
      expect(history[0].secureScore).toBe(first.secureScore);
      expect(history[1].targets).toEqual(['samples/estate/kubernetes']);

      const failing = await storedFindings(db, first.id, 'fail');
      expect(failing).toHaveLength(first.findings.filter((f) => f.status === 'fail').length);
      expect(failing.some((f) => f.file?.endsWith('main.tf') && typeof f.line === 'number')).toBe(
        true,
      );
    } finally {
      await db.destroy();
    }
  });

  it('stores an assessment all or nothing: a failed save leaves what was stored intact', async () => {
    const db = await openStore(':memory:');
    try {
      const rules = await loadRules();
      const a = await assess({ paths: ['samples/estate/kubernetes'], rules });
      await saveAssessment(db, a);
      const again = { ...a, findings: [...a.findings] };
      await expect(saveAssessment(db, again)).rejects.toThrow();
      const rows = await db
        .selectFrom('findings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(a.findings.length);
    } finally {
      await db.destroy();
    }
  });
});
