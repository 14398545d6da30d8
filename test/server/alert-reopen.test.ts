/**
 * New activity reopens a resolved or dismissed alert instead of vanishing into it, found by a
 * new user: loghub's brute force from 112.95.230.3 is resolved, the same lines sent again leave
 * it as it was (closed, its count unchanged), and later failures from that address (real lines,
 * moved on by minutes) reopen it, with a timeline entry by `system:detection` and a status
 * change in the export outbox.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStore } from '../../src/store/export-store.js';
import { addOutboxConsumer } from '../store/outbox-consumer.js';
import { SSH_BRUTE_FORCE, sshLines, startLive, type LiveHarness } from './ingest-helpers.js';

const ATTACKER = '112.95.230.3';

/** `line` with its `Dec 10 hh:mm:ss` time moved on by `minutes`. */
function later(line: string, minutes: number): string {
  return line.replace(/^Dec 10 (\d\d):(\d\d):(\d\d)/, (_, h, m, s) => {
    const total = Number(h) * 60 + Number(m) + minutes;
    const hh = String(Math.floor(total / 60)).padStart(2, '0');
    return `Dec 10 ${hh}:${String(total % 60).padStart(2, '0')}:${s}`;
  });
}

describe('an alert closed by an analyst', () => {
  let h: LiveHarness;
  let operator: string;
  beforeAll(async () => {
    h = await startLive({ flushIntervalMs: 600_000 });
    await addOutboxConsumer(h.db);
    operator = await h.token('security-operator');
  });
  afterAll(() => h.close());

  const post = (lines: string[]) =>
    fetch(`${h.url}/api/v1/events?type=syslog&wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/x-ndjson' },
      body: lines.map((l) => JSON.stringify(l)).join('\n'),
    });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${operator}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const bruteForce = async () => {
    const rows = await h.db
      .selectFrom('alerts')
      .select(['id', 'status', 'event_count', 'last_seen', 'entities'])
      .where('rule_id', '=', SSH_BRUTE_FORCE)
      .execute();
    return rows.filter((r) => r.entities.includes(`"${ATTACKER}"`));
  };

  it.each(['resolved', 'dismissed'])(
    'is reopened by later activity once %s, not by the same events again',
    async (closed) => {
      const first = sshLines().slice(0, 300);
      expect((await post(first)).status).toBe(202);
      const [alert] = await bruteForce();
      expect(alert, 'loghub brute force from 112.95.230.3').toBeDefined();
      const changed = await api('PATCH', `/alerts/${alert.id}`, {
        status: closed,
        comment: 'blocked at the edge',
      });
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);

      // The same lines again are records received before: the alert is left as it was.
      const again = await post(first);
      expect(again.status).toBe(202);
      expect(await again.json()).toMatchObject({ events: 0, repeats: first.length });
      expect((await bruteForce())[0]).toMatchObject({
        status: closed,
        last_seen: alert.last_seen,
        event_count: alert.event_count,
      });

      // Six more failures from the attacker, five minutes on: within the alert's window.
      const more = first
        .filter((l) => l.includes(`Failed password for root from ${ATTACKER}`))
        .slice(0, 6)
        .map((l) => later(l, 5 + (closed === 'dismissed' ? 10 : 0)));
      expect(more).toHaveLength(6);
      expect((await post(more)).status).toBe(202);
      const [reopened] = await bruteForce();
      expect(reopened.id).toBe(alert.id);
      expect(reopened.status).toBe('active');
      expect(reopened.last_seen > alert.last_seen).toBe(true);

      const timeline = await api('GET', `/alerts/${alert.id}/timeline`);
      expect(timeline.status).toBe(200);
      const last = timeline.body.items.at(-1);
      expect(last).toMatchObject({
        from: closed,
        to: 'active',
        actor: { kind: 'system', name: 'detection' },
      });
      expect(last.comment).toContain(`after it was ${closed}`);

      const outbox = await exportStore(h.db)
        .selectFrom('export_outbox')
        .select('body')
        .where('type', '=', 'alert')
        .execute();
      const reopenings = outbox
        .map((r) => JSON.parse(r.body))
        .filter(
          (r) =>
            r.data.change === 'status_changed' &&
            r.data.alert.id === alert.id &&
            r.data.previousStatus === closed,
        );
      expect(reopenings).toHaveLength(1);
      expect(reopenings[0].data.alert.status).toBe('active');
    },
  );
});
