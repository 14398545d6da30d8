import { describe, expect, it } from 'vitest';
import {
  deleteExemption,
  exemptionSource,
  findExemption,
  insertExemption,
  storedExemptions,
} from '../../src/store/exemption-repository.js';
import {
  allSources,
  deleteSource,
  findSource,
  insertSource,
  recordSourceRun,
} from '../../src/store/source-repository.js';
import { targetSetKey } from '../../src/store/target-set.js';
import { STORE_TARGETS } from './store-targets.js';

const NOW = new Date('2026-05-01T10:00:00Z');

describe.each(STORE_TARGETS)('sources and exemptions store ($name)', (target) => {
  it.skipIf(target.skip)('keeps sources unique by name and paths, and records their runs', () =>
    target.with(async ({ db }) => {
      const made = await insertSource(
        db,
        { name: 'estate', paths: ['/b', '/a'], intervalMinutes: 15, createdBy: 'user:ada' },
        NOW,
      );
      expect(made.target_set).toBe(targetSetKey(['/a', '/b']));
      expect((await findSource(db, 'estate'))?.id).toBe(made.id);
      expect((await findSource(db, made.id))?.name).toBe('estate');
      await expect(
        insertSource(
          db,
          { name: 'estate', paths: ['/c'], intervalMinutes: 1, createdBy: 'x' },
          NOW,
        ),
      ).rejects.toThrow();
      await expect(
        insertSource(
          db,
          { name: 'twin', paths: ['/a', '/b'], intervalMinutes: 1, createdBy: 'x' },
          NOW,
        ),
      ).rejects.toThrow();

      await recordSourceRun(db, made.id, {
        at: NOW.toISOString(),
        assessmentId: 'a1',
        error: null,
      });
      await recordSourceRun(db, made.id, {
        at: NOW.toISOString(),
        assessmentId: null,
        error: 'boom',
      });
      const row = await findSource(db, made.id);
      // A failed run keeps the last good assessment and names its error.
      expect(row).toMatchObject({ last_assessment_id: 'a1', last_error: 'boom' });
      await deleteSource(db, made.id);
      expect(await allSources(db)).toEqual([]);
    }),
  );

  it.skipIf(target.skip)('turns stored exemptions into the engine exemptions, oldest first', () =>
    target.with(async ({ db }) => {
      const first = await insertExemption(
        db,
        {
          rule: 'aws-s3-*',
          resource: 'arn:aws:s3:::logs-*',
          justification: 'Log buckets are private by policy.',
          category: 'mitigated',
          expires: '2026-12-31',
          created_by: 'user:ada',
        },
        NOW,
      );
      const second = await insertExemption(
        db,
        {
          rule: 'kubernetes-*',
          resource: '*',
          justification: 'Demo cluster.',
          category: 'waiver',
          expires: null,
          created_by: 'token:ci',
        },
        new Date(NOW.getTime() + 1_000),
      );
      expect(await storedExemptions(db)).toEqual([
        {
          rule: 'aws-s3-*',
          resource: 'arn:aws:s3:::logs-*',
          justification: 'Log buckets are private by policy.',
          category: 'mitigated',
          expires: '2026-12-31',
          source: exemptionSource(first.id),
        },
        {
          rule: 'kubernetes-*',
          resource: '*',
          justification: 'Demo cluster.',
          category: 'waiver',
          expires: undefined,
          source: exemptionSource(second.id),
        },
      ]);
      await deleteExemption(db, first.id);
      expect(await findExemption(db, first.id)).toBeUndefined();
      expect(await storedExemptions(db)).toHaveLength(1);
    }),
  );
});
