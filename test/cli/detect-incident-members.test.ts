/**
 * The incident table of `palisade detect` lists every member of an incident the run's alerts
 * joined in the store, the stored ones marked so; it listed only the run's own alerts under a
 * title counting them all ("(4 alerts)" over one line).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { renderAlertTable } from '../../src/report/alert-table.js';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-incident-members-'));
const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
/** The loghub attacker's brute force going on twenty-five minutes after the log ends. */
const LATER = join(work, 'later.log');
writeFileSync(
  LATER,
  [1, 2, 3, 4, 5, 6]
    .map(
      (s) =>
        `Dec 10 11:30:0${s} LabSZ sshd[30000]: Failed password for admin from 103.99.0.122 ` +
        'port 5000 ssh2\n',
    )
    .join(''),
);

/** The lines of the table's incident section, up to the blank line that ends it. */
const incidentLines = (stdout: string) =>
  stdout.slice(stdout.indexOf('Incidents (')).split('\n\n')[0].split('\n');

describe('the incident table of palisade detect', () => {
  it('lists the stored members of an incident the run joined, marked stored', () => {
    const db = join(work, 'members.db');
    const first = runPalisade(['detect', OPENSSH, '--year', '2025', '--db', db, '--no-color']);
    expect(first.code, first.stderr).toBe(0);
    const before = incidentLines(first.stdout);
    const title = 'Related activity involving 103.99.0.122 (4 alerts)';
    const at = before.findIndex((l) => l.includes(title));
    expect(at).toBeGreaterThanOrEqual(0);
    // The member lines under the title and its time line, as the first run listed them.
    const members = before.slice(at + 2, at + 6).map((l) => l.trim());
    expect(members).toHaveLength(4);

    const later = runPalisade(['detect', LATER, '--year', '2025', '--db', db, '--no-color']);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toContain('Alerts by severity (1)');
    const lines = incidentLines(later.stdout);
    expect(lines[0]).toBe('Incidents (1)');
    expect(lines[1]).toContain(title);
    const listed = lines.slice(3).map((l) => l.trim());
    // The same four alerts in the same order; the one this run grew is not marked.
    expect(listed.map((l) => l.replace(/ {2}\(stored\)$/, ''))).toEqual(members);
    expect(listed.filter((l) => l.endsWith('(stored)'))).toHaveLength(3);
    expect(listed.filter((l) => !l.endsWith('(stored)'))).toEqual([
      '2025-12-10T11:03:37.000Z  SSH brute force from one source',
    ]);
  });

  it('says how many members it cannot list when it is not given them', async () => {
    const run = await detect({ paths: [OPENSSH], year: 2025 });
    const incident = run.incidents.find((i) => i.alerts.length === 4)!;
    const mine = run.alerts.filter((a) => a.id === incident.alerts[2]);
    const table = renderAlertTable(mine, [incident], {
      events: run.events,
      skipped: 0,
      rules: { detection: 1, correlation: 0, unsupported: 0 },
      readErrors: 0,
    });
    expect(table).toContain(`  ${mine[0].firstSeen}  ${mine[0].title}\n`);
    expect(table).toContain('… and 3 stored alerts not listed here');
  });
});
