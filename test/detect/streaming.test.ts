/**
 * Streaming detection (`onAlert`): alerts are handed on once final and not kept, so a long
 * stream holds only the alerts of its last few dedup windows; on a time-ordered log the alerts
 * handed on are the ones a batch run returns.
 */

import { describe, expect, it } from 'vitest';
import { AlertBuilder, type DetectionHit } from '../../src/detect/alert-builder.js';
import { detect } from '../../src/detect/detect.js';
import type { Alert } from '../../src/model/alert.js';
import type { LogEvent } from '../../src/model/event.js';
import { shared } from '../support/paths.js';

const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');

function failure(line: number, ms: number, ip: string): LogEvent {
  return {
    time: new Date(ms).toISOString(),
    source: { reader: 'syslog', product: 'linux', service: 'sshd', file: 'auth.log', line },
    action: 'ssh.failed_password',
    sourceIp: ip,
    fields: {},
  };
}

function hit(events: LogEvent[], ip: string): DetectionHit {
  return {
    rule: { kind: 'builtin', id: 'brute-force', title: 'SSH brute force' },
    title: 'SSH brute force',
    description: '',
    severity: 'medium',
    tags: [],
    events,
    entities: [{ kind: 'ip', value: ip }],
  };
}

describe('streaming detection', () => {
  it('hands on the alerts a batch run returns, with the same counts, and keeps none', async () => {
    const batch = await detect({ paths: [OPENSSH], year: 2017 });
    const handed: Alert[] = [];
    const streamed = await detect({ paths: [OPENSSH], year: 2017, onAlert: (a) => handed.push(a) });
    expect(streamed.alerts).toEqual([]);
    expect(streamed.incidents).toEqual([]);
    const summary = (list: Alert[]) =>
      list.map((a) => `${a.id} ${a.eventCount} ${a.firstSeen} ${a.lastSeen}`).sort();
    expect(handed.length).toBeGreaterThan(0);
    expect(summary(handed)).toEqual(summary(batch.alerts));
  });

  it('closes alerts quiet for two dedup windows, so open ones stay few on an endless stream', () => {
    const handed: Alert[] = [];
    const builder = new AlertBuilder({ dedupWindowMs: 60_000, onAlert: (a) => handed.push(a) });
    const start = Date.parse('2024-01-01T00:00:00Z');
    let most = 0;
    // A new source address every 10 s for a day: 8640 alerts, each quiet after its one hit.
    for (let i = 0; i < 8_640; i++) {
      const ip = `198.51.${Math.floor(i / 256) % 256}.${i % 256}`;
      builder.add(hit([failure(i, start + i * 10_000, ip)], ip));
      most = Math.max(most, builder.openAlerts);
    }
    // At most three windows of alerts (18) are ever open; the rest were handed on.
    expect(most).toBeLessThanOrEqual(19);
    expect(builder.alerts()).toEqual([]);
    builder.close();
    expect(builder.openAlerts).toBe(0);
    expect(handed).toHaveLength(8_640);
  });

  it('folds a repeat hit into its open alert, and raises a new one after the window', () => {
    const handed: Alert[] = [];
    const builder = new AlertBuilder({ dedupWindowMs: 60_000, onAlert: (a) => handed.push(a) });
    const start = Date.parse('2024-01-01T00:00:00Z');
    builder.add(hit([failure(1, start, '192.0.2.7')], '192.0.2.7'));
    builder.add(hit([failure(2, start + 30_000, '192.0.2.7')], '192.0.2.7'));
    builder.add(hit([failure(3, start + 200_000, '192.0.2.7')], '192.0.2.7'));
    // The first alert is handed on when the third hit replaces it.
    expect(handed.map((a) => a.eventCount)).toEqual([2]);
    builder.close();
    expect(handed.map((a) => a.eventCount)).toEqual([2, 1]);
  });
});
