/**
 * The built-in "audit logging switched off" detections fire on calls that reduce logging and stay
 * silent on the calls that restore it, on real CloudTrail and GCP audit records.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR } from '../../../src/detect/detect.js';
import { compileSigmaRule } from '../../../src/detect/sigma/rule-compiler.js';
import { loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import type { EventSource, LogEvent } from '../../../src/model/event.js';
import { shared } from '../../support/paths.js';

const FILE = join(BUILTIN_RULES_DIR, 'cloud-audit-logging-disabled.yml');
const rules = loadSigmaText(readFileSync(FILE, 'utf8'), FILE).rules.map((rule) => {
  if (rule.kind !== 'detection') throw new Error('not a detection rule');
  return compileSigmaRule(rule);
});

/** Titles of the rules of the file that match `event`. */
function titles(event: LogEvent): string[] {
  return rules.filter((r) => r.matches(event)).map((r) => r.rule.title);
}

const CLOUDTRAIL: EventSource = { reader: 'cloudtrail', product: 'aws', service: 'cloudtrail' };
const GCP: EventSource = { reader: 'gcp-audit', product: 'gcp', service: 'gcp.audit' };
const AWS_TITLE = 'AWS audit logging stopped, reduced or deleted';
const GCP_TITLE = 'GCP logs dropped by a sink or exclusion change';

type Json = Record<string, any>;

function cloudTrailRecord(path: string, eventName: string): Json {
  const parsed = JSON.parse(readFileSync(shared(path), 'utf8')) as Json | Json[];
  const records = Array.isArray(parsed) ? parsed : (parsed.Records as Json[]);
  const found = records.find((r) => r.eventName === eventName);
  if (!found) throw new Error(`${eventName} not in ${path}`);
  return found;
}

const asEvent = (fields: Json, source: EventSource): LogEvent => ({
  time: '2023-07-10T12:00:00Z',
  source,
  fields,
});

/** The real CreateExclusion record, as another ConfigServiceV2 method with another request. */
function gcpCall(method: string, request: Json = {}): LogEvent {
  const path = 'gcp-audit/cloud-custodian-events/log-create-project-exclusion.json';
  const record = JSON.parse(readFileSync(shared(path), 'utf8')) as Json;
  record.protoPayload.methodName = `google.logging.v2.ConfigServiceV2.${method}`;
  if (method !== 'CreateExclusion') record.protoPayload.request = request;
  return asEvent(record, GCP);
}

describe('AWS audit logging stopped, reduced or deleted', () => {
  it('fires on event selectors that leave management events out (Stratus Red Team)', () => {
    const record = cloudTrailRecord(
      'cloudtrail/stratus-red-team/aws.defense-evasion.cloudtrail-event-selectors.json',
      'PutEventSelectors',
    );
    expect(titles(asEvent(record, CLOUDTRAIL))).toEqual([AWS_TITLE]);
  });

  it('stays silent on event selectors that record every management event again', () => {
    const record = cloudTrailRecord(
      'cloudtrail/invictus-ir-aws_dataset/CloudTrail/' +
        '218007301253_CloudTrail_us-east-1_20230710T1210Z_vj0QE0Tf5ZmzMsCo.json',
      'PutEventSelectors',
    );
    expect(record.requestParameters.eventSelectors[0].includeManagementEvents).toBe(true);
    expect(titles(asEvent(record, CLOUDTRAIL))).toEqual([]);
  });

  it('fires on advanced selectors that keep no management events, not on ones that do', () => {
    const record = cloudTrailRecord(
      'cloudtrail/invictus-ir-aws_dataset/CloudTrail/' +
        '218007301253_CloudTrail_us-east-1_20230710T1210Z_vj0QE0Tf5ZmzMsCo.json',
      'PutEventSelectors',
    );
    const advanced = (category: string): LogEvent =>
      asEvent(
        {
          ...record,
          requestParameters: {
            trailName: 'main',
            advancedEventSelectors: [
              { fieldSelectors: [{ field: 'eventCategory', equals: [category] }] },
            ],
          },
        },
        CLOUDTRAIL,
      );
    expect(titles(advanced('Data'))).toEqual([AWS_TITLE]);
    expect(titles(advanced('Management'))).toEqual([]);
  });

  it('fires on a trail deleted, and on a trail cut down to one region', () => {
    const deleted = cloudTrailRecord(
      'cloudtrail/stratus-red-team/aws.defense-evasion.cloudtrail-delete.json',
      'DeleteTrail',
    );
    expect(titles(asEvent(deleted, CLOUDTRAIL))).toEqual([AWS_TITLE]);
    const update = (params: Json) =>
      asEvent({ ...deleted, eventName: 'UpdateTrail', requestParameters: params }, CLOUDTRAIL);
    expect(titles(update({ name: 'main', isMultiRegionTrail: false }))).toEqual([AWS_TITLE]);
    expect(titles(update({ name: 'main', isMultiRegionTrail: true }))).toEqual([]);
  });

  it('stays silent on a StopLogging that failed', () => {
    const record = cloudTrailRecord(
      'cloudtrail/invictus-ir-aws_dataset/CloudTrail/' +
        '218007301253_CloudTrail_us-east-1_20230710T1205Z_UljXNp9xLp8nsAGc.json',
      'StopLogging',
    );
    expect(record.errorCode).toBe('TrailNotFoundException');
    expect(titles(asEvent(record, CLOUDTRAIL))).toEqual([]);
    delete record.errorCode;
    expect(titles(asEvent(record, CLOUDTRAIL))).toEqual([AWS_TITLE]);
  });
});

