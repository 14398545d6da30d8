/**
 * The alert table names each kind of entity an alert holds once, with how many more of that
 * kind there are, and quotes a value whose spaces would blur it (loghub's OpenSSH log holds a
 * user name with a leading space).
 */

import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { renderAlertTable } from '../../src/report/alert-table.js';
import { shared } from '../support/paths.js';

const { alerts, incidents } = await detect({
  paths: [shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log')],
  year: 2023,
});
const table = renderAlertTable(alerts, incidents, {
  events: 2000,
  skipped: 0,
  rules: { detection: 0, correlation: 0, unsupported: 0 },
  readErrors: 0,
});

describe('alert table entities', () => {
  it('shows the first account a brute force tried and counts the others', () => {
    const brute = alerts.find(
      (a) =>
        a.title === 'SSH brute force from one source' &&
        a.entities.filter((e) => e.kind === 'account').length > 5,
    );
    expect(brute).toBeDefined();
    const accounts = brute!.entities.filter((e) => e.kind === 'account');
    const ip = brute!.entities.find((e) => e.kind === 'ip')!.value;
    const line = table.split('\n').find((l) => l.includes(`ip=${ip} `));
    expect(line).toContain(`(+${accounts.length - 1} more)`);
    expect(line).toContain('host=LabSZ');
  });

  it('quotes a value with spaces in it', () => {
    const spaced = alerts
      .map((a) => a.entities.find((e) => e.kind === 'account'))
      .find((e) => e !== undefined && e.value !== e.value.trim());
    expect(spaced).toBeDefined();
    expect(table).toContain(`account=${JSON.stringify(spaced!.value)}`);
  });
});
