/**
 * CEF output checked against the ArcSight CEF format: seven header fields split on unescaped
 * pipes, header escaping of `\` and `|`, extension pairs split on unescaped `=` with `\=`, `\\`,
 * `\n`, `\r` unescaped, keys from the CEF dictionary, and the dictionary's types and lengths.
 */

import { describe, expect, it } from 'vitest';
import { escapeCefExtension, escapeCefHeader, toCef } from '../../../src/export/formats/cef.js';
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

/** Splits a CEF line into header fields and extension pairs, as a CEF parser does. */
function parseCef(line: string): { header: string[]; ext: Record<string, string> } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  while (header.length < 7) {
    const c = line[i];
    if (c === undefined) throw new Error(`only ${header.length} header fields`);
    if (c === '\\') {
      const next = line[i + 1];
      if (next !== '\\' && next !== '|') throw new Error(`bad header escape \\${next}`);
      field += next;
      i += 2;
    } else if (c === '|') {
      header.push(field);
      field = '';
      i += 1;
    } else {
      if (c === '\n' || c === '\r') throw new Error('line break in the header');
      field += c;
      i += 1;
    }
  }
  const rest = line.slice(i);
  // Keys start after a space (or at the start) and end at the first unescaped `=`.
  const ext: Record<string, string> = {};
  const keyAt = /(?:^| )([A-Za-z0-9_]+)=/g;
  const starts: { key: string; at: number; value: number }[] = [];
  for (let m = keyAt.exec(rest); m; m = keyAt.exec(rest)) {
    let backslashes = 0;
    for (let j = m.index + m[0].length - 2; j >= 0 && rest[j] === '\\'; j -= 1) backslashes += 1;
    if (backslashes % 2 === 1) continue;
    const before = rest.slice(0, m.index);
    if (/(^|[^\\])(\\\\)*\\$/.test(before)) continue;
    starts.push({ key: m[1], at: m.index, value: m.index + m[0].length });
  }
  starts.forEach((s, n) => {
    const end = n + 1 < starts.length ? starts[n + 1].at : rest.length;
    const raw = rest.slice(s.value, end);
    if (/(^|[^\\])(\\\\)*=/.test(raw)) throw new Error(`unescaped = in the value of ${s.key}`);
    if (/[\r\n]/.test(raw)) throw new Error(`raw line break in the value of ${s.key}`);
    ext[s.key] = raw.replace(/\\(.)/g, (_m, c: string) => {
      if (c === 'n') return '\n';
      if (c === 'r') return '\r';
      if (c === '=' || c === '\\') return c;
      throw new Error(`bad extension escape \\${c} in ${s.key}`);
    });
  });
  return { header, ext };
}

/** CEF dictionary keys Palisade may write, with each one's type and maximum length. */
const DICTIONARY: Record<string, { type: 'string' | 'int' | 'time' | 'ipv4'; max?: number }> = {
  rt: { type: 'time' },
  start: { type: 'time' },
  end: { type: 'time' },
  msg: { type: 'string', max: 1023 },
  cat: { type: 'string', max: 1023 },
  act: { type: 'string', max: 63 },
  outcome: { type: 'string', max: 63 },
  cnt: { type: 'int' },
  suser: { type: 'string', max: 1023 },
  shost: { type: 'string', max: 1023 },
  dhost: { type: 'string', max: 1023 },
  src: { type: 'ipv4' },
  request: { type: 'string', max: 1023 },
  flexString1: { type: 'string', max: 1023 },
  flexString1Label: { type: 'string', max: 128 },
  flexString2: { type: 'string', max: 1023 },
  flexString2Label: { type: 'string', max: 128 },
  ...Object.fromEntries(
    [1, 2, 3, 4, 5, 6].flatMap((n) => [
      [`cs${n}`, { type: 'string', max: 4000 }],
      [`cs${n}Label`, { type: 'string', max: 1023 }],
    ]),
  ),
};

