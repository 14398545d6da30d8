/**
 * RFC 5424 syslog messages: header, structured data with its escaping, and the octet-counting
 * frame (RFC 6587 section 3.4.1, RFC 5425) that TCP and TLS transports put around each message.
 */

import type { Severity } from '../../model/rule.js';

/** NILVALUE: a header field or the structured data left empty. */
const NIL = '-';

/** One SD-ELEMENT: an SD-ID and its parameters, in order. */
export interface StructuredDataElement {
  /** `name@enterprise-number` for private ids; registered ids (`origin`, `meta`) as they are. */
  id: string;
  params: [string, string][];
}

/** The parts of one message; absent header fields become NILVALUE. */
export interface SyslogMessage {
  /** 0-23; 10 is security/authorization (authpriv), 13 log audit. */
  facility: number;
  /** 0 (emergency) to 7 (debug). */
  severity: number;
  /** ISO 8601 time with at most 6 fraction digits, or undefined for NILVALUE. */
  timestamp?: string;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  structuredData?: StructuredDataElement[];
  msg?: string;
  /** Prefix MSG with the UTF-8 byte order mark, as RFC 5424 asks of MSG known to be UTF-8. */
  bom?: boolean;
}

/** A message part that breaks RFC 5424, naming the field. */
export class SyslogFormatError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`syslog ${field}: ${message}`);
    this.name = 'SyslogFormatError';
    this.field = field;
  }
}

/** Syslog severity for a Palisade severity: critical → 2 (crit) ... informational → 6 (info). */
export const SYSLOG_SEVERITY: Record<Severity, number> = {
  critical: 2,
  high: 3,
  medium: 4,
  low: 5,
  informational: 6,
};

/** Header fields are printable US-ASCII (33-126) with a length limit; others are replaced. */
function headerField(value: string | undefined, max: number): string {
  if (value === undefined || value === '') return NIL;
  const printable = value.replace(/[^\x21-\x7e]/g, '_');
  return printable.slice(0, max);
}

/** SD-NAMEs already checked: a sink writes the same few names in every message. */
const checkedNames = new Set<string>();

/** SD-NAME: 1-32 printable US-ASCII characters other than `=`, space, `]` and `"`. */
function sdName(value: string, field: string): string {
  if (checkedNames.has(value)) return value;
  if (!/^[\x21-\x7e]{1,32}$/.test(value) || /[= \]"]/.test(value)) {
    throw new SyslogFormatError(field, `"${value}" is not a valid SD-NAME`);
  }
  if (checkedNames.size < 1024) checkedNames.add(value);
  return value;
}

/** PARAM-VALUE escaping: `"`, `\` and `]` take a backslash (RFC 5424 section 6.3.3). */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** STRUCTURED-DATA: the elements, or NILVALUE when there are none. */
export function formatStructuredData(elements: readonly StructuredDataElement[] = []): string {
  if (elements.length === 0) return NIL;
  return elements
    .map((element, i) => {
      const id = sdName(element.id, `structuredData[${i}].id`);
      const params = element.params.map(
        ([name, value], j) =>
          ` ${sdName(name, `structuredData[${i}].params[${j}]`)}="${escapeParamValue(value)}"`,
      );
      return `[${id}${params.join('')}]`;
    })
    .join('');
}

/** One RFC 5424 message, without framing. */
export function formatSyslogMessage(message: SyslogMessage): string {
  const { facility, severity } = message;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) {
    throw new SyslogFormatError('facility', `${facility} is not an integer from 0 to 23`);
  }
  if (!Number.isInteger(severity) || severity < 0 || severity > 7) {
    throw new SyslogFormatError('severity', `${severity} is not an integer from 0 to 7`);
  }

  const header = [
    `<${facility * 8 + severity}>1`,
    message.timestamp ?? NIL,
    headerField(message.hostname, 255),
    headerField(message.appName, 48),
    headerField(message.procId, 128),
    headerField(message.msgId, 32),
  ].join(' ');
  const sd = formatStructuredData(message.structuredData);
  if (message.msg === undefined) return `${header} ${sd}`;
  return `${header} ${sd} ${message.bom ? '\uFEFF' : ''}${message.msg}`;
}

/** Octet-counting frame: the message's length in bytes, a space, the message. */
export function octetCountingFrame(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}
