/**
 * A JSON body the server refuses says why: a `__proto__` / `constructor.prototype` key is named
 * as such, malformed JSON says where it breaks, an empty body says it is empty.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

describe('JSON bodies the server refuses', () => {
  let h: Harness;
  let owner: string;
  beforeAll(async () => {
    h = await startHarness();
    owner = await h.token('owner');
  });
  afterAll(() => h.close());

  const post = (payload: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      payload,
    });

  it.each([
    [
      '{"__proto__": {"role": "owner"}, "name": "x", "role": "reader"}',
      /"__proto__" or "constructor.prototype" key/,
    ],
    [
      '{"name": "x", "constructor": {"prototype": {"role": "owner"}}}',
      /"__proto__" or "constructor.prototype" key/,
    ],
    ['{"name": "x",', /not valid JSON: .*position \d+/],
    ['', /the body is empty/],
  ])('answers 400 naming the problem for %j', async (payload, message) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('still takes a valid body', async () => {
    const res = await post('{"name": "ci", "role": "reader"}');
    expect(res.statusCode).toBe(201);
  });
});