function checkAgainstDictionary(ext: Record<string, string>): void {
  for (const [key, value] of Object.entries(ext)) {
    const entry = DICTIONARY[key];
    expect(entry, `${key} is a CEF dictionary key`).toBeDefined();
    if (entry.max) expect(value.length, key).toBeLessThanOrEqual(entry.max);
    if (entry.type === 'int' || entry.type === 'time') expect(value, key).toMatch(/^\d+$/);
    if (entry.type === 'ipv4') expect(value, key).toMatch(/^(\d{1,3}\.){3}\d{1,3}$/);
    const label = /^(cs|flexString)(\d)$/.exec(key);
    if (label) expect(ext[`${key}Label`], `${key} has a label`).toBeDefined();
  }
}

describe('CEF format', () => {
  it('writes real alerts with seven header fields and dictionary extension keys', async () => {
    const alerts = await realAlerts();
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const record = alertRecord(alert);
      const { header, ext } = parseCef(toCef(record, { consoleUrl: 'https://palisade.test' }));
      expect(header[0]).toBe('CEF:0');
      expect(header.slice(1, 4)).toEqual(['Palisade', 'Palisade', VERSION]);
      expect(header[4]).toBe(alert.rule.id);
      expect(header[5]).toBe(alert.title);
      expect(Number(header[6])).toBeGreaterThanOrEqual(0);
      expect(Number(header[6])).toBeLessThanOrEqual(10);
      checkAgainstDictionary(ext);
      expect(ext.rt).toBe(`${Date.parse(alert.lastSeen)}`);
      expect(ext.start).toBe(`${Date.parse(alert.firstSeen)}`);
      expect(ext.cnt).toBe(`${alert.eventCount}`);
      expect(ext.cs1Label).toBe('recordId');
      expect(ext.cs1).toBe(record.id);
      expect(ext.request).toBe(`https://palisade.test/#/alerts/${alert.id}`);
      const account = alert.entities.find((e) => e.kind === 'account');
      expect(ext.suser).toBe(account?.value);
    }
  });

  it('writes an attacker logged by name as the source host and the host attacked as dhost', async () => {
    const alerts = await linuxSshAlerts();
    const byName = alerts.filter((a) => a.entities.some((e) => e.kind === 'remote-host'));
    const byAddress = alerts.filter((a) => a.entities.some((e) => e.kind === 'ip'));
    expect(byName.length).toBeGreaterThan(0);
    expect(byAddress.length).toBeGreaterThan(0);
    for (const alert of [...byName, ...byAddress]) {
      const { ext } = parseCef(toCef(alertRecord(alert)));
      checkAgainstDictionary(ext);
      expect(ext.shost).toBe(alert.entities.find((e) => e.kind === 'remote-host')?.value);
      expect(ext.src).toBe(alert.entities.find((e) => e.kind === 'ip')?.value);
      expect(ext.dhost).toBe('combo');
    }
  });

  it('keeps a source address logged with leading zeros as text, out of src', async () => {
    // Stratus Red Team's records carry such addresses (08.1.250.216, 251.234.045.249).
    const alerts = await realAlerts();
    const zeros = withLeadingZeros(alerts);
    expect(zeros.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const { ext } = parseCef(toCef(alertRecord(alert)));
      checkAgainstDictionary(ext);
      const logged = loggedAddress(alert);
      if (logged === undefined) continue;
      if (zeros.includes(alert)) {
        expect(ext, alert.id).not.toHaveProperty('src');
        expect([ext.flexString1Label, ext.flexString1]).toEqual(['sourceAddress', logged]);
      } else {
        expect(ext.src, alert.id).toBe(logged);
        expect(ext).not.toHaveProperty('flexString1');
      }
    }
  });

  it('maps severities onto the CEF 0-10 scale (High 7-8, Very-High 9-10)', async () => {
    const [alert] = await realAlerts();
    const severity = (s: typeof alert.severity) =>
      Number(parseCef(toCef(alertRecord({ ...alert, severity: s }))).header[6]);
    expect(severity('critical')).toBeGreaterThanOrEqual(9);
    expect(severity('high')).toBeGreaterThanOrEqual(7);
    expect(severity('high')).toBeLessThanOrEqual(8);
    expect(severity('medium')).toBeGreaterThanOrEqual(4);
    expect(severity('medium')).toBeLessThanOrEqual(6);
    expect(severity('low')).toBeLessThanOrEqual(3);
  });

  it('escapes pipes and backslashes in the header and =, \\ and line breaks in extensions', async () => {
    const [alert] = await realAlerts();
    const title = 'Root | key C:\\temp\\x=1\nnext line';
    const record = alertRecord({
      ...alert,
      title,
      entities: [{ kind: 'account', value: 'arn:aws:iam::1:user/a=b|c\\d' }],
    });
    const line = toCef(record);
    expect(line.split('\n')).toHaveLength(1);
    const { header, ext } = parseCef(line);
    // The header cannot carry a line break: it becomes a space; pipes and backslashes survive.
    expect(header[5]).toBe('Root | key C:\\temp\\x=1 next line');
    expect(ext.msg).toBe(title);
    expect(ext.suser).toBe('arn:aws:iam::1:user/a=b|c\\d');
    expect(escapeCefHeader('a|b\\c=d')).toBe('a\\|b\\\\c=d');
    expect(escapeCefExtension('a|b\\c=d\r\n')).toBe('a|b\\\\c\\=d\\r\\n');
  });

  it('writes recommendation, compliance and score records', () => {
    const rec = parseCef(toCef(recommendationRecord()));
    expect(rec.header[4]).toBe('aws-s3-bucket-public-access-blocked');
    expect(rec.header[6]).toBe('8');
    expect(rec.ext.cs5).toBe('arn:aws:s3:::logs-prod');
    expect(rec.ext.outcome).toBe('fail');
    expect(rec.ext.cs3).toBe('pass');
    checkAgainstDictionary(rec.ext);

    const cmp = parseCef(toCef(complianceRecord()));
    expect(cmp.header[4]).toBe('compliance.failed');
    expect(cmp.ext.cs6).toBe('passed=11,failed=1');
    // The estate the control's state belongs to, in labelled custom strings.
    expect([cmp.ext.flexString1Label, cmp.ext.flexString1]).toEqual([
      'targetSet',
      COMPLIANCE_TARGET_SET,
    ]);
    expect([cmp.ext.flexString2Label, cmp.ext.flexString2]).toEqual([
      'targets',
      'infra/aws,infra/shared',
    ]);
    checkAgainstDictionary(cmp.ext);

    const score = parseCef(toCef(scoreRecord()));
    expect(score.header[5]).toBe('Secure score moved from 71.5% to 70.25%');
    expect(score.ext.cs6).toBe('NS=75');
    checkAgainstDictionary(score.ext);
  });

  it('writes a control no rule checks as manual, saying it is assessed by hand', () => {
    const cmp = parseCef(toCef(complianceRecord('manual', null)));
    expect(cmp.header[4]).toBe('compliance.manual');
    expect(cmp.header[5]).toMatch(/is manual: no Palisade rule checks it, assess it by hand$/);
    expect([cmp.ext.act, cmp.ext.outcome]).toEqual(['manual', 'manual']);
    checkAgainstDictionary(cmp.ext);
  });

  it('leaves a custom string label out when its value is absent', async () => {
    // A first failure has no previous state; an alert naming no cloud account has no accounts.
    const first = parseCef(toCef(recommendationRecord('fail', null)));
    expect(first.ext).not.toHaveProperty('cs3');
    expect(first.ext).not.toHaveProperty('cs3Label');
    expect(first.ext.cs4Label).toBe('accounts');
    const [alert] = await realAlerts();
    const unowned = parseCef(toCef({ ...alertRecord(alert), accounts: [] }));
    expect(unowned.ext).not.toHaveProperty('cs4');
    expect(unowned.ext).not.toHaveProperty('cs4Label');
    // Every label left names a value that is there.
    for (const { ext } of [first, unowned]) {
      for (const key of Object.keys(ext).filter((k) => k.endsWith('Label'))) {
        expect(ext, key).toHaveProperty(key.slice(0, -'Label'.length));
      }
    }
  });

  it('cuts values to the dictionary lengths', async () => {
    const [alert] = await realAlerts();
    const { ext } = parseCef(toCef(alertRecord({ ...alert, title: 'x'.repeat(5000) })));
    expect(ext.msg).toHaveLength(1023);
  });
});
