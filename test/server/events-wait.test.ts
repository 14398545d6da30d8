/**
 * `POST /events?wait=true` answers once the alerts its events formed are in the store; without it
 * they are written with the next flush (here: not for ten minutes).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSH_BRUTE_FORCE, sshLines, startLive, type LiveHarness } from './ingest-helpers.js';

describe('POST /api/v1/events?wait=true', () => {
  let h: LiveHarness;
  let operator: string;
  beforeAll(async () => {
    h = await startLive({ flushIntervalMs: 600_000 });
    operator = await h.token('security-operator');
  });
  afterAll(() => h.close());

  const post = (lines: string[], query: string) =>
    fetch(`${h.url}/api/v1/events?type=syslog${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/x-ndjson' },
      body: lines.map((l) => JSON.stringify(l)).join('\n'),
    });
  const stored = async () =>
    (
      await h.db
        .selectFrom('alerts')
        .select('entities')
        .where('rule_id', '=', SSH_BRUTE_FORCE)
        .execute()
    )
      .map((r) => JSON.parse(r.entities) as { kind: string; value: string }[])
      .flatMap((entities) => entities.filter((e) => e.kind === 'ip').map((e) => e.value));

  it('writes the alerts before answering, and says so', async () => {
    const lines = sshLines();
    // 112.95.230.3 brute-forces in the first 300 lines, 183.62.140.253 only after line 1,000. The
    // lines keep the log's CRLF ends: a JSON string's trailing \r is no part of sshd's message.
    const early = await post(lines.slice(0, 300), '');
    expect(early.status).toBe(202);
    expect(await early.json()).toMatchObject({ events: 300, stored: false });
    expect(await stored()).toEqual([]);

    const late = await post(lines.slice(1_000), '&wait=true');
    expect(late.status).toBe(202);
    expect(await late.json()).toMatchObject({ events: lines.length - 1_000, stored: true });
    // Both posts' alerts: waiting writes everything pending, not only this post's.
    expect(await stored()).toEqual(expect.arrayContaining(['112.95.230.3', '183.62.140.253']));
  });

  it('refuses a wait that is not a boolean, naming the parameter', async () => {
    const res = await post(sshLines().slice(0, 1), '&wait=soon');
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('wait');
  });
});
