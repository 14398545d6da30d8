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
  it('alerts on six failures from a host name, naming it as a host', async () => {
    const failures = Array.from(
      { length: 6 },
      (_, i) =>
        `Mar  3 10:01:0${i} web1 sshd[${300 + i}]: Failed password for root from scanner.example.net port ${41000 + i} ssh2`,
    );
    const result = await detect({ paths: '-', stdin: lines(failures), year: 2024 });
    const brute = result.alerts.filter((a) => a.title === 'SSH brute force from one source');
    expect(brute).toHaveLength(1);
    expect(brute[0].entities).toContainEqual({ kind: 'host', value: 'scanner.example.net' });
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
});
