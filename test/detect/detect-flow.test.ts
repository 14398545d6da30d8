/**
 * The detection flow end to end on real logs: Stratus Red Team techniques, the invictus-ir attack
 * simulation, and loghub's OpenSSH brute force (ban set equal to fail2ban's, see bench/detect).
 */

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { toOcsf } from '../../src/export/ocsf-detection-finding.js';
import { shared } from '../support/paths.js';

const SIGMA = shared('sigma-rules');

/** Technique file -> alert titles, with SigmaHQ's rules and the built-in detections. */
const STRATUS_EXPECTED: Record<string, string[]> = {
  'aws.credential-access.ec2-steal-instance-credentials': [
    'Potential Malicious Usage of CloudTrail System Manager',
  ],
  'aws.defense-evasion.cloudtrail-delete': [
    'AWS CloudTrail Important Change',
    'AWS audit logging stopped, reduced or deleted',
  ],
  'aws.defense-evasion.cloudtrail-event-selectors': [
    'AWS audit logging stopped, reduced or deleted',
  ],
  'aws.defense-evasion.dns-delete-logs': ['AWS audit logging stopped, reduced or deleted'],
  'aws.defense-evasion.vpc-remove-flow-logs': [
    'AWS VPC Flow Logs Deleted',
    'AWS audit logging stopped, reduced or deleted',
  ],
  'aws.execution.ssm-send-command': ['Potential Malicious Usage of CloudTrail System Manager'],
  'aws.exfiltration.ec2-security-group-open-port-22-ingress': [
    'AWS security group opened to the internet',
  ],
  'aws.exfiltration.ec2-share-ebs-snapshot': ['AWS Snapshot Backup Exfiltration'],
  'aws.initial-access.console-login-without-mfa': ['AWS Successful Console Login Without MFA'],
  'aws.persistence.iam-backdoor-user': [
    'AWS IAM Backdoor Users Keys',
    'AWS access key created for another user',
  ],
  'aws.persistence.iam-create-admin-user': [
    'AWS IAM Backdoor Users Keys',
    'AWS access key created for another user',
  ],
  'aws.persistence.lambda-layer-extension': ['AWS New Lambda Layer Attached'],
  'aws.privilege-escalation.iam-update-user-login-profile': ['AWS User Login Profile Was Modified'],
};

/** The source addresses fail2ban (sshd filter, maxretry 5, findtime 10 min) bans on this log. */
const FAIL2BAN_BANS = [
  '103.207.39.16',
  '103.207.39.212',
  '103.99.0.122',
  '112.95.230.3',
  '119.4.203.64',
  '123.235.32.19',
  '183.62.140.253',
  '185.190.58.151',
  '187.141.143.180',
  '195.154.37.122',
  '5.188.10.180',
  '60.2.12.12',
];

describe('detection on Stratus Red Team detonation logs', () => {
  const dir = shared('cloudtrail/stratus-red-team');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const technique = file.replace(/\.json$/, '');
    const expected = STRATUS_EXPECTED[technique] ?? [];
    it(`${technique} raises ${expected.length ? expected.join(' + ') : 'nothing'}`, async () => {
      const result = await detect({ paths: [`${dir}/${file}`], ruleDirs: [SIGMA] });
      expect([...new Set(result.alerts.map((a) => a.title))].sort()).toEqual([...expected].sort());
    });
  }
});

