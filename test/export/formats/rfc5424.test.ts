import { describe, expect, it } from 'vitest';
import {
  escapeParamValue,
  formatSyslogMessage,
  octetCountingFrame,
  SyslogFormatError,
} from '../../../src/export/formats/rfc5424.js';
import { parseRfc5424 } from '../sinks/syslog-listener.js';

describe('RFC 5424 messages', () => {
  it('writes PRI, version, header fields and structured data as the grammar says', () => {
    const message = formatSyslogMessage({
      facility: 10,
      severity: 3,
      timestamp: '2026-12-04T10:15:00.123Z',
      hostname: 'palisade-1',
      appName: 'palisade',
      procId: '4242',
      msgId: 'alert.created',
      structuredData: [{ id: 'palisade@32473', params: [['id', 'a"b\\c]d']] }],
      msg: '{"x":1}',
    });
    expect(message).toBe(
      '<83>1 2026-12-04T10:15:00.123Z palisade-1 palisade 4242 alert.created ' +
        '[palisade@32473 id="a\\"b\\\\c\\]d"] {"x":1}',
    );
    const parsed = parseRfc5424(message);
    expect(parsed.sd[0].params.id).toBe('a"b\\c]d');
    expect(parsed.msg).toBe('{"x":1}');
  });

  it('uses NILVALUE for absent fields and keeps header fields printable and within length', () => {
    const message = formatSyslogMessage({
      facility: 4,
      severity: 6,
      hostname: 'host with spaces',
      appName: 'a'.repeat(60),
      msgId: 'é',
    });
    const parsed = parseRfc5424(`${message} `);
    expect(parsed.timestamp).toBe('-');
    expect(parsed.hostname).toBe('host_with_spaces');
    expect(parsed.appName).toHaveLength(48);
    expect(parsed.procId).toBe('-');
    expect(parsed.msgId).toBe('_');
    expect(message.endsWith(' -')).toBe(true);
  });

  it('puts the UTF-8 BOM before MSG when asked', () => {
    const message = formatSyslogMessage({ facility: 1, severity: 1, msg: 'ü', bom: true });
    expect(message.endsWith(' - \uFEFFü')).toBe(true);
  });

  it('refuses out-of-range facility and severity and bad SD names, naming the field', () => {
    expect(() => formatSyslogMessage({ facility: 24, severity: 1 })).toThrow(SyslogFormatError);
    expect(() => formatSyslogMessage({ facility: 1, severity: 8 })).toThrow(/severity/);
    expect(() =>
      formatSyslogMessage({
        facility: 1,
        severity: 1,
        structuredData: [{ id: 'bad id', params: [] }],
      }),
    ).toThrow(/structuredData\[0\]\.id/);
  });

  it('frames with the byte length, not the character length', () => {
    expect(octetCountingFrame('ü€')).toBe('5 ü€');
    expect(escapeParamValue('plain')).toBe('plain');
  });
});
