/**
 * The syslog listener: UDP datagrams and TCP streams (octet counting or newline framing, TLS
 * optional) of RFC 3164 and RFC 5424 messages, fed to the detection service.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { LogReadError } from '../../logs/log-read-error.js';
import type { LogItem } from '../../logs/log-reader.js';
import { syslogEvent } from '../../logs/syslog-reader.js';
import { SyslogYear } from '../../logs/syslog-year.js';
import type { DetectionService } from './detection-service.js';
import { clean, SyslogFramer } from './syslog-framing.js';

export interface SyslogListenerOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** UDP port (0: any free port); no UDP listener when absent. */
  udpPort?: number;
  /** TCP port (0: any free port); no TCP listener when absent. */
  tcpPort?: number;
  /** PEM files: the TCP listener speaks TLS when set. */
  tls?: { cert: string; key: string };
  /** Longest message kept (default 64 KiB); longer ones are counted as errors. */
  maxMessageBytes?: number;
  /** Time for year-less RFC 3164 stamps (tests pass a fixed one). */
  now?: () => Date;
}

/** A running listener and the ports it got. */
export interface SyslogListener {
  udpPort?: number;
  tcpPort?: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_MESSAGE = 64 * 1024;
const MAX_CONNECTIONS = 1_000;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Starts the configured listeners.
 *
 * ```ts
 * const syslog = await startSyslogListener(service, logger, { udpPort: 5514, tcpPort: 5514 });
 * ```
 */
export async function startSyslogListener(
  service: DetectionService,
  logger: Logger,
  options: SyslogListenerOptions,
): Promise<SyslogListener> {
  const host = options.host ?? '127.0.0.1';
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  const now = options.now ?? (() => new Date());
  let seq = 0;

  /** Parses messages into events and hands them over in one batch. */
  const deliver = (messages: string[], from: string, intake: string, dropped: number) => {
    const items: LogItem[] = [];
    for (const message of messages) {
      const line = ++seq;
      const event = syslogEvent(message, new SyslogYear(undefined, now()), { file: from, line });
      items.push(
        event ??
          new LogReadError({
            file: from,
            line,
            code: 'PARSE_ERROR',
            message: 'not an RFC 3164 or RFC 5424 syslog message',
          }),
      );
    }
    if (items.length > 0) service.ingest(items, intake);
    if (dropped > 0) service.count(intake, 0, dropped);
  };

  const listener: SyslogListener = { close: async () => undefined };
  const closers: Array<() => Promise<void>> = [];
  try {
    if (options.udpPort !== undefined) {
      const udp = await bindUdp(host, options.udpPort, (msg, from) => {
        if (msg.length > max) {
          deliver([], from, 'syslog-udp', 1);
          return;
        }
        // One datagram is one message (RFC 5426): line feeds inside become spaces, as in a TCP
        // frame, so a single datagram cannot pass for several events.
        const text = clean(msg);
        deliver(text.length > 0 ? [text] : [], from, 'syslog-udp', 0);
      });
      udp.on('error', (error) => logger.warn({ err: error }, 'syslog UDP socket error'));
      listener.udpPort = udp.address().port;
      closers.push(() => new Promise<void>((resolve) => udp.close(() => resolve())));
    }
    if (options.tcpPort !== undefined) {
      const sockets = new Set<Socket>();
      const onConnection = (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        const from = `syslog-tcp:${socket.remoteAddress ?? 'unknown'}`;
        const framer = new SyslogFramer(max);
        socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
        socket.on('data', (chunk: Buffer) => {
          const framed = framer.push(chunk);
          deliver(framed.messages, from, 'syslog-tcp', framed.errors);
        });
        socket.on('end', () => {
          const framed = framer.end();
          deliver(framed.messages, from, 'syslog-tcp', framed.errors);
        });
        socket.on('error', () => socket.destroy());
      };
      const server = options.tls
        ? createTlsServer(
            { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
            onConnection,
          )
        : createTcpServer(onConnection);
      server.maxConnections = MAX_CONNECTIONS;
      // A client that fails the TLS handshake must not take the listener down.
      server.on('tlsClientError', () => service.count('syslog-tcp', 0, 1));
      server.on('error', (error) => logger.warn({ err: error }, 'syslog TCP listener error'));
      await listen(server, host, options.tcpPort);
      const address = server.address();
      listener.tcpPort = typeof address === 'object' && address ? address.port : undefined;
      closers.push(() => closeServer(server, sockets));
    }
  } catch (error) {
    await Promise.all(closers.map((c) => c()));
    throw error;
  }
  listener.close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  return listener;
}

function bindUdp(
  host: string,
  port: number,
  onMessage: (msg: Buffer, from: string) => void,
): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.on('message', (msg, rinfo) => onMessage(msg, `syslog-udp:${rinfo.address}`));
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting and ends open connections (their complete messages were already read). */
function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
