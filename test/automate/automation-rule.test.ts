/** Automation rules: which records fire a rule, and how bad rules are refused. */

import { describe, expect, it, vi } from 'vitest';
import {
  parseAutomationInput,
  ruleMatches,
  type AutomationSettings,
} from '../../src/automate/automation-rule.js';
import { alertRecord } from '../../src/export/outbox/alert-records.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { testAlert } from '../export/support/alerts.js';

const syslog = { kind: 'syslog', transport: 'tcp', host: 'siem.example.com' };

function rule(input: Partial<Record<string, unknown>>): AutomationSettings {
  return parseAutomationInput({
    name: 'r',
    triggers: ['alert.created'],
    actions: [{ sink: syslog }],
    ...input,
  });
}

const critical = testAlert(3); // n % 4 == 3: critical, account 111122223333
const low = testAlert(0);
const created = (a = critical) => alertRecord(a, { change: 'created' }, a.firstSeen);

function recommendation(tags: Record<string, string>): ExportRecord {
  return {
    id: 'recommendation-00000000000000000000000000000000',
    schemaVersion: 1,
    kind: 'change',
    type: 'recommendation',
    occurredAt: '2026-01-01T00:00:00.000Z',
    accounts: ['111122223333'],
    data: {
      assessmentId: 'a1',
      ruleId: 'aws-s3-bucket-versioning-enabled',
      title: 'S3 buckets keep versions',
      severity: 'medium',
      control: 'DP',
      resourceId: 'arn:aws:s3:::logs',
      resourceType: 'AWS::S3::Bucket',
      resourceName: 'logs',
      cloud: 'aws',
      account: '111122223333',
      tags,
      state: 'fail',
      message: 'logs keeps no versions',
    },
  };
}

describe('automation rules', () => {
  it('fire on their trigger only, and never on snapshots', () => {
    expect(ruleMatches(rule({}), created())).toBe(true);
    const changed = alertRecord(critical, { change: 'status_changed', key: 1 }, critical.lastSeen);
    expect(ruleMatches(rule({}), changed)).toBe(false);
    expect(ruleMatches(rule({ triggers: ['alert.changed'] }), changed)).toBe(true);
    const snapshot = alertRecord(
      critical,
      { change: 'updated' },
      critical.lastSeen,
      'snapshot',
      's',
    );
    expect(ruleMatches(rule({ triggers: ['alert.changed'] }), snapshot)).toBe(false);
  });

  it('hold every condition: severity, rule glob, tags and scope', () => {
    expect(ruleMatches(rule({ conditions: { minSeverity: 'high' } }), created())).toBe(true);
    expect(ruleMatches(rule({ conditions: { minSeverity: 'high' } }), created(low))).toBe(false);
    expect(ruleMatches(rule({ conditions: { rules: ['console-*'] } }), created())).toBe(true);
    expect(ruleMatches(rule({ conditions: { rules: ['aws-*'] } }), created())).toBe(false);
    expect(ruleMatches(rule({ conditions: { scope: 'account:111122223333' } }), created())).toBe(
      true,
    );
    expect(ruleMatches(rule({ conditions: { scope: 'account:999988887777' } }), created())).toBe(
      false,
    );

    const rec = rule({
      triggers: ['recommendation.changed'],
      conditions: { tags: { env: 'prod' } },
    });
    expect(ruleMatches(rec, recommendation({ env: 'prod', team: 'data' }))).toBe(true);
    expect(ruleMatches(rec, recommendation({ env: 'dev' }))).toBe(false);
    // Alerts carry no resource tags: a tag condition never holds for them.
    expect(ruleMatches(rule({ conditions: { tags: { env: 'prod' } } }), created())).toBe(false);
  });

  it('are refused naming the field when malformed', () => {
    expect(() => rule({ triggers: [] })).toThrow(/triggers: must be a non-empty list/);
    expect(() => rule({ conditions: { severity: 'high' } })).toThrow(/conditions\.severity/);
    expect(() => rule({ conditions: { minSeverity: 'urgent' } })).toThrow(
      /conditions\.minSeverity/,
    );
    expect(() => rule({ actions: [{ sink: { kind: 'syslog', transport: 'tcp' } }] })).toThrow(
      /actions\[0\]\.sink\.host/,
    );
    expect(() => rule({ actions: [{ sink: { kind: 'pager' } }] })).toThrow(
      /actions\[0\]\.sink\.kind/,
    );
  });

  it('are refused when an action points at a metadata name or a link-local address', () => {
    const webhook = (url: string) => ({ kind: 'webhook', url, secret: 'a'.repeat(32) });
    expect(() => rule({ actions: [{ sink: webhook('http://169.254.169.254/latest') }] })).toThrow(
      /actions\[0\]\.sink\.url: webhook sink: url names 169\.254\.169\.254 \(link-local address\)/,
    );
    expect(() =>
      rule({
        actions: [{ sink: syslog }, { sink: { ...syslog, host: 'Metadata.Google.Internal.' } }],
      }),
    ).toThrow(/actions\[1\]\.sink\.host: .* names .*cloud metadata service name/);
    expect(() =>
      rule({
        actions: [{ sink: { kind: 'nats', servers: ['169.254.169.254:4222'], subject: 's' } }],
      }),
    ).toThrow(/actions\[0\]\.sink\.servers\[0\]: .* names 169\.254\.169\.254/);
    expect(() =>
      rule({ actions: [{ sink: webhook('http://[::ffff:169.254.169.254]/') }] }),
    ).toThrow(/names \[::ffff:a9fe:a9fe\] \(link-local address\)/);
    // A literal loopback address is refused too, until the export allow-list admits it.
    expect(() => rule({ actions: [{ sink: webhook('http://127.0.0.1:9000/hook') }] })).toThrow(
      /actions\[0\]\.sink\.url: .*names 127\.0\.0\.1 \(loopback address\).*PALISADE_EXPORT_ALLOW/,
    );
    vi.stubEnv('PALISADE_EXPORT_ALLOW', '127.0.0.1');
    try {
      expect(
        rule({ actions: [{ sink: webhook('http://127.0.0.1:9000/hook') }] }).actions,
      ).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
