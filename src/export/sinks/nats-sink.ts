/**
 * NATS JetStream sink: each record is published to the configured subject with the
 * `Nats-Msg-Id` header set to its idempotency key, so JetStream drops a redelivery inside the
 * stream's duplicate window. A batch is delivered once the stream has acknowledged every record.
 */

import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import { SinkError, type ExportRecord, type Sink } from '../../model/export-record.js';
import { formatRecord } from '../formats/index.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { resolveDestination } from './resolve-destination.js';
import { causeChain, certificateRefusal } from './tls-failure.js';
import type { NatsSinkConfig } from './sink-config.js';

/** Records published at once before waiting for their acknowledgements. */
const WINDOW = 256;

/** The NATS client's failure as a sink failure; a subject no stream listens on is final. */
function natsError(error: unknown, subject: string): SinkError {
  if (error instanceof SinkError) return error;
  const err = error as Error & { code?: string; cause?: Error };
  const text = `${err.name} ${err.message} ${err.code ?? ''} ${err.cause?.message ?? ''}`;
  // The client reports a subject nothing answers as "no responders" (JetStreamNotEnabled).
  if (/no responders|JetStreamNotEnabled|503/i.test(text)) {
    return new SinkError(
      'no_stream',
      `NATS: no JetStream stream captures subject "${subject}"; create one or change the subject`,
      false,
    );
  }
  // A certificate that fails verification, or a server without TLS, is the configuration's to
  // fix: retrying cannot help.
  const tls = tlsFailure(err);
  if (tls) return new SinkError('tls', `NATS: ${tls}`, false);
  if (/authoriz|authentic|permission/i.test(text)) {
    return new SinkError(
      'unauthorized',
      `NATS: ${err.message} (check the sink's credentials)`,
      false,
    );
  }
  return new SinkError('nats', `NATS: ${err.message}`, true);
}

/** The TLS failure a connection error carries, in words, or undefined. */
function tlsFailure(error: Error): string | undefined {
  const refused = certificateRefusal(error);
  if (refused) return refused;
  for (const e of causeChain(error)) {
    if (/server does not support 'tls'/.test(e.message)) {
      return 'the server does not offer TLS (the sink never falls back to plain text)';
    }
  }
  return undefined;
}

class NatsSink implements Sink {
  readonly kind = 'nats';
  readonly #config: NatsSinkConfig;
  readonly #guard: AddressGuard;
  #connection?: NatsConnection;
  #js?: JetStreamClient;

  constructor(config: NatsSinkConfig, guard: AddressGuard) {
    this.#config = config;
    this.#guard = guard;
  }

  async send(records: readonly ExportRecord[]): Promise<void> {
    if (records.length === 0) return;
    const js = await this.#client();
    const format = this.#config.format ?? 'json';
    const expect = this.#config.stream ? { streamName: this.#config.stream } : undefined;
    try {
      for (let from = 0; from < records.length; from += WINDOW) {
        await Promise.all(
          records.slice(from, from + WINDOW).map((record) =>
            js.publish(this.#config.subject, formatRecord(record, format), {
              msgID: record.id,
              timeout: this.#config.timeoutMs ?? 10_000,
              ...(expect ? { expect } : {}),
            }),
          ),
        );
      }
    } catch (error) {
      throw natsError(error, this.#config.subject);
    }
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#js = undefined;
    if (connection && !connection.isClosed())
      await connection.drain().catch(() => connection.close());
  }

  async #client(): Promise<JetStreamClient> {
    if (this.#js && this.#connection && !this.#connection.isClosed()) return this.#js;
    const servers: string[] = [];
    for (const server of this.#config.servers) {
      const [host, port] = splitServer(server);
      const { address, family } = await resolveDestination(this.#guard, host);
      servers.push(family === 6 ? `[${address}]:${port}` : `${address}:${port}`);
    }
    try {
      this.#connection = await connect({
        servers,
        name: 'palisade-export',
        timeout: this.#config.timeoutMs ?? 10_000,
        // Reconnects go only to the checked addresses, never to servers the cluster gossips.
        ignoreClusterUpdates: true,
        ...(this.#config.user ? { user: this.#config.user, pass: this.#config.pass } : {}),
        ...(this.#config.token ? { token: this.#config.token } : {}),
        ...(this.#config.tls ? { tls: tlsOptions(this.#config) } : {}),
      });
    } catch (error) {
      throw natsError(error, this.#config.subject);
    }
    if (this.#config.stream) await this.#checkStream(this.#connection);
    this.#js = jetstream(this.#connection);
    return this.#js;
  }

  async #checkStream(connection: NatsConnection): Promise<void> {
    try {
      const manager = await jetstreamManager(connection);
      const name = await manager.streams.find(this.#config.subject);
      if (name !== this.#config.stream) {
        throw new SinkError(
          'wrong_stream',
          `NATS: subject "${this.#config.subject}" is captured by stream "${name}", not "${this.#config.stream}"`,
          false,
        );
      }
    } catch (error) {
      throw natsError(error, this.#config.subject);
    }
  }
}

/**
 * The client's TLS options. The client dials the checked addresses, so the certificate is
 * verified against the configured names instead: `servername`, or else any of the servers' host
 * names (a cluster's certificate names its members). Plain text is never a fallback: a server
 * without TLS fails the connection.
 */
function tlsOptions(config: NatsSinkConfig): TlsOptions {
  const names = config.servername
    ? [config.servername]
    : [...new Set(config.servers.map((server) => splitServer(server)[0]))];
  const sni = names.length === 1 && isIP(names[0]) === 0 ? names[0] : undefined;
  return {
    ...(config.ca ? { ca: config.ca } : {}),
    ...(config.cert && config.key ? { cert: config.cert, key: config.key } : {}),
    ...(sni ? { servername: sni } : {}),
    checkServerIdentity: (_address: string, cert: PeerCertificate) => {
      let refused: Error | undefined;
      for (const name of names) {
        const error = checkServerIdentity(name, cert);
        if (!error) return undefined;
        refused ??= error;
      }
      return refused;
    },
  } as TlsOptions;
}

/** `nats://host:port` or `host:port` → host and port (4222 by default). */
function splitServer(server: string): [string, number] {
  const bare = server.replace(/^nats:\/\//, '');
  const match = /^(.*?)(?::(\d+))?$/.exec(bare)!;
  return [match[1], match[2] ? Number(match[2]) : 4222];
}

/** A NATS JetStream sink. */
export function createNatsSink(config: NatsSinkConfig, guard: AddressGuard): Sink {
  return new NatsSink(config, guard);
}