describe('detection on the invictus-ir attack simulation', () => {
  it('builds alerts and one multi-stage incident around the attacker', async () => {
    const result = await detect({
      paths: [shared('cloudtrail/invictus-ir-aws_dataset')],
      ruleDirs: [SIGMA],
    });
    expect(result.events).toBe(2090);
    expect(result.alerts).toHaveLength(8);
    expect(result.incidents).toHaveLength(1);
    const [incident] = result.incidents;
    expect(incident.alerts).toHaveLength(8);
    expect(incident.tactics).toEqual([
      'initial-access',
      'persistence',
      'privilege-escalation',
      // ATT&CK v19 names only: the built-in rules' tags and SigmaHQ's agree.
      'stealth',
      'defense-impairment',
      'exfiltration',
    ]);
    expect(incident.entities).toContainEqual({
      kind: 'account',
      value: 'arn:aws:iam::123837392027:user/bert-jan',
    });
    expect(result.alerts.every((a) => a.incidentId === incident.id)).toBe(true);
  });

  it('carries rule author and licence, ATT&CK, entities, evidence and remediation on each alert', async () => {
    const result = await detect({
      paths: [shared('cloudtrail/invictus-ir-aws_dataset')],
      ruleDirs: [SIGMA],
    });
    for (const alert of result.alerts) {
      expect(alert.rule.author, alert.title).toBeTruthy();
      expect(alert.rule.license).toBe(alert.rule.kind === 'builtin' ? 'Apache-2.0' : 'DRL-1.1');
      expect(alert.attack.techniques.length + alert.attack.tactics.length).toBeGreaterThan(0);
      expect(alert.entities.length).toBeGreaterThan(0);
      expect(alert.evidence.length).toBeGreaterThan(0);
      expect(alert.evidence.length).toBeLessThanOrEqual(10);
      expect(alert.remediation.length).toBeGreaterThan(0);
      const ocsf = toOcsf(alert) as Record<string, any>;
      expect(ocsf.class_uid).toBe(2004);
      expect(ocsf.type_uid).toBe(200401);
      expect(ocsf.finding_info.analytic.desc).toContain(alert.rule.author);
      expect(ocsf.unmapped.rule_license).toBe(alert.rule.license);
    }
  });
});

