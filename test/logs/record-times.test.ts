/**
 * Event times in JSON logs are read strictly: a date a month lacks, hour 24, a number where the
 * vendor writes text, a bare date in prose, year 0, an offset past ±14:00 are refused record by
 * record with the field and value named; a time without an offset is UTC, never the host's zone.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asffReader } from '../../src/logs/asff-reader.js';
import { azureActivityReader } from '../../src/logs/azure-activity-reader.js';
import { azureAdReader } from '../../src/logs/azure-ad-reader.js';
import { cloudTrailReader } from '../../src/logs/cloudtrail-reader.js';
import { falcoReader } from '../../src/logs/falco-reader.js';
import { gcpAuditReader } from '../../src/logs/gcp-audit-reader.js';
import { gcpSccReader } from '../../src/logs/gcp-scc-reader.js';
import { guardDutyReader } from '../../src/logs/guardduty-reader.js';
import { journaldReader } from '../../src/logs/journald-reader.js';
import { logAnalyticsSyslogReader } from '../../src/logs/log-analytics-syslog-reader.js';
import type { LogReader } from '../../src/logs/log-reader.js';
import { m365AuditReader } from '../../src/logs/m365-audit-reader.js';
import { osqueryReader } from '../../src/logs/osquery-reader.js';
import { rfc3339Ms } from '../../src/logs/record-time.js';
import { collect, streamOf } from './shared-data.js';

function trail(eventTime: unknown): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '1.08',
        eventTime,
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'StopLogging',
        awsRegion: 'us-east-1',
        sourceIPAddress: '1.2.3.4',
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/x', accountId: '1' },
        recipientAccountId: '1',
        eventID: 'e',
      },
    ],
  });
}

async function read(reader: LogReader, text: string) {
  return collect(reader.read(streamOf(text, 64), { file: 't.json' }));
}

/** The one event's time, or the one error's text. */
async function outcome(reader: LogReader, text: string): Promise<string> {
  const { events, errors } = await read(reader, text);
  expect(events.length + errors.length).toBe(1);
  return events[0]?.time ?? errors[0].toString();
}

