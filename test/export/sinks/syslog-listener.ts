/**
 * A real syslog receiver for tests: TCP or TLS with octet-counting framing (RFC 6587/5425), or
 * UDP with one message per datagram. It parses each frame strictly and keeps the messages.
 */

import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/** A started receiver. */
export interface SyslogListener {
  port: number;
  messages: string[];
  /** Frames that broke octet counting (length not digits, or not followed by a space). */
  errors: string[];
  /** Resolves once `count` messages have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Splits an octet-counted byte stream into messages. */
export class OctetCountingParser {
  #buffer: Buffer = Buffer.alloc(0);
  constructor(
    private readonly onMessage: (message: string) => void,
    private readonly onError: (error: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const space = this.#buffer.indexOf(0x20);
      if (space < 0) return;
      const lengthText = this.#buffer.subarray(0, space).toString('latin1');
      if (!/^[1-9]\d{0,8}$/.test(lengthText)) {
        this.onError(`bad MSG-LEN "${lengthText.slice(0, 20)}"`);
        this.#buffer = Buffer.alloc(0);
        return;
      }
      const length = Number(lengthText);
      if (this.#buffer.length < space + 1 + length) return;
      this.onMessage(this.#buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
      this.#buffer = this.#buffer.subarray(space + 1 + length);
    }
  }
}

function listener(
  messages: string[],
  errors: string[],
  port: number,
  close: () => Promise<void>,
): SyslogListener {
  return {
    port,
    messages,
    errors,
    waitFor(count, timeoutMs = 10_000) {
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length >= count) return resolve();
          if (Date.now() - started > timeoutMs) {
            return reject(new Error(`only ${messages.length} of ${count} syslog messages arrived`));
          }
          setTimeout(check, 5);
        };
        check();
      });
    },
    close,
  };
}

/** Starts a TCP (or, with `tls`, TLS) receiver on 127.0.0.1. */
export async function startStreamListener(tls?: {
  cert: string;
  key: string;
}): Promise<SyslogListener> {
  const messages: string[] = [];
  const errors: string[] = [];
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    const parser = new OctetCountingParser(
      (m) => messages.push(m),
      (e) => errors.push(e),
    );
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server: Server = tls ? createTlsServer(tls, onSocket) : createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return listener(messages, errors, port, async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

/** Starts a UDP receiver on 127.0.0.1. */
export async function startUdpListener(): Promise<SyslogListener> {
  const messages: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return listener(messages, [], socket.address().port, async () => {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  });
}

/** The parts of one RFC 5424 message, split by the grammar (throws when it does not match). */
export function parseRfc5424(message: string): {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: { id: string; params: Record<string, string> }[];
  msg: string;
} {
  const header = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) /.exec(
    message,
  );
  if (!header) throw new Error(`not an RFC 5424 header: ${message.slice(0, 80)}`);
  let rest = message.slice(header[0].length);
  const sd: { id: string; params: Record<string, string> }[] = [];
  if (rest.startsWith('-')) {
    rest = rest.slice(1);
  } else {
    while (rest.startsWith('[')) {
      const id = /^\[([^ =\]"]{1,32})/.exec(rest);
      if (!id) throw new Error(`bad SD-ID in ${rest.slice(0, 40)}`);
      rest = rest.slice(id[0].length);
      const params: Record<string, string> = {};
      while (rest.startsWith(' ')) {
        const name = /^ ([^ =\]"]{1,32})="/.exec(rest);
        if (!name) throw new Error(`bad SD-PARAM in ${rest.slice(0, 40)}`);
        rest = rest.slice(name[0].length);
        let value = '';
        for (;;) {
          const c = rest[0];
          if (c === undefined) throw new Error('unterminated PARAM-VALUE');
          if (c === '\\' && ['"', '\\', ']'].includes(rest[1])) {
            value += rest[1];
            rest = rest.slice(2);
          } else if (c === '"') {
            rest = rest.slice(1);
            break;
          } else if (c === ']') {
            throw new Error('unescaped ] inside PARAM-VALUE');
          } else {
            value += c;
            rest = rest.slice(1);
          }
        }
        params[name[1]] = value;
      }
      if (!rest.startsWith(']')) throw new Error(`SD-ELEMENT not closed: ${rest.slice(0, 40)}`);
      rest = rest.slice(1);
      sd.push({ id: id[1], params });
    }
  }
  const msg = rest.startsWith(' ') ? rest.slice(1).replace(/^\uFEFF/, '') : rest;
  return {
    pri: Number(header[1]),
    version: Number(header[2]),
    timestamp: header[3],
    hostname: header[4],
    appName: header[5],
    procId: header[6],
    msgId: header[7],
    sd,
    msg,
  };
}
