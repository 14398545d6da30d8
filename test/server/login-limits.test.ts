import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { manualClock, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const PASSWORD = 'correct horse battery';

function cookieOf(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

describe('login throttling per username', () => {
  it('stops guesses at one account from many addresses, whatever the case, for the window', async () => {
    const clock = manualClock();
    h = await startHarness({
      clock,
      config: (c) => {
        c.auth.loginRateLimit = { max: 1_000, windowSeconds: 60 };
        c.auth.usernameRateLimit = { max: 3, windowSeconds: 300 };
      },
    });
    await h.user('ana', PASSWORD, 'reader');
    await h.user('bob', PASSWORD, 'reader');
    const login = (username: string, password: string, address: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: address,
        payload: { username, password },
      });

    for (const [i, name] of ['ana', 'ANA', 'Ana'].entries()) {
      expect((await login(name, `guess-${i}`, `203.0.113.${i + 1}`)).statusCode).toBe(401);
    }
    const refused = await login('ana', PASSWORD, '198.51.100.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'LOGIN_THROTTLED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(300);
    // Another account is not affected.
    expect((await login('bob', PASSWORD, '203.0.113.1')).statusCode).toBe(200);

    clock.advance(301_000);
    expect((await login('ana', PASSWORD, '198.51.100.7')).statusCode).toBe(200);
  });

  it('has defaults and environment variables', () => {
    const config = loadConfig({
      env: {
        PALISADE_LOGIN_USERNAME_RATE_LIMIT_MAX: '4',
        PALISADE_SESSION_IDLE_MINUTES: '15',
      },
    });
    expect(config.auth.usernameRateLimit).toEqual({ max: 4, windowSeconds: 900 });
    expect(config.auth.sessionIdleMinutes).toBe(15);
    expect(loadConfig({}).auth.sessionIdleMinutes).toBe(30);
    expect(() => loadConfig({ env: { PALISADE_SESSION_IDLE_MINUTES: '0' } })).toThrow(
      /auth\.sessionIdleMinutes.*PALISADE_SESSION_IDLE_MINUTES/,
    );
  });
});

describe('login limits at one address', () => {
  const login = (username: string, password: string, address = '192.0.2.10') =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: address,
      payload: { username, password },
    });

  it("by default, one person's wrong passwords do not lock out other users at the same address", async () => {
    h = await startHarness();
    await h.user('owner', PASSWORD, 'owner');
    await h.user('bob', PASSWORD, 'reader');
    await h.user('cy', PASSWORD, 'reader');

    for (let i = 0; i < 5; i++) expect((await login('owner', `guess-${i}`)).statusCode).toBe(401);
    // Others behind the same address (a NAT, a reverse proxy) log in.
    expect((await login('bob', PASSWORD)).statusCode).toBe(200);
    expect((await login('cy', PASSWORD)).statusCode).toBe(200);
    // The guesser is slowed on the account it tried, from its address, even with the right password.
    const refused = await login('owner', PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'LOGIN_THROTTLED' });
    // The owner logs in from elsewhere.
    expect((await login('owner', PASSWORD, '198.51.100.7')).statusCode).toBe(200);
    // A busy office: many logins from one address stay under the ceiling.
    for (let i = 0; i < 12; i++) expect((await login('bob', PASSWORD)).statusCode).toBe(200);
  });

  it('answers the same for unknown and known usernames', async () => {
    h = await startHarness();
    await h.user('ana', PASSWORD, 'reader');
    const answers = async (name: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await login(name, `guess-${i}`);
        seen.push(`${res.statusCode} ${res.json().code} ${res.json().message}`);
      }
      return seen;
    };
    const known = await answers('ana');
    expect(known.at(-1)).toMatch(/^429 LOGIN_THROTTLED/);
    expect(await answers('nobody')).toEqual(known);
  });

  it('keeps an overall per-address ceiling', async () => {
    h = await startHarness({
      config: (c) => (c.auth.loginRateLimit = { max: 3, windowSeconds: 60 }),
    });
    await h.user('bob', PASSWORD, 'reader');
    for (let i = 0; i < 3; i++) expect((await login('bob', PASSWORD)).statusCode).toBe(200);
    expect((await login('bob', PASSWORD)).json().code).toBe('RATE_LIMITED');
  });

  it('has defaults and environment variables for the per-address-and-username limit', () => {
    expect(loadConfig({}).auth.clientUsernameRateLimit).toEqual({ max: 5, windowSeconds: 60 });
    expect(loadConfig({}).auth.loginRateLimit).toEqual({ max: 100, windowSeconds: 60 });
    const config = loadConfig({
      env: {
        PALISADE_LOGIN_CLIENT_USERNAME_RATE_LIMIT_MAX: '3',
        PALISADE_LOGIN_CLIENT_USERNAME_RATE_LIMIT_WINDOW_SECONDS: '120',
      },
    });
    expect(config.auth.clientUsernameRateLimit).toEqual({ max: 3, windowSeconds: 120 });
  });
});

describe('session idle timeout', () => {
  it('ends a session left idle, while one in use lasts until its lifetime', async () => {
    const clock = manualClock();
    h = await startHarness({
      clock,
      config: (c) => {
        c.auth.sessionHours = 2;
        c.auth.sessionIdleMinutes = 30;
      },
    });
    await h.user('ana', PASSWORD, 'reader');
    const login = async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'ana', password: PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      return cookieOf(res.headers['set-cookie']);
    };
    const me = async (cookie: string) =>
      (await h.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode;

    const busy = await login();
    const idle = await login();
    // The busy session makes a request every 20 minutes; the idle one waits.
    for (let minute = 20; minute <= 100; minute += 20) {
      clock.advance(20 * 60_000);
      expect(await me(busy), `busy at ${minute} min`).toBe(200);
    }
    expect(await me(idle)).toBe(401);

    // Two hours after login the busy session ends too: idle time never extends the lifetime.
    clock.advance(20 * 60_000 + 1);
    expect(await me(busy)).toBe(401);

    const fresh = await login();
    clock.advance(29 * 60_000);
    expect(await me(fresh)).toBe(200);
    clock.advance(31 * 60_000);
    expect(await me(fresh)).toBe(401);
  });
});
