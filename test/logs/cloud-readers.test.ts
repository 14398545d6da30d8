import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLogs } from '../../src/logs/read-logs.js';
import { collect, dataPath } from './shared-data.js';

const INVICTUS = dataPath('cloudtrail/invictus-ir-aws_dataset/CloudTrail');
const STRATUS = dataPath('cloudtrail/stratus-red-team');

describe('CloudTrail reader', () => {
  it('reads every S3 delivery file of the Invictus dataset, one event per record', async () => {
    const files = readdirSync(INVICTUS).map((f) => `${INVICTUS}/${f}`);
    const expected = files.reduce(
      (n, f) => n + JSON.parse(readFileSync(f, 'utf8')).Records.length,
      0,
    );
    const { events, errors } = await collect(readLogs([INVICTUS]));
    expect(errors).toEqual([]);
    expect(events).toHaveLength(expected);
    expect(
      events.every(
        (e) =>
          e.source.reader === 'cloudtrail' &&
          e.source.product === 'aws' &&
          e.source.service === 'cloudtrail',
      ),
    ).toBe(true);
    expect(events.every((e) => e.time >= '2023-07-10T11:' && e.time < '2023-07-10T13:')).toBe(true);
  });

  it('fills the envelope of a StopLogging-style record from the Stratus array files', async () => {
    const file = `${STRATUS}/aws.defense-evasion.cloudtrail-delete.json`;
    const record = JSON.parse(readFileSync(file, 'utf8'))[0];
    const { events } = await collect(readLogs([file]));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      time: new Date(record.eventTime).toISOString(),
      action: 'DeleteTrail',
      account: record.recipientAccountId,
      actor: record.userIdentity.arn,
      sourceIp: record.sourceIPAddress,
      outcome: 'success',
      source: { file, line: 2 },
    });
    expect(events[0].fields).toEqual(record);
  });

  it("leaves the envelope's address out where AWS's own service made the call", async () => {
    const file = dataPath('cloudtrail/cloud-custodian-cwe/event-cloud-trail-run-instances.json');
    const { events } = await collect(readLogs([file]));
    expect(events.length).toBeGreaterThan(0);
    const byService = events.filter(
      (e) => e.fields.sourceIPAddress === 'autoscaling.amazonaws.com',
    );
    expect(byService.length).toBeGreaterThan(0);
    for (const e of byService) expect(e.sourceIp).toBeUndefined();
  });

  it('counts every Stratus technique file as its array length', async () => {
    for (const name of readdirSync(STRATUS)) {
      const expected = JSON.parse(readFileSync(`${STRATUS}/${name}`, 'utf8')).length;
      const { events, errors } = await collect(readLogs([`${STRATUS}/${name}`]));
      expect({ name, n: events.length, errors: errors.length }).toEqual({
        name,
        n: expected,
        errors: 0,
      });
    }
  });

  it('marks failed calls (errorCode) as failures', async () => {
    const { events } = await collect(readLogs([INVICTUS]));
    const failed = events.filter((e) => e.fields.errorCode !== undefined);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.outcome === 'failure')).toBe(true);
  });

  it('unpacks LookupEvents output (CloudTrailEvent string) and NDJSON with @timestamp', async () => {
    const lookup = await collect(readLogs([dataPath('cloudtrail/plaso/aws_cloudtrail.jsonl')]));
    expect(lookup.errors).toEqual([]);
    expect(lookup.events.map((e) => e.action)).toContain('DescribeInstances');
    expect(lookup.events[0]).toMatchObject({
      time: '2022-02-07T22:23:37.000Z',
      actor: 'arn:aws:iam::012345678901:user/fakeusername',
      account: '012345678901',
    });
    const otrf = await collect(
      readLogs([
        dataPath(
          'cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json',
        ),
      ]),
    );
    expect(otrf.events).toHaveLength(103);
    expect(otrf.events[0]).toMatchObject({
      action: 'DescribeInstanceTypes',
      time: '2020-09-14T00:44:23.000Z',
      sourceIp: '1.2.3.4',
    });
  });

  it('takes the record out of EventBridge envelopes', async () => {
    const file = dataPath('cloudtrail/cloud-custodian-cwe/event-cloud-trail-s3.json');
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    const { events } = await collect(readLogs([file]));
    expect(events).toHaveLength(1);
    expect(events[0].fields).toEqual(envelope.detail);
    expect(events[0].action).toBe(envelope.detail.eventName);
  });
});

