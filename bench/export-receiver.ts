/**
 * Receivers for bench/export.ts, in their own process so the sender's CPU time is its own: a
 * TCP syslog listener counting octet-counted frames, and a webhook receiver verifying each
 * signature and counting records. Reports its ports, then counts on request, over IPC.
 */

import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { webhookRefusal } from '../src/export/sinks/webhook-signature.js';

const secret = process.argv[2] ?? '';
let syslog = 0;
let records = 0;
let refused = 0;
let broken = 0;

const tcp = createServer((socket) => {
  let buffer: Buffer = Buffer.alloc(0);
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    let at = 0;
    for (;;) {
      const space = buffer.indexOf(0x20, at);
      if (space < 0) break;
      const length = Number(buffer.toString('latin1', at, space));
      if (!Number.isInteger(length) || length <= 0) {
        broken += 1;
        socket.destroy();
        return;
      }
      if (buffer.length < space + 1 + length) break;
      syslog += 1;
      at = space + 1 + length;
    }
    buffer = buffer.subarray(at);
  });
});

const http = createHttpServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      timestamp: req.headers['x-palisade-timestamp'] as string,
      signature: req.headers['x-palisade-signature'] as string,
    };
    if (webhookRefusal(secret, headers, body)) {
      refused += 1;
      res.writeHead(401).end();
      return;
    }
    records += (JSON.parse(body) as { records: unknown[] }).records.length;
    res.writeHead(204).end();
  });
});

await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
process.send?.({
  syslogPort: (tcp.address() as AddressInfo).port,
  webhookPort: (http.address() as AddressInfo).port,
});
process.on('message', (message) => {
  if (message === 'count') process.send?.({ syslog, records, refused, broken });
  if (message === 'exit') process.exit(0);
});
