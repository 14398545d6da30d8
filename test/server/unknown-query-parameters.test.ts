/**
 * A query parameter a route does not take is refused, naming it and the ones the route takes: a
 * misspelt filter that was ignored returned the whole list as if it had been applied.
 */

import { describe, expect, it } from 'vitest';
import { ownerApi } from './harness.js';

const api = ownerApi();

const get = async (url: string) => {
  const reply = await api.inject({ method: 'GET', url });
  return { status: reply.statusCode, message: reply.json().message as string };
};

describe('unknown query parameters', () => {
  it('refuses a misspelt findings filter, naming it and the parameters the route takes', async () => {
    const reply = await get('/api/v1/findings?stauts=fail');
    expect(reply.status).toBe(400);
    expect(reply.message).toBe(
      'querystring/stauts is not a known parameter; known: cursor, limit, source, sort, rule, ' +
        'status, severity, resource, lifecycle, since',
    );
  });

  it('refuses a parameter on every read route, as the route census knows them', async () => {
    // The parameters a route requires, which it would name as missing first.
    const required: Record<string, string> = {
      '/api/v1/resources/detail': 'id=x&',
      '/api/v1/whatif': 'rule=x&',
    };
    const reads = api.h.app.routeCensus.filter(
      (r) => r.method === 'GET' && r.url.startsWith('/api/'),
    );
    expect(reads.length).toBeGreaterThanOrEqual(30);
    for (const route of reads) {
      // The query is checked before the route looks anything up, so any id will do.
      const url = route.url.replace(/:[A-Za-z]+/g, 'some-id');
      const reply = await get(`${url}?${required[route.url] ?? ''}foo=1`);
      expect(reply.status, `${route.url}: ${reply.message}`).toBe(400);
      expect(reply.message, route.url).toMatch(/^querystring\/foo is not a known parameter; /);
    }
  });

  it('says when a route takes no parameters at all', async () => {
    const reply = await get('/api/v1/exports?foo=1');
    expect(reply).toEqual({
      status: 400,
      message: 'querystring/foo is not a known parameter; this route takes none',
    });
  });

  it('still answers the parameters a route names', async () => {
    const reply = await get('/api/v1/findings?status=fail&limit=5');
    expect(reply.status).toBe(200);
  });
});
