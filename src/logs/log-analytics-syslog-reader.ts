/**
 * Syslog rows exported from Azure Monitor / Sentinel's `Syslog` table (JSON with SyslogMessage,
 * ProcessName, HostName): the message is read like an auth.log line, or, from Sysmon for Linux,
 * as the XML event it holds (see `sysmon-linux.ts`).
 */

import type { LogEvent } from '../model/event.js';
import { authMeaning, programService } from './auth-message.js';
import { jsonLogReader, mapEach } from './json-log-reader.js';
import type { JsonMapping, JsonPlace } from './json-log-reader.js';
import { asObject, str } from './record-fields.js';
import { fieldTime } from './record-time.js';
import { isSysmonMessage, readSysmonMessage } from './sysmon-linux.js';

const HEAD = /"SyslogMessage"\s*:/;

/** Reads Log Analytics Syslog rows. */
export const logAnalyticsSyslogReader = jsonLogReader({
  kind: 'log-analytics-syslog',
  detect: (sample) => HEAD.test(sample.head),
  toEvents: syslogRowEvents,
});

/** Maps one parsed value: a row, a list of rows or a query result page. */
export function syslogRowEvents(value: unknown, place: JsonPlace): JsonMapping {
  if (Array.isArray(value)) return mapEach(value, place, syslogRowEvents);
  const row = asObject(value);
  if (!row) return ['not a Syslog row: expected a JSON object'];
  const message = str(row.SyslogMessage) ?? '';
  // Log Analytics times are UTC.
  const read = fieldTime([
    ['EventTime', row.EventTime],
    ['TimeGenerated', row.TimeGenerated],
  ]);
  if (!read) return ['Syslog row has no EventTime or TimeGenerated'];
  if (read.refused !== undefined) return [`Syslog row: ${read.refused}`];
  const time = read.time;

  const program = str(row.ProcessName);
  if (isSysmonMessage(message)) return [sysmonEvent(row, message, time, place)];
  const meaning = program ? authMeaning(program, message) : undefined;
  const fields: Record<string, unknown> = { ...row };
  if (meaning) Object.assign(fields, meaning.fields);
  const event: LogEvent = {
    time,
    source: {
      reader: 'log-analytics-syslog',
      product: 'linux',
      service: (program ? programService(program) : undefined) ?? (meaning ? 'auth' : 'syslog'),
      file: place.file,
      line: place.line,
    },
    host: str(row.HostName) ?? str(row.Computer),
    action: meaning?.action ?? program,
    actor: meaning?.actor,
    sourceIp: meaning?.sourceIp,
    target: meaning?.target,
    outcome: meaning?.outcome,
    fields,
  };
  return [event];
}

/** A row holding a Sysmon for Linux event: its data are the fields, its id the category. */
function sysmonEvent(
  row: Record<string, unknown>,
  message: string,
  rowTime: string,
  place: JsonPlace,
): LogEvent | string {
  const sysmon = readSysmonMessage(message);
  if (typeof sysmon === 'string') return sysmon;
  const { fields } = sysmon;
  // Sysmon's own SystemTime (UTC) when it has one, else the row's.
  const read = fieldTime([['SystemTime', sysmon.time]]);
  if (read?.refused !== undefined) return `Sysmon event: ${read.refused}`;
  return {
    time: read?.time ?? rowTime,
    source: {
      reader: 'log-analytics-syslog',
      product: 'linux',
      service: 'sysmon',
      ...(sysmon.category ? { category: sysmon.category } : {}),
      file: place.file,
      line: place.line,
    },
    host: str(row.HostName) ?? str(row.Computer),
    action: sysmon.category ?? `sysmon-${sysmon.eventId}`,
    actor: fields.User,
    sourceIp: remoteAddress(fields),
    fields: { ...row, ...fields },
  };
}

/**
 * The other end of a network event: the destination of a connection this host opened (a reverse
 * shell's listener), else the source; never an unspecified address (`::`, `0.0.0.0`).
 */
function remoteAddress(fields: Record<string, string>): string | undefined {
  const address = fields.Initiated === 'true' ? fields.DestinationIp : fields.SourceIp;
  if (!address || /^[0:.]+$/.test(address)) return undefined;
  return address;
}
