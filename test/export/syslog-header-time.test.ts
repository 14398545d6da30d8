/**
 * The RFC 5424 header TIMESTAMP of an exported alert is the time of the record: the alert as
 * last updated (its last event), not the first event it holds. Real detections go through the
 * store's outbox and a syslog sink to a receiver on 127.0.0.1.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { createSink } from '../../src/export/sinks/index.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { openStore } from '../../src/store/database.js';
import { shared } from '../support/paths.js';
import { addOutboxConsumer, outboxRecords } from '../store/outbox-consumer.js';
import { parseRfc5424, startStreamListener } from './sinks/syslog-listener.js';

const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const item of open.reverse()) await item.close();
});

describe('syslog export header time', () => {
  it('stamps each new alert with its last event, as its record says', async () => {
    // loghub's sshd brute forces: alerts of many events, spread over minutes.
    const { alerts, incidents } = await detect({
      paths: [shared('ssh-logs/loghub/Linux/Linux_2k.log')],
      year: 2005,
    });
    const spread = alerts.filter((a) => a.firstSeen !== a.lastSeen);
    expect(spread.length).toBeGreaterThan(0);

    const db = await openStore(':memory:');
    open.push({ close: () => db.destroy() });
    await addOutboxConsumer(db);
    await saveAlerts(db, alerts, incidents);
    const records = (await outboxRecords(db)).filter((r) => r.type === 'alert');
    expect(records).toHaveLength(alerts.length);

    const listener = await startStreamListener();
    open.push(listener);
    const sink = createSink(
      { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: listener.port },
      { network: { allow: ['127.0.0.1/32'] } },
    );
    open.push(sink);
    await sink.send(records);
    await listener.waitFor(records.length);

    const lastSeen = new Map(alerts.map((a) => [a.id, a.lastSeen]));
    const stamped = listener.messages.map((message) => {
      const parsed = parseRfc5424(message);
      const record = JSON.parse(parsed.msg) as {
        occurredAt: string;
        data: { alert: { id: string } };
      };
      return { timestamp: parsed.timestamp, record };
    });
    for (const { timestamp, record } of stamped) {
      const last = lastSeen.get(record.data.alert.id)!;
      expect(timestamp, record.data.alert.id).toBe(new Date(last).toISOString());
      expect(record.occurredAt).toBe(last);
    }
  });
});
