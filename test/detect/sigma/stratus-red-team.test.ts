import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/model/event.js';
import { loadSigmaRules } from '../../../src/detect/sigma/rule-loader.js';
import { createSigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import type { SigmaMatch, SigmaRule } from '../../../src/detect/sigma/types.js';
import { shared } from '../../support/paths.js';
import { CLOUDTRAIL } from './sigma-test-support.js';

const STRATUS = shared('cloudtrail/stratus-red-team');

/** Minimal events from a Stratus Red Team detonation log (a JSON array of CloudTrail records). */
function stratusEvents(file: string): LogEvent[] {
  const records = JSON.parse(readFileSync(join(STRATUS, file), 'utf8')) as Record<
    string,
    unknown
  >[];
  return records.map((fields, i) => ({
    time: String(fields.eventTime),
    source: { ...CLOUDTRAIL, file, line: i + 1 },
    action: String(fields.eventName),
    fields,
  }));
}

/** Technique file -> shared SigmaHQ rules it fires (one engine per technique, all rules loaded). */
const EXPECTED: Record<string, string[]> = {
  // Potential Malicious Usage of CloudTrail System Manager (ssm:SendCommand)
  'aws.credential-access.ec2-steal-instance-credentials.json': [
    '38e7f511-3f74-41d4-836e-f57dfa18eead',
  ],
  'aws.execution.ssm-send-command.json': ['38e7f511-3f74-41d4-836e-f57dfa18eead'],
  // AWS CloudTrail Important Change (DeleteTrail)
  'aws.defense-evasion.cloudtrail-delete.json': ['4db60cc0-36fb-42b7-9b58-a5b53019fb74'],
  // AWS VPC Flow Logs Deleted
  'aws.defense-evasion.vpc-remove-flow-logs.json': ['e386b9b5-af12-450e-afff-761730fb8a98'],
  // AWS Snapshot Backup Exfiltration (ModifySnapshotAttribute)
  'aws.exfiltration.ec2-share-ebs-snapshot.json': ['abae8fec-57bd-4f87-aff6-6e3db989843d'],
  // AWS Successful Console Login Without MFA
  'aws.initial-access.console-login-without-mfa.json': ['77caf516-34e5-4df9-b4db-20744fea0a60'],
  // AWS IAM Backdoor Users Keys (CreateAccessKey for another user)
  'aws.persistence.iam-backdoor-user.json': ['0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2'],
  'aws.persistence.iam-create-admin-user.json': ['0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2'],
  // AWS New Lambda Layer Attached
  'aws.persistence.lambda-layer-extension.json': ['97fbabf8-8e1b-47a2-b7d5-a418d2b95e3d'],
  // AWS User Login Profile Was Modified (fieldref filter: the caller is not the target user)
  'aws.privilege-escalation.iam-update-user-login-profile.json': [
    '055fb148-60f8-462d-ad16-26926ce050f1',
  ],
};

describe('SigmaHQ CloudTrail rules on Stratus Red Team detonations', () => {
  let rules: SigmaRule[];
  const table: Record<string, string[]> = {};
  const matches: Record<string, SigmaMatch[]> = {};

  beforeAll(async () => {
    ({ rules } = await loadSigmaRules([shared('sigma-rules/rules')], {
      defaultLicense: 'DRL-1.1',
    }));
    for (const file of readdirSync(STRATUS)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const engine = createSigmaEngine(rules);
      const found = stratusEvents(file).flatMap((e) => engine.process(e));
      matches[file] = found;
      const ids = [...new Set(found.map((m) => m.rule.id))].sort();
      if (ids.length > 0) table[file] = ids;
    }
  });

  it('fires exactly the expected rules per technique file', () => {
    expect(table).toEqual(EXPECTED);
  });

  it('fires only CloudTrail rules on CloudTrail events (log sources are honoured)', () => {
    for (const found of Object.values(matches)) {
      for (const m of found)
        expect(m.rule.logsource).toEqual({ product: 'aws', service: 'cloudtrail' });
    }
  });

  it('carries author, id and licence on every match, with the matching event as evidence', () => {
    const all = Object.values(matches).flat();
    expect(all.length).toBeGreaterThan(0);
    for (const m of all) {
      expect(m.rule.author).toBeTruthy();
      expect(m.rule.id).toBeTruthy();
      expect(m.rule.license).toBe('DRL-1.1');
      expect(m.events).toEqual([m.event]);
    }
    const trail = matches['aws.defense-evasion.cloudtrail-delete.json'][0];
    expect(trail.event.fields.eventName).toBe('DeleteTrail');
    expect(trail.rule.tags).toEqual(['attack.defense-impairment', 'attack.t1685.002']);
  });

  it('does not fire the user-data rule when the record omits requestParameters.attribute', () => {
    // aws_ec2_startup_script_change needs requestParameters.attribute = userData; Stratus's
    // ModifyInstanceAttribute record carries `userData` directly, so the rule rightly stays silent.
    const events = stratusEvents('aws.execution.ec2-user-data.json');
    const modify = events.filter((e) => e.fields.eventName === 'ModifyInstanceAttribute');
    expect(modify.length).toBeGreaterThan(0);
    expect(
      modify.every(
        (e) => (e.fields.requestParameters as Record<string, unknown>).attribute === undefined,
      ),
    ).toBe(true);
    const engine = createSigmaEngine(rules);
    const patched = {
      ...modify[0],
      fields: { ...modify[0].fields, requestParameters: { attribute: 'userData' } },
    };
    expect(engine.process(patched).map((m) => m.rule.id)).toEqual([
      '1ab3c5ed-5baf-417b-bb6b-78ca33f6c3df',
    ]);
  });
});