describe('SSH brute force on loghub OpenSSH', () => {
  it('raises brute-force alerts for the addresses fail2ban bans, and the two whose failures rsyslog folded', async () => {
    const result = await detect({ paths: [shared('ssh-logs/loghub/OpenSSH')], year: 2023 });
    const brute = result.alerts.filter(
      (a) => a.rule.kind === 'builtin' && a.title === 'SSH brute force from one source',
    );
    const ipOf = (a: (typeof brute)[number]) => a.entities.find((e) => e.kind === 'ip')?.value;
    const ips = new Set(brute.map(ipOf));
    // fail2ban's sshd filter reads no `message repeated 5 times: [ Failed password ... ]` line:
    // these two sources failed once, then five times more in one such line (PAM's next line says
    // "5 more authentication failures"): six failures within 13 seconds, over maxretry 5.
    const folded = ['106.5.5.195', '5.36.59.76'];
    expect([...ips].sort()).toEqual([...FAIL2BAN_BANS, ...folded].sort());
    for (const ip of folded) {
      const [alert] = brute.filter((a) => ipOf(a) === ip);
      expect(alert.eventCount, ip).toBe(6);
      expect(alert.evidence.map((e) => e.occurrences ?? 1)).toEqual([1, 5]);
    }
  });

  it('folds repeated matches into one alert per source and window', async () => {
    const result = await detect({ paths: [shared('ssh-logs/loghub/OpenSSH')], year: 2023 });
    const first = result.alerts.find((a) => a.entities.some((e) => e.value === '183.62.140.253'));
    expect(first?.eventCount).toBeGreaterThan(100);
    const titles = result.alerts
      .filter((a) => a.entities.some((e) => e.value === '183.62.140.253'))
      .map((a) => a.title);
    expect(titles.filter((t) => t === 'SSH brute force from one source')).toHaveLength(1);
  });

  it('groups only failures that name their source: every brute-force alert names an address', async () => {
    // "Disconnecting: Too many authentication failures" lines carry no address; counted together
    // they once made an alert about nobody.
    const result = await detect({ paths: [shared('ssh-logs/loghub/OpenSSH')], year: 2023 });
    const brute = result.alerts.filter((a) => a.title === 'SSH brute force from one source');
    expect(brute.length).toBeGreaterThan(0);
    for (const alert of brute) expect(alert.entities.some((e) => e.kind === 'ip')).toBe(true);

    const lines = Array.from(
      { length: 8 },
      (_, i) =>
        `Mar  3 10:00:0${i} web1 sshd[${100 + i}]: Disconnecting: Too many authentication failures [preauth]`,
    );
    async function* stdin() {
      yield lines.join('\n') + '\n';
    }
    const anonymous = await detect({ paths: '-', stdin: stdin(), year: 2024 });
    expect(anonymous.events).toBe(8);
    expect(anonymous.alerts.map((a) => a.title)).toEqual([]);
  });

  it('counts old-style sshd(pam_unix) failures, where no "Failed password" line exists', async () => {
    // loghub Linux_2k: 80 failed root logins from 150.183.249.110 within two minutes, logged only
    // by PAM under the old `sshd(pam_unix)` tag. Sources logged by name are named as hosts.
    const result = await detect({
      paths: [shared('ssh-logs/loghub/Linux/Linux_2k.log')],
      year: 2005,
    });
    const brute = result.alerts.filter((a) => a.title === 'SSH brute force from one source');
    const attacker = brute.find((a) => a.entities.some((e) => e.value === '150.183.249.110'));
    expect(attacker?.eventCount).toBe(80);
    expect(attacker?.firstSeen).toBe('2005-07-10T16:01:43.000Z');
    for (const alert of brute) {
      const remote = alert.entities.filter((e) => e.kind === 'ip' || e.kind === 'remote-host');
      expect(remote).toHaveLength(1);
    }
  });

  it('raises a high alert when a brute-forcing source then logs in', async () => {
    const lines = [
      ...Array.from(
        { length: 6 },
        (_, i) =>
          `Mar  3 10:00:0${i} web1 sshd[${100 + i}]: Failed password for root from 198.51.100.7 port ${40000 + i} ssh2`,
      ),
      'Mar  3 10:00:30 web1 sshd[200]: Accepted password for root from 198.51.100.7 port 40100 ssh2',
      'Mar  3 10:00:31 web1 sshd[201]: Accepted publickey for deploy from 192.0.2.10 port 50000 ssh2: RSA SHA256:x',
    ];
    async function* stdin() {
      yield lines.join('\n') + '\n';
    }
    const result = await detect({ paths: '-', stdin: stdin(), year: 2024 });
    const chained = result.alerts.find(
      (a) => a.title === 'SSH login after brute force from the same source',
    );
    expect(chained?.severity).toBe('high');
    expect(chained?.entities).toContainEqual({ kind: 'ip', value: '198.51.100.7' });
    expect(result.alerts.some((a) => a.entities.some((e) => e.value === '192.0.2.10'))).toBe(false);
  });

  it('counts a failed key as fail2ban does: for an invalid user, not for a valid one', async () => {
    // fail2ban's sshd filter (publickey = nofail): a valid user trying several keys is normal.
    const failures = (user: string, ip: string) =>
      Array.from(
        { length: 6 },
        (_, i) =>
          `Mar  3 10:01:0${i} web1 sshd[${300 + i}]: Failed publickey for ${user} from ${ip} port ${41000 + i} ssh2: RSA SHA256:k${i}`,
      );
    const lines = [
      ...failures('deploy', '192.0.2.20'),
      ...failures('invalid user ghost', '192.0.2.30'),
    ];
    async function* stdin() {
      yield lines.join('\n') + '\n';
    }
    const result = await detect({ paths: '-', stdin: stdin(), year: 2024 });
    const brute = result.alerts.filter((a) => a.title === 'SSH brute force from one source');
    const ips = brute.flatMap((a) => a.entities.filter((e) => e.kind === 'ip').map((e) => e.value));
    expect(ips).toEqual(['192.0.2.30']);
  });
});
