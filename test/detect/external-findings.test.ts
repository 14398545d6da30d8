/**
 * Other tools' findings as alerts, on real ones: Security Hub (ASFF) severity, rule identity,
 * entities and times, and the entity kinds of Falco alerts.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import type { Alert } from '../../src/model/alert.js';
import { toOcsf } from '../../src/export/ocsf-detection-finding.js';
import { shared } from '../support/paths.js';

const IAM_KEY = shared(
  'findings/aws/cloud-custodian-cwe/event-securityhub-iamkey-finding-action.json',
);
const FALCO = shared('findings/falco/elastic-integrations-ELv2/test-falco.head.log');

/** The GuardDuty finding Security Hub carries in the custom-action event (Severity: Normalized 50). */
function iamKeyFinding(): Record<string, unknown> {
  const event = JSON.parse(readFileSync(IAM_KEY, 'utf8'));
  return event.detail.findings[0];
}

/** Alerts of findings given as a GetFindings page on stdin. */
async function alertsOf(findings: Record<string, unknown>[]): Promise<Alert[]> {
  const page = JSON.stringify({ Findings: findings });
  const stdin = (async function* () {
    yield page;
  })();
  const result = await detect({ paths: '-', stdin });
  expect(result.readErrorCount).toBe(0);
  return result.alerts;
}

describe('Security Hub findings', () => {
  it('reads the severity from Normalized when the finding has no Label', async () => {
    const { alerts } = await detect({ paths: [IAM_KEY] });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].severity).toBe('medium');

    // Without the label Security Hub derived, the Normalized score decides on AWS's ranges.
    const bare = iamKeyFinding();
    delete (bare.ProductFields as Record<string, unknown>)['aws/securityhub/SeverityLabel'];
    const scores: [Record<string, unknown>, string][] = [
      [{ Normalized: 0 }, 'informational'],
      [{ Normalized: 39 }, 'low'],
      [{ Normalized: 50 }, 'medium'],
      [{ Normalized: 70 }, 'high'],
      [{ Normalized: 90 }, 'critical'],
      [{ Product: 8 }, 'high'],
      [{ Label: 'LOW', Normalized: 90 }, 'low'],
    ];
    for (const [severity, expected] of scores) {
      const [alert] = await alertsOf([{ ...bare, Severity: severity }]);
      expect(alert.severity, JSON.stringify(severity)).toBe(expected);
    }
  });

  it('keeps findings of different types apart and folds updates of one finding', async () => {
    const login = iamKeyFinding();
    const exfiltration = {
      ...login,
      Id: `${String(login.Id).replace(/[^/]+$/, '')}5dc0ffee`,
      Types: ['TTPs/Credential Access/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration'],
      Title: 'Credentials exfiltrated for principal kapil.',
      Severity: { Label: 'HIGH', Normalized: 80 },
    };
    const update = {
      ...login,
      LastObservedAt: '2019-06-12T15:20:00Z',
      UpdatedAt: '2019-06-12T16:00:00Z',
    };
    const alerts = await alertsOf([login, exfiltration, update]);
    expect(alerts.map((a) => [a.title, a.severity, a.eventCount]).sort()).toEqual([
      ['Credentials exfiltrated for principal kapil.', 'high', 1],
      ['Unusual console login was seen for principal kapil.', 'medium', 2],
    ]);
    const consoleLogin = alerts.find((a) => a.title.startsWith('Unusual'))!;
    expect(consoleLogin.lastSeen).toBe('2019-06-12T15:20:00.000Z');
  });

  it('names the principal and remote address, never a null value', async () => {
    const { alerts } = await detect({ paths: [IAM_KEY] });
    const entities = alerts[0].entities;
    expect(entities).toEqual(
      expect.arrayContaining([
        { kind: 'account', value: 'kapil' },
        { kind: 'ip', value: '208.115.85.104' },
        { kind: 'cloud-account', value: '644160558196' },
      ]),
    );
    for (const e of entities) expect(e.value).not.toMatch(/(^|:)null$/i);
  });

  it('dates the alert by when the activity was observed, not when the finding was written', async () => {
    const { alerts } = await detect({ paths: [IAM_KEY] });
    // FirstObservedAt 15:11:20, LastObservedAt 15:12:40; CreatedAt and UpdatedAt 15:34:50.
    expect(alerts[0].lastSeen).toBe('2019-06-12T15:12:40.000Z');
  });
});

describe('Falco alerts', () => {
  it('lists files and command lines as file and process entities, not cloud resources', async () => {
    const { alerts, incidents } = await detect({ paths: [FALCO] });
    const byTitle = new Map(alerts.map((a) => [a.title, a.entities]));
    expect(byTitle.get('Read sensitive file untrusted')).toEqual(
      expect.arrayContaining([{ kind: 'file', value: '/etc/shadow' }]),
    );
    expect(byTitle.get('Run shell untrusted')).toEqual(
      expect.arrayContaining([{ kind: 'process', value: 'bash -c ls > /dev/null' }]),
    );
    for (const a of alerts) {
      expect(a.entities.filter((e) => e.kind === 'cloud-resource')).toEqual([]);
    }
    // The four alerts of one container still make one incident.
    expect(incidents).toHaveLength(1);
    expect(incidents[0].alerts).toHaveLength(4);

    const shell = alerts.find((a) => a.title === 'Run shell untrusted')!;
    const observables = toOcsf(shell).observables as { type: string; value: string }[];
    expect(observables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Command Line', value: 'bash -c ls > /dev/null' }),
      ]),
    );
    const read = alerts.find((a) => a.title === 'Read sensitive file untrusted')!;
    expect(toOcsf(read).observables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'File Name', value: '/etc/shadow' }),
      ]),
    );
  });
});
