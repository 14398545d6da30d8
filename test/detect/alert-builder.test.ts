/**
 * The alert builder folds repeat hits into the open alert: times, counts, evidence and entities
 * come out as if every hit's events had been sorted and merged afresh.
 */

import { describe, expect, it } from 'vitest';
import { AlertBuilder, type DetectionHit } from '../../src/detect/alert-builder.js';
import type { LogEvent } from '../../src/model/event.js';

function event(
  line: number,
  time: string,
  extra: Omit<Partial<LogEvent>, 'fields'> = {},
): LogEvent {
  return {
    time,
    source: { reader: 'syslog', product: 'linux', service: 'sshd', file: 'auth.log', line },
    action: 'ssh.failed_password',
    host: 'bastion',
    fields: {},
    ...extra,
  };
}

function hit(events: LogEvent[], entities = [{ kind: 'ip' as const, value: '192.0.2.7' }]) {
  const out: DetectionHit = {
    rule: { kind: 'builtin', id: 'brute-force', title: 'SSH brute force' },
    title: 'SSH brute force',
    description: '',
    severity: 'medium',
    tags: ['attack.t1110.001'],
    events,
    entities,
  };
  return out;
}

describe('alert builder', () => {
  it('orders a hit whose events arrive out of time order', () => {
    const builder = new AlertBuilder();
    const late = event(2, '2023-12-10T06:55:48.000Z');
    const early = event(1, '2023-12-10T06:55:46.000Z');
    const alert = builder.add(hit([late, early]));
    expect(alert.firstSeen).toBe(early.time);
    expect(alert.lastSeen).toBe(late.time);
    expect(alert.evidence).toEqual([early, late]);
  });

  it('folds a repeat hit: re-sent events count once, new envelope entities are appended', () => {
    const builder = new AlertBuilder({ maxEvidence: 3 });
    const a = event(1, '2023-12-10T06:55:46.000Z', { actor: 'root' });
    const b = event(2, '2023-12-10T06:55:47.000Z', { actor: 'root' });
    const c = event(3, '2023-12-10T06:55:49.000Z', { actor: 'admin' });
    const d = event(4, '2023-12-10T06:55:50.000Z', { actor: 'oracle', sourceIp: '192.0.2.7' });
    const first = builder.add(hit([a, b]));
    const again = builder.add(hit([d, b, c]));
    expect(again).toBe(first);
    expect(first.eventCount).toBe(4);
    expect(first.firstSeen).toBe(a.time);
    expect(first.lastSeen).toBe(d.time);
    // Fresh events join the evidence in time order until the cap.
    expect(first.evidence).toEqual([a, b, c]);
    expect(first.entities).toEqual([
      { kind: 'ip', value: '192.0.2.7' },
      { kind: 'account', value: 'root' },
      { kind: 'host', value: 'bastion' },
      { kind: 'account', value: 'admin' },
      { kind: 'account', value: 'oracle' },
    ]);
  });

  it("takes in a group's entities once when its hits share one array, and another array's anew", () => {
    const builder = new AlertBuilder();
    const group = [{ kind: 'ip' as const, value: '192.0.2.7' }];
    const first = builder.add(hit([event(1, '2023-12-10T06:55:46.000Z')], group));
    builder.add(hit([event(2, '2023-12-10T06:55:47.000Z')], group));
    // The same activity (a cloud account is no part of its identity) in an array of its own.
    const wider = [...group, { kind: 'cloud-account' as const, value: '123456789012' }];
    builder.add({ ...hit([event(3, '2023-12-10T06:55:48.000Z')]), entities: wider });
    builder.add(hit([event(4, '2023-12-10T06:55:49.000Z')], group));
    expect(first.eventCount).toBe(4);
    expect(first.entities).toEqual([
      { kind: 'ip', value: '192.0.2.7' },
      { kind: 'host', value: 'bastion' },
      { kind: 'cloud-account', value: '123456789012' },
    ]);
  });

  it('raises a new alert for the same source after the dedup window, and for another source', () => {
    const builder = new AlertBuilder({ dedupWindowMs: 60_000 });
    const one = builder.add(hit([event(1, '2023-12-10T06:00:00.000Z')]));
    const near = builder.add(hit([event(2, '2023-12-10T06:00:59.000Z')]));
    const far = builder.add(hit([event(3, '2023-12-10T06:02:00.000Z')]));
    const other = builder.add(
      hit([event(4, '2023-12-10T06:02:01.000Z')], [{ kind: 'ip', value: '198.51.100.1' }]),
    );
    expect(near).toBe(one);
    expect(far).not.toBe(one);
    expect(other).not.toBe(far);
    expect(builder.alerts()).toHaveLength(3);
    expect(far.eventCount).toBe(1);
  });
  it('lists an alert once when its activity comes back after its state was swept (a replayed log)', () => {
    const builder = new AlertBuilder({ dedupWindowMs: 60_000 });
    const first = builder.add(hit([event(1, '2023-12-10T06:00:00.000Z')]));
    // Thousands of hits a day later: the builder sweeps the first alert's state out of memory.
    for (let i = 0; i < 6_000; i++) {
      builder.add(
        hit([event(10 + i, '2023-12-11T06:00:00.000Z')], [{ kind: 'ip', value: `10.0.${i}.1` }]),
      );
    }
    // The same log again (a rotated copy, or the same file named twice): same source, same time.
    const again = builder.add(hit([event(9_001, '2023-12-10T06:00:00.000Z')]));
    expect(again).toBe(first);
    expect(first.eventCount).toBe(2);
    const ids = builder.alerts().map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(6_001);
  });
  it('tells events apart by file, line, time and action, and forgets the oldest past its memory', () => {
    const builder = new AlertBuilder();
    const t1 = '2023-12-10T06:55:46.000Z';
    const t2 = '2023-12-10T06:55:47.000Z';
    const elsewhere = (line: number, time: string) => {
      const e = event(line, time);
      return { ...e, source: { ...e.source, file: 'auth.log.1' } };
    };
    const alert = builder.add(hit([event(7, t1)]));
    builder.add(hit([event(7, t1)]));
    builder.add(hit([event(7, t2)]));
    builder.add(hit([event(7, t1, { action: 'ssh.invalid_user' })]));
    builder.add(hit([elsewhere(7, t1)]));
    builder.add(hit([elsewhere(7, t1)]));
    expect(alert.eventCount).toBe(4);

    // 1,021 more events fill the memory (1,024 keys) and push out the oldest one only: line 7 at
    // t1. Line 7 at t2 is still known; line 7 at t1 counts again.
    for (let i = 0; i < 1_021; i++) builder.add(hit([event(100 + i, t2)]));
    expect(alert.eventCount).toBe(1_025);
    builder.add(hit([event(7, t2)]));
    expect(alert.eventCount).toBe(1_025);
    builder.add(hit([event(7, t1)]));
    expect(alert.eventCount).toBe(1_026);
    builder.add(hit([event(100, t2)]));
    expect(alert.eventCount).toBe(1_026);
  });

  it("remembers a line's new event that pushes the line's only earlier one out of memory", () => {
    const builder = new AlertBuilder();
    const t1 = '2023-12-10T06:55:46.000Z';
    const t2 = '2023-12-10T06:55:47.000Z';
    const alert = builder.add(hit([event(7, t1)]));
    // 1,023 more events fill the memory (1,024 keys): line 7 at t1 is the oldest.
    for (let i = 0; i < 1_023; i++) builder.add(hit([event(100 + i, t2)]));
    expect(alert.eventCount).toBe(1_024);

    // Line 7 at t2 counts and takes the place of line 7 at t1, which then counts again.
    builder.add(hit([event(7, t2)]));
    builder.add(hit([event(7, t2)]));
    expect(alert.eventCount).toBe(1_025);
    builder.add(hit([event(7, t1)]));
    expect(alert.eventCount).toBe(1_026);
    builder.add(hit([event(7, t2), event(7, t1)]));
    expect(alert.eventCount).toBe(1_026);
  });
});