describe('GCP logs dropped by a sink or exclusion change', () => {
  it('fires on an exclusion created (cloud-custodian CreateExclusion record)', () => {
    expect(titles(gcpCall('CreateExclusion'))).toEqual([GCP_TITLE]);
  });

  it('stays silent on an exclusion deleted, which restores the logs it dropped', () => {
    expect(titles(gcpCall('DeleteExclusion', { name: 'projects/p/exclusions/qwerty' }))).toEqual(
      [],
    );
  });

  it('fires on an exclusion enabled or changed, not on one disabled', () => {
    const update = (exclusion: Json) =>
      gcpCall('UpdateExclusion', { name: 'projects/p/exclusions/q', exclusion });
    expect(titles(update({ filter: 'severity<ERROR' }))).toEqual([GCP_TITLE]);
    expect(titles(update({ disabled: false }))).toEqual([GCP_TITLE]);
    expect(titles(update({ disabled: true }))).toEqual([]);
  });

  it('fires on a sink deleted or disabled, not on a sink enabled again', () => {
    expect(titles(gcpCall('DeleteSink', { sinkName: 'projects/p/sinks/s' }))).toEqual([GCP_TITLE]);
    const update = (disabled: boolean) =>
      gcpCall('UpdateSink', { sinkName: 'projects/p/sinks/s', sink: { disabled } });
    expect(titles(update(true))).toEqual([GCP_TITLE]);
    expect(titles(update(false))).toEqual([]);
  });

  it('fires on default sinks switched off, and not on a call that failed', () => {
    const settings = gcpCall('UpdateSettings', { settings: { disableDefaultSink: true } });
    expect(titles(settings)).toEqual([GCP_TITLE]);
    const failed = gcpCall('CreateExclusion');
    (failed.fields as Json).protoPayload.status = { code: 7, message: 'PERMISSION_DENIED' };
    expect(titles(failed)).toEqual([]);
  });
});

describe('Azure diagnostic setting removed', () => {
  it('fires on Entra ID diagnostic settings and the activity log profile deleted', () => {
    const azure: EventSource = { reader: 'azure-activity', product: 'azure' };
    const op = (name: string) => titles(asEvent({ operationName: name }, azure));
    expect(op('MICROSOFT.AADIAM/DIAGNOSTICSETTINGS/DELETE')).toEqual([
      'Azure diagnostic setting removed',
    ]);
    expect(op('Microsoft.Insights/LogProfiles/Delete')).toEqual([
      'Azure diagnostic setting removed',
    ]);
    expect(op('MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE')).toEqual([]);
  });
});
