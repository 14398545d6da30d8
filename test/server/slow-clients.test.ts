/**
 * One client without credentials cannot hold the server's sockets, found by a penetration test:
 * twenty connections sending a login body a byte every 20 s were all still open after 150 s. A
 * request must now arrive whole within `server.requestTimeoutSeconds`, and one address may hold
 * at most `server.maxConnectionsPerAddress` connections.
 */

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

describe('slow and greedy clients', () => {
  let h: Harness;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => {
        c.server.requestTimeoutSeconds = 2;
        c.server.maxConnectionsPerAddress = 3;
      },
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await h.close();
  });

  /** A connection, and a promise of what the server said before it closed it. */
  const open = async () => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    let said = '';
    socket.on('data', (d) => (said += String(d)));
    socket.on('error', () => undefined);
    const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(said)));
    return { socket, closed };
  };

  it('closes a request that does not arrive whole in time', async () => {
    const { socket, closed } = await open();
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const dripping = setInterval(() => socket.write(' '), 500);
    const started = Date.now();
    const said = await closed;
    expect(Date.now() - started).toBeLessThan(10_000);
    clearInterval(dripping);
    expect(said).toMatch(/^HTTP\/1\.1 408/);
  }, 20_000);

  it('refuses a connection beyond the cap of one address, and serves again once one closes', async () => {
    const held = [await open(), await open(), await open()];
    const extra = await open();
    expect(await extra.closed).toBe('');
    held[0].socket.destroy();
    await held[0].closed;
    const again = await open();
    again.socket.write(
      'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(await again.closed).toMatch(/^HTTP\/1\.1 200/);
  });
});
