/**
 * `palisade export add|update|list|remove|replay|dead-letters|run|snapshot`: continuous exports managed
 * straight in the store (whoever can write the store file administers it), every change audited,
 * and the exporter run as a process of its own.
 */

import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Kysely, Transaction } from 'kysely';
import { parse as parseYaml } from 'yaml';
import { appendAudit } from '../audit/append-audit.js';
import type { AuditEvent } from '../audit/audit-entry.js';
import {
  exportCreatedAudit,
  exportDeletedAudit,
  exportUpdatedAudit,
} from '../audit/sink-change-audit.js';
import { updatedExportSettings } from '../export/export-update.js';
import { ExportConfigError, parseExportInput, scopeText } from '../export/exporter-config.js';
import { runExporter } from '../export/exporter-process.js';
import { writeSnapshot } from '../export/outbox/snapshot.js';
import { loadServerKey, ServerKeyError, type ServerKey } from '../server/auth/server-key.js';
import { isPostgresLocation, openStore } from '../store/database.js';
import {
  deadLetterCount,
  deliveryState,
  listDeadLetters,
  requestReplay,
  unreplayable,
} from '../store/delivery-repository.js';
import {
  deleteExport,
  exportConsumer,
  exportView,
  findExportRow,
  insertExport,
  listExportRows,
  updateExport,
} from '../store/export-repository.js';
import type { Database } from '../store/schema.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';

/** Options every export subcommand takes. */
export interface StoreOptions {
  db: string;
  keyFile?: string;
  json?: boolean;
}

/** A command-line mistake: printed as `palisade <command>: <message>`, exit 2. */
export class CliInputError extends Error {}

/**
 * True, after saying so on stderr, when `db` names an SQLite file that does not exist. A command
 * that only reads must not open it: a mistyped --db would get an empty store that hides the
 * mistake. `hint` tells the user how the store normally comes to exist.
 */
export function refuseMissingStore(command: string, db: string, hint: string): boolean {
  const path = db.replace(/^sqlite:/, '');
  if (isPostgresLocation(db) || path === ':memory:' || existsSync(path)) return false;
  process.stderr.write(
    `palisade ${command}: no store at ${path}; check --db (or PALISADE_DB), ${hint}\n`,
  );
  return true;
}

