/**
 * IBM QRadar Log Event Extended Format 2.0: `LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|`
 * then `key=value` attributes separated by the delimiter. LEEF has no escape sequence, so a value
 * never carries the delimiter, a line break or a tab (each becomes a space), and header fields
 * never carry a pipe. Keys are LEEF's predefined attributes (cat, devTime, devTimeFormat, sev,
 * usrName, src, resource, url) plus Palisade's own, alphanumeric and never a predefined name.
 */

import { isIP } from 'node:net';
import type { ExportRecord } from '../../model/export-record.js';
import { VERSION } from '../../version.js';
import { consoleLink } from '../console-link.js';
import { alertAccount } from './alert-account.js';
import { CEF_SEVERITY } from './cef.js';
import { summarize } from './record-summary.js';
import { sourceAddress } from './source-address.js';

/** LEEF's own time format spelling (Java SimpleDateFormat) for an ISO 8601 UTC time. */
export const LEEF_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX";

/** Options for the LEEF body. */
export interface LeefOptions {
  /** One character; `^` by default. Written in the header as itself, or `xHH` for a tab. */
  delimiter?: string;
  consoleUrl?: string;
}

/** A header field: pipes and line breaks cannot be carried, so they become spaces. */
export function leefHeaderField(value: string): string {
  return value.replace(/[|\r\n\t]/g, ' ');
}

/** An attribute value: the delimiter, tabs and line breaks become spaces. */
export function leefValue(value: string, delimiter: string): string {
  let out = value.replace(/[\r\n\t]/g, ' ');
  if (delimiter !== ' ') out = out.split(delimiter).join(' ');
  return out;
}

/** The delimiter as the header's sixth field names it: the character, or `x09`-style hex. */
export function leefDelimiterField(delimiter: string): string {
  const code = delimiter.codePointAt(0) ?? 0x5e;
  const printable = code > 0x20 && code < 0x7f && delimiter !== '|' && delimiter !== '=';
  return printable ? delimiter : `x${code.toString(16).padStart(2, '0')}`;
}

function attributes(record: ExportRecord, consoleUrl?: string): [string, string | number][] {
  const summary = summarize(record);
  const pairs: [string, string | number | undefined][] = [
    ['cat', summary.eventId],
    ['devTime', new Date(Date.parse(record.occurredAt)).toISOString()],
    ['devTimeFormat', LEEF_TIME_FORMAT],
    ['sev', Math.max(1, CEF_SEVERITY[summary.severity])],
    ['name', summary.title],
    ['recordId', record.id],
    ['subject', summary.subject],
    ['state', summary.state],
    ['previousState', summary.previousState],
    ['accounts', record.accounts.join(',') || undefined],
    ['url', consoleUrl ? consoleLink(consoleUrl, summary.consolePage) : undefined],
  ];
  if (record.type === 'alert') {
    const { alert } = record.data;
    // `src` is an address QRadar parses; one it cannot (leading zeros) goes as logged in a
    // custom key.
    const source = sourceAddress(alert.entities, (text) => isIP(text) !== 0);
    pairs.push(
      ['usrName', alertAccount(alert.entities)],
      ['src', source.address],
      ['sourceAddress', source.text],
      ['identHostName', alert.entities.find((e) => e.kind === 'host')?.value],
      // LEEF has no key for a source named by host name (sshd with UseDNS): a custom one.
      ['srcHostName', alert.entities.find((e) => e.kind === 'remote-host')?.value],
      ['ruleId', alert.rule.id],
      ['eventCount', alert.eventCount],
      ['tactics', alert.attack.tactics.join(',') || undefined],
      ['techniques', alert.attack.techniques.join(',') || undefined],
      ['incidentId', alert.incidentId],
    );
  } else if (record.type === 'incident') {
    const { incident } = record.data;
    pairs.push(
      ['incidentId', incident.id],
      ['eventCount', incident.alerts.length],
      ['tactics', incident.tactics.join(',') || undefined],
    );
  } else if (record.type === 'recommendation') {
    pairs.push(
      ['resource', record.data.resourceId],
      ['ruleId', record.data.ruleId],
      ['control', record.data.control],
    );
  } else if (record.type === 'compliance') {
    pairs.push(
      ['targetSet', record.data.estate?.targetSet],
      ['targets', record.data.estate?.targets.join(',')],
      ['standard', record.data.standard],
      ['control', record.data.controlId],
      ['passedResources', record.data.passedResources],
      ['failedResources', record.data.failedResources],
    );
  } else {
    // Nothing judged: no score, and `state=not_assessed` says why.
    pairs.push(['score', record.data.overall.current ?? undefined]);
  }
  return pairs.filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== '');
}

/**
 * One record as a LEEF 2.0 line.
 *
 * ```ts
 * toLeef(record); // LEEF:2.0|Palisade|Palisade|0.1.0|alert.created|^|cat=alert.created^devTime=...
 * ```
 */
export function toLeef(record: ExportRecord, options: LeefOptions = {}): string {
  const delimiter = options.delimiter ?? '^';
  if ([...delimiter].length !== 1 || delimiter === '=' || delimiter === '|') {
    throw new RangeError(`LEEF delimiter "${delimiter}" must be one character other than = and |`);
  }
  const summary = summarize(record);
  const header = [
    'LEEF:2.0',
    'Palisade',
    'Palisade',
    VERSION,
    summary.eventId,
    leefDelimiterField(delimiter),
  ]
    .map(leefHeaderField)
    .join('|');
  const body = attributes(record, options.consoleUrl)
    .map(([key, value]) => `${key}=${leefValue(`${value}`, delimiter)}`)
    .join(delimiter);
  return `${header}|${body}`;
}
