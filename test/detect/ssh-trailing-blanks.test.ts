/**
 * A relay that pads syslog lines (a template's trailing space, a tab, a kept CR) must not hide
 * sshd's messages: the alerts are those of the unpadded log, as fail2ban's filter (which allows
 * trailing blanks) would count them. Both the quiet path and built events are read.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { shared } from '../support/paths.js';

const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');

async function* stream(lines: string[]) {
  yield lines.join('\n') + '\n';
}

const summary = (alerts: { title: string; eventCount: number; entities: unknown[] }[]) =>
  alerts.map((a) => `${a.title}|${a.eventCount}|${JSON.stringify(a.entities)}`).sort();

describe('sshd lines with trailing blanks', () => {
  it.each([[' '], ['\t'], ['  \r']])(
    'raise the alerts of the unpadded log (padding %j)',
    async (pad) => {
      const lines = readFileSync(OPENSSH, 'utf8')
        .split(/\r?\n/)
        .filter((l) => l !== '');
      const plain = await detect({ paths: '-', stdin: stream(lines), year: 2024 });
      const padded = await detect({
        paths: '-',
        stdin: stream(lines.map((l) => l + pad)),
        year: 2024,
      });
      expect(plain.alerts.length).toBeGreaterThan(10);
      expect(summary(padded.alerts)).toEqual(summary(plain.alerts));
    },
  );
});