describe('CloudTrail eventTime', () => {
  let zone: string | undefined;
  beforeEach(() => {
    zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
  });
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('refuses times that are no real time, naming the file, record, field and value', async () => {
    const refused: Array<[unknown, string]> = [
      ['2023-02-30T10:00:00Z', 'February 2023 has no day 30'],
      ['2023-07-10T24:00:00Z', 'hour 24 is past 23'],
      ['2023-07-10T11:45:60Z', 'second 60 is past 59'],
      ['2023-13-10T11:45:00Z', 'there is no month 13'],
      [1688989500, 'a number'],
      ['1688989500', 'expected YYYY-MM-DD'],
      ['July 10, 2023', 'expected YYYY-MM-DD'],
      ['0000-01-01T00:00:00Z', 'before 1970'],
      ['1969-12-31T23:59:59Z', 'before 1970'],
      ['1970-01-01T00:30:00+01:00', 'before 1970'],
      ['2023-07-10T11:45:00+25:00', 'offset +25:00 lies beyond ±14:00'],
      ['2023-07-10T11:45:00+14:30', 'offset +14:30 lies beyond ±14:00'],
      ['2023-07-10T11:45:00+05:60', 'offset +05:60 lies beyond ±14:00'],
      [{ t: 1 }, 'an object'],
    ];
    for (const [value, reason] of refused) {
      const text = await outcome(cloudTrailReader, trail(value));
      expect(text, String(value)).toBe(
        `t.json:1: CloudTrail record StopLogging (event e): eventTime ${JSON.stringify(value)} ` +
          `is not a valid RFC 3339 time (${text.slice(text.indexOf(' time (') + 7, -1)})`,
      );
      expect(text, String(value)).toContain(reason);
      expect(text).not.toContain('has no eventTime');
    }
  });

  it('reads every RFC 3339 form CloudTrail and its shippers write, as UTC', async () => {
    const read: Array<[string, string]> = [
      ['2023-07-10T11:45:00Z', '2023-07-10T11:45:00.000Z'],
      ['2023-07-10T11:45:00.123Z', '2023-07-10T11:45:00.123Z'],
      ['2023-07-10T11:45:00.123456789Z', '2023-07-10T11:45:00.123Z'],
      ['2023-07-10T11:45:00.9Z', '2023-07-10T11:45:00.900Z'],
      ['2023-07-10t11:45:00z', '2023-07-10T11:45:00.000Z'],
      ['2023-07-10T13:45:00+02:00', '2023-07-10T11:45:00.000Z'],
      ['2023-07-10T00:45:00-14:00', '2023-07-10T14:45:00.000Z'],
      ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
      // No offset: CloudTrail documents UTC; never the host's zone (New York here).
      ['2023-07-10T11:45:00', '2023-07-10T11:45:00.000Z'],
    ];
    for (const [value, iso] of read) {
      expect(await outcome(cloudTrailReader, trail(value)), value).toBe(iso);
    }
  });

  it('reports a bad time per record and reads the others', async () => {
    const records = [
      JSON.parse(trail('2023-07-10T11:45:00Z')).Records[0],
      JSON.parse(trail('2023-02-30T10:00:00Z')).Records[0],
      JSON.parse(trail('2023-07-10T12:00:00Z')).Records[0],
    ];
    const { events, errors } = await read(cloudTrailReader, JSON.stringify({ Records: records }));
    expect(events.map((e) => e.time)).toEqual([
      '2023-07-10T11:45:00.000Z',
      '2023-07-10T12:00:00.000Z',
    ]);
    expect(errors.map(String)).toEqual([
      't.json:1: CloudTrail record StopLogging (event e): eventTime "2023-02-30T10:00:00Z" is not a valid RFC 3339 time (February 2023 has no day 30)',
    ]);
  });

  it('does not replace a bad eventTime with @timestamp, and still reads @timestamp alone', async () => {
    const both = JSON.parse(trail('2023-02-30T10:00:00Z'));
    both.Records[0]['@timestamp'] = '2023-07-10T11:45:00Z';
    expect(await outcome(cloudTrailReader, JSON.stringify(both))).toContain('eventTime');
    const only = JSON.parse(trail(undefined));
    only.Records[0]['@timestamp'] = '2023-07-10T11:45:00.000Z';
    expect(await outcome(cloudTrailReader, JSON.stringify(only))).toBe('2023-07-10T11:45:00.000Z');
    expect(await outcome(cloudTrailReader, trail(undefined))).toBe(
      't.json:1: CloudTrail record StopLogging (event e) has no eventTime',
    );
  });
});

describe('rfc3339Ms', () => {
  it('agrees with Date.parse on every valid time from 1970 to 2100', () => {
    for (let ms = 0; ms < 4_102_444_800_000; ms += 86_400_000 * 7 + 3_600_123) {
      const text = new Date(ms).toISOString();
      expect(rfc3339Ms(text)).toBe(ms);
      expect(rfc3339Ms(text.replace('Z', '+00:00'))).toBe(ms);
    }
  });
});

