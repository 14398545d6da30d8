/**
 * Incidents join alerts that concern the same thing: a local account only on its own host, and
 * never alerts that are one event seen by two rules.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { buildIncidents, keepIncidentIds } from '../../src/detect/incidents.js';
import type { Alert } from '../../src/model/alert.js';
import { shared } from '../support/paths.js';

const OPENSSH = readFileSync(shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8').split('\n');
const dir = mkdtempSync(join(tmpdir(), 'palisade-incidents-'));

/** loghub's lines about one source address, as if logged by `host`. */
function linesOf(ip: string, host: string): string[] {
  return OPENSSH.filter((l) => l.includes(ip)).map((l) => l.replace(' LabSZ ', ` ${host} `));
}

async function detectOn(name: string, lines: string[]) {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return detect({ paths: [file], year: 2023 });
}

describe('incidents', () => {
  it('does not join brute force on root of two hosts from two addresses', async () => {
    // 60.2.12.12 and 123.235.32.19 both try root; here one attacks web1, the other db9.
    const lines = [...linesOf('60.2.12.12', 'web1'), ...linesOf('123.235.32.19', 'db9')];
    const result = await detectOn('two-hosts.log', lines);
    const rootAlerts = result.alerts.filter((a) =>
      a.entities.some((e) => e.kind === 'account' && e.value === 'root'),
    );
    expect(rootAlerts.map((a) => a.entities.find((e) => e.kind === 'host')?.value).sort()).toEqual([
      'db9',
      'web1',
    ]);
    expect(result.incidents).toEqual([]);
  });

  it('does not join two outside addresses that brute-force root on one host', async () => {
    // An internet-facing host sees many unrelated attackers: the host and its root account alone
    // do not make them one story (all 13 sources of OpenSSH_2k were once one incident).
    const lines = [...linesOf('60.2.12.12', 'web1'), ...linesOf('123.235.32.19', 'web1')];
    const result = await detectOn('one-host.log', lines);
    expect(result.alerts).toHaveLength(2);
    expect(result.incidents).toEqual([]);
    const whole = await detect({ paths: [shared('ssh-logs/loghub/OpenSSH')], year: 2023 });
    for (const incident of whole.incidents) {
      const ips = new Set(
        incident.alerts.flatMap((id) =>
          whole.alerts
            .find((a) => a.id === id)!
            .entities.filter((e) => e.kind === 'ip')
            .map((e) => e.value),
        ),
      );
      expect(ips.size, incident.title).toBeLessThanOrEqual(1);
    }
  });

  it("joins an outsider's alert with local activity on the same host and account", () => {
    const alert = (id: string, minute: number, ip?: string): Alert => ({
      id,
      title: id,
      description: '',
      severity: 'high',
      status: 'active',
      attack: { tactics: ['credential-access'], techniques: [] },
      entities: [
        ...(ip ? [{ kind: 'ip' as const, value: ip }] : []),
        { kind: 'account', value: 'root' },
        { kind: 'host', value: 'web1' },
      ],
      firstSeen: `2024-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
      lastSeen: `2024-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
      eventCount: 1,
      evidence: [],
      remediation: [],
      rule: { kind: 'builtin', id: 'r', title: 'r' },
    });
    const outsiders = [alert('a', 1, '198.51.100.1'), alert('b', 2, '198.51.100.2')];
    expect(buildIncidents(outsiders)).toEqual([]);
    const local = alert('c', 3);
    expect(buildIncidents([...outsiders, local]).map((i) => i.alerts.sort())).toEqual([['b', 'c']]);
  });

  it('spans at most seven windows: an address back every day for weeks is several incidents', () => {
    const day = 24 * 60 * 60 * 1000;
    const alerts: Alert[] = Array.from({ length: 20 }, (_, i) => {
      const time = new Date(Date.UTC(2024, 0, 1) + i * day).toISOString();
      return {
        id: `a${i}`,
        title: 'SSH brute force from one source',
        description: '',
        severity: 'medium',
        status: 'active',
        attack: { tactics: ['credential-access'], techniques: [] },
        entities: [{ kind: 'ip', value: '198.51.100.7' }],
        firstSeen: time,
        lastSeen: time,
        eventCount: 5,
        evidence: [],
        remediation: [],
        rule: { kind: 'builtin', id: 'r', title: 'r' },
      };
    });
    const incidents = buildIncidents(alerts);
    expect(incidents.length).toBeGreaterThan(1);
    for (const i of incidents) {
      expect(Date.parse(i.lastSeen) - Date.parse(i.firstSeen)).toBeLessThanOrEqual(7 * day);
    }
    expect(incidents.flatMap((i) => i.alerts).length).toBe(20);
  });

  it('titles one CloudTrail record matched by a built-in and a Sigma rule as one event', async () => {
    const result = await detect({
      paths: [shared('cloudtrail/cloud-custodian-cwe/event-cloud-trail-create-bucket.json')],
      ruleDirs: [shared('sigma-rules/rules/cloud/aws')],
    });
    expect(result.alerts.map((a) => a.title).sort()).toEqual([
      'AWS Root Credentials',
      'AWS root user activity',
    ]);
    expect(result.incidents.map((i) => i.title)).toEqual([
      'One event involving arn:aws:iam::619193117841:root, seen by 2 rules',
    ]);
  });

  it('links stored alerts without evidence by their entities, local accounts by host', () => {
    const alert = (id: string, host: string, firstSeen: string) => ({
      id,
      title: id,
      description: '',
      severity: 'high' as const,
      status: 'active' as const,
      attack: { tactics: ['credential-access'], techniques: [] },
      entities: [
        { kind: 'account' as const, value: 'root' },
        { kind: 'host' as const, value: host },
      ],
      firstSeen,
      lastSeen: firstSeen,
      eventCount: 3,
      evidence: [],
      remediation: [],
      rule: { kind: 'builtin' as const, id: 'r', title: 'r' },
    });
    const web = alert('a', 'web1', '2024-01-01T00:00:00Z');
    const db = alert('b', 'db9', '2024-01-01T00:01:00Z');
    expect(buildIncidents([web, db])).toEqual([]);
    const cloud = { ...db, entities: [...db.entities.slice(0, 1)], id: 'c' };
    const cloud2 = { ...cloud, id: 'd' };
    expect(buildIncidents([cloud, cloud2]).map((i) => i.alerts)).toEqual([['c', 'd']]);
  });

  it('never spans cloud accounts, so a scoped reader sees each incident of theirs whole', () => {
    const alert = (id: string, account: string, minute: number): Alert => ({
      id,
      title: id,
      description: '',
      severity: 'high',
      status: 'active',
      attack: { tactics: ['persistence'], techniques: [] },
      entities: [
        { kind: 'ip', value: '203.0.113.45' },
        { kind: 'cloud-account', value: account },
      ],
      firstSeen: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
      lastSeen: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
      eventCount: 1,
      evidence: [],
      remediation: [],
      rule: { kind: 'builtin', id, title: id },
    });
    const mine = [alert('a1', '888899990000', 0), alert('a2', '888899990000', 5)];
    // Another tenant's alert from the same address, in between.
    const theirs = alert('b1', '999999999999', 3);
    const incidents = buildIncidents([...mine, theirs]);
    expect(incidents.map((i) => i.alerts)).toEqual([['a1', 'a2']]);
    expect(incidents[0].id).toBe(buildIncidents(mine)[0].id);
  });
});

