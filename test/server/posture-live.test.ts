import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, startHarness, type Harness } from './harness.js';

const ESTATE = resolve('samples/estate');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  delete process.env.PALISADE_SOURCE_ROOTS;
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('posture API over a real socket', () => {
  it('serves the score, exempts and re-scores, and closes while a run is in progress', async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { ...auth(admin), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, json: await res.json() };
    };
    expect((await call('GET', '/score')).json.secureScore).toBeNull();
    const created = await call('POST', '/sources', { name: 'estate', paths: [ESTATE] });
    expect(created.status).toBe(201);
    const ran = await call('POST', '/assessments', { source: 'estate', wait: true });
    expect(ran.status).toBe(201);
    const score = await call('GET', '/score');
    expect(score.json.secureScore).toBe(ran.json.secureScore);
    expect(score.json.assessments[0].id).toBe(ran.json.assessmentId);

    const [top] = (await call('GET', '/recommendations?limit=1')).json.items;
    const exempt = await call('POST', '/exemptions', {
      rule: top.ruleId,
      resource: '*',
      justification: 'Tested over a socket.',
      expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(exempt.status).toBe(201);
    expect((await call('GET', '/score')).json.secureScore).toBeGreaterThan(score.json.secureScore);

    // A run started just before closing is finished and stored before the store closes.
    const queued = await call('POST', '/assessments', { source: 'estate' });
    expect(queued.status).toBe(202);
    const before = await h.db.selectFrom('assessments').select('id').execute();
    await h.app.close();
    const after = await h.db.selectFrom('assessments').select('id').execute();
    expect(after.length).toBe(before.length + 1);
  }, 60_000);
});

describe('exemption expiry', () => {
  it('stops applying after its expiry day: the next assessment scores the rule again', async () => {
    const clock = manualClock('2026-03-30T12:00:00Z');
    h = await startHarness({ clock });
    const admin = await h.token('security-admin');
    const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
      h!.app.inject({ method, url: `/api/v1${url}`, headers: auth(admin), payload });
    await inject('POST', '/sources', { name: 'estate', paths: [ESTATE] });
    await inject('POST', '/assessments', { source: 'estate', wait: true });
    const base = (await inject('GET', '/score')).json().secureScore;
    const [top] = (await inject('GET', '/recommendations?limit=1')).json().items;

    clock.advance(60_000);
    const made = await inject('POST', '/exemptions', {
      rule: top.ruleId,
      justification: 'Until the end of March.',
      expires: '2026-03-31',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().exemption.active).toBe(true);
    expect((await inject('GET', '/score')).json().secureScore).toBeGreaterThan(base);

    // Still on the expiry day: applies. The day after: no longer.
    clock.advance(24 * 3_600_000);
    await inject('POST', '/assessments', { source: 'estate', wait: true });
    expect((await inject('GET', '/score')).json().secureScore).toBeGreaterThan(base);
    clock.advance(24 * 3_600_000);
    const rerun = await inject('POST', '/assessments', { source: 'estate', wait: true });
    expect(rerun.json().warnings.join('\n')).toMatch(/expired on 2026-03-31/);
    expect((await inject('GET', '/score')).json().secureScore).toBe(base);
    const listed = (await inject('GET', '/exemptions?active=false')).json().items;
    expect(listed).toHaveLength(1);
    expect(listed[0].active).toBe(false);
  }, 60_000);
});

describe('allowed source roots', () => {
  it('refuse a source outside the configured roots, through the API', async () => {
    const root = mkdtempSync(join(tmpdir(), 'palisade-root-'));
    try {
      process.env.PALISADE_SOURCE_ROOTS = root;
      h = await startHarness();
      const admin = await h.token('owner');
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/sources',
        headers: auth(admin),
        payload: { name: 'escape', paths: [join(root, '..', '..', ESTATE)] },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/outside the folders sources may read/);
      const inside = await h.app.inject({
        method: 'POST',
        url: '/api/v1/sources',
        headers: auth(admin),
        payload: { name: 'inside', paths: [root] },
      });
      expect(inside.statusCode).toBe(201);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