describe('the other JSON readers', () => {
  const cases: Array<{
    name: string;
    reader: LogReader;
    record: (time: unknown) => unknown;
    good: unknown;
    goodIso: string;
    bad: unknown;
    error: string;
  }> = [
    {
      name: 'azure-activity',
      reader: azureActivityReader,
      record: (time) => ({
        records: [
          {
            time,
            operationName: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE',
            category: 'Administrative',
            resourceId: '/SUBSCRIPTIONS/S/RESOURCEGROUPS/R',
          },
        ],
      }),
      good: '2023-07-10T11:45:00.1234567Z',
      goodIso: '2023-07-10T11:45:00.123Z',
      bad: '2023-04-31T11:45:00Z',
      error:
        't.json:1: Azure Activity Log record MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE: time "2023-04-31T11:45:00Z" is not a valid RFC 3339 time (April 2023 has no day 31)',
    },
    {
      name: 'azure-ad',
      reader: azureAdReader,
      record: (time) => ({
        records: [
          {
            time,
            category: 'SignInLogs',
            operationName: 'Sign-in activity',
            properties: { id: 'sid', userPrincipalName: 'a@b.c', status: { errorCode: 0 } },
          },
        ],
      }),
      // Log Analytics writes UTC without an offset at times: UTC, not the host's zone.
      good: '2023-07-10T11:45:00',
      goodIso: '2023-07-10T11:45:00.000Z',
      bad: 'Mon, 10 Jul 2023 11:45:00 GMT',
      error:
        't.json:1: Entra ID record sid: time "Mon, 10 Jul 2023 11:45:00 GMT" is not a valid RFC 3339 time (expected YYYY-MM-DDThh:mm:ss[.fraction] and Z or ±hh:mm)',
    },
    {
      name: 'gcp-audit',
      reader: gcpAuditReader,
      record: (time) => ({
        insertId: 'i1',
        logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
        timestamp: time,
        protoPayload: {
          '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
          methodName: 'v1.compute.instances.insert',
        },
      }),
      good: '2023-07-10T11:45:00.123456789Z',
      goodIso: '2023-07-10T11:45:00.123Z',
      bad: '2023-07-10T11:45:00+99:00',
      error:
        't.json:1: GCP audit log entry i1: timestamp "2023-07-10T11:45:00+99:00" is not a valid RFC 3339 time (offset +99:00 lies beyond ±14:00)',
    },
    {
      name: 'm365-audit',
      reader: m365AuditReader,
      record: (time) => ({
        CreationTime: time,
        Id: 'u1',
        Operation: 'FileAccessed',
        RecordType: 6,
        UserId: 'a@b.c',
        Workload: 'SharePoint',
        ResultStatus: 'Succeeded',
      }),
      good: '2023-07-10T11:45:00',
      goodIso: '2023-07-10T11:45:00.000Z',
      bad: '2023-07-10T24:00:00',
      error:
        't.json:1: Unified Audit Log record FileAccessed (u1): CreationTime "2023-07-10T24:00:00" is not a valid RFC 3339 time (hour 24 is past 23)',
    },
    {
      name: 'osquery (unixTime, epoch seconds)',
      reader: osqueryReader,
      record: (time) => ({
        name: 'pack_x_users',
        hostIdentifier: 'h',
        unixTime: time,
        action: 'added',
        columns: { username: 'root' },
      }),
      good: 1688989500,
      goodIso: '2023-07-10T11:45:00.000Z',
      bad: 'yesterday',
      error:
        't.json:1: osquery result pack_x_users: unixTime "yesterday" is not a valid time in seconds since 1970 (expected seconds since 1970)',
    },
    {
      name: 'osquery (calendarTime)',
      reader: osqueryReader,
      record: (time) => ({
        name: 'pack_x_users',
        hostIdentifier: 'h',
        calendarTime: time,
        action: 'added',
        columns: { username: 'root' },
      }),
      good: 'Mon Jul 10 11:45:00 2023 UTC',
      goodIso: '2023-07-10T11:45:00.000Z',
      bad: 'Thu Feb 30 11:45:00 2023 UTC',
      error:
        't.json:1: osquery result pack_x_users: calendarTime "Thu Feb 30 11:45:00 2023 UTC" is not a valid RFC 3339 time (February 2023 has no day 30)',
    },
    {
      name: 'journald',
      reader: journaldReader,
      record: (time) => ({
        __CURSOR: 's=1',
        __REALTIME_TIMESTAMP: time,
        _HOSTNAME: 'h',
        SYSLOG_IDENTIFIER: 'sshd',
        MESSAGE: 'hello',
      }),
      good: '1688989500123456',
      goodIso: '2023-07-10T11:45:00.123Z',
      bad: '2023-07-10T11:45:00Z',
      error:
        't.json:1: journal entry s=1: __REALTIME_TIMESTAMP "2023-07-10T11:45:00Z" is not a valid time in microseconds since 1970 (expected microseconds since 1970)',
    },
    {
      name: 'falco',
      reader: falcoReader,
      record: (time) => ({
        time,
        rule: 'Terminal shell in container',
        priority: 'Notice',
        output: 'x',
        output_fields: {},
      }),
      good: '2023-07-10T11:45:00.123456789Z',
      goodIso: '2023-07-10T11:45:00.123Z',
      bad: 1688989500,
      error:
        't.json:1: Falco alert Terminal shell in container: time 1688989500 is not a valid RFC 3339 time (a number, where the source writes a text time)',
    },
    {
      name: 'gcp-scc',
      reader: gcpSccReader,
      record: (time) => ({
        notificationConfigName: 'organizations/1/notificationConfigs/n',
        finding: {
          name: 'organizations/1/sources/2/findings/f',
          category: 'PERSISTENCE_IAM_ANOMALOUS_GRANT',
          eventTime: time,
          state: 'ACTIVE',
          resourceName: '//cloudresourcemanager.googleapis.com/projects/1',
        },
      }),
      good: '2023-07-10T11:45:00Z',
      goodIso: '2023-07-10T11:45:00.000Z',
      bad: '0000-01-01T00:00:00Z',
      error:
        't.json:1: Security Command Center finding PERSISTENCE_IAM_ANOMALOUS_GRANT: eventTime "0000-01-01T00:00:00Z" is not a valid RFC 3339 time (before 1970)',
    },
    {
      name: 'guardduty',
      reader: guardDutyReader,
      record: (time) => ({
        schemaVersion: '2.0',
        accountId: '1',
        region: 'us-east-1',
        id: 'g1',
        type: 'Recon:EC2/PortProbeUnprotectedPort',
        updatedAt: time,
        severity: 2,
        resource: { resourceType: 'Instance' },
        service: { serviceName: 'guardduty', detectorId: 'd' },
      }),
      good: '2023-07-10T11:45:00.123Z',
      goodIso: '2023-07-10T11:45:00.123Z',
      bad: '2023-07-10 25:00:00',
      error:
        't.json:1: GuardDuty finding Recon:EC2/PortProbeUnprotectedPort (g1): updatedAt "2023-07-10 25:00:00" is not a valid RFC 3339 time (hour 25 is past 23)',
    },
    {
      name: 'asff',
      reader: asffReader,
      record: (time) => ({
        Findings: [
          {
            SchemaVersion: '2018-10-08',
            Id: 'a1',
            ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
            GeneratorId: 'g',
            AwsAccountId: '1',
            Title: 'T',
            UpdatedAt: time,
            CreatedAt: '2023-07-01T00:00:00Z',
          },
        ],
      }),
      good: '2023-07-10T13:45:00+02:00',
      goodIso: '2023-07-10T11:45:00.000Z',
      bad: '2023-07-10',
      error:
        't.json:1: Security Hub finding T: UpdatedAt "2023-07-10" is not a valid RFC 3339 time (expected YYYY-MM-DDThh:mm:ss[.fraction] and Z or ±hh:mm)',
    },
    {
      name: 'log-analytics-syslog',
      reader: logAnalyticsSyslogReader,
      record: (time) => ({
        TimeGenerated: time,
        Computer: 'h',
        HostName: 'h',
        Facility: 'auth',
        SeverityLevel: 'info',
        ProcessName: 'cron',
        SyslogMessage: 'hello',
      }),
      good: '2023-07-10T11:45:00.123Z',
      goodIso: '2023-07-10T11:45:00.123Z',
      bad: '7/10/2023, 11:45:00.123 AM',
      error:
        't.json:1: Syslog row: TimeGenerated "7/10/2023, 11:45:00.123 AM" is not a valid RFC 3339 time (expected YYYY-MM-DDThh:mm:ss[.fraction] and Z or ±hh:mm)',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: reads a valid time and refuses an invalid one by field and value`, async () => {
      expect(c.reader.detect({ head: JSON.stringify(c.record(c.good)), path: 't.json' })).toBe(
        true,
      );
      expect(await outcome(c.reader, JSON.stringify(c.record(c.good)))).toBe(c.goodIso);
      expect(await outcome(c.reader, JSON.stringify(c.record(c.bad)))).toBe(c.error);
    });
  }
});
