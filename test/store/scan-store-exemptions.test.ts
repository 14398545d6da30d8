import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { exemptionSource, insertExemption } from '../../src/store/exemption-repository.js';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';
import { STORE_TARGETS } from './store-targets.js';

const TEMPLATE = shared(
  'iac/aws-cloudformation-templates/ECS/FargateLaunchType/clusters/public-vpc.yaml',
);
const RULE = 'aws-ec2-sg-no-public-all-ports';

describe.each(STORE_TARGETS)('a CLI scan into a store ($name)', (target) => {
  it.skipIf(target.skip)('applies the exemptions made in the store, as server runs do', () =>
    target.with(async ({ db, location }) => {
      const made = await insertExemption(
        db,
        {
          rule: RULE,
          resource: '*PublicLoadBalancerSG',
          justification: 'The load balancer is public by design.',
          category: 'mitigated',
          expires: '2099-01-01',
          created_by: 'user:ada',
        },
        new Date(),
      );
      // The server's key, as `serve` makes it: a run stores only on the audit record.
      const keyFile = join(mkdtempSync(join(tmpdir(), 'palisade-key-')), 'server.key');
      loadServerKey({ storeLocation: location, keyFile, create: true });
      const run = runPalisade([
        'scan',
        TEMPLATE,
        '--db',
        location,
        '--key-file',
        keyFile,
        '-f',
        'json',
        '-q',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const printed = JSON.parse(run.stdout);
      const mine = printed.findings.filter(
        (f: { ruleId: string; resourceId: string }) =>
          f.ruleId === RULE && f.resourceId.endsWith('#PublicLoadBalancerSG'),
      );
      expect(mine).toHaveLength(1);
      expect(mine[0].exemption).toMatchObject({ source: exemptionSource(made.id) });

      const stored = await db
        .selectFrom('findings')
        .select(['exemption'])
        .where('assessment_id', '=', printed.id)
        .where('rule_id', '=', RULE)
        .where('resource_id', 'like', '%#PublicLoadBalancerSG')
        .execute();
      expect(stored).toHaveLength(1);
      expect(JSON.parse(stored[0].exemption!)).toMatchObject({ source: exemptionSource(made.id) });
      const assessment = await db
        .selectFrom('assessments')
        .select(['exempt'])
        .where('id', '=', printed.id)
        .executeTakeFirstOrThrow();
      expect(assessment.exempt).toBe(1);
    }),
  );
});

describe('a CLI scan into a SQLite store not made yet', () => {
  it('makes the store and its key and stores the assessment, with no exemption to apply', () => {
    const location = join(mkdtempSync(join(tmpdir(), 'palisade-fresh-')), 'palisade.db');
    const run = runPalisade(['scan', TEMPLATE, '--db', location, '-f', 'json', '-q']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/not stored/);
    expect(existsSync(`${location}.key`)).toBe(true);
  });
});
