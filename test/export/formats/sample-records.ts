/**
 * Export records for format and sink tests. Alerts come from the real detection flow over the
 * Stratus Red Team CloudTrail logs in ../shared/data; the posture records carry the shapes the
 * outbox writes (a real rule of the benchmark on a named resource, a CIS control, the score).
 */

import { detect } from '../../../src/detect/detect.js';
import { complianceSchemaVersion } from '../../../src/export/outbox/assessment-records.js';
import type { Alert } from '../../../src/model/alert.js';
import type { ComplianceState, ExportRecord } from '../../../src/model/export-record.js';
import { shared } from '../../support/paths.js';

let alerts: Promise<Alert[]> | undefined;

/** Alerts raised by the built-in detections over Stratus Red Team's CloudTrail logs. */
export function realAlerts(): Promise<Alert[]> {
  alerts ??= detect({ paths: [shared('cloudtrail/stratus-red-team')] }).then((r) => r.alerts);
  return alerts;
}

let sshAlerts: Promise<Alert[]> | undefined;

/**
 * Brute-force alerts on loghub's Linux log, whose sshd logged some attackers by host name
 * (UseDNS): each names the attacked host `combo` and its source, an address or a name.
 */
export function linuxSshAlerts(): Promise<Alert[]> {
  sshAlerts ??= detect({ paths: [shared('ssh-logs/loghub/Linux/Linux_2k.log')], year: 2005 }).then(
    (r) => r.alerts,
  );
  return sshAlerts;
}

/** An alert record of `alert`. */
export function alertRecord(
  alert: Alert,
  change: 'created' | 'updated' | 'status_changed' = 'created',
  id = `alert:${alert.id}:${change}`,
): ExportRecord {
  return {
    id,
    schemaVersion: 1,
    kind: 'change',
    occurredAt: alert.lastSeen,
    accounts: alert.entities.filter((e) => e.kind === 'cloud-account').map((e) => e.value),
    type: 'alert',
    data: { change, alert },
  };
}

/** A bucket that stopped blocking public access, as the posture flow reports it. */
export function recommendationRecord(
  state: 'pass' | 'fail' | 'exempt' = 'fail',
  /** `null`: the first assessment of the resource. */
  previous: 'pass' | 'fail' | null = 'pass',
): ExportRecord {
  const previousState = previous ?? undefined;
  return {
    id: `rec:a-2:aws-s3-bucket-public-access-blocked:arn:aws:s3:::logs-prod:${state}`,
    schemaVersion: 1,
    kind: 'change',
    occurredAt: '2026-12-04T10:15:00.000Z',
    accounts: ['123456789012'],
    type: 'recommendation',
    data: {
      assessmentId: 'a-2',
      ruleId: 'aws-s3-bucket-public-access-blocked',
      title: 'S3 buckets block public access',
      severity: 'high',
      control: 'NS',
      resourceId: 'arn:aws:s3:::logs-prod',
      resourceType: 'AWS::S3::Bucket',
      resourceName: 'logs-prod',
      cloud: 'aws',
      account: '123456789012',
      region: 'eu-west-1',
      tags: { env: 'prod', owner: 'platform=team|a' },
      previousState,
      state,
      message: 'BlockPublicAcls is false | RestrictPublicBuckets=false\nsee the bucket policy',
      remediation: 'Turn on all four S3 Block Public Access settings.',
    },
  };
}

/** The target set `complianceRecord` belongs to. */
export const COMPLIANCE_TARGET_SET = '5f0c3e9a7b1d4c2e8a6f9b0d1c2e3f4a';

/** CIS AWS 2.1.4 changing state in one estate, at the schema version the outbox writes it. */
export function complianceRecord(
  state: ComplianceState = 'failed',
  /** `null`: the first assessment of the control. */
  previous: ComplianceState | null = 'passed',
): ExportRecord {
  const previousState = previous ?? undefined;
  const estate = { targetSet: COMPLIANCE_TARGET_SET, targets: ['infra/aws', 'infra/shared'] };
  return {
    id: `cmp:a-2:cis:2.1.4:${state}`,
    schemaVersion: complianceSchemaVersion({ state, previousState, estate }),
    kind: 'change',
    occurredAt: '2026-12-04T10:15:00.000Z',
    accounts: ['123456789012'],
    type: 'compliance',
    data: {
      assessmentId: 'a-2',
      estate,
      standard: 'cis',
      standardName: 'CIS AWS Foundations Benchmark',
      controlId: '2.1.4',
      controlName: 'Ensure that S3 Buckets are configured with Block public access',
      previousState,
      state,
      passedResources: 11,
      failedResources: 1,
    },
  };
}

/** The overall score and one control moving. */
export function scoreRecord(): ExportRecord {
  return {
    id: 'score:a-2',
    schemaVersion: 1,
    kind: 'change',
    occurredAt: '2026-12-04T10:15:00.000Z',
    accounts: ['123456789012'],
    type: 'secure_score',
    data: {
      assessmentId: 'a-2',
      overall: {
        id: 'overall',
        name: 'Secure score',
        previous: 71.5,
        current: 70.25,
        currentPoints: 28.1,
        maxPoints: 40,
      },
      controls: [
        {
          id: 'NS',
          name: 'Network security',
          previous: 80,
          current: 75,
          currentPoints: 7.5,
          maxPoints: 10,
        },
      ],
    },
  };
}

/** The alerts with a source address logged with leading zeros (08.1.250.216). */
export function withLeadingZeros(alerts: Alert[]): Alert[] {
  return alerts.filter((a) => a.entities.some((e) => e.kind === 'ip' && /(^|\.)0\d/.test(e.value)));
}

/** The source address `alert` was logged with, as written in the log. */
export function loggedAddress(alert: Alert): string | undefined {
  return alert.entities.find((e) => e.kind === 'ip')?.value;
}
