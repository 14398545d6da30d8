/**
 * Limits on what one client holds, credentials or not: a deadline for a request's body, and a
 * cap on the connections one address holds open at once. Without them a client could hold every
 * socket the process may open, sending a login body a byte every few seconds. Node's own request
 * timeout stops checking once the headers are in, so the body gets its own deadline here.
 */

import type { Server } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Closes the connection of a request whose body has not arrived whole `ms` after its headers did
 * (answering 408 when nothing was answered yet); a request fully received is not touched.
 */
export function requireBodiesWithin(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    // A request without a body (most GETs) has nothing left to arrive once its headers are in.
    const body =
      raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length']) > 0;
    if (raw.complete || !body) return done();
    const timer = setTimeout(() => {
      if (raw.complete) return;
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(408, { connection: 'close', 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({
            statusCode: 408,
            code: 'REQUEST_TIMEOUT',
            message: `the request did not arrive whole within ${ms / 1000} s`,
          }),
        );
      }
      raw.socket.destroySoon();
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
    reply.raw.once('finish', clear);
    done();
  });
}

/**
 * A cap on the connections one address holds open at once; the body deadline bounds how long
 * each is held, this bounds how many. Behind a reverse proxy every connection comes from the
 * proxy: set the cap to 0 there and let the proxy limit clients.
 */
/**
 * Destroys a new connection from an address that already holds `max` (0: no cap).
 *
 * ```ts
 * capConnectionsPerAddress(app.server, 100);
 * ```
 */
export function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const held = open.get(address) ?? 0;
    if (held >= max) {
      socket.destroy();
      return;
    }
    open.set(address, held + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
