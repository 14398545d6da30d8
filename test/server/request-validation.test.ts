/**
 * A JSON body is checked as sent: no value is converted to the type, or to the null, its schema
 * asks for. Query strings, being text, are still converted.
 */

import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { requestValidatorCompiler } from '../../src/server/request-validation.js';
import { ownerApi } from './harness.js';

const api = ownerApi();
const post = api.post;

describe('request bodies', () => {
  it('refuses a token lifetime of 0, "0", false or "" instead of making it never expire', async () => {
    for (const expiresInDays of [0, '0', false, '', '30', -1, 3_651]) {
      const reply = await post('/tokens', { name: 'ci', role: 'reader', expiresInDays });
      expect(reply.statusCode, `${JSON.stringify(expiresInDays)}: ${reply.body}`).toBe(400);
      expect(reply.json().message).toMatch(/^body\/expiresInDays /);
    }
    const zero = await post('/tokens', { name: 'ci', role: 'reader', expiresInDays: 0 });
    expect(zero.json().message).toBe('body/expiresInDays must be >= 1 or null');
    const tokens = await api.inject({
      method: 'GET',
      url: '/api/v1/tokens',
    });
    expect(tokens.json().items.filter((t: { name: string }) => t.name === 'ci')).toEqual([]);
  });

  it('still takes a lifetime in range and an explicit null', async () => {
    const month = await post('/tokens', { name: 'month', role: 'reader', expiresInDays: 30 });
    expect(month.statusCode, month.body).toBe(201);
    const days = (Date.parse(month.json().expiresAt) - Date.parse(month.json().createdAt)) / 864e5;
    expect(days).toBe(30);
    const never = await post('/tokens', { name: 'never', role: 'reader', expiresInDays: null });
    expect(never.statusCode, never.body).toBe(201);
    expect(never.json().expiresAt).toBeNull();
  });

  it('refuses a string where a boolean or a string array is asked for', async () => {
    const role = await post('/tokens', { name: 'ci', role: 'reader', scopes: 'aws:1' });
    expect(role.statusCode).toBe(400);
    expect(role.json().message).toMatch(/^body\/scopes must be array/);
    const name = await post('/tokens', { name: 12345, role: 'reader' });
    expect(name.statusCode).toBe(400);
    expect(name.json().message).toMatch(/^body\/name must be string/);
  });
});

describe('query strings', () => {
  it('are still converted to the numbers and booleans their schema names', async () => {
    const reply = await api.inject({
      method: 'GET',
      url: '/api/v1/tokens?limit=2&revoked=false',
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().items.length).toBeLessThanOrEqual(2);
  });

  it('may not allow null, which an empty value would turn into', async () => {
    const app = Fastify();
    app.setValidatorCompiler(requestValidatorCompiler());
    app.get(
      '/x',
      { schema: { querystring: Type.Object({ n: Type.Union([Type.Integer(), Type.Null()]) }) } },
      async () => 'ok',
    );
    await expect(app.ready()).rejects.toThrow(
      /GET \/x: the querystring schema must not allow null/,
    );
    await app.close();
  });
});
