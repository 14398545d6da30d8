/**
 * A `gcloud logging read` export mixes audit entries with other Cloud Logging entries
 * (`jsonPayload`, `textPayload`): those are read as events no audit rule applies to, said once,
 * and are no read error (plaso's gcp_logging.jsonl, lines 8 and 9).
 */

import { describe, expect, it } from 'vitest';
import { readLogs } from '../../src/logs/read-logs.js';
import { runPalisade } from '../support/cli.js';
import { collect, dataPath } from './shared-data.js';

const MIXED = dataPath('gcp-audit/plaso/gcp_logging.jsonl');

describe('a mixed Cloud Logging export', () => {
  it('reads the non-audit entries as events of their own service, with one notice', async () => {
    const { events, errors } = await collect(readLogs([MIXED]));
    expect(events).toHaveLength(11);
    const other = events.filter((e) => e.source.service === 'gcp.logging');
    expect(other.map((e) => [e.source.line, e.action])).toEqual([
      [8, 'testlog'],
      [9, 'testlog'],
    ]);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'NOTICE',
        '2 Cloud Logging entries are not audit logs (no protoPayload; the first at line 8): read, but no audit rule applies to them',
      ],
    ]);
    // One firewall insert is two entries: its long-running operation's first and last.
    const firewall = events.filter((e) => e.action === 'v1.compute.firewalls.insert');
    expect(firewall.map((e) => e.fields.operation)).toEqual([
      expect.objectContaining({ last: true }),
      expect.objectContaining({ first: true }),
    ]);
    expect(new Set(firewall.map((e) => e.fields.insertId)).size).toBe(2);
  });

  it('is no input error to palisade detect: exit 0, the notice said once', () => {
    const run = runPalisade(['detect', MIXED, '--no-store', '-q']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('protoPayload missing');
    expect(run.stderr.match(/note: .*not audit logs/g)).toHaveLength(1);
    expect(run.stdout).toContain('11 events');
    expect(run.stdout).not.toContain('could not be read');
  });
});
