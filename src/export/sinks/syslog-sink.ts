/**
 * Syslog sink: each record as one RFC 5424 message (JSON, OCSF, CEF or LEEF body) over UDP (one
 * datagram each, RFC 5426), TCP (octet-counting frames, RFC 6587) or TLS (RFC 5425). TCP and TLS
 * keep one connection open and write a whole batch at once; a batch is accepted when the socket
 * has handed every byte to the kernel, which still delivers them if this process dies.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { hostname as osHostname } from 'node:os';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import type { ExportFormat, ExportRecord, Sink } from '../../model/export-record.js';
import { SinkError } from '../../model/export-record.js';
import { formatRecord } from '../formats/index.js';
import { summarize } from '../formats/record-summary.js';
import {
  formatSyslogMessage,
  octetCountingFrame,
  SYSLOG_SEVERITY,
  type StructuredDataElement,
} from '../formats/rfc5424.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { certificateRefusal } from './tls-failure.js';
import { resolveDestination } from './resolve-destination.js';

/** Configuration of a syslog sink. */
export interface SyslogSinkConfig {
  kind: 'syslog';
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  /** 514 for UDP and TCP, 6514 for TLS when absent. */
  port?: number;
  format?: ExportFormat;
  /** 0-23; 10 (security/authorization) when absent. */
  facility?: number;
  appName?: string;
  /** HOSTNAME header field; this machine's name when absent. */
  hostname?: string;
  /** SD-ID of the element carrying the record id and type. */
  sdId?: string;
  consoleUrl?: string;
  /** TLS: extra trusted CA certificates (PEM), and the name to verify when `host` is an IP. */
  ca?: string;
  servername?: string;
  /** Largest UDP datagram; longer messages are refused rather than cut. */
  maxDatagramBytes?: number;
  /** UDP: most messages sent per second (`UDP_MESSAGES_PER_SECOND` when absent). */
  udpMessagesPerSecond?: number;
  /** UDP: messages sent back to back before the sink pauses to keep its rate (`UDP_BURST`). */
  udpBurst?: number;
  timeoutMs?: number;
}

/**
 * SD-ID for Palisade's structured data. 32473 is the private enterprise number RFC 5612 reserves
 * for documentation; a deployment with its own number sets `sdId`.
 */
export const DEFAULT_SD_ID = 'palisade@32473';

/**
 * Default UDP pace. UDP confirms nothing, and a burst larger than the receiver's socket buffer
 * (about 208 KiB by default on Linux, a hundred messages of 2 KiB) is dropped by the kernel
 * while the sink counts it sent. Small bursts at a bounded rate let a receiver keep up.
 */
export const UDP_MESSAGES_PER_SECOND = 1_000;
export const UDP_BURST = 10;

/** The RFC 5424 message for one record, without framing. */
export function syslogMessage(
  record: ExportRecord,
  config: SyslogSinkConfig,
  hostname: string,
): string {
  const summary = summarize(record);
  const sd: StructuredDataElement = {
    id: config.sdId ?? DEFAULT_SD_ID,
    params: [
      ['id', record.id],
      ['type', record.type],
      ['kind', record.kind],
      ['schemaVersion', `${record.schemaVersion}`],
      ['subject', summary.subject],
    ],
  };
  return formatSyslogMessage({
    facility: config.facility ?? 10,
    severity: SYSLOG_SEVERITY[summary.severity],
    timestamp: new Date(Date.parse(record.occurredAt)).toISOString(),
    hostname,
    appName: config.appName ?? 'palisade',
    procId: `${process.pid}`,
    msgId: summary.eventId,
    structuredData: [sd],
    msg: formatRecord(record, config.format ?? 'json', { consoleUrl: config.consoleUrl }),
  });
}

/** The transport error as a sink failure: a refused certificate is final, the rest retried. */
function transportError(error: unknown, where: string): SinkError {
  if (error instanceof SinkError) return error;
  const refused = certificateRefusal(error);
  if (refused) return new SinkError('tls', `syslog ${where}: ${refused}`, false);
  const code = (error as NodeJS.ErrnoException).code ?? 'syslog_io';
  return new SinkError(code, `syslog ${where}: ${(error as Error).message}`, true);
}

/** Syslog over TCP or TLS: one kept connection, reopened after a failure. */
class StreamSyslogSink implements Sink {
  readonly kind = 'syslog';
  readonly #config: SyslogSinkConfig;
  readonly #guard: AddressGuard;
  readonly #hostname: string;
  #socket?: Socket;
  #failure?: Error;

  constructor(config: SyslogSinkConfig, guard: AddressGuard) {
    this.#config = config;
    this.#guard = guard;
    this.#hostname = config.hostname ?? osHostname();
  }

