/**
 * A detection run stored into a store that holds earlier runs goes on from them as the server
 * does: a repeat within the dedup window grows the stored alert (reopening it when resolved),
 * its incident keeps every stored member, and reading the same log again changes nothing.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEDUP_WINDOW_MS, detect } from '../../src/detect/detect.js';
import { changeAlertStatus } from '../../src/store/alert-repository.js';
import { alertsInWindow } from '../../src/store/alerts-in-window.js';
import { saveDetectRun } from '../../src/store/detection-save.js';
import type { Database } from '../../src/store/schema.js';
import { shared } from '../support/paths.js';
import { STORE_TARGETS } from './store-targets.js';

const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const ATTACKER = '103.99.0.122';

/** Six more failed logins from the attacker, 26 minutes after its brute force was last seen. */
const LATER = join(mkdtempSync(join(tmpdir(), 'palisade-later-')), 'later.log');
writeFileSync(
  LATER,
  [1, 2, 3, 4, 5, 6]
    .map(
      (s) =>
        `Dec 10 11:30:0${s} LabSZ sshd[30000]: Failed password for admin from ${ATTACKER} ` +
        'port 5000 ssh2\n',
    )
    .join(''),
);

/** `detect` into the store, going on from what it holds, as `palisade detect` does. */
async function detectInto(db: Kysely<Database>, path: string) {
  const restore = await alertsInWindow(db, { windowMs: DEFAULT_DEDUP_WINDOW_MS, max: 5_000 });
  const run = await detect({ paths: [path], year: 2025, restore });
  const { incidents } = await saveDetectRun(db, run);
  return { ...run, incidents };
}

async function storedRows(db: Kysely<Database>) {
  const alerts = await db
    .selectFrom('alerts')
    .select(['id', 'status', 'event_count', 'first_seen', 'last_seen', 'incident_id'])
    .orderBy('id')
    .execute();
  const incidents = await db
    .selectFrom('incidents')
    .select(['id', 'title', 'first_seen', 'last_seen', 'alerts'])
    .orderBy('id')
    .execute();
  return { alerts, incidents };
}

describe.each(STORE_TARGETS)('detection runs into one store ($name)', (target) => {
  it.skipIf(target.skip)(
    'grows and reopens the stored alert a later run repeats, and extends its incident',
    () =>
      target.with(async ({ db }) => {
        const first = await detectInto(db, OPENSSH);
        const incident = first.incidents.find((i) =>
          i.entities.some((e) => e.kind === 'ip' && e.value === ATTACKER),
        )!;
        expect(incident.alerts).toHaveLength(4);
        // The attacker's last brute force (an earlier one closed long before).
        const bruteForce = first.alerts
          .filter(
            (a) =>
              a.title === 'SSH brute force from one source' &&
              a.entities.some((e) => e.value === ATTACKER),
          )
          .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))[0];
        expect(bruteForce.lastSeen).toBe('2025-12-10T11:04:45.000Z');
        await db
          .transaction()
          .execute((trx) =>
            changeAlertStatus(
              trx,
              bruteForce.id,
              { status: 'resolved', actor: { kind: 'user', name: 'analyst' } },
              new Date(),
            ),
          );

        const later = await detectInto(db, LATER);
        expect(later.alerts.map((a) => a.id)).toEqual([bruteForce.id]);
        const { alerts, incidents } = await storedRows(db);
        expect(alerts).toHaveLength(first.alerts.length);
        const grown = alerts.find((a) => a.id === bruteForce.id)!;
        expect(grown).toMatchObject({
          status: 'active',
          event_count: bruteForce.eventCount + 6,
          first_seen: bruteForce.firstSeen,
          last_seen: '2025-12-10T11:30:06.000Z',
          incident_id: incident.id,
        });
        const stored = incidents.find((i) => i.id === incident.id)!;
        expect(JSON.parse(stored.alerts).sort()).toEqual([...incident.alerts].sort());
        expect(stored.first_seen).toBe(incident.firstSeen);
        expect(stored.last_seen).toBe('2025-12-10T11:30:06.000Z');
        expect(later.incidents.map((i) => i.id)).toEqual([incident.id]);
      }),
  );

  it.skipIf(target.skip)(
    'stores no incident id the run gave an alert that joins no incident with the stored ones',
    () =>
      target.with(async ({ db }) => {
        const run = await detect({ paths: [LATER], year: 2025 });
        const [alert] = run.alerts;
        // As if the run's own incidents had held it: that incident is never stored.
        alert.incidentId = 'formed-by-the-run-alone';
        const saved = await saveDetectRun(db, { alerts: [alert], restored: [] });
        expect(saved.incidents).toEqual([]);
        const row = await db
          .selectFrom('alerts')
          .select('incident_id')
          .where('id', '=', alert.id)
          .executeTakeFirstOrThrow();
        expect(row.incident_id).toBeNull();
      }),
  );

  it.skipIf(target.skip)('changes nothing stored when the same log is read again', () =>
    target.with(async ({ db }) => {
      await detectInto(db, OPENSSH);
      const before = await storedRows(db);
      const again = await detectInto(db, OPENSSH);
      expect(again.alerts).toHaveLength(before.alerts.length);
      expect(await storedRows(db)).toEqual(before);
    }),
  );
});
