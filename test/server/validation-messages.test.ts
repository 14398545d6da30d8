/** A refused request says which field is wrong and, for a field with fixed values, lists them. */

import { describe, expect, it } from 'vitest';
import { ownerApi } from './harness.js';

const api = ownerApi();

async function call(method: 'GET' | 'PATCH', url: string, payload?: object) {
  const reply = await api.inject({
    method,
    url: `/api/v1${url}`,
    payload,
  });
  return { status: reply.statusCode, message: reply.json().message as string };
}

describe('validation messages', () => {
  it('names the field and lists the allowed statuses for a bad alert status', async () => {
    const reply = await call('PATCH', '/alerts/some-alert', { status: 'pwned' });
    expect(reply.status).toBe(400);
    expect(reply.message).toBe(
      'body/status must be one of active, in_progress, resolved, dismissed',
    );
  });

  it('lists the sort orders for a bad sort', async () => {
    const reply = await call('GET', '/alerts?sort=bogus');
    expect(reply.status).toBe(400);
    expect(reply.message).toMatch(/^querystring\/sort must be one of [a-zA-Z-]+(, [a-zA-Z-]+)+$/);
    expect(reply.message).toContain('-lastSeen');
  });

  it('lists the severities for a bad severity filter', async () => {
    const reply = await call('GET', '/alerts?severity=bogus');
    expect(reply.status).toBe(400);
    expect(reply.message).toMatch(/^querystring\/severity\/0 must be one of informational, low/);
    expect(reply.message).not.toMatch(/constant|anyOf/);
  });

  it('keeps the plain wording for other failures', async () => {
    const reply = await call('GET', '/alerts?limit=0');
    expect(reply.status).toBe(400);
    expect(reply.message).toBe('querystring/limit must be >= 1');
  });
});