  async send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void> {
    if (records.length === 0) return;
    const payload = records
      .map((r) => octetCountingFrame(syslogMessage(r, this.#config, this.#hostname)))
      .join('');
    const socket = await this.#connected(signal);
    await this.#write(socket, payload, signal);
  }

  /**
   * Writes `payload`, done once the kernel holds every byte. A receiver that accepted the
   * connection but stopped reading fills the socket buffers and the write never completes, so it
   * is cut at the timeout (or by `signal`) and the connection is opened anew on the next send.
   */
  #write(socket: Socket, payload: string, signal?: AbortSignal): Promise<void> {
    const ms = this.#config.timeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cut(
          new SinkError(
            'timeout',
            `syslog write: the receiver did not take the batch within ${ms} ms`,
            true,
          ),
        );
      }, ms);
      const onAbort = (): void =>
        cut(new SinkError('aborted', 'syslog: sending was stopped', true));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      function cut(error: SinkError): void {
        settle();
        socket.destroy();
        reject(error);
      }
      socket.write(payload, 'utf8', (error) => {
        settle();
        if (error) {
          socket.destroy();
          reject(transportError(error, 'write'));
          return;
        }
        if (this.#failure) {
          reject(transportError(this.#failure, 'connection'));
          return;
        }
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.end(() => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2000).unref();
    });
  }

  async #connected(signal?: AbortSignal): Promise<Socket> {
    const current = this.#socket;
    if (current && !current.destroyed && !this.#failure) return current;
    current?.destroy();
    this.#socket = undefined;
    this.#failure = undefined;

    const { address } = await resolveDestination(this.#guard, this.#config.host);
    const socket = await this.#open(address, signal);
    socket.on('error', (error) => {
      this.#failure = error;
    });
    socket.on('close', () => {
      this.#failure ??= new Error('connection closed by the receiver');
    });
    // A syslog receiver never talks back; anything it sends is read and dropped.
    socket.on('data', () => undefined);
    this.#socket = socket;
    return socket;
  }

  #open(address: string, signal?: AbortSignal): Promise<Socket> {
    const config = this.#config;
    const tls = config.transport === 'tls';
    const port = config.port ?? (tls ? 6514 : 514);
    const servername = config.servername ?? (isIP(config.host) ? undefined : config.host);
    return new Promise<Socket>((resolve, reject) => {
      const socket: Socket = tls
        ? tlsConnect({ host: address, port, servername, ...(config.ca ? { ca: config.ca } : {}) })
        : netConnect({ host: address, port });
      const timer = setTimeout(
        () => fail(new Error('connect timed out')),
        config.timeoutMs ?? 10_000,
      );
      const onAbort = (): void => fail(new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', fail);
      };
      function fail(error: Error): void {
        done();
        socket.destroy();
        reject(transportError(error, `connect to ${config.host}:${port}`));
      }
      socket.once('error', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        done();
        socket.setNoDelay(true);
        resolve(socket);
      });
    });
  }
}

/**
 * Syslog over UDP: one datagram per message, in small bursts at a bounded rate. A send that
 * returns only means the kernel took the datagrams; UDP cannot say whether they arrived.
 */
class UdpSyslogSink implements Sink {
  readonly kind = 'syslog';
  readonly #config: SyslogSinkConfig;
  readonly #guard: AddressGuard;
  readonly #hostname: string;
  #socket?: UdpSocket;
  /** When the next burst may go (performance.now() milliseconds). */
  #nextSlot = 0;

  constructor(config: SyslogSinkConfig, guard: AddressGuard) {
    this.#config = config;
    this.#guard = guard;
    this.#hostname = config.hostname ?? osHostname();
  }

  async send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void> {
    if (records.length === 0) return;
    const { address, family } = await resolveDestination(this.#guard, this.#config.host);
    const max = this.#config.maxDatagramBytes ?? 65_000;
    const datagrams = records.map((record) => {
      const message = Buffer.from(syslogMessage(record, this.#config, this.#hostname), 'utf8');
      if (message.length > max) {
        throw new SinkError(
          'message_too_large',
          `syslog: record ${record.id} is ${message.length} bytes, over the UDP limit of ${max}; ` +
            'use TCP or TLS for records this large',
          false,
        );
      }
      return message;
    });
    const socket = this.#open(family);
    const port = this.#config.port ?? 514;
    const burst = this.#config.udpBurst ?? UDP_BURST;
    for (let i = 0; i < datagrams.length; i += burst) {
      await this.#paced(Math.min(burst, datagrams.length - i), signal);
      for (const datagram of datagrams.slice(i, i + burst)) {
        await new Promise<void>((resolve, reject) => {
          socket.send(datagram, port, address, (error) =>
            error ? reject(transportError(error, 'send')) : resolve(),
          );
        });
      }
    }
  }

  /**
   * Waits until `count` more messages fit the configured rate, then books their time slot. The
   * slot carries over between batches, so back-to-back batches keep the same pace.
   */
  async #paced(count: number, signal?: AbortSignal): Promise<void> {
    const rate = this.#config.udpMessagesPerSecond ?? UDP_MESSAGES_PER_SECOND;
    const now = performance.now();
    const wait = this.#nextSlot - now;
    this.#nextSlot = Math.max(now, this.#nextSlot) + (count * 1000) / rate;
    if (wait <= 0) return;
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      throw new SinkError('aborted', 'syslog: sending was stopped', true);
    }
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #open(family: 4 | 6): UdpSocket {
    if (this.#socket) return this.#socket;
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    socket.on('error', () => {
      this.#socket = undefined;
      socket.close();
    });
    this.#socket = socket;
    return socket;
  }
}

/** A syslog sink for `config`, connecting only where `guard` allows. */
export function createSyslogSink(config: SyslogSinkConfig, guard: AddressGuard): Sink {
  return config.transport === 'udp'
    ? new UdpSyslogSink(config, guard)
    : new StreamSyslogSink(config, guard);
}
