/**
 * An alert shows the remediation its rule writes (Palisade's own `remediation` field, which the
 * built-in detections carry), and falls back to steps suggested by its ATT&CK tactics only when
 * the rule writes none.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { shared } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-remediation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('alert remediation', () => {
  it("is the built-in correlation rule's own steps for SSH brute force", async () => {
    const { alerts } = await detect({
      paths: [shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log')],
      year: 2023,
    });
    const brute = alerts.filter((a) => a.title === 'SSH brute force from one source');
    expect(brute.length).toBeGreaterThan(0);
    for (const alert of brute) {
      expect(alert.remediation.join(' ')).toContain('PasswordAuthentication no');
      // Nothing was read: the steps for stolen credentials do not belong here.
      expect(alert.remediation.join(' ')).not.toContain('Rotate the credentials');
    }
  });

  it("is the built-in detection rule's own steps for a security group opened to the internet", async () => {
    const { alerts } = await detect({
      paths: [
        shared(
          'cloudtrail/stratus-red-team/aws.exfiltration.ec2-security-group-open-port-22-ingress.json',
        ),
      ],
    });
    const opened = alerts.find((a) => a.title === 'AWS security group opened to the internet');
    expect(opened?.remediation[0]).toMatch(/^Replace the 0\.0\.0\.0\/0/);
  });

  it("falls back to the tactics' steps for a user rule that writes none", async () => {
    const rules = join(dir, 'rules');
    const logs = join(dir, 'auth.log');
    const rule = [
      'title: Any sshd failure',
      'id: 7d1c64e5-0a9c-4c38-9d0e-4d3b1f0b2a11',
      'logsource: { product: linux, service: sshd }',
      "detection: { sel: { ssh.event|startswith: 'failed_' }, condition: sel }",
      'level: low',
      'tags: [attack.credential-access, attack.t1110]',
    ].join('\n');
    mkdirSync(rules, { recursive: true });
    writeFileSync(join(rules, 'any.yml'), rule);
    writeFileSync(
      logs,
      'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for root from 203.0.113.9 port 1 ssh2\n',
    );
    const { alerts } = await detect({ paths: [logs], ruleDirs: [rules], year: 2023 });
    const mine = alerts.find((a) => a.title === 'Any sshd failure');
    expect(mine?.remediation.length).toBeGreaterThan(0);
  });
});