describe('alert size stays bounded', () => {
  it('lists at most MAX_ALERT_ENTITIES entities however many users a spray touches', async () => {
    const { AlertBuilder, MAX_ALERT_ENTITIES } = await import('../../src/detect/alert-builder.js');
    const builder = new AlertBuilder();
    const rule = { kind: 'builtin' as const, id: 'spray', title: 'spray' };
    for (let i = 0; i < 5_000; i++) {
      builder.add({
        rule,
        title: 'spray',
        description: '',
        severity: 'medium',
        tags: [],
        entities: [{ kind: 'ip', value: '203.0.113.9' }],
        events: [
          {
            time: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60, i)).toISOString(),
            source: { reader: 'syslog', file: 'auth.log', line: i + 1 },
            actor: `user${i}`,
            sourceIp: '203.0.113.9',
            fields: {},
          },
        ],
      });
    }
    const [alert] = builder.alerts();
    expect(builder.alerts()).toHaveLength(1);
    expect(alert.eventCount).toBe(5_000);
    expect(alert.entities.length).toBeLessThanOrEqual(MAX_ALERT_ENTITIES);
  });
});

describe('alerts stay within one cloud account', () => {
  const MALLORY = 'arn:aws:iam::444455556666:user/mallory';
  const TRAIL = 'arn:aws:cloudtrail:us-east-1:444455556666:trail/main';

  /** A StopLogging record as the CloudTrail reader hands it over, received by `account`. */
  function stopLogging(account: string, id: string, time: string): LogEvent {
    return {
      time,
      source: { reader: 'cloudtrail', product: 'aws', service: 'cloudtrail' },
      action: 'StopLogging',
      actor: MALLORY,
      sourceIp: '198.51.100.7',
      target: TRAIL,
      account,
      fields: { eventID: id, recipientAccountId: account },
    };
  }

  function stopHit(events: LogEvent[]): DetectionHit {
    return {
      rule: { kind: 'builtin', id: 'cloudtrail-stop-logging', title: 'CloudTrail stopped' },
      title: 'CloudTrail stopped',
      description: '',
      severity: 'high',
      tags: ['attack.defense-evasion'],
      events,
    };
  }

  const accountsOf = (alert: { entities: { kind: string; value: string }[] }) =>
    alert.entities.filter((e) => e.kind === 'cloud-account').map((e) => e.value);

  it('raises a separate alert for the same activity in another account, keeping the first id', () => {
    const alone = new AlertBuilder().add(
      stopHit([stopLogging('444455556666', '101', '2026-12-05T06:00:00Z')]),
    );

    const builder = new AlertBuilder();
    const theirs = builder.add(
      stopHit([stopLogging('444455556666', '101', '2026-12-05T06:00:00Z')]),
    );
    const ours = builder.add(stopHit([stopLogging('111122223333', '202', '2026-12-05T06:00:05Z')]));

    expect(ours).not.toBe(theirs);
    expect(ours.id).not.toBe(theirs.id);
    expect(theirs.id).toBe(alone.id);
    expect(theirs.eventCount).toBe(1);
    expect(accountsOf(theirs)).toEqual(['444455556666']);
    expect(theirs.evidence.map((e) => e.account)).toEqual(['444455556666']);
    expect(accountsOf(ours)).toEqual(['111122223333']);

    // Later events of either account fold into that account's alert.
    builder.add(stopHit([stopLogging('444455556666', '103', '2026-12-05T06:01:00Z')]));
    builder.add(stopHit([stopLogging('111122223333', '204', '2026-12-05T06:01:05Z')]));
    expect([theirs.eventCount, ours.eventCount]).toEqual([2, 2]);
    expect(accountsOf(theirs)).toEqual(['444455556666']);
    expect(accountsOf(ours)).toEqual(['111122223333']);
    expect(builder.alerts()).toHaveLength(2);
  });

  it('does not reopen a listed alert of another account when a replay starts at its time', () => {
    const builder = new AlertBuilder({ dedupWindowMs: 60_000 });
    const time = '2026-12-05T06:00:00Z';
    const theirs = builder.add(stopHit([stopLogging('444455556666', '101', time)]));
    // Thousands of later hits sweep the first alert's state out of memory; it stays listed.
    for (let i = 0; i < 6_000; i++) {
      builder.add(
        hit([event(10 + i, '2026-12-06T06:00:00.000Z')], [{ kind: 'ip', value: `10.0.${i}.1` }]),
      );
    }

    const ours = builder.add(stopHit([stopLogging('111122223333', '202', time)]));

    expect(ours).not.toBe(theirs);
    expect(theirs.eventCount).toBe(1);
    expect(accountsOf(theirs)).toEqual(['444455556666']);
    expect(accountsOf(ours)).toEqual(['111122223333']);
  });
});
