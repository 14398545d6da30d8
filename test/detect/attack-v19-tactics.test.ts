/**
 * SigmaHQ's rules name ATT&CK v19's tactics (Stealth and Defense Impairment, which replaced
 * Defense Evasion); a new user saw such alerts carry no tactic at all, fall out of the incident
 * kill chain and be labelled ATT&CK v15 in OCSF. Real rules on Stratus Red Team's CloudTrail.
 */

import { describe, expect, it } from 'vitest';
import { KILL_CHAIN } from '../../src/detect/attack-tactics.js';
import { detect } from '../../src/detect/detect.js';
import { toOcsf } from '../../src/export/ocsf-detection-finding.js';
import { shared } from '../support/paths.js';

describe('ATT&CK v19 tactics from SigmaHQ tags', () => {
  it('keep attack.stealth on the alert, with its place in the chain, remediation and OCSF name', async () => {
    const found = await detect({
      paths: [shared('cloudtrail/stratus-red-team/aws.defense-evasion.vpc-remove-flow-logs.json')],
      ruleDirs: [shared('sigma-rules/rules/cloud/aws/cloudtrail')],
    });
    const alert = found.alerts.find((a) => a.title === 'AWS VPC Flow Logs Deleted');
    expect(alert, found.alerts.map((a) => a.title).join(', ')).toBeDefined();
    expect(alert!.attack.tactics).toEqual(['stealth']);
    expect(alert!.remediation.join(' ')).toContain('hidden or disguised');
    const order = (t: string) => KILL_CHAIN.indexOf(t);
    expect(order('privilege-escalation')).toBeLessThan(order('stealth'));
    expect(order('defense-impairment')).toBeLessThan(order('credential-access'));

    const ocsf = toOcsf(alert!) as {
      finding_info: { attacks: { tactic?: { name: string }; version: string }[] };
    };
    expect(ocsf.finding_info.attacks.map((a) => [a.tactic?.name, a.version])).toEqual([
      ['Stealth', 'v19'],
    ]);
  });
});
