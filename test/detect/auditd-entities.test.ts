/**
 * auditd alerts name the executable as a process on its host, not as a cloud resource, and what
 * is local to a host (an executable, a uid) joins alerts only within one host's log. A new user
 * saw /bin/ip labelled cloud-resource, two hosts' copies of one auditd log joined into one
 * incident through it, and both hosts' uid 998 folded into one alert.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import type { Alert } from '../../src/model/alert.js';
import { shared } from '../support/paths.js';

const AUDITD = shared('host-events/msticpy/auditd_log.txt');
const RULES = shared('sigma-rules/rules/linux');

const entity = (alert: Alert, kind: string) =>
  alert.entities.filter((e) => e.kind === kind).map((e) => e.value);

describe('auditd alerts on the msticpy log', () => {
  it('name the executable as a process, never as a cloud resource', async () => {
    const found = await detect({ paths: [AUDITD], ruleDirs: [RULES] });
    const network = found.alerts.filter((a) => a.title === 'System Network Discovery - Linux');
    expect(network).toHaveLength(2);
    for (const alert of found.alerts) expect(entity(alert, 'cloud-resource')).toEqual([]);
    expect(network.map((a) => entity(a, 'process'))).toEqual([['/bin/ip'], ['/bin/ip']]);
  });
});

describe('two hosts with the same auditd log, no host named in either', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-auditd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Host B: the same records ten minutes later, root's activity under uid 1001.
  const text = readFileSync(AUDITD, 'utf8');
  const later = text
    .replace(/msg=audit\((\d+)\.(\d+):/g, (_, s: string, ms: string) => {
      return `msg=audit(${Number(s) + 600}.${ms}:`;
    })
    .replace(/\buid=0\b/g, 'uid=1001');
  writeFileSync(join(dir, 'host-a.log'), text);
  writeFileSync(join(dir, 'host-b.log'), later);

  const filesOf = (alert: Alert) => new Set(alert.evidence.map((e) => e.source.file));

  it('keep each host’s uid 998 in an alert of its own', async () => {
    const found = await detect({ paths: [dir], ruleDirs: [RULES] });
    const uid998 = found.alerts.filter(
      (a) => a.title === 'System Network Discovery - Linux' && entity(a, 'account').includes('998'),
    );
    expect(uid998).toHaveLength(2);
    expect(uid998.map((a) => filesOf(a).size)).toEqual([1, 1]);
  });

  it('form incidents within one host only, never joined through /bin/ip', async () => {
    const found = await detect({ paths: [dir], ruleDirs: [RULES] });
    expect(found.incidents.length).toBe(2);
    for (const incident of found.incidents) {
      const members = found.alerts.filter((a) => incident.alerts.includes(a.id));
      const files = new Set(members.flatMap((a) => [...filesOf(a)]));
      expect(files.size, incident.title).toBe(1);
    }
  });
});
