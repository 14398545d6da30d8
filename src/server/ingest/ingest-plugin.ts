/**
 * Starts continuous detection with the server: the detection service, the syslog listener and
 * file tailers from `ingest` configuration; stops them (writing what is left) when it closes.
 */

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { stat } from 'node:fs/promises';
import { ConfigError, type ServerConfig } from '../config.js';
import { DetectionService } from './detection-service.js';
import { FileTailer } from './file-tailer.js';
import { pickFormat, READER_KINDS, readInto, type IntakeFormat } from './record-intake.js';
import { startSyslogListener, type SyslogListener } from './syslog-listener.js';

/** The ingestion configuration with its defaults. */
export type IngestConfig = NonNullable<ServerConfig['ingest']>;

/** Limits of `POST /events`. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024;

/** What runs while the server does. */
export interface IngestRuntime {
  service: DetectionService;
  config: IngestConfig;
  syslog?: SyslogListener;
  tailers: FileTailer[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Continuous detection: the service and its intakes. */
    ingest: IngestRuntime;
  }
}

/** One followed file of the configuration. */
type TailSpec = NonNullable<IngestConfig['tail']>[number];

async function startTailer(
  runtime: IngestRuntime,
  entry: TailSpec,
  pollMs?: number,
): Promise<FileTailer> {
  const { service } = runtime;
  let format: IntakeFormat | undefined;
  let lineBase = 0;
  let unknown = false;
  const tailer = new FileTailer(entry.path, {
    fromStart: entry.fromStart,
    pollMs,
    onError: () => service.count('tail', 0, 1),
    onLines: async (lines) => {
      format ??= pickFormat(lines.slice(0, 200).join('\n'), entry.type);
      const base = lineBase;
      lineBase += lines.length;
      if (!format) {
        // Known gap: a file no reader recognises in its first lines is not sniffed again.
        if (!unknown) service.count('tail', 0, 1);
        unknown = true;
        return;
      }
      await readInto(service, format, lines, {
        file: entry.path,
        intake: 'tail',
        lineBase: base,
      });
    },
  });
  await tailer.start();
  return tailer;
}

/**
 * Refuses tail entries that could never be read: a reader that does not exist, or a path that is
 * a directory. A path that does not exist yet is fine: it is read once it appears.
 */
async function checkTail(specs: TailSpec[]): Promise<void> {
  for (const [i, spec] of specs.entries()) {
    if (spec.type !== undefined && !READER_KINDS.includes(spec.type)) {
      throw new ConfigError(
        `ingest.tail[${i}].type`,
        `no reader '${spec.type}'; one of ${READER_KINDS.join(', ')}`,
      );
    }
    const info = await stat(spec.path).catch(() => undefined);
    if (info?.isDirectory()) {
      throw new ConfigError(`ingest.tail[${i}].path`, `${spec.path} is a directory, not a file`);
    }
  }
}

async function ingestPlugin(app: FastifyInstance): Promise<void> {
  const { db, logger, config } = app.palisade;
  const ingest: IngestConfig = config.ingest ?? {};
  await checkTail(ingest.tail ?? []);
  const service = await DetectionService.start({
    db,
    logger,
    ruleDirs: ingest.rules,
    placeholders: ingest.placeholders,
    flushIntervalMs: ingest.flushIntervalMs,
  });
  const runtime: IngestRuntime = { service, config: ingest, tailers: [] };
  app.decorate('ingest', runtime);
  app.addHook('onClose', async () => {
    await runtime.syslog?.close();
    await Promise.all(runtime.tailers.map((t) => t.stop()));
    await service.close();
  });

  const syslog = ingest.syslog;
  if (syslog && (syslog.udpPort !== undefined || syslog.tcpPort !== undefined)) {
    runtime.syslog = await startSyslogListener(service, logger, syslog);
    logger.info(
      { udp: runtime.syslog.udpPort, tcp: runtime.syslog.tcpPort, tls: !!syslog.tls },
      'syslog listener started',
    );
  }
  for (const spec of ingest.tail ?? []) {
    runtime.tailers.push(await startTailer(runtime, spec, ingest.tailPollMs));
  }
  logger.info({ rules: service.rules }, 'continuous detection started');
}

/** The plugin, shared with the routes registered beside it (not encapsulated). */
export const ingest = fp(ingestPlugin, { name: 'palisade-ingest' });
