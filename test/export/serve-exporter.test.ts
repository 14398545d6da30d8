/**
 * `palisade serve` runs the exporter: an export created through the API delivers an alert
 * status change made through the API to a real syslog listener, with no other process.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/server/config.js';
import { insertToken } from '../../src/server/identity/token-repository.js';
import { startServer } from '../../src/server/start-server.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { testAlert } from './support/alerts.js';
import { startSyslogListener } from './support/syslog-listener.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-serve-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('palisade serve', () => {
  it('delivers changes to the exports created through the API', async () => {
    const listener = await startSyslogListener();
    const previous = process.env.PALISADE_EXPORT_ALLOW;
    process.env.PALISADE_EXPORT_ALLOW = '127.0.0.1/32';
    const config = defaultConfig();
    config.server.port = 0;
    config.store.location = join(dir, 'palisade.db');
    const server = await startServer(config, pino({ level: 'silent' }));
    try {
      const { secret } = await server.db
        .transaction()
        .execute((trx) =>
          insertToken(
            trx,
            { name: 't', role: 'security-admin', scopes: [], createdBy: 'test' },
            new Date(),
          ),
        );
      const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
      const created = await fetch(`${server.url}/api/v1/exports`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'soc',
          format: 'json',
          sink: { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: listener.port },
        }),
      });
      expect(created.status, await created.clone().text()).toBe(201);

      const alert = testAlert(1);
      await saveAlerts(server.db, [alert], []);
      const changed = await fetch(`${server.url}/api/v1/alerts/${alert.id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ status: 'dismissed', comment: 'expected admin login' }),
      });
      expect(changed.status, await changed.clone().text()).toBe(200);

      for (let i = 0; i < 300 && listener.messages.length < 2; i += 1) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const bodies = listener.messages.map((m) => JSON.parse(m.body));
      expect(bodies.map((b) => b.data.change)).toEqual(['created', 'status_changed']);
      expect(bodies[1].data).toMatchObject({
        previousStatus: 'active',
        comment: 'expected admin login',
        alert: { status: 'dismissed' },
      });
    } finally {
      await server.stop();
      await listener.close();
      if (previous === undefined) delete process.env.PALISADE_EXPORT_ALLOW;
      else process.env.PALISADE_EXPORT_ALLOW = previous;
    }
  });
});
