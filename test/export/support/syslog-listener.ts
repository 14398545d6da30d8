/**
 * A real syslog TCP listener for export tests: accepts RFC 6587 octet-counting frames on
 * loopback and keeps each message with the record id from Palisade's structured data.
 */

import { createServer, type Server, type Socket } from 'node:net';

/** One received message. */
export interface ReceivedMessage {
  /** The `id` parameter of the palisade SD element (the idempotency key). */
  id: string;
  /** The MSG part (after the structured data). */
  body: string;
  raw: string;
}

export interface SyslogListener {
  port: number;
  messages: ReceivedMessage[];
  /** Frames cut short by a connection that closed mid-frame. */
  truncated: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** The `id="..."` of the palisade SD element and the MSG after the structured data. */
export function parseMessage(raw: string): ReceivedMessage {
  const id = /\[palisade@32473 id="([^"]+)"/.exec(raw)?.[1] ?? '';
  // STRUCTURED-DATA ends at the first `]` not escaped; the message follows after a space.
  let i = raw.indexOf('[');
  let inValue = false;
  for (; i < raw.length; i += 1) {
    const c = raw[i];
    if (c === '\\') i += 1;
    else if (c === '"') inValue = !inValue;
    else if (c === ']' && !inValue && raw[i + 1] !== '[') break;
  }
  return { id, body: raw.slice(i + 2), raw };
}

/** Starts the listener on 127.0.0.1 and `port` (an ephemeral one by default). */
export async function startSyslogListener(port = 0): Promise<SyslogListener> {
  const messages: ReceivedMessage[] = [];
  const sockets = new Set<Socket>();
  const state = { truncated: 0, connections: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    state.connections += 1;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) return;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (!Number.isInteger(length) || length <= 0) throw new Error('bad octet count');
        if (buffer.length < space + 1 + length) return;
        const raw = buffer.subarray(space + 1, space + 1 + length).toString('utf8');
        buffer = buffer.subarray(space + 1 + length);
        messages.push(parseMessage(raw));
      }
    });
    socket.on('close', () => {
      if (buffer.length > 0) state.truncated += 1;
      sockets.delete(socket);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : 0;
  return {
    port: bound,
    messages,
    get truncated() {
      return state.truncated;
    },
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
