/**
 * Names people give tokens, exports and automation rules are free text like comments: bidi
 * controls and marks, which reorder what a reader of the audit log or console sees, are refused.
 */

import { describe, expect, it } from 'vitest';
import { ownerApi } from './harness.js';

const api = ownerApi();
const post = api.post;

const BIDI_NAMES = ['a\u2066b\u200fc', 'n\u202e', 'left\u200eright', 'x\u2069'];

describe('names of tokens, exports and automation rules', () => {
  it('refuse bidi controls and marks in a token name, so none becomes an actor name', async () => {
    for (const name of BIDI_NAMES) {
      const reply = await post('/tokens', { name, role: 'reader' });
      expect(reply.statusCode, JSON.stringify(name)).toBe(400);
      expect(reply.json().code).toBe('BAD_TEXT');
      expect(reply.json().message).toMatch(/^body\/name contains the bidirectional control U\+/);
    }
    const tokens = await api.inject({
      method: 'GET',
      url: '/api/v1/tokens?limit=500',
    });
    const names = tokens.json().items.map((t: { name: string }) => t.name);
    expect(names.some((n: string) => /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(n))).toBe(
      false,
    );
    const plain = await post('/tokens', { name: 'ci deploy – eu', role: 'reader' });
    expect(plain.statusCode, plain.body).toBe(201);
  });

  it('refuse them in export and automation rule names', async () => {
    for (const name of BIDI_NAMES) {
      const sink = { kind: 'webhook', url: 'http://127.0.0.1:9/hook' };
      const exported = await post('/exports', { name, sink });
      expect(exported.statusCode, JSON.stringify(name)).toBe(400);
      expect(exported.json().message).toMatch(/^body\/name contains/);
      const automated = await post('/automations', {
        name,
        triggers: ['alert.created'],
        actions: [{ sink }],
      });
      expect(automated.statusCode, JSON.stringify(name)).toBe(400);
      expect(automated.json().message).toMatch(/^body\/name contains/);
    }
  });
});
