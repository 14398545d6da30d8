import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { saveAlerts, storedAlerts } from '../../src/store/alert-repository.js';
import { shared } from '../support/paths.js';
import { STORE_TARGETS } from './store-targets.js';

// Real alerts: the invictus-ir CloudTrail incident dataset through the built-in detections and
// SigmaHQ's rules.
const result = await detect({
  paths: [shared('cloudtrail/invictus-ir-aws_dataset')],
  ruleDirs: [shared('sigma-rules')],
});

describe.each(STORE_TARGETS)('alert store ($name)', (target) => {
  it.skipIf(target.skip)(
    'stores alerts and incidents once, updates them on a rerun and keeps an analyst status',
    () =>
      target.with(async ({ db }) => {
        expect(result.alerts.length).toBeGreaterThan(1);
        await saveAlerts(db, result.alerts, result.incidents);
        const stored = await storedAlerts(db);
        expect(stored.map((a) => a.id).sort()).toEqual(result.alerts.map((a) => a.id).sort());
        const lastSeen = stored.map((a) => a.last_seen);
        expect(lastSeen).toEqual([...lastSeen].sort().reverse());

        const [triaged, ...rest] = result.alerts;
        await db
          .updateTable('alerts')
          .set({ status: 'resolved' })
          .where('id', '=', triaged.id)
          .execute();
        const grown = { ...triaged, eventCount: triaged.eventCount + 5 };
        // The same alert twice in one batch: the last one wins, as a rerun would.
        await saveAlerts(db, [triaged, grown, ...rest], result.incidents);
        const again = await storedAlerts(db);
        expect(again).toHaveLength(result.alerts.length);
        const row = again.find((a) => a.id === triaged.id);
        expect(row?.status).toBe('resolved');
        expect(row?.event_count).toBe(triaged.eventCount + 5);
        expect(JSON.parse(row?.entities ?? 'null')).toEqual(
          JSON.parse(JSON.stringify(triaged.entities)),
        );
        const incidents = await db.selectFrom('incidents').selectAll().execute();
        expect(incidents).toHaveLength(result.incidents.length);

        // An older stretch of the same activity (a command line run over part of the log a
        // server already read) never takes the stored count or last time back.
        const older = {
          ...triaged,
          eventCount: 1,
          lastSeen: triaged.firstSeen,
        };
        await saveAlerts(db, [older], []);
        const kept = (await storedAlerts(db)).find((a) => a.id === triaged.id);
        expect(kept?.event_count).toBe(triaged.eventCount + 5);
        expect(kept?.last_seen).toBe(triaged.lastSeen);
      }),
  );
});
