/**
 * A server started on a store that already holds an incident reloads only the alerts still inside
 * their dedup window; when new events grow one of them, the incident is formed again with the
 * stored members the server did not reload, so it keeps every alert it holds.
 */

import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { shared } from '../support/paths.js';
import { startHarness } from './harness.js';

const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const ATTACKER = '103.99.0.122';

/** Six more failed logins from the attacker, 35 minutes after its last stored alert. */
const LATER = [1, 2, 3, 4, 5, 6]
  .map(
    (s) =>
      `2025-12-10T11:40:0${s}Z LabSZ sshd[30001]: Failed password for admin from ${ATTACKER} ` +
      'port 5001 ssh2',
  )
  .join('\n');

describe.each(STORE_TARGETS)('incidents after a restart ($name)', (target) => {
  it.skipIf(target.skip)(
    'keeps the stored alerts the server did not reload in an incident new events extend',
    () =>
      target.with(async ({ db }) => {
        const first = await detect({ paths: [OPENSSH], year: 2025 });
        await saveAlerts(db, first.alerts, first.incidents);
        const before = first.incidents.find((i) =>
          i.entities.some((e) => e.kind === 'ip' && e.value === ATTACKER),
        )!;
        expect(before.alerts).toHaveLength(4);

        const h = await startHarness({
          db,
          config: (c) => {
            c.ingest = { flushIntervalMs: 60_000 };
          },
        });
        try {
          // Only the alerts of the last hour of the log are reloaded: not all four.
          expect(h.app.ingest.service.stats().alertsRestored).toBeLessThan(first.alerts.length);
          const token = await h.token('security-operator');
          const res = await h.app.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
            payload: LATER + '\n',
          });
          expect(res.statusCode, res.body).toBe(202);
          await h.app.ingest.service.flush();
        } finally {
          await h.close();
        }

        const row = await db
          .selectFrom('incidents')
          .selectAll()
          .where('id', '=', before.id)
          .executeTakeFirstOrThrow();
        const listed: string[] = JSON.parse(row.alerts);
        expect(listed).toEqual(expect.arrayContaining(before.alerts));
        expect(row.first_seen).toBe(before.firstSeen);
        expect(row.last_seen).toBe('2025-12-10T11:40:06.000Z');
        expect(row.title).toContain(`(${listed.length} alerts)`);
        // Every alert that names the incident is one it lists.
        const members = await db
          .selectFrom('alerts')
          .select('id')
          .where('incident_id', '=', before.id)
          .execute();
        expect(members.map((m) => m.id).sort()).toEqual([...listed].sort());
      }),
  );
});
