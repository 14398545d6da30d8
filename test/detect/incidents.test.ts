/**
 * Incidents join alerts that concern the same thing: a local account only on its own host, and
 * never alerts that are one event seen by two rules.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { buildIncidents } from '../../src/detect/incidents.js';
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

  it('joins them when both target root on one host, naming the host', async () => {
    const lines = [...linesOf('60.2.12.12', 'web1'), ...linesOf('123.235.32.19', 'web1')];
    const result = await detectOn('one-host.log', lines);
    expect(result.alerts).toHaveLength(2);
    expect(result.incidents.map((i) => i.title)).toEqual([
      'Related activity involving root on web1 (2 alerts)',
    ]);
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
});
