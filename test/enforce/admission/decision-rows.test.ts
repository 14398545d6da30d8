/**
 * Stored admission decisions survive hostile objects: one nested deeper than JSON.stringify can
 * go is kept without its object, and the decisions stored beside it are kept whole.
 */

import { describe, expect, it } from 'vitest';
import {
  decisionRow,
  decisionsQuery,
  insertDecisions,
  type AdmissionDecisionRecord,
} from '../../../src/store/admission-decision-repository.js';
import { STORE_TARGETS } from '../../store/store-targets.js';

function decision(uid: string, object: unknown): AdmissionDecisionRecord {
  return {
    id: `id-${uid}`,
    uid,
    time: new Date('2026-12-05T03:00:00Z'),
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: 'default',
    name: uid,
    operation: 'CREATE',
    user: 'system:serviceaccount:ci:deployer',
    allowed: false,
    dryRun: false,
    mode: 'deny',
    rules: [],
    message: 'denied',
    object,
  };
}

/** `{ a: { a: ... } }`, `depth` levels down. */
function nested(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('admission decision rows', () => {
  it('keep a decision whose object is too deep to write, without the object', () => {
    const row = decisionRow(decision('deep', { spec: nested(200_000) }));
    expect(row.object).toBeNull();
    expect(row.uid).toBe('deep');
    expect(decisionRow(decision('plain', { spec: { containers: [] } })).object).toBe(
      '{"spec":{"containers":[]}}',
    );
  });
});

describe.each(STORE_TARGETS)('admission decisions beside a hostile one ($name)', (target) => {
  it.skipIf(target.skip)('are all stored', async () => {
    await target.with(async ({ db }) => {
      await insertDecisions(db, [
        decision('HOSTILE', { spec: nested(200_000) }),
        decision('VICTIM-UID-crb-1', { kind: 'ClusterRoleBinding' }),
      ]);
      const rows = await decisionsQuery(db).execute();
      expect(rows.map((r) => r.uid).sort()).toEqual(['HOSTILE', 'VICTIM-UID-crb-1']);
      expect(rows.find((r) => r.uid === 'HOSTILE')!.object).toBeNull();
    });
  });
});
