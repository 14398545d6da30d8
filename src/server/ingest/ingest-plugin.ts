/**
 * Starts continuous detection with the server: the detection service, the syslog listener and
 * file tailers from `ingest` configuration; stops them (writing what is left) when it closes.
 */

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { stat } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import {
  loadTailPositions,
  saveTailPositions,
  type TailPosition,
} from '../../store/tail-positions.js';
import { ConfigError, type ServerConfig } from '../config.js';
import { DetectionService } from './detection-service.js';
import { FileTailer } from './file-tailer.js';
import { pickFormat, READER_KINDS, readInto, type IntakeFormat } from './record-intake.js';
import { startSyslogListener, type SyslogListener } from './syslog-listener.js';
import { checkTimeZone } from '../../logs/time-zone.js';

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
  pollMs: number | undefined,
  resume: TailPosition | undefined,
): Promise<FileTailer> {
  const { service } = runtime;
  let format: IntakeFormat | undefined;
  let lineBase = 0;
  let unknown = false;
  const tailer = new FileTailer(entry.path, {
    fromStart: entry.fromStart,
    resume,
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
        timeZone: entry.timeZone,
      });
    },
  });
  await tailer.start();
  return tailer;
}

/** Refuses a time zone setting that names no IANA zone. */
function checkZone(setting: string, zone: string): void {
  try {
    checkTimeZone(zone);
  } catch (error) {
    throw new ConfigError(setting, (error as Error).message);
  }
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
    if (spec.timeZone !== undefined) checkZone(`ingest.tail[${i}].timeZone`, spec.timeZone);
    const info = await stat(spec.path).catch(() => undefined);
    if (info?.isDirectory()) {
      throw new ConfigError(`ingest.tail[${i}].path`, `${spec.path} is a directory, not a file`);
    }
  }
}

/**
 * Refuses a rules path that does not exist or cannot be read, as `palisade detect --rules` does:
 * the server would otherwise run with the built-in detections alone.
 */
async function checkRules(paths: string[]): Promise<void> {
  for (const [i, path] of paths.entries()) {
    const problem = await stat(path).then(
      () => undefined,
      (error: NodeJS.ErrnoException) =>
        error.code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${error.code})`,
    );
    if (problem) throw new ConfigError(`ingest.rules[${i}]`, `${path}: ${problem}`);
  }
}

async function ingestPlugin(app: FastifyInstance): Promise<void> {
  const { db, logger, config, clock } = app.palisade;
  const ingest: IngestConfig = config.ingest ?? {};
  await checkRules(ingest.rules ?? []);
  await checkTail(ingest.tail ?? []);
  if (ingest.syslog?.timeZone !== undefined) {
    checkZone('ingest.syslog.timeZone', ingest.syslog.timeZone);
  }
  const service = await DetectionService.start({
    db,
    logger,
    ruleDirs: ingest.rules,
    strictRules: ingest.strictRules,
    placeholders: ingest.placeholders,
    flushIntervalMs: ingest.flushIntervalMs,
    receiptWindowMs:
      ingest.repeats?.hours === undefined ? undefined : ingest.repeats.hours * 3_600_000,
    maxReceipts: ingest.repeats?.maxRecords,
    now: () => clock.now().getTime(),
  });
  const runtime: IngestRuntime = { service, config: ingest, tailers: [] };
  app.decorate('ingest', runtime);
  let checkpoints: { timer: NodeJS.Timeout; positions: TailCheckpoints } | undefined;
  app.addHook('onClose', async () => {
    await runtime.syslog?.close();
    await Promise.all(runtime.tailers.map((t) => t.stop()));
    await service.close();
    if (checkpoints) {
      clearInterval(checkpoints.timer);
      await checkpoints.positions.save();
    }
  });

  const syslog = ingest.syslog;
  if (syslog && (syslog.udpPort !== undefined || syslog.tcpPort !== undefined)) {
    runtime.syslog = await startSyslogListener(service, logger, syslog);
    logger.info(
      { udp: runtime.syslog.udpPort, tcp: runtime.syslog.tcpPort, tls: !!syslog.tls },
      'syslog listener started',
    );
  }
  const specs = ingest.tail ?? [];
  const saved = await loadTailPositions(
    db,
    specs.map((s) => s.path),
  );
  for (const spec of specs) {
    const tailer = await startTailer(runtime, spec, ingest.tailPollMs, saved.get(spec.path));
    runtime.tailers.push(tailer);
    if (tailer.resumed) {
      const position = saved.get(spec.path)!;
      logger.info(
        { path: spec.path, offset: position.offset, outcome: tailer.resumed },
        TAIL_RESUMED[tailer.resumed],
      );
    }
  }
  if (specs.length > 0) {
    const positions = new TailCheckpoints(db, service, runtime.tailers, logger);
    const timer = setInterval(() => void positions.save(), ingest.flushIntervalMs ?? 1_000);
    timer.unref();
    checkpoints = { timer, positions };
  }
  logger.info({ rules: service.rules }, 'continuous detection started');
}

const TAIL_RESUMED: Record<NonNullable<FileTailer['resumed']>, string> = {
  resumed: 'tail: reading on from the saved position',
  rotated: 'tail: rotated while stopped; reading the rest of the old file, then the new one',
  'rotated-lost':
    'tail: rotated while stopped and the old file is gone; reading the new one from its start',
  rewritten: 'tail: truncated or rewritten while stopped; reading it from its start',
};

/**
 * Saves the tailers' read positions once the alerts of the lines before them are stored (a
 * position is taken first, then the alerts are written, then it is saved): a restart reads on
 * from there, so lines are read at least once. Open correlation windows are not saved: failures
 * counted before a stop do not add up with those after it.
 */
class TailCheckpoints {
  readonly #saved = new Map<string, string>();
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly service: DetectionService,
    private readonly tailers: FileTailer[],
    private readonly logger: FastifyInstance['log'],
  ) {}

  save(): Promise<void> {
    this.#running = this.#running.then(() => this.#save());
    return this.#running;
  }

  async #save(): Promise<void> {
    const changed: TailPosition[] = [];
    for (const tailer of this.tailers) {
      const p = tailer.position();
      if (p && this.#saved.get(p.path) !== `${p.inode}:${p.offset}`) changed.push(p);
    }
    if (changed.length === 0) return;
    try {
      if (!(await this.service.checkpoint())) return;
      await saveTailPositions(this.db, changed, new Date());
      for (const p of changed) this.#saved.set(p.path, `${p.inode}:${p.offset}`);
    } catch (error) {
      this.logger.error({ err: error }, 'tail: read positions could not be saved');
    }
  }
}

/** The plugin, shared with the routes registered beside it (not encapsulated). */
export const ingest = fp(ingestPlugin, { name: 'palisade-ingest' });
