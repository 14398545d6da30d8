/**
 * Keyword rules read a syslog message with its `program[pid]:` tag, as their authors wrote them
 * (SigmaHQ's linux/builtin rules), but never across the line's time and host.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../../src/detect/detect.js';
import { keywordStrings } from '../../../src/detect/sigma/keyword-strings.js';
import { shared } from '../../support/paths.js';

const SYSLOG_RULES = shared('sigma-rules/rules/linux/builtin/syslog');
const NAMED = 'Suspicious Named Error';
const dir = mkdtempSync(join(tmpdir(), 'palisade-keywords-'));

/** Titles of the alerts SigmaHQ's rules in `ruleDir` raise on a file holding `text`. */
async function titlesOn(name: string, text: string, ruleDir = SYSLOG_RULES): Promise<string[]> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const result = await detect({ paths: [file], ruleDirs: [ruleDir], year: 2023 });
  return result.alerts.map((a) => a.title);
}

describe('keyword search over syslog messages', () => {
  it("matches SigmaHQ's ' exiting (due to fatal error)' at the start of named's message", async () => {
    const line = 'Dec 10 06:55:49 ns1 named[1234]: exiting (due to fatal error)\n';
    expect(await titlesOn('named.log', line)).toEqual([NAMED]);
  });

  it('matches an RFC 5424 line and a tag without a pid', async () => {
    const rfc5424 = '<30>1 2023-12-10T06:55:49Z ns1 named 1234 - - exiting (due to fatal error)\n';
    expect(await titlesOn('named5424.log', rfc5424)).toEqual([NAMED]);
    const noPid = 'Dec 10 06:55:49 ns1 named: denied AXFR from 198.51.100.7#53\n';
    expect(await titlesOn('named-nopid.log', noPid)).toEqual([NAMED]);
  });

  it('does not match a keyword across the host and the message', async () => {
    // The keyword's leading space is found only where the tag puts one: not after the host.
    const line = 'Dec 10 06:55:49 ns1 exiting (due to fatal error)\n';
    expect(await titlesOn('untagged.log', line)).toEqual([]);
  });

  it('reads journald and Azure Monitor syslog rows with their tags', async () => {
    const journal = {
      __REALTIME_TIMESTAMP: '1702191349000000',
      _HOSTNAME: 'ns1',
      SYSLOG_IDENTIFIER: 'named',
      _PID: '1234',
      MESSAGE: 'exiting (due to fatal error)',
    };
    expect(await titlesOn('named.journal.json', `${JSON.stringify(journal)}\n`)).toEqual([NAMED]);
    const row = {
      TimeGenerated: '2023-12-10T06:55:49Z',
      HostName: 'ns1',
      ProcessName: 'named',
      ProcessID: 1234,
      SyslogMessage: 'exiting (due to fatal error)',
    };
    expect(await titlesOn('named.la.json', `${JSON.stringify(row)}\n`)).toEqual([NAMED]);
  });

  it('leaves the message of other events and the other fields as they are', () => {
    const fields = { host: 'ns1', program: 'sshd', pamModule: 'pam_unix', pid: 7, message: 'x' };
    expect(keywordStrings('syslog', fields)).toEqual([
      'ns1',
      'sshd',
      'pam_unix',
      '7',
      'sshd(pam_unix)[7]: x',
    ]);
    expect(keywordStrings('cloudtrail', { message: 'x', program: 'p' })).toEqual(['x', 'p']);
    expect(keywordStrings('syslog', { host: 'h', message: 'no tag' })).toEqual(['h', 'no tag']);
  });
});
