/**
 * Workflow automation end to end: a rule on severe alerts opens one Jira issue per alert through
 * the Jira sink (against a local server that checks every request against Jira Cloud REST v3),
 * moves it along when the alert's status changes, never duplicates it, and records every run.
 */

import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseAutomationInput } from '../../src/automate/automation-rule.js';
import { Exporter } from '../../src/export/exporter.js';
import { serverKeyFromBytes } from '../../src/server/auth/server-key.js';
import { changeAlertStatus, saveAlerts } from '../../src/store/alert-repository.js';
import { insertAutomationRule, listAutomationRuns } from '../../src/store/automation-repository.js';
import type { Database } from '../../src/store/schema.js';
import { testAlert } from '../export/support/alerts.js';
import { startFakeJira } from '../export/sinks/fake-ticketing.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { allowLoopbackExports } from '../export/support/allow-loopback.js';

allowLoopbackExports();

const key = serverKeyFromBytes(Buffer.alloc(32, 9));

async function drain(db: Kysely<Database>) {
  const exporter = new Exporter({
    db,
    key,
    owner: 'test',
    backoff: { baseMs: 1, maxMs: 4 },
    sinkDeps: { db, network: { allow: ['127.0.0.1/32'] } },
  });
  for (let i = 0; i < 20; i += 1) {
    const pass = await exporter.runOnce();
    if (pass.busy === 0 && pass.failures === 0) break;
  }
  await exporter.stop();
}

describe.each(STORE_TARGETS)('automation to Jira on $name', (target) => {
  it.skipIf(target.skip)(
    'opens one issue per severe alert, transitions it on status change, records each run',
    () =>
      target.with(async ({ db }) => {
        const jira = await startFakeJira('soc@example.com', 'jira-token', 'SEC');
        try {
          const rule = parseAutomationInput({
            name: 'Severe alerts to Jira',
            triggers: ['alert.created', 'alert.changed'],
            conditions: { minSeverity: 'high' },
            actions: [
              {
                sink: {
                  kind: 'jira',
                  baseUrl: jira.url,
                  email: 'soc@example.com',
                  apiToken: 'jira-token',
                  projectKey: 'SEC',
                  consoleUrl: 'https://palisade.example.com',
                },
              },
            ],
          });
          const made = await db
            .transaction()
            .execute((trx) => insertAutomationRule(trx, rule, key, 'test', new Date()));

          // n % 4: 0 low, 1 medium, 2 high, 3 critical.
          const alerts = [0, 1, 2, 3].map((n) => testAlert(n));
          await saveAlerts(db, alerts, []);
          await drain(db);
          expect(jira.violations).toEqual([]);
          expect(jira.issues.size).toBe(2);

          await db.transaction().execute((trx) =>
            changeAlertStatus(
              trx,
              alerts[3].id,
              {
                status: 'resolved',
                comment: 'key rotated',
                actor: { kind: 'user', name: 'ana' },
              },
              new Date(),
            ),
          );
          await drain(db);
          expect(jira.violations).toEqual([]);
          expect(jira.issues.size).toBe(2);
          const statuses = [...jira.issues.values()].map((i) => i.status).sort();
          expect(statuses).toEqual(['Done', 'To Do']);

          const runs = await listAutomationRuns(db, made.id);
          expect(runs.map((r) => [r.trigger, r.outcome])).toEqual([
            ['alert.changed', 'success'],
            ['alert.created', 'success'],
            ['alert.created', 'success'],
          ]);
          expect(runs.every((r) => r.actions[0].kind === 'jira' && r.actions[0].ok)).toBe(true);
        } finally {
          await jira.close();
        }
      }),
  );
});
