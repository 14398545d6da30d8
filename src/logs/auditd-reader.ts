/**
 * Linux audit logs (auditd raw format): the records of one event (SYSCALL, EXECVE, CWD, PATH,
 * PROCTITLE, ...) share `msg=audit(time:serial)` and are merged into one event, even when events
 * interleave, within a bounded window of pending events.
 */

import { isIP } from 'node:net';
import type { LogEvent } from '../model/event.js';
import { parseAuditRecord } from './auditd-record.js';
import type { AuditRecord } from './auditd-record.js';
import { linesOf, overlongMessage, OverlongLine } from './line-input.js';
import { LogReadError } from './log-read-error.js';
import type { LogInput, LogItem, LogReader, ReadContext } from './log-reader.js';

/** Most events held open at once; the oldest is emitted when one more arrives. */
export const MAX_PENDING_EVENTS = 256;
/** Lines after which an event with no new record is taken as complete. */
export const MAX_EVENT_SPAN_LINES = 128;

const HEAD = /^(?:node=\S+ )?type=[A-Za-z0-9_[\]]+ msg=audit\(\d+\.\d+:\d+\)/m;
const UNSET_ID = '4294967295';

/** Reads auditd raw logs into one event per audit event. */
export const auditdReader: LogReader = {
  kind: 'auditd',
  detect: (sample) => HEAD.test(sample.head),
  read: readAuditd,
};

interface Pending {
  records: AuditRecord[];
  line: number;
  lastLine: number;
}

async function* readAuditd(input: LogInput, context: ReadContext): AsyncGenerator<LogItem> {
  const pending = new Map<string, Pending>();
  let lineNo = 0;

  for await (const line of linesOf(input)) {
    lineNo++;
    if (line instanceof OverlongLine) {
      const message = overlongMessage(line.length);
      yield new LogReadError({ file: context.file, line: lineNo, code: 'TOO_LARGE', message });
      continue;
    }
    if (line.trim().length === 0) continue;
    const record = parseAuditRecord(line);
    if (!record) {
      const message = 'not an audit record: expected type=... msg=audit(time:serial):';
      yield new LogReadError({ file: context.file, line: lineNo, code: 'PARSE_ERROR', message });
      continue;
    }

    const key = `${record.node ?? ''}|${record.seconds}.${record.milliseconds}:${record.serial}`;
    if (record.type === 'EOE') {
      const done = pending.get(key);
      pending.delete(key);
      if (done) yield auditEvent(done, context.file);
      continue;
    }
    const open = pending.get(key);
    if (open) {
      open.records.push(record);
      open.lastLine = lineNo;
    } else {
      pending.set(key, { records: [record], line: lineNo, lastLine: lineNo });
    }
    yield* flushStale(pending, lineNo, context.file);
  }

  for (const event of pending.values()) yield auditEvent(event, context.file);
}

/** Emits events idle for too many lines, and the oldest ones beyond the pending cap. */
function* flushStale(
  pending: Map<string, Pending>,
  lineNo: number,
  file: string,
): Generator<LogEvent> {
  for (const [key, event] of pending) {
    const stale = lineNo - event.lastLine > MAX_EVENT_SPAN_LINES;
    if (!stale && pending.size <= MAX_PENDING_EVENTS) break;
    pending.delete(key);
    yield auditEvent(event, file);
  }
}

/**
 * One merged audit event. `fields` holds every record under `records`, and flat the keys Sigma's
 * auditd rules use: `type` (every record type), the SYSCALL record's fields, EXECVE's `a0..aN`
 * (replacing SYSCALL's register arguments, which stay in `records`), `name` from PATH records.
 */
// Known gap: raw logs give syscall numbers only; the `SYSCALL` name Sigma rules use exists only in
// enriched logs (no per-architecture syscall table is applied).
function auditEvent(pending: Pending, file: string): LogEvent {
  const { records } = pending;
  const first = records[0];
  const types = [...new Set(records.map((r) => r.type))];
  const flat: Record<string, unknown> = {};
  for (const record of records) {
    if (record.type === 'PATH' || record.type === 'EXECVE') continue;
    for (const [k, v] of Object.entries(record.fields)) if (!(k in flat)) flat[k] = v;
  }

  const execve = records.find((r) => r.type === 'EXECVE');
  if (execve) {
    Object.assign(flat, execve.fields);
    const argc = Number(execve.fields.argc);
    const args = Array.from(
      { length: Number.isFinite(argc) ? Math.min(argc, 4096) : 0 },
      (_, i) => execve.fields[`a${i}`],
    );
    flat.cmdline = args.filter((a) => a !== undefined).join(' ');
  }
  const names = records
    .filter((r) => r.type === 'PATH')
    .map((r) => r.fields.name)
    .filter((n) => n !== undefined);
  if (names.length > 0) flat.name = names.length === 1 ? names[0] : names;

  const fields: Record<string, unknown> = {
    ...flat,
    type: types.length === 1 ? types[0] : types,
    serial: first.serial,
    records: records.map((r) => ({ type: r.type, ...r.fields })),
  };
  if (first.node) fields.node = first.node;

  const primary = execve ? 'EXECVE' : first.type;
  const addr = typeof flat.addr === 'string' && isIP(flat.addr) ? flat.addr : undefined;
  return {
    time: new Date(first.seconds * 1000 + first.milliseconds).toISOString(),
    source: { reader: 'auditd', product: 'linux', service: 'auditd', file, line: pending.line },
    actor: actorOf(flat),
    sourceIp: addr,
    action: primary.toLowerCase(),
    // An execve's PATH record is the program itself, which `exe` already names.
    process: str(flat.exe),
    filePath: !execve && typeof fields.name === 'string' ? str(fields.name) : undefined,
    outcome: outcomeOf(flat),
    host: first.node ?? str(flat.hostname && flat.hostname !== '?' ? flat.hostname : undefined),
    fields,
  };
}

function actorOf(flat: Record<string, unknown>): string | undefined {
  // Enriched logs carry the names (AUID="root"); raw logs only the numbers.
  const auid = str(flat.AUID) ?? (flat.auid !== UNSET_ID ? str(flat.auid) : undefined);
  return auid ?? str(flat.acct) ?? str(flat.UID) ?? str(flat.uid);
}

function outcomeOf(flat: Record<string, unknown>): 'success' | 'failure' | undefined {
  const result = str(flat.success) ?? str(flat.res);
  if (!result) return undefined;
  if (/^(yes|success|1)$/i.test(result)) return 'success';
  if (/^(no|failed|0)$/i.test(result)) return 'failure';
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