describe('incident ids', () => {
  /** A cloud alert by `id`, from the address `ip`, first seen `minute` minutes past midnight. */
  const alert = (id: string, ip: string, minute: number): Alert => {
    const time = new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
    return {
      id,
      title: id,
      description: '',
      severity: 'high',
      status: 'active',
      attack: { tactics: ['defense-evasion'], techniques: [] },
      entities: [{ kind: 'ip', value: ip }],
      firstSeen: time,
      lastSeen: time,
      eventCount: 1,
      evidence: [],
      remediation: [],
      rule: { kind: 'builtin', id, title: id },
    };
  };
  const ids = (alerts: Alert[]) => buildIncidents(alerts).map((i) => i.id);

  it('keeps an incident id as alerts join it, whatever order they come in', () => {
    const a = alert('a', '192.0.2.7', 0);
    const b = alert('b', '192.0.2.7', 1);
    const c = alert('c', '192.0.2.7', 5);
    const [first] = ids([a, b]);

    expect(ids([a, b, c])).toEqual([first]);
    expect(ids([c, b, a])).toEqual([first]);
  });

  it('gives two merged incidents the id of the one with the earliest alert', () => {
    const early = [alert('e1', '192.0.2.7', 0), alert('e2', '192.0.2.7', 1)];
    const late = [alert('l1', '198.51.100.1', 10), alert('l2', '198.51.100.1', 11)];
    const [earlyId] = ids(early);
    const [lateId] = ids(late);
    expect(new Set(ids([...late, ...early]))).toEqual(new Set([earlyId, lateId]));

    const link = alert('k', '192.0.2.7', 20);
    link.entities.push({ kind: 'ip', value: '198.51.100.1' });
    expect(ids([...late, link, ...early])).toEqual([earlyId]);
  });

  it('keeps stored ids when the earliest alert is gone, and names what merged into what', () => {
    const alerts = [alert('a', '192.0.2.7', 0), alert('b', '192.0.2.7', 1)];
    const later = [alert('c', '192.0.2.7', 2), alert('x', '198.51.100.1', 3)];
    later[0].entities = [...later[0].entities, { kind: 'ip', value: '198.51.100.1' }];
    const stored = new Map([
      ['a', 'first-incident'],
      ['b', 'first-incident'],
      ['c', 'first-incident'],
      ['x', 'other-incident'],
    ]);
    // The earliest alert has left the alerts incidents are formed from.
    const current = [alerts[1], ...later];
    const incidents = buildIncidents(current);
    const merged = keepIncidentIds(incidents, new Map(current.map((a) => [a.id, a])), (id) =>
      stored.get(id),
    );

    expect(incidents.map((i) => i.id)).toEqual(['first-incident']);
    expect(current.map((a) => a.incidentId)).toEqual(Array(3).fill('first-incident'));
    expect([...merged]).toEqual([['other-incident', 'first-incident']]);
  });
});
