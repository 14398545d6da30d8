/**
 * The API keeps the account an alert singles out as its actor (the login after a brute force),
 * and finds the alert by that account as by any other entity.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ownerApi } from './harness.js';

const api = ownerApi();

describe('an alert with an actor account', () => {
  it('is listed and shown with the role, and found by the account', async () => {
    const sent = await api.h.app.inject({
      method: 'POST',
      url: '/api/v1/events?type=syslog&wait=true',
      payload: readFileSync('samples/logs/auth.log', 'utf8'),
      headers: { authorization: `Bearer ${api.owner}`, 'content-type': 'text/plain' },
    });
    expect(sent.statusCode, sent.body).toBe(202);

    const found = await api.inject({ method: 'GET', url: '/api/v1/alerts?entity=ubuntu' });
    expect(found.statusCode, found.body).toBe(200);
    const items = found.json().items as { id: string; title: string; entities: object[] }[];
    const login = items.find((a) => a.title === 'SSH login after brute force from the same source');
    expect(login?.entities).toContainEqual({ kind: 'account', value: 'ubuntu', role: 'actor' });

    const one = await api.inject({ method: 'GET', url: `/api/v1/alerts/${login!.id}` });
    const accounts = (one.json().entities as { kind: string }[]).filter(
      (e) => e.kind === 'account',
    );
    expect(accounts).toEqual([{ kind: 'account', value: 'ubuntu', role: 'actor' }]);
  });
});
