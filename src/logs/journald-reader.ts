/**
 * systemd journal exports (`journalctl -o json`): one JSON object a line, timestamps in
 * microseconds, MESSAGE a string or (for non-UTF-8 text) an array of bytes.
 */

import type { LogEvent } from '../model/event.js';
import { authMeaning, programService } from './auth-message.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, str } from './record-fields.js';
import { fieldTime } from './record-time.js';

const HEAD = /"__REALTIME_TIMESTAMP"\s*:/;

/** Reads journald JSON exports. */
export const journaldReader = jsonLogReader({
  kind: 'journald',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: journaldEvents,
});

/** Maps one parsed value: a journal entry or a list of entries. */
export function journaldEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, journaldEvents);
  const entry = asObject(value);
  if (!entry) return ['not a journal entry: expected a JSON object'];
  // `journalctl -o json` writes both as strings of microseconds since 1970.
  const read = fieldTime([
    ['__REALTIME_TIMESTAMP', entry.__REALTIME_TIMESTAMP, { epoch: 'us' }],
    ['_SOURCE_REALTIME_TIMESTAMP', entry._SOURCE_REALTIME_TIMESTAMP, { epoch: 'us' }],
  ]);
  if (!read) return ['journal entry has no __REALTIME_TIMESTAMP'];
  if (read.refused !== undefined) {
    const cursor = str(entry.__CURSOR);
    return [`journal entry${cursor ? ` ${cursor}` : ''}: ${read.refused}`];
  }
  const time = read.time;

  const message = messageText(entry.MESSAGE);
  const program = str(entry.SYSLOG_IDENTIFIER) ?? str(entry._COMM);
  const meaning = program && message !== undefined ? authMeaning(program, message) : undefined;
  const fields: Record<string, unknown> = { ...entry };
  if (message !== undefined && typeof entry.MESSAGE !== 'string') fields.message = message;
  if (meaning) Object.assign(fields, meaning.fields);

  const event: LogEvent = {
    time,
    source: {
      reader: 'journald',
      product: 'linux',
      service: (program ? programService(program) : undefined) ?? (meaning ? 'auth' : 'syslog'),
      file: place.file,
      line: place.line,
    },
    host: str(entry._HOSTNAME),
    action: meaning?.action ?? program,
    actor: meaning?.actor,
    sourceIp: meaning?.sourceIp,
    target: meaning?.target,
    outcome: meaning?.outcome,
    fields,
  };
  return [event];
}

/** MESSAGE as text: journald writes non-UTF-8 messages as byte arrays. */
function messageText(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (!Array.isArray(message) || message.length > 1 << 20) return undefined;
  if (!message.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return undefined;
  return Buffer.from(message as number[]).toString('utf8');
}
