/**
 * An assignment made through the API must give its mode: left out, its rules would run in audit
 * mode and deny nothing, and an API caller sees none of the warnings a policy file gets.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let admin: string;

beforeAll(async () => {
  h = await startHarness();
  admin = await h.token('security-admin');
});
afterAll(() => h.close());

/** Meant to block privileged pods in prod, but written without `mode`. */
const WITHOUT_MODE = {
  id: 'prod-privileged',
  title: 'No privileged pods in prod',
  benchmark: 'palisade',
  scope: { namespaces: ['prod'] },
  rules: { 'kubernetes-pod-no-privileged-containers': 'deny' },
};

function send(method: 'POST' | 'PUT' | 'GET', url: string, payload?: Record<string, unknown>) {
  return h.app.inject({ method, url, headers: { authorization: `Bearer ${admin}` }, payload });
}

describe('assignments through the API', () => {
  it('refuses a new assignment without mode, naming the field, and stores nothing', async () => {
    const res = await send('POST', '/api/v1/assignments', WITHOUT_MODE);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'BAD_ASSIGNMENT',
      message: expect.stringMatching(/^api \(field mode\): .*must give its mode.*audit mode/),
    });
    const stored = await send('GET', '/api/v1/assignments/prod-privileged');
    expect(stored.statusCode).toBe(404);
  });

  it('takes audit when it is asked for', async () => {
    const res = await send('POST', '/api/v1/assignments', { ...WITHOUT_MODE, mode: 'audit' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ id: 'prod-privileged', mode: 'audit' });
  });

  it('refuses a replacement without mode and keeps the assignment as it was', async () => {
    const { id: _id, ...body } = WITHOUT_MODE;
    const res = await send('PUT', '/api/v1/assignments/prod-privileged', {
      ...body,
      title: 'Privileged pods in prod',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^api \(field mode\): /);
    const stored = await send('GET', '/api/v1/assignments/prod-privileged');
    expect(stored.json()).toMatchObject({ title: 'No privileged pods in prod', mode: 'audit' });
  });
});
