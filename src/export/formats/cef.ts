/**
 * ArcSight Common Event Format (CEF:0): a pipe-delimited header of seven fields and an extension
 * of `key=value` pairs. Header fields escape `\` and `|`; extension values escape `\` and `=` and
 * write line breaks as `\n` / `\r`. Extension keys are the CEF dictionary's (rt, start, end, msg,
 * cat, act, outcome, cnt, suser, src, shost, request) plus labelled custom strings cs1-cs6 and
 * flexString1-2.
 */

import { isIPv4 } from 'node:net';
import type { ExportRecord } from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import { VERSION } from '../../version.js';
import { consoleLink } from '../console-link.js';
import { alertAccount } from './alert-account.js';
import { scoreState, summarize } from './record-summary.js';
import { sourceAddress } from './source-address.js';

/** CEF severity 0-10: Low 0-3, Medium 4-6, High 7-8, Very-High 9-10. */
export const CEF_SEVERITY: Record<Severity, number> = {
  informational: 1,
  low: 3,
  medium: 5,
  high: 8,
  critical: 10,
};

/** Longest value the CEF dictionary allows for each key Palisade writes (characters). */
const MAX_LENGTH: Record<string, number> = {
  msg: 1023,
  cat: 1023,
  act: 63,
  outcome: 63,
  suser: 1023,
  shost: 1023,
  request: 1023,
  filePath: 1023,
  cs1: 4000,
  cs2: 4000,
  cs3: 4000,
  cs4: 4000,
  cs5: 4000,
  cs6: 4000,
  cs1Label: 1023,
  cs2Label: 1023,
  cs3Label: 1023,
  cs4Label: 1023,
  cs5Label: 1023,
  cs6Label: 1023,
  flexString1: 1023,
  flexString2: 1023,
  flexString1Label: 128,
  flexString2Label: 128,
};

/** A header field: backslash and pipe escaped; line breaks are not allowed there, so become spaces. */
export function escapeCefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** An extension value: backslash and equals escaped, line breaks written as `\n` and `\r`. */
export function escapeCefExtension(value: string): string {
  return value.replace(/[\\=\r\n]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return `\\${c}`;
  });
}

/** Options for the CEF body. */
export interface CefOptions {
  /** Console base URL; `request` then links to the record's page. */
  consoleUrl?: string;
}

function truncate(key: string, value: string): string {
  const max = MAX_LENGTH[key];
  return max !== undefined && value.length > max ? value.slice(0, max) : value;
}

/** Extension pairs for one record, in a stable order; absent values are left out. */
function extension(record: ExportRecord, options: CefOptions): [string, string | number][] {
  const summary = summarize(record);
  const pairs: [string, string | number | undefined][] = [
    ['rt', Date.parse(record.occurredAt)],
    ['cat', summary.eventId],
    ['msg', summary.title],
    ['outcome', summary.state],
    ['cs1Label', 'recordId'],
    ['cs1', record.id],
    ['cs2Label', 'subject'],
    ['cs2', summary.subject],
    ['cs3Label', 'previousState'],
    ['cs3', summary.previousState],
    ['cs4Label', 'accounts'],
    ['cs4', record.accounts.length > 0 ? record.accounts.join(',') : undefined],
    [
      'request',
      options.consoleUrl ? consoleLink(options.consoleUrl, summary.consolePage) : undefined,
    ],
  ];
  pairs.push(...typeSpecific(record));
  const present = pairs.filter(
    (p): p is [string, string | number] => p[1] !== undefined && p[1] !== '',
  );
  // A label names its custom string (`cs3Label` names `cs3`): with the string absent, it goes too.
  const keys = new Set(present.map(([key]) => key));
  return present.filter(([key]) => !key.endsWith('Label') || keys.has(key.slice(0, -5)));
}

