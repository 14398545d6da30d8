/** Alerts made for export tests: distinct ids, the shape detection stores. */

import type { Alert } from '../../../src/model/alert.js';
import type { Severity } from '../../../src/model/rule.js';

const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];

/** Alert number `n`, in cloud account `account`. */
export function testAlert(n: number, account = '111122223333', at = Date.UTC(2026, 0, 1)): Alert {
  const time = new Date(at + n * 1000).toISOString();
  return {
    id: `test-alert-${n}`,
    title: `Console login without MFA #${n}`,
    description: 'A user signed in to the AWS console without multi-factor authentication.',
    severity: SEVERITIES[n % SEVERITIES.length],
    status: 'active',
    attack: { tactics: ['initial-access'], techniques: ['T1078.004'] },
    entities: [
      { kind: 'account', value: `arn:aws:iam::${account}:user/user${n}` },
      { kind: 'ip', value: `203.0.113.${n % 250}` },
      { kind: 'cloud-account', value: account },
    ],
    firstSeen: time,
    lastSeen: time,
    eventCount: 1,
    evidence: [],
    remediation: ['Require MFA for console sign-in.'],
    rule: { kind: 'builtin', id: 'console-login-without-mfa', title: 'Console login without MFA' },
  };
}
