/**
 * sshd logs the remote side by name when UseDNS is on: brute force from such a source must be
 * counted and alerted on as brute force from an address is (loghub's Linux log holds both).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { shared } from '../support/paths.js';

const LINUX = shared('ssh-logs/loghub/Linux/Linux_2k.log');

async function* lines(text: string[]) {
  yield text.join('\n') + '\n';
}

describe('SSH brute force from a source logged by name', () => {
  it('alerts on six failures from a host name, naming it as the remote host', async () => {
    const failures = Array.from(
      { length: 6 },
      (_, i) =>
        `Mar  3 10:01:0${i} web1 sshd[${300 + i}]: Failed password for root from scanner.example.net port ${41000 + i} ssh2`,
    );
    const result = await detect({ paths: '-', stdin: lines(failures), year: 2024 });
    const brute = result.alerts.filter((a) => a.title === 'SSH brute force from one source');
    expect(brute).toHaveLength(1);
    // The attacker's name and the host attacked are told apart.
    expect(brute[0].entities).toContainEqual({ kind: 'remote-host', value: 'scanner.example.net' });
    expect(brute[0].entities).toContainEqual({ kind: 'host', value: 'web1' });
    expect(brute[0].entities.some((e) => e.kind === 'ip')).toBe(false);
  });

  it("alerts on every source of loghub's Linux log that fails five times in ten minutes", async () => {
    // The failures the rule counts there: old-style PAM lines, `rhost=` an address or a name.
    const failure =
      /^(\w{3} +\d+ [\d:]+) \S+ sshd\(pam_unix\)\[\d+\]: authentication failure;.* rhost=(\S+)/;
    const bySource = new Map<string, number[]>();
    for (const line of readFileSync(LINUX, 'utf8').split('\n')) {
      const m = failure.exec(line);
      if (!m) continue;
      const time = Date.parse(`${m[1]} 2005 UTC`);
      bySource.set(m[2], [...(bySource.get(m[2]) ?? []), time]);
    }
    const expected = [...bySource]
      .filter(([, times]) => times.some((t, i) => i >= 4 && t - times[i - 4] <= 600_000))
      .map(([source]) => source)
      .sort();
    expect(expected.some((s) => !/^[\d.]+$/.test(s))).toBe(true);

    const result = await detect({ paths: [LINUX], year: 2005 });
    const alerted = new Set(
      result.alerts
        .filter((a) => a.title === 'SSH brute force from one source')
        .flatMap((a) => a.entities.filter((e) => e.value !== 'combo').map((e) => e.value)),
    );
    expect(expected.filter((s) => !alerted.has(s))).toEqual([]);
  });

  it("does not join loghub's Linux attackers through the host and root they all hit", async () => {
    // Sources named by host name were once taken for local hosts: all of them, and the
    // addresses between them, became incidents "involving combo" / "root on combo".
    const result = await detect({ paths: [LINUX], year: 2005 });
    const byId = new Map(result.alerts.map((a) => [a.id, a]));
    const sourceOf = (id: string) =>
      byId
        .get(id)!
        .entities.filter((e) => e.kind === 'ip' || e.kind === 'remote-host')
        .map((e) => `${e.kind}:${e.value}`);
    const named = result.alerts.filter((a) => a.entities.some((e) => e.kind === 'remote-host'));
    expect(named.length).toBeGreaterThan(0);
    // The attacked host is a host; its attackers' names are not.
    expect(
      named.flatMap((a) => a.entities.filter((e) => e.kind === 'host').map((e) => e.value)),
    ).toEqual(named.map(() => 'combo'));
    for (const incident of result.incidents) {
      const sources = new Set(incident.alerts.flatMap(sourceOf));
      expect(sources.size, incident.title).toBe(1);
      expect(incident.title).not.toMatch(/involving (root on )?combo/);
    }
  });

  it('joins alerts of one source logged by name, and not those of two', async () => {
    const failures = (minute: number, source: string) =>
      Array.from(
        { length: 5 },
        (_, i) =>
          `Mar  3 10:${minute}:0${i} web1 sshd[${300 + i}]: Failed password for root from ${source} port ${41000 + i} ssh2`,
      );
    // Two names attacking root on web1 at once: two stories.
    const two = await detect({
      paths: '-',
      stdin: lines([...failures(10, 'a.example.net'), ...failures(10, 'b.example.net')]),
      year: 2024,
    });
    expect(two.alerts).toHaveLength(2);
    expect(two.incidents).toEqual([]);
    // The same name back three hours later: one attacker, one incident.
    const back = await detect({
      paths: '-',
      stdin: lines([
        ...failures(10, 'a.example.net'),
        ...failures(10, 'b.example.net').map((l) => l.replace('10:', '12:')),
        ...failures(10, 'a.example.net').map((l) => l.replace('10:', '13:')),
      ]),
      year: 2024,
    });
    expect(back.incidents).toHaveLength(1);
    expect(back.incidents[0].title).toMatch(/involving a\.example\.net/);
  });
});
