/**
 * LEEF 2.0 output checked against IBM's LEEF format: `LEEF:2.0|Vendor|Product|Version|EventID|`
 * then the delimiter field (one character, or `xHH` hex) and attributes `key=value` separated by
 * that delimiter; predefined attributes typed as QRadar reads them (sev 1-10, devTime in the
 * format devTimeFormat names).
 */

import { describe, expect, it } from 'vitest';
import {
  leefDelimiterField,
  leefValue,
  LEEF_TIME_FORMAT,
  toLeef,
} from '../../../src/export/formats/leef.js';
import { VERSION } from '../../../src/version.js';
import {
  alertRecord,
  COMPLIANCE_TARGET_SET,
  complianceRecord,
  linuxSshAlerts,
  loggedAddress,
  realAlerts,
  recommendationRecord,
  scoreRecord,
  withLeadingZeros,
} from './sample-records.js';

/** Splits a LEEF 2.0 line as QRadar does. */
function parseLeef(line: string): {
  header: string[];
  delimiter: string;
  attrs: Record<string, string>;
} {
  expect(line.startsWith('LEEF:2.0|')).toBe(true);
  const parts = line.split('|');
  expect(parts.length).toBeGreaterThanOrEqual(7);
  const header = parts.slice(0, 5);
  const delimiterField = parts[5];
  const delimiter = /^(0?x)[0-9a-f]{2}$/i.test(delimiterField)
    ? String.fromCharCode(Number.parseInt(delimiterField.replace(/^0?x/i, ''), 16))
    : delimiterField;
  expect([...delimiter]).toHaveLength(1);
  const body = parts.slice(6).join('|');
  const attrs: Record<string, string> = {};
  for (const pair of body.split(delimiter)) {
    const eq = pair.indexOf('=');
    expect(eq, `"${pair}" is key=value`).toBeGreaterThan(0);
    const key = pair.slice(0, eq);
    expect(key).toMatch(/^[A-Za-z0-9]+$/);
    expect(attrs[key], `${key} appears once`).toBeUndefined();
    attrs[key] = pair.slice(eq + 1);
  }
  return { header, delimiter, attrs };
}

/** LEEF predefined attributes Palisade writes, with the value shape QRadar expects. */
const PREDEFINED: Record<string, RegExp> = {
  cat: /^\S.*$/,
  devTime: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
  devTimeFormat: /^yyyy-MM-dd'T'HH:mm:ss\.SSSX$/,
  sev: /^([1-9]|10)$/,
  src: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$|:/,
};

describe('LEEF 2.0 format', () => {
  it('writes real alerts with the LEEF 2.0 header and typed predefined attributes', async () => {
    for (const alert of await realAlerts()) {
      const record = alertRecord(alert);
      const { header, delimiter, attrs } = parseLeef(
        toLeef(record, { consoleUrl: 'https://p.test' }),
      );
      expect(header).toEqual(['LEEF:2.0', 'Palisade', 'Palisade', VERSION, 'alert.created']);
      expect(delimiter).toBe('^');
      for (const [key, shape] of Object.entries(PREDEFINED)) {
        if (attrs[key] !== undefined) expect(attrs[key], key).toMatch(shape);
      }
      expect(attrs.devTimeFormat).toBe(LEEF_TIME_FORMAT);
      expect(Date.parse(attrs.devTime)).toBe(Date.parse(alert.lastSeen));
      const sev = { informational: 1, low: 3, medium: 5, high: 8, critical: 10 }[alert.severity];
      expect(attrs.sev).toBe(`${sev}`);
      expect(attrs.recordId).toBe(record.id);
      expect(attrs.usrName).toBe(alert.entities.find((e) => e.kind === 'account')?.value);
      expect(attrs.url).toBe(`https://p.test/#/alerts/${alert.id}`);
    }
  });

  it('writes an attacker logged by name apart from the host attacked', async () => {
    const byName = (await linuxSshAlerts()).filter((a) =>
      a.entities.some((e) => e.kind === 'remote-host'),
    );
    expect(byName.length).toBeGreaterThan(0);
    for (const alert of byName) {
      const { attrs } = parseLeef(toLeef(alertRecord(alert)));
      expect(attrs.identHostName).toBe('combo');
      expect(attrs.srcHostName).toBe(alert.entities.find((e) => e.kind === 'remote-host')?.value);
      expect(attrs.src).toBeUndefined();
    }
  });

  it('keeps a source address logged with leading zeros as text, out of src', async () => {
    const alerts = await realAlerts();
    const zeros = withLeadingZeros(alerts);
    expect(zeros.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const { attrs } = parseLeef(toLeef(alertRecord(alert)));
      const logged = loggedAddress(alert);
      if (logged === undefined) continue;
      const expected = zeros.includes(alert) ? { sourceAddress: logged } : { src: logged };
      expect({ src: attrs.src, sourceAddress: attrs.sourceAddress }, alert.id).toEqual({
        src: undefined,
        sourceAddress: undefined,
        ...expected,
      });
    }
  });

  it('keeps the delimiter, tabs and line breaks out of values and pipes out of the header', async () => {
    const [alert] = await realAlerts();
    const record = alertRecord({ ...alert, title: 'a^b\tc\nd|e=f' });
    const { attrs } = parseLeef(toLeef(record));
    expect(attrs.name).toBe('a b c d|e=f');
    expect(leefValue('x^y', '^')).toBe('x y');
    expect(leefDelimiterField('\t')).toBe('x09');
    expect(leefDelimiterField('^')).toBe('^');
  });

  it('uses a tab delimiter written as x09 when configured', async () => {
    const [alert] = await realAlerts();
    const line = toLeef(alertRecord(alert), { delimiter: '\t' });
    expect(line.split('|')[5]).toBe('x09');
    const { delimiter, attrs } = parseLeef(line);
    expect(delimiter).toBe('\t');
    expect(attrs.cat).toBe('alert.created');
  });

  it('refuses a delimiter LEEF cannot use', async () => {
    const [alert] = await realAlerts();
    expect(() => toLeef(alertRecord(alert), { delimiter: '|' })).toThrow(/delimiter/);
    expect(() => toLeef(alertRecord(alert), { delimiter: '^^' })).toThrow(/delimiter/);
  });

  it('writes recommendation, compliance and score records', () => {
    const rec = parseLeef(toLeef(recommendationRecord()));
    expect(rec.header[4]).toBe('recommendation.fail');
    expect(rec.attrs.resource).toBe('arn:aws:s3:::logs-prod');
    expect(rec.attrs.sev).toBe('8');
    const cmp = parseLeef(toLeef(complianceRecord('passed', 'failed')));
    expect(cmp.header[4]).toBe('compliance.passed');
    expect(cmp.attrs.previousState).toBe('failed');
    expect([cmp.attrs.targetSet, cmp.attrs.targets]).toEqual([
      COMPLIANCE_TARGET_SET,
      'infra/aws,infra/shared',
    ]);
    expect(cmp.attrs.sev).toBe('1');
    const score = parseLeef(toLeef(scoreRecord()));
    expect(score.attrs.score).toBe('70.25');
  });

  it('writes a control no rule checks as state manual, not not_assessed', () => {
    const cmp = parseLeef(toLeef(complianceRecord('manual', 'not_assessed')));
    expect(cmp.header[4]).toBe('compliance.manual');
    expect([cmp.attrs.state, cmp.attrs.previousState]).toEqual(['manual', 'not_assessed']);
    expect(cmp.attrs.sev).toBe('1');
  });
});
