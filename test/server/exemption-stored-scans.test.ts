/**
 * An exemption made through the API reaches the assessments CLI scans stored, which no source
 * re-runs: creating it derives the latest one again (findings, counts, control scores, secure
 * score) and says so; deleting it undoes that; both go on the audit record. A real server on
 * loopback over SQLite and PostgreSQL.
 */

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { assessStream } from '../../src/posture/assess-stream.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { saveStreamedAssessment } from '../../src/store/streamed-assessment.js';
import { shared } from '../support/paths.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { startHarness } from './harness.js';

const TEMPLATE = shared(
  'iac/aws-cloudformation-templates/ECS/FargateLaunchType/clusters/public-vpc.yaml',
);
const RULE = 'aws-ec2-sg-no-public-all-ports';

describe.each(STORE_TARGETS)('an API exemption and CLI-stored assessments ($name)', (target) => {
  it.skipIf(target.skip)('derives the latest one again on create and on delete, audited', () =>
    target.with(async ({ db }) => {
      // What `palisade scan TEMPLATE --db` stores.
      const scanned = await assess({ paths: [TEMPLATE], rules: await loadRules() });
      await saveAssessment(db, scanned);

      const h = await startHarness({ db });
      try {
        await h.app.listen({ host: '127.0.0.1', port: 0 });
        const { port } = h.app.server.address() as { port: number };
        const owner = await h.token('owner');
        const call = async (method: string, path: string, body?: object) => {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
            method,
            headers: {
              authorization: `Bearer ${owner}`,
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            body: body ? JSON.stringify(body) : undefined,
          });
          const json = await res.json();
          expect(res.status, `${path}: ${JSON.stringify(json)}`).toBeLessThan(300);
          return json;
        };
        const before = await call('GET', '/score');
        expect(before.counts.exempt).toBe(0);

        const created = await call('POST', '/exemptions', {
          rule: RULE,
          resource: '*PublicLoadBalancerSG',
          justification: 'The load balancer is public by design.',
          expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
        });
        expect(created.reassessed).toEqual([]);
        expect(created.rederived).toEqual([
          {
            assessmentId: scanned.id,
            targets: scanned.targets,
            changed: 1,
            secureScore: expect.any(Number),
            skipped: null,
          },
        ]);
        const during = await call('GET', '/score');
        expect(during.counts.exempt).toBe(1);
        expect(during.counts.fail).toBe(before.counts.fail - 1);
        expect(during.secureScore).toBe(created.rederived[0].secureScore);
        const detail = await call('GET', `/recommendations/${RULE}`);
        expect(detail.resources.exempt.map((f: { resourceId: string }) => f.resourceId)).toEqual([
          expect.stringMatching(/#PublicLoadBalancerSG$/),
        ]);
        const stored = await db
          .selectFrom('assessments')
          .select(['secure_score', 'exempt', 'fail'])
          .where('id', '=', scanned.id)
          .executeTakeFirstOrThrow();
        expect(stored).toEqual({
          secure_score: during.secureScore,
          exempt: 1,
          fail: scanned.counts.fail - 1,
        });

        const deleted = await call('DELETE', `/exemptions/${created.exemption.id}`);
        expect(deleted.rederived[0]).toMatchObject({ changed: 1, secureScore: before.secureScore });
        const after = await call('GET', '/score');
        expect(after.counts).toEqual(before.counts);
        expect(after.secureScore).toBe(before.secureScore);

        const audit = await call('GET', '/audit?action=assessment.rederive');
        expect(audit.items.map((e: { target: { id: string } }) => e.target.id)).toEqual([
          scanned.id,
          scanned.id,
        ]);
      } finally {
        await h.close();
      }
    }),
  );

  it.skipIf(target.skip)('leaves a streamed scan as it was and says why', () =>
    target.with(async ({ db }) => {
      // What a scan over a large input stores: failing findings only, so no score to derive.
      const streamed = await assessStream({ paths: [TEMPLATE], rules: await loadRules() });
      await saveStreamedAssessment(db, streamed);
      const h = await startHarness({ db });
      try {
        const owner = await h.token('owner');
        const res = await h.app.inject({
          method: 'POST',
          url: '/api/v1/exemptions',
          headers: { authorization: `Bearer ${owner}` },
          payload: {
            rule: RULE,
            resource: '*PublicLoadBalancerSG',
            justification: 'The load balancer is public by design.',
            expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
          },
        });
        expect(res.statusCode, res.body).toBe(201);
        expect(res.json().rederived).toEqual([
          {
            assessmentId: streamed.id,
            targets: streamed.targets,
            changed: 0,
            secureScore: null,
            skipped: expect.stringMatching(/streamed scan.*next scan into this store applies/),
          },
        ]);
        const stored = await db
          .selectFrom('assessments')
          .select(['secure_score', 'exempt'])
          .where('id', '=', streamed.id)
          .executeTakeFirstOrThrow();
        expect(stored).toEqual({ secure_score: streamed.secureScore, exempt: 0 });
      } finally {
        await h.close();
      }
    }),
  );
});
