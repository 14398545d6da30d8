import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { defaultConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer } from '../../src/server/start-server.js';
import { openStore } from '../../src/store/database.js';
import { selfSigned } from './self-signed.js';

function call(
  url: string,
  ca: Buffer,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, ca },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('palisade server on a real socket', () => {
  it('serves TLS on loopback, creates the owner once, sets Secure cookies, logs no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-live-'));
    const tls = selfSigned(dir);
    const config = defaultConfig();
    config.server.port = 0;
    config.server.tls = tls;
    config.store.location = join(dir, 'palisade.db');
    const lines: string[] = [];
    const logger = createLogger(config, { write: (line: string) => void lines.push(line) });

    const server = await startServer(config, logger);
    const ca = readFileSync(tls.cert);
    let token = '';
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(server.owner?.username).toBe('owner');
      const password = server.owner!.password;

      const health = await call(`${server.url}/api/v1/health`, ca);
      expect(health.status).toBe(200);
      // Over TLS, browsers are told to stay on HTTPS (on every answer, refusals included).
      expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
      const refused = await call(`${server.url}/api/v1/users`, ca);
      expect(refused.status).toBe(401);
      expect(refused.headers['strict-transport-security']).toBe('max-age=31536000');

      const login = await call(`${server.url}/api/v1/auth/login`, ca, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'owner', password }),
      });
      expect(login.status).toBe(200);
      const setCookie = login.headers['set-cookie'] as string[];
      const session = setCookie.find((c) => c.startsWith('palisade_session='))!;
      expect(session).toMatch(/; HttpOnly/);
      expect(session).toMatch(/; Secure/);
      expect(session).toMatch(/; SameSite=Strict/);

      const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
      const made = await call(`${server.url}/api/v1/tokens`, ca, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie,
          'x-csrf-token': JSON.parse(login.body).csrfToken,
        },
        body: JSON.stringify({ name: 'scraper', role: 'reader' }),
      });
      expect(made.status).toBe(201);
      token = JSON.parse(made.body).token;
      const metrics = await call(`${server.url}/metrics`, ca, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(metrics.body).toMatch(
        /palisade_http_requests_total\{method="POST",route="\/api\/v1\/tokens",status="201"\} 1/,
      );

      const log = lines.join('');
      expect(log).toContain('palisade server listening');
      expect(log).not.toContain(password);
      expect(log).not.toContain(token);
      expect(log).not.toContain(cookie.split('=')[1].split(';')[0]);
    } finally {
      await server.stop();
    }

    const again = await startServer(config, pino({ level: 'silent' }));
    try {
      expect(again.owner).toBeNull();
    } finally {
      await again.stop();
    }
  });

  it('finishes a request in flight when it shuts down, and refuses new ones', async () => {
    const db = await openStore(':memory:');
    const config = defaultConfig();
    const app = await buildServer({
      db,
      config,
      logger: pino({ level: 'silent' }),
      clock: { now: () => new Date() },
      serverKey: loadServerKey({ storeLocation: ':memory:' }),
    });
    let started!: () => void;
    const handlerStarted = new Promise<void>((r) => (started = r));
    app.get('/slow', { config: { public: true } }, async () => {
      started();
      await new Promise((r) => setTimeout(r, 300));
      return { done: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    try {
      const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.json());
      await handlerStarted;
      const closing = app.close();
      expect(await inFlight).toEqual({ done: true });
      await closing;
      await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow();
    } finally {
      await db.destroy();
    }
  });
});
