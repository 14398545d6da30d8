/**
 * A body field a route does not take is refused, naming it and the fields the route takes: a
 * misspelt field that was dropped left its default in place as if it had been applied. Log
 * records sent to `POST /events` stay free-form.
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownerApi } from './harness.js';

const api = ownerApi();

type Method = 'POST' | 'PATCH' | 'DELETE' | 'PUT';

const send = async (method: Method, url: string, payload: object) => {
  const reply = await api.h.app.inject({
    method,
    url,
    payload,
    headers: { authorization: `Bearer ${api.owner}` },
  });
  return { status: reply.statusCode, message: reply.json().message as string };
};

/** What a request must carry besides the unknown field, so that field is the first fault. */
const REQUIRED: Record<string, object> = {
  'POST /api/v1/auth/login': { username: 'someone', password: 'secret' },
  'POST /api/v1/auth/password': { currentPassword: 'old', newPassword: 'new' },
  'POST /api/v1/users': { username: 'someone', password: 'secret', role: 'reader', scopes: [] },
  'PUT /api/v1/users/:id/role': { role: 'reader' },
  'POST /api/v1/users/:id/password': { password: 'secret' },
  'POST /api/v1/tokens': { name: 'ci', role: 'reader' },
  'POST /api/v1/sources': { name: 'x', paths: ['/tmp'] },
  'POST /api/v1/assessments': { source: 'x' },
  'POST /api/v1/exemptions': { rule: 'r', justification: 'long enough', expires: '2030-01-01' },
  'POST /api/v1/exports': { name: 'x', sink: { kind: 'webhook' } },
  'POST /api/v1/automations': { name: 'x', triggers: ['alert.created'], actions: [] },
  'POST /api/v1/assignments': { id: 'a', title: 'A', benchmark: 'palisade', mode: 'audit' },
  'PUT /api/v1/assignments/:id': { title: 'Some', benchmark: 'palisade', mode: 'audit' },
};

describe('unknown body fields', () => {
  it('refuses a misspelt source interval, naming it and the fields the route takes', async () => {
    const reply = await send('POST', '/api/v1/sources', {
      name: 'x',
      paths: ['/tmp'],
      intervalMinuts: 5,
    });
    expect(reply).toEqual({
      status: 400,
      message: 'body/intervalMinuts is not a known field; known: name, paths, intervalMinutes',
    });

    const sources = await api.inject({ method: 'GET', url: '/api/v1/sources' });
    expect(sources.json().items).toEqual([]);
  });

  it('refuses a field on every route that changes something, as the route census knows them', async () => {
    const writes = api.h.app.routeCensus.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD' && r.url.startsWith('/api/'),
    );
    expect(writes.length).toBeGreaterThanOrEqual(25);
    // An assignment's body is checked by the assignment reader, once the assignment is found.
    const assignment = await send('POST', '/api/v1/assignments', {
      id: 'some-id',
      title: 'Some',
      benchmark: 'palisade',
      mode: 'audit',
    });
    expect(assignment.status, assignment.message).toBe(201);
    for (const route of writes) {
      // Log records are free-form; that route is checked below.
      if (route.url === '/api/v1/events') continue;
      const key = `${route.method} ${route.url}`;
      // The body is checked before the route looks anything up, so any id will do.
      const url = route.url.replace(/:[A-Za-z]+/g, 'some-id');
      const reply = await send(route.method as Method, url, { ...REQUIRED[key], foo: 1 });
      expect(reply.status, `${key}: ${reply.message}`).toBe(400);
      expect(reply.message, key).toMatch(/\bfoo\b/);
      expect(reply.message, key).toMatch(/known|expected one of/);
    }
  });

  it('says when a route takes no body at all', async () => {
    const reply = await send('DELETE', '/api/v1/tokens/some-id', { reason: 'leaked' });
    expect(reply).toEqual({
      status: 400,
      message: 'body/reason is not a known field; this route takes none',
    });
  });

  it('names an unknown field inside a nested object by its path', async () => {
    const reply = await send('POST', '/api/v1/automations', {
      name: 'x',
      triggers: ['alert.created'],
      actions: [{ sink: { kind: 'webhook' }, snik: {} }],
    });
    expect(reply).toEqual({
      status: 400,
      message: 'body/actions/0/snik is not a known field; known: sink',
    });
  });

  it('still takes the bodies routes name, and an empty body where a route takes none', async () => {
    const made = await send('POST', '/api/v1/sources', {
      name: 'kept',
      paths: [resolve('samples/estate')],
      intervalMinutes: 5,
    });
    expect(made.status, made.message).toBe(201);
    const sources = await api.inject({ method: 'GET', url: '/api/v1/sources' });
    expect(sources.json().items.map((s: { intervalMinutes: number }) => s.intervalMinutes)).toEqual(
      [5],
    );

    const id = sources.json().items[0].id as string;
    const removed = await send('DELETE', `/api/v1/sources/${id}`, {});
    expect(removed.status, removed.message).toBeLessThan(300);
  });

  it('leaves the fields of log records free-form', async () => {
    const record = {
      message: 'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
      shipper: 'vector',
      anyField: { nested: true },
    };
    const reply = await api.h.app.inject({
      method: 'POST',
      url: '/api/v1/events?type=syslog',
      payload: `${JSON.stringify(record)}\n`,
      headers: { authorization: `Bearer ${api.owner}`, 'content-type': 'application/json' },
    });
    expect(reply.statusCode, reply.body).toBe(202);
    expect(reply.json()).toMatchObject({ events: 1, errors: 0 });
  });
});
