/**
 * The text Sigma keyword search reads of an event: every string of its fields, except that a
 * syslog message is read as the program logged it, `program[pid]: message`.
 */

import { collectStrings } from './field-path.js';

/** Where a reader keeps a syslog message's tag (program, pid) and text. */
interface SyslogShape {
  program: string;
  /** Fields that may hold the pid, the first one set wins. */
  pid: readonly string[];
  message: string;
  /** Set for `sshd(pam_unix)` tags, which the syslog reader splits into program and module. */
  module?: string;
}

/**
 * Readers of syslog messages, by name. Their message field drops the `program[pid]:` tag, which
 * keyword rules count on (SigmaHQ's `' exiting (due to fatal error)'` starts after `named[1]:`).
 */
const SYSLOG_SHAPES: Record<string, SyslogShape> = {
  syslog: { program: 'program', pid: ['pid'], message: 'message', module: 'pamModule' },
  journald: { program: 'SYSLOG_IDENTIFIER', pid: ['SYSLOG_PID', '_PID'], message: 'MESSAGE' },
  'log-analytics-syslog': { program: 'ProcessName', pid: ['ProcessID'], message: 'SyslogMessage' },
};

/**
 * Every string keyword search reads in an event from `reader`. A syslog event's message is
 * replaced by the message with its tag, as RFC 3164's MSG part and every syslog file carry it;
 * the time and host stay separate strings, so a keyword is never matched across them.
 *
 * ```ts
 * keywordStrings('syslog', { host: 'ns1', program: 'named', pid: 7, message: 'exiting' });
 * // ['ns1', 'named', '7', 'named[7]: exiting']
 * ```
 */
export function keywordStrings(reader: string, fields: Record<string, unknown>): string[] {
  const shape = SYSLOG_SHAPES[reader];
  if (
    shape === undefined ||
    typeof fields[shape.program] !== 'string' ||
    typeof fields[shape.message] !== 'string'
  ) {
    return collectStrings(fields);
  }

  const out: string[] = [];
  for (const key in fields) {
    if (key === shape.message) out.push(taggedMessage(fields, shape));
    else collectStrings(fields[key], out, 1);
  }
  return out;
}

/** `program(module)[pid]: message`, the parts that are missing left out. */
function taggedMessage(fields: Record<string, unknown>, shape: SyslogShape): string {
  const module = shape.module === undefined ? undefined : fields[shape.module];
  const pid = shape.pid.map((name) => fields[name]).find((v) => v !== undefined && v !== '');
  let tag = fields[shape.program] as string;
  if (typeof module === 'string') tag += `(${module})`;
  if (typeof pid === 'number' || typeof pid === 'string') tag += `[${pid}]`;
  return `${tag}: ${fields[shape.message] as string}`;
}
