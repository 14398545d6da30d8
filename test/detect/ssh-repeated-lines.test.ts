/**
 * rsyslog writes a message repeated N times as one line, `message repeated N times: [ ... ]`:
 * such a line is N occurrences to correlations and to an alert's count, at most MAX_OCCURRENCES.
 */

import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { MAX_OCCURRENCES } from '../../src/logs/auth-message.js';

const log = (lines: string[]) =>
  (async function* () {
    yield Buffer.from(lines.join('\n') + '\n');
  })();

const failed = 'Failed password for root from 198.51.100.9 port 40000 ssh2';

async function bruteForce(lines: string[]) {
  const result = await detect({ paths: '-', stdin: log(lines), year: 2024 });
  return result.alerts.filter((a) => a.title === 'SSH brute force from one source');
}

describe('repeated sshd lines', () => {
  it('counts a repeated failure as each of its occurrences', async () => {
    const two = [
      `Mar  1 10:00:00 web1 sshd[7]: ${failed}`,
      `Mar  1 10:00:09 web1 sshd[7]: message repeated 2 times: [ ${failed}]`,
    ];
    // Three failures: under fail2ban's maxretry of 5.
    expect(await bruteForce(two)).toHaveLength(0);
    const [alert, ...more] = await bruteForce([
      ...two,
      `Mar  1 10:00:20 web1 sshd[7]: message repeated 3 times: [ ${failed}]`,
    ]);
    expect(more).toHaveLength(0);
    expect(alert.eventCount).toBe(6);
    expect(alert.evidence.map((e) => e.occurrences ?? 1)).toEqual([1, 2, 3]);
  });

  it('counts a forged repeat count as at most MAX_OCCURRENCES, at once', async () => {
    const started = performance.now();
    const [alert] = await bruteForce([
      `Mar  1 10:00:00 web1 sshd[7]: message repeated 999999999 times: [ ${failed}]`,
    ]);
    expect(alert.eventCount).toBe(MAX_OCCURRENCES);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