describe('Azure readers', () => {
  it('reads Event Hub activity records with caller IP, operation and resource', async () => {
    const { events, errors } = await collect(
      readLogs([dataPath('azure-activity/elastic-integrations-ELv2/test-activitylogs-raw.log')]),
    );
    expect(errors).toEqual([]);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      source: { reader: 'azure-activity', product: 'azure', service: 'activitylogs' },
      time: '2019-10-24T00:13:46.355Z',
      sourceIp: '81.2.69.144',
      action: 'MICROSOFT.EVENTHUB/NAMESPACES/AUTHORIZATIONRULES/LISTKEYS/ACTION',
      account: '8a4de8b5-095c-47d0-a96f-a75130c61d53',
    });
  });

  it('reads az monitor activity-log list output (snake_case)', async () => {
    const { events } = await collect(
      readLogs([dataPath('azure-activity/plaso/azure_activity_log.jsonl')]),
    );
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({
      action: 'Microsoft.Compute/disks/delete',
      sourceIp: '1.2.3.4',
      account: '12345678-9abc-defg-hijk-lmnopqrstuvw',
    });
    expect(events[1].actor).toBe('fakeemail@fakedomain.com');
  });

  it('reads Entra ID audit rows from Log Analytics with the initiator parsed out of JSON text', async () => {
    const { events, errors } = await collect(
      readLogs([
        dataPath(
          'azure-activity/otrf-security-datasets/GoldenSAMLADFSMailAccess/AADAuditEvents.json',
        ),
      ]),
    );
    expect(errors).toEqual([]);
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({
      source: { reader: 'azure-ad', service: 'auditlogs' },
      actor: 'pgustavo@simulandlabs.com',
      target: 'SimuLandApp',
      outcome: 'success',
    });
    expect(typeof events[0].fields.InitiatedBy).toBe('string');
  });

  it('reads Unified Audit Log records as m365 events', async () => {
    const { events } = await collect(
      readLogs([dataPath('azure-activity/plaso/microsoft_audit_log.jsonl')]),
    );
    expect(events.map((e) => e.action)).toContain('Set-MailboxPlan');
    expect(events[0]).toMatchObject({
      source: { product: 'm365' },
      time: '2022-05-07T12:55:53.000Z',
    });
  });
});

describe('GCP audit reader', () => {
  it('reads single-entry files and NDJSON entries', async () => {
    const one = await collect(
      readLogs([dataPath('gcp-audit/cloud-custodian-events/iam-role-create.json')]),
    );
    expect(one.events).toHaveLength(1);
    expect(one.events[0]).toMatchObject({
      source: { reader: 'gcp-audit', product: 'gcp', service: 'gcp.audit' },
      actor: 'custodian.gcp.test@gmail.com',
      sourceIp: '188.163.232.130',
      action: 'google.iam.admin.v1.CreateRole',
      target: 'projects/mythic-tribute-232915/roles/CustomRole1',
    });
    const lines = await collect(readLogs([dataPath('gcp-audit/plaso/gcp_logging.jsonl')]));
    const audit = lines.events.filter((e) => e.source.service === 'gcp.audit');
    expect(audit[0]).toMatchObject({
      action: 'beta.compute.networks.insert',
      account: 'fake-project',
      sourceIp: '1.1.1.1',
    });
  });
});

describe('finding readers', () => {
  it('reads Security Hub GetFindings output and custom-action events', async () => {
    const page = await collect(
      readLogs([
        dataPath(
          'findings/aws/cloud-custodian-placebo/test_larger_batch/securityhub.GetFindings_1.json',
        ),
      ]),
    );
    expect(page.events).toHaveLength(2);
    expect(page.events[0].source.reader).toBe('asff');
    expect(page.events[0].fields.Severity).toBeDefined();
    const action = await collect(
      readLogs([
        dataPath('findings/aws/cloud-custodian-cwe/event-securityhub-iamkey-finding-action.json'),
      ]),
    );
    expect(action.events).toHaveLength(1);
    expect(action.events[0].account).toBe('644160558196');
  });

  it('reads GuardDuty EventBridge findings with the remote address', async () => {
    const file = dataPath('findings/aws/cloud-custodian-cwe/iam-duty-event.json');
    const { detail } = JSON.parse(readFileSync(file, 'utf8'));
    const { events } = await collect(readLogs([file]));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: { reader: 'guardduty' },
      actor: 'GeneratedFindingUserName',
      account: detail.accountId,
    });
    expect(events[0].fields).toEqual(detail);
    expect(events[0].fields.severity).toBe(5);
    const ec2 = await collect(
      readLogs([dataPath('findings/aws/cloud-custodian-cwe/ec2-duty-event.json')]),
    );
    expect(ec2.events[0]).toMatchObject({ host: 'i-99999999', target: 'i-99999999' });
  });

  it('reads SCC list pages and notifications', async () => {
    const list = dataPath(
      'findings/gcp/cloud-custodian/filter-scc-findings/get-v1-organizations-111111111111-sources---findings_1.json',
    );
    const expected = JSON.parse(readFileSync(list, 'utf8')).body.listFindingsResults.length;
    expect((await collect(readLogs([list]))).events).toHaveLength(expected);
    const note = await collect(
      readLogs([dataPath('findings/gcp/cloud-custodian/scc-notification-network-finding.json')]),
    );
    expect(note.events[0]).toMatchObject({
      source: { reader: 'gcp-scc' },
      action: 'FLOW_LOGS_DISABLED',
      time: '2021-03-16T20:21:34.229Z',
    });
  });

  it('reads Falco alerts with rule, priority and user', async () => {
    const { events } = await collect(
      readLogs([dataPath('findings/falco/elastic-integrations-ELv2/test-falco.head.log')]),
    );
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({
      source: { reader: 'falco' },
      action: 'Read sensitive file untrusted',
      actor: 'root',
      host: '97ade2b595f0',
    });
    // The file read is no cloud resource: alerts list it as a file entity (external findings).
    expect(events[0].target).toBeUndefined();
    expect(events[0].fields.priority).toBe('Warning');
  });
});