function typeSpecific(record: ExportRecord): [string, string | number | undefined][] {
  switch (record.type) {
    case 'alert': {
      const { alert, change } = record.data;
      const account = alertAccount(alert.entities);
      const host = alert.entities.find((e) => e.kind === 'host')?.value;
      // `src` holds a dotted quad as isIPv4 reads it; another source address (IPv6, leading
      // zeros) goes as logged into a labelled string, as cs1-cs6 are taken.
      const source = sourceAddress(alert.entities, isIPv4);
      // A peer named by host name (sshd with UseDNS) is the source host; the alert's own host is
      // then where the activity was aimed (`dhost`), as it is when the source is an address.
      const peer = alert.entities.find((e) => e.kind === 'remote-host')?.value;
      const outside = peer !== undefined || alert.entities.some((e) => e.kind === 'ip');
      return [
        ['act', change],
        ['start', Date.parse(alert.firstSeen)],
        ['end', Date.parse(alert.lastSeen)],
        ['cnt', alert.eventCount],
        ['suser', account],
        ['shost', outside ? peer : host],
        ['src', source.address],
        ['dhost', outside ? host : undefined],
        ['filePath', alert.entities.find((e) => e.kind === 'file')?.value],
        ['cs5Label', 'attack'],
        ['cs5', [...alert.attack.tactics, ...alert.attack.techniques].join(',') || undefined],
        ['cs6Label', 'rule'],
        ['cs6', `${alert.rule.kind}:${alert.rule.id}`],
        ['flexString1Label', 'sourceAddress'],
        ['flexString1', source.text],
      ];
    }
    case 'incident': {
      const { incident, change } = record.data;
      return [
        ['act', change],
        ['start', Date.parse(incident.firstSeen)],
        ['end', Date.parse(incident.lastSeen)],
        ['cnt', incident.alerts.length],
        ['cs5Label', 'tactics'],
        ['cs5', incident.tactics.join(',') || undefined],
        ['cs6Label', 'alerts'],
        ['cs6', incident.alerts.join(',') || undefined],
      ];
    }
    case 'recommendation': {
      const d = record.data;
      return [
        ['act', d.state],
        ['cs5Label', 'resource'],
        ['cs5', d.resourceId],
        ['cs6Label', 'rule'],
        ['cs6', d.ruleId],
      ];
    }
    case 'secure_score': {
      const { overall, controls } = record.data;
      return [
        ['cs5Label', 'score'],
        ['cs5', scoreState(overall.current)],
        ['cs6Label', 'controls'],
        ['cs6', controls.map((c) => `${c.id}=${scoreState(c.current)}`).join(',') || undefined],
      ];
    }
    case 'compliance': {
      const d = record.data;
      return [
        ['act', d.state],
        ['cs5Label', 'standard'],
        ['cs5', d.standard],
        ['cs6Label', 'resources'],
        ['cs6', `passed=${d.passedResources},failed=${d.failedResources}`],
        // The estate, in the dictionary's labelled flex strings (cs1-cs6 are all taken).
        ['flexString1Label', 'targetSet'],
        ['flexString1', d.estate?.targetSet],
        ['flexString2Label', 'targets'],
        ['flexString2', d.estate?.targets.join(',') || undefined],
      ];
    }
  }
}

/** Device Event Class ID: the rule for alerts and recommendations, the event kind otherwise. */
function eventClassId(record: ExportRecord): string {
  if (record.type === 'alert') return record.data.alert.rule.id;
  if (record.type === 'recommendation') return record.data.ruleId;
  return summarize(record).eventId;
}

/**
 * One record as a CEF line.
 *
 * ```ts
 * toCef(record, { consoleUrl: 'https://palisade.example.com' });
 * // CEF:0|Palisade|Palisade|0.1.0|aws-root-login|Root account used|8|rt=... cat=alert.created ...
 * ```
 */
export function toCef(record: ExportRecord, options: CefOptions = {}): string {
  const summary = summarize(record);
  const header = [
    'CEF:0',
    'Palisade',
    'Palisade',
    VERSION,
    eventClassId(record),
    summary.title,
    `${CEF_SEVERITY[summary.severity]}`,
  ]
    .map((field, i) => (i === 0 ? field : escapeCefHeader(field)))
    .join('|');
  const ext = extension(record, options)
    .map(([key, value]) => `${key}=${escapeCefExtension(truncate(key, `${value}`))}`)
    .join(' ');
  return `${header}|${ext}`;
}