/** Runs `fn` with the store and server key open, mapping input errors to exit code 2. */
export async function withStore(
  command: string,
  options: StoreOptions,
  fn: (db: Kysely<Database>, key: ServerKey) => Promise<number>,
  /** Set for `add`: the first export may start the store. */
  { create = false }: { create?: boolean } = {},
): Promise<number> {
  if (!create && refuseMissingStore(command, options.db, 'or add an export first')) {
    return EXIT_INPUT_ERROR;
  }
  let key: ServerKey;
  try {
    key = loadServerKey({ storeLocation: options.db, keyFile: options.keyFile });
  } catch (error) {
    if (!(error instanceof ServerKeyError)) throw error;
    process.stderr.write(`palisade ${command}: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  return runOnStore(command, options, (db) => fn(db, key));
}

/**
 * `withStore` for commands that only read and show no secret: the server key is not loaded, so
 * a listing neither needs the key file nor creates one beside the store.
 */
export async function withStoreToRead(
  command: string,
  options: StoreOptions,
  fn: (db: Kysely<Database>) => Promise<number>,
): Promise<number> {
  if (refuseMissingStore(command, options.db, 'or add an export first')) return EXIT_INPUT_ERROR;
  return runOnStore(command, options, fn);
}

/** Opens the store, runs `fn`, maps input errors to exit code 2, and closes the store. */
async function runOnStore(
  command: string,
  options: StoreOptions,
  fn: (db: Kysely<Database>) => Promise<number>,
): Promise<number> {
  const db = await openStore(options.db);
  try {
    return await fn(db);
  } catch (error) {
    const known =
      error instanceof CliInputError ||
      error instanceof ExportConfigError ||
      error instanceof ServerKeyError ||
      (error as Error).name === 'AutomationConfigError';
    if (!known) throw error;
    process.stderr.write(`palisade ${command}: ${(error as Error).message}\n`);
    return EXIT_INPUT_ERROR;
  } finally {
    await db.destroy();
  }
}

/** What a command says about its change; the CLI user is the actor and it succeeded. */
type CliAuditFields = Omit<AuditEvent, 'actor' | 'outcome'>;

/**
 * Runs `change` and appends the CLI user's audit entry in the same transaction (the CLI's
 * `auditedChange`): both are stored or neither.
 */
export async function auditedCliChange<T>(
  db: Kysely<Database>,
  key: ServerKey,
  change: (trx: Transaction<Database>) => Promise<T>,
  fields: CliAuditFields | ((result: T) => CliAuditFields),
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const value = await change(trx);
    const event = typeof fields === 'function' ? fields(value) : fields;
    await appendAudit(
      trx,
      { ...event, actor: { kind: 'cli', name: userInfo().username }, outcome: 'success' },
      new Date(),
      key,
    );
    return value;
  });
}

/** A JSON or YAML object from a file, or from inline JSON. */
export function readObject(file: string | undefined, inline: string | undefined, what: string) {
  if (file && inline) throw new CliInputError(`give ${what} as a file or inline, not both`);
  if (!file && !inline) throw new CliInputError(`${what} is missing`);
  let text = inline ?? '';
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliInputError(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
  try {
    const value = file ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('expected an object');
    }
    return value as Record<string, unknown>;
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new CliInputError(
      `${file ?? `inline ${what}`}${line ? ` line ${line}` : ''}: ${(error as Error).message}`,
    );
  }
}

/** Prints `value` as JSON with `--json`, else `text` for people. */
export function printResult(options: { json?: boolean }, value: unknown, text: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : text);
}

export interface ExportAddOptions extends StoreOptions {
  name: string;
  sink?: string;
  sinkFile?: string;
  format?: string;
  types?: string;
  minSeverity?: string;
  scope?: string;
  maxAttempts?: number;
  batchSize?: number;
  snapshotMinutes?: number;
}

/** The export settings the options of `add` and `update` give, as API-shaped fields. */
function settingsGiven(options: Omit<ExportAddOptions, 'name'>): Record<string, unknown> {
  return {
    ...(options.format ? { format: options.format } : {}),
    ...(options.types ? { types: options.types.split(',').map((t) => t.trim()) } : {}),
    ...(options.minSeverity ? { minSeverity: options.minSeverity } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.snapshotMinutes !== undefined ? { snapshotMinutes: options.snapshotMinutes } : {}),
  };
}

/** `palisade export add`: stores an export; it carries changes from now on. */
export async function runExportAdd(options: ExportAddOptions): Promise<number> {
  return withStore(
    'export add',
    options,
    async (db, key) => {
      const sink = readObject(options.sinkFile, options.sink, 'the sink (--sink-file or --sink)');
      const settings = parseExportInput({
        name: options.name,
        sink,
        ...settingsGiven(options),
      });
      const row = await auditedCliChange(
        db,
        key,
        (trx) => insertExport(trx, settings, key, `cli:${userInfo().username}`, new Date()),
        (made) => exportCreatedAudit(made, settings),
      );
      const view = exportView(row);
      printResult(options, view, `${view.id}\n`);
      process.stderr.write(
        `Export ${view.id} (${view.name}) to ${row.sink_kind} in ${view.format}; ` +
          `secrets kept encrypted: ${view.secretFields.join(', ') || 'none'}.\n`,
      );
      return EXIT_OK;
    },
    { create: true },
  );
}

export interface ExportUpdateOptions extends Omit<ExportAddOptions, 'name'> {
  name?: string;
  enable?: boolean;
  disable?: boolean;
}

/** `palisade export update ID`: changes what the options name, keeping the export's place. */
export async function runExportUpdate(id: string, options: ExportUpdateOptions): Promise<number> {
  return withStore('export update', options, async (db, key) => {
    if (options.enable && options.disable) {
      throw new CliInputError('give --enable or --disable, not both');
    }
    const row = await existing(db, id);
    const patch: Record<string, unknown> = {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.enable || options.disable ? { enabled: options.enable === true } : {}),
      ...(options.sinkFile || options.sink
        ? { sink: readObject(options.sinkFile, options.sink, 'the sink (--sink-file or --sink)') }
        : {}),
      ...settingsGiven(options),
    };
    const settings = updatedExportSettings(row, key, patch);
    const changed = await auditedCliChange(
      db,
      key,
      (trx) => updateExport(trx, row, settings, key, new Date()),
      (after) => exportUpdatedAudit(row, after, key),
    );
    const view = exportView(changed);
    printResult(options, view, `${view.id}\n`);
    process.stderr.write(
      `Export ${view.id} (${view.name}) ${view.enabled ? 'enabled' : 'paused'}; ` +
        `to ${changed.sink_kind} in ${view.format}.\n`,
    );
    return EXIT_OK;
  });
}

/** `palisade export list`. */
export async function runExportList(options: StoreOptions): Promise<number> {
  return withStoreToRead('export list', options, async (db) => {
    const rows = await listExportRows(db);
    const items = [];
    for (const row of rows) {
      const state = await deliveryState(db, exportConsumer(row.id));
      items.push({
        ...exportView(row),
        delivery: {
          cursor: Number(state?.cursor_seq ?? 0),
          delivered: Number(state?.delivered ?? 0),
          attempts: state?.attempts ?? 0,
          lastError: state?.last_error ?? null,
        },
        deadLetters: await deadLetterCount(db, exportConsumer(row.id)),
      });
    }
    const text = items
      .map(
        (e) =>
          `${e.id}  ${e.name}  ${String(e.sink.kind)}/${e.format}  scope ${scopeText(e.scope)}  ` +
          `types ${e.types.join(',')}${e.minSeverity ? `  >= ${e.minSeverity}` : ''}  ` +
          `delivered ${e.delivery.delivered}${e.deadLetters ? `  dead letters ${e.deadLetters}` : ''}` +
          `${e.delivery.lastError ? `  last error: ${e.delivery.lastError}` : ''}${e.enabled ? '' : '  (disabled)'}\n`,
      )
      .join('');
    printResult(options, items, text || 'No exports.\n');
    return EXIT_OK;
  });
}

async function existing(db: Kysely<Database>, id: string) {
  const row = await findExportRow(db, id);
  if (!row) throw new CliInputError(`no export ${id}; see palisade export list`);
  return row;
}

/** `palisade export remove ID`. */
export async function runExportRemove(id: string, options: StoreOptions): Promise<number> {
  return withStore('export remove', options, async (db, key) => {
    const row = await existing(db, id);
    await auditedCliChange(
      db,
      key,
      (trx) => deleteExport(trx, row.id),
      exportDeletedAudit(row, key),
    );
    process.stderr.write(`Removed export ${row.id} (${row.name}).\n`);
    return EXIT_OK;
  });
}

/** `palisade export dead-letters ID`. */
export async function runExportDeadLetters(
  id: string,
  options: StoreOptions & { status?: string; limit: number },
): Promise<number> {
  return withStoreToRead('export dead-letters', options, async (db) => {
    const row = await existing(db, id);
    return printDeadLetters(db, exportConsumer(row.id), options);
  });
}

/** Prints a consumer's dead letters (an export's or an automation rule's), newest first. */
export async function printDeadLetters(
  db: Kysely<Database>,
  consumer: string,
  options: { status?: string; limit: number; json?: boolean },
): Promise<number> {
  if (options.status && !['dead', 'replay', 'replayed'].includes(options.status)) {
    throw new CliInputError('--status must be dead, replay or replayed');
  }
  const letters = await listDeadLetters(db, consumer, {
    ...(options.status ? { status: options.status as 'dead' } : {}),
    limit: options.limit,
  });
  const text = letters
    .map(
      (l) =>
        `${l.id}  ${l.status}  ${l.record_id}  attempts ${l.attempts}  ${l.failed_at}  ${l.error}\n`,
    )
    .join('');
  printResult(options, letters, text || 'No dead letters.\n');
  return EXIT_OK;
}

/** `palisade export replay ID [--id N ...]`: queues dead letters to be sent again. */
export async function runExportReplay(
  id: string,
  options: StoreOptions & { id: number[] },
): Promise<number> {
  return withStore('export replay', options, async (db, key) => {
    const row = await existing(db, id);
    return replayDeadLetters(db, key, exportConsumer(row.id), options.id, {
      kind: 'export',
      id: row.id,
    });
  });
}

/**
 * Fails naming the ids of `ids` that are no dead letter of `consumer`, or that are not dead (queued
 * or replayed already), so a mistyped id is not taken for a replay of nothing.
 */
async function refuseUnreplayable(
  db: Kysely<Database>,
  consumer: string,
  ids: readonly number[],
  target: { kind: 'export' | 'automation'; id: string },
): Promise<void> {
  const why = await unreplayable(db, consumer, ids, `${target.kind} ${target.id}`);
  if (why) throw new CliInputError(`${why}; see palisade ${target.kind} dead-letters ${target.id}`);
}

/**
 * Queues a consumer's dead letters (`ids`, or all) to be sent again, audited as
 * `<kind>.replay`.
 */
export async function replayDeadLetters(
  db: Kysely<Database>,
  key: ServerKey,
  consumer: string,
  only: number[],
  target: { kind: 'export' | 'automation'; id: string },
): Promise<number> {
  const ids = only.length ? only : undefined;
  if (ids) await refuseUnreplayable(db, consumer, ids, target);
  const queued = await auditedCliChange(
    db,
    key,
    (trx) => requestReplay(trx, consumer, ids),
    (n) => ({
      action: `${target.kind}.replay`,
      target,
      details: { queued: n, ids: ids ?? 'all' },
    }),
  );
  process.stderr.write(
    `Queued ${queued} dead letter(s) of ${target.id}; the exporter sends them first.\n`,
  );
  return EXIT_OK;
}

/** `palisade export snapshot ID`: writes the current state for the export now. */
export async function runExportSnapshot(id: string, options: StoreOptions): Promise<number> {
  return withStore('export snapshot', options, async (db, key) => {
    const row = await existing(db, id);
    const now = new Date();
    const counts = await writeSnapshot(
      db,
      row.id,
      `${row.id}:manual:${now.toISOString()}`,
      now,
      exportView(row),
    );
    await auditedCliChange(db, key, async () => undefined, {
      action: 'export.snapshot',
      target: { kind: 'export', id: row.id },
      details: { ...counts },
    });
    printResult(
      options,
      counts,
      `Snapshot ${counts.snapshotId}: ${counts.alert} alerts, ${counts.recommendation} ` +
        `recommendations, ${counts.secure_score} scores, ${counts.compliance} compliance controls.\n`,
    );
    return EXIT_OK;
  });
}

/** `palisade export run`: the exporter alone, until SIGINT/SIGTERM (or one pass with --once). */
export async function runExportRun(
  options: StoreOptions & {
    once?: boolean;
    owner?: string;
    allow: string[];
    /** Seconds, checked by the command line. */
    sendTimeout?: number;
  },
): Promise<number> {
  try {
    if (!options.once) {
      process.stderr.write(
        `palisade export run: delivering from ${options.db}; Ctrl-C stops (exports another exporter holds, such as palisade serve, are left to it)\n`,
      );
    }
    const result = await runExporter({
      store: options.db,
      ...(options.keyFile ? { keyFile: options.keyFile } : {}),
      ...(options.owner ? { owner: options.owner } : {}),
      allow: options.allow,
      once: options.once,
      ...(options.sendTimeout ? { sendTimeoutMs: options.sendTimeout * 1000 } : {}),
    });
    if (result)
      printResult(
        options,
        result,
        `Delivered ${result.delivered}, dead-lettered ${result.deadLettered}, replayed ${result.replayed}, failed batches ${result.failures}.\n` +
          (result.leasedElsewhere > 0
            ? `${result.leasedElsewhere} export(s) or automation rule(s) skipped: another exporter (palisade serve, or another export run) holds them.\n`
            : ''),
      );
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ServerKeyError)) throw error;
    process.stderr.write(`palisade export run: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
}
