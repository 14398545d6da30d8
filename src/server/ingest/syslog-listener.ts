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
  /** A TCP connection holding part of a frame this long without completing one is closed. */
  incompleteFrameMs?: number;
  /** Open TCP connections in all (default 1,000); more are refused and counted as rejected. */
  maxConnections?: number;
  /**
   * Open TCP connections one address may hold (default 32; 0: no cap per address, for senders
   * behind one relay); more are refused and counted as rejected.
   */
  maxConnectionsPerAddress?: number;
  /** Time for year-less RFC 3164 stamps (tests pass a fixed one). */
  now?: () => Date;
  /** IANA zone of RFC 3164 times, which carry none (UTC when absent). */
  timeZone?: string;
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
const INCOMPLETE_FRAME_MS = 30 * 1000;
const MAX_CONNECTIONS_PER_ADDRESS = 32;
const REFUSAL_LOG_MS = 60 * 1000;

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
      const event = syslogEvent(message, new SyslogYear(undefined, now(), options.timeZone), {
        file: from,
        line,
      });
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
      const incompleteMs = options.incompleteFrameMs ?? INCOMPLETE_FRAME_MS;
      const refusals = refusalCounter(service, logger);
      const admit = connectionCap(options.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS);
      const onConnection = (socket: Socket) => {
        if (socket.destroyed) return; // refused by the per-address cap
        sockets.add(socket);
        const from = `syslog-tcp:${socket.remoteAddress ?? 'unknown'}`;
        const framer = new SyslogFramer(max);
        socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
        // A sender that starts a frame and never finishes it would hold the connection for the
        // idle timeout: close it when a frame stays incomplete this long with nothing completed.
        let incomplete: NodeJS.Timeout | undefined;
        const watch = (completed: boolean) => {
          if (completed || !framer.pending) {
            clearTimeout(incomplete);
            incomplete = undefined;
          }
          if (!framer.pending || incomplete) return;
          incomplete = setTimeout(() => {
            service.count('syslog-tcp', 0, 1);
            socket.destroy();
          }, incompleteMs);
          incomplete.unref();
        };
        socket.on('close', () => {
          clearTimeout(incomplete);
          sockets.delete(socket);
        });
        socket.on('data', (chunk: Buffer) => {
          const framed = framer.push(chunk);
          deliver(framed.messages, from, 'syslog-tcp', framed.errors);
          watch(framed.messages.length > 0 || framed.errors > 0);
        });
        socket.on('end', () => {
          const framed = framer.end();
          deliver(framed.messages, from, 'syslog-tcp', framed.errors);
        });
        socket.on('error', () => socket.destroy());
      };
      const server = options.tls
        ? createTlsServer(
            {
              cert: readFileSync(options.tls.cert),
              key: readFileSync(options.tls.key),
              handshakeTimeout: incompleteMs,
            },
            onConnection,
          )
        : createTcpServer(onConnection);
      server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
      // Before TLS or framing sees the connection: one address cannot take every slot.
      server.prependListener('connection', (raw: Socket) => {
        if (admit(raw)) return;
        raw.destroy();
        refusals.refused(raw.remoteAddress);
      });
      server.on('drop', (data) => refusals.refused(data?.remoteAddress));
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

/** Tracks open connections per address; `admit` says whether one more is allowed. */
function connectionCap(perAddress: number): (socket: Socket) => boolean {
  if (perAddress === 0) return () => true;
  const open = new Map<string, number>();
  return (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= perAddress) return false;
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
    return true;
  };
}

/** Counts refused connections as rejected and logs them at most once a minute. */
function refusalCounter(service: DetectionService, logger: Logger) {
  let refused = 0;
  let lastLog = 0;
  const addresses = new Set<string>();
  return {
    refused(address: string | undefined): void {
      service.count('syslog-tcp', 0, 1);
      refused += 1;
      if (addresses.size < 10) addresses.add(address ?? 'unknown');
      if (Date.now() - lastLog < REFUSAL_LOG_MS) return;
      logger.warn({ refused, addresses: [...addresses] }, 'syslog TCP connections refused');
      lastLog = Date.now();
      refused = 0;
      addresses.clear();
    },
  };
}

function bindUdp(
  host: string,
  port: number,
  onMessage: (msg: Buffer, from: string) => void,
): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', (error) => reject(bindError(error, 'ingest.syslog.udpPort', host, port)));
    socket.on('message', (msg, rinfo) => onMessage(msg, `syslog-udp:${rinfo.address}`));
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(bindError(error, 'ingest.syslog.tcpPort', host, port));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/** A listener that cannot bind, naming the setting to change. */
function bindError(error: Error, setting: string, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'is in use by another process'
      : code === 'EACCES'
        ? 'needs privileges this process lacks (use a port above 1023)'
        : `cannot be opened (${error.message})`;
  return new Error(`${setting}: ${host} port ${port} ${why}`);
}

/** Stops accepting and ends open connections (their complete messages were already read). */
function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
