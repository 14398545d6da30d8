/**
 * OCSF output validated against the class definitions (ocsf-classes.ts): required attributes of
 * each class and object, enumerated ids with their captions, type_uid = class_uid × 100 +
 * activity_id, timestamps in epoch milliseconds.
 */

import { describe, expect, it } from 'vitest';
import { formatRecord, toOcsfEvent } from '../../../src/export/formats/index.js';
import { OCSF_VERSION } from '../../../src/export/formats/ocsf-common.js';
import type { ExportRecord } from '../../../src/model/export-record.js';
import {
  BASE_REQUIRED,
  CLASS_NAME,
  CLASS_REQUIRED,
  ENUMS,
  OBJECT_REQUIRED,
} from './ocsf-classes.js';
import {
  alertRecord,
  COMPLIANCE_TARGET_SET,
  complianceRecord,
  linuxSshAlerts,
  realAlerts,
  recommendationRecord,
} from './sample-records.js';

type Event = Record<string, any>;

function requireAll(object: Event, names: string[], where: string): void {
  for (const name of names) {
    expect(object[name], `${where}.${name} is required`).not.toBeUndefined();
    expect(object[name], `${where}.${name} is required`).not.toBeNull();
  }
}

function checkEnum(enumName: string, id: number, caption: string | undefined, where: string): void {
  const values = ENUMS[enumName];
  expect(Object.keys(values).map(Number), `${where} = ${id}`).toContain(id);
  // The caption must be the enum's, except for 99 (Other) where the source's own label goes.
  if (caption !== undefined && id !== 99) expect(caption, where).toBe(values[id]);
}

/** Checks one event against its class definition; returns the class uid. */
function validate(event: Event): number {
  requireAll(event, BASE_REQUIRED, 'event');
  const classUid = event.class_uid as number;
  expect(Object.keys(CLASS_REQUIRED).map(Number)).toContain(classUid);
  requireAll(event, CLASS_REQUIRED[classUid], `class ${classUid}`);
  expect(event.class_name).toBe(CLASS_NAME[classUid]);
  checkEnum('category_uid', event.category_uid, event.category_name, 'category_uid');
  expect(Math.floor(classUid / 1000)).toBe(event.category_uid);
  checkEnum('activity_id', event.activity_id, event.activity_name, 'activity_id');
  expect(event.type_uid).toBe(classUid * 100 + event.activity_id);
  expect(event.type_name).toBe(`${CLASS_NAME[classUid]}: ${event.activity_name}`);
  checkEnum('severity_id', event.severity_id, event.severity, 'severity_id');
  if (event.status_id !== undefined)
    checkEnum('status_id', event.status_id, event.status, 'status_id');
  expect(Number.isInteger(event.time)).toBe(true);
  expect(event.time).toBeGreaterThan(Date.parse('2000-01-01'));

  requireAll(event.metadata, OBJECT_REQUIRED.metadata, 'metadata');
  expect(event.metadata.version).toBe(OCSF_VERSION);
  requireAll(event.metadata.product, OBJECT_REQUIRED.product, 'metadata.product');
  expect(event.metadata.product.name).toBe('Palisade');

  requireAll(event.finding_info, OBJECT_REQUIRED.finding_info, 'finding_info');
  expect(typeof event.finding_info.title).toBe('string');
  if (event.finding_info.analytic) {
    requireAll(event.finding_info.analytic, OBJECT_REQUIRED.analytic, 'analytic');
    checkEnum(
      'analytic.type_id',
      event.finding_info.analytic.type_id,
      event.finding_info.analytic.type,
      'analytic.type_id',
    );
  }
  if (event.compliance) {
    requireAll(event.compliance, OBJECT_REQUIRED.compliance, 'compliance');
    expect(Array.isArray(event.compliance.standards)).toBe(true);
    checkEnum(
      'compliance.status_id',
      event.compliance.status_id,
      event.compliance.status,
      'compliance.status_id',
    );
  }
  if (event.cloud) requireAll(event.cloud, OBJECT_REQUIRED.cloud, 'cloud');
  for (const observable of event.observables ?? []) {
    requireAll(observable, OBJECT_REQUIRED.observable, 'observable');
    checkEnum('observable.type_id', observable.type_id, observable.type, 'observable.type_id');
  }
  for (const resource of event.resources ?? []) expect(typeof resource.uid).toBe('string');
  return classUid;
}

describe('OCSF events', () => {
  it('writes real alerts as valid Detection Findings (2004) across their lifecycle', async () => {
    const alerts = await realAlerts();
    for (const alert of alerts) {
      const created = toOcsfEvent(alertRecord(alert)) as Event;
      expect(validate(created)).toBe(2004);
      expect(created.activity_id).toBe(1);
      expect(created.type_uid).toBe(200401);
      expect(created.status_id).toBe(1);
      expect(created.finding_info.uid).toBe(alert.id);
      expect(created.metadata.uid).toBe(`alert:${alert.id}:created`);
      expect(created.finding_info.analytic.uid).toBe(alert.rule.id);

      const progressing = toOcsfEvent(
        alertRecord({ ...alert, status: 'in_progress' }, 'status_changed'),
      ) as Event;
      expect(validate(progressing)).toBe(2004);
      expect([progressing.activity_id, progressing.status_id]).toEqual([2, 2]);

      const closed = toOcsfEvent(
        alertRecord({ ...alert, status: 'resolved' }, 'status_changed'),
      ) as Event;
      expect(validate(closed)).toBe(2004);
      expect([closed.activity_id, closed.type_uid, closed.status_id]).toEqual([3, 200403, 4]);
      expect(closed.is_alert).toBe(false);

      const dismissed = toOcsfEvent(
        alertRecord({ ...alert, status: 'dismissed' }, 'status_changed'),
      ) as Event;
      expect(dismissed.status).toBe('Suppressed');
    }
  });

  it('writes an attacker logged by name as the source endpoint, the host attacked as the device', async () => {
    const byName = (await linuxSshAlerts()).filter((a) =>
      a.entities.some((e) => e.kind === 'remote-host'),
    );
    expect(byName.length).toBeGreaterThan(0);
    for (const alert of byName) {
      const event = toOcsfEvent(alertRecord(alert)) as Event;
      expect(validate(event)).toBe(2004);
      const peer = alert.entities.find((e) => e.kind === 'remote-host')!.value;
      expect(event.observables).toContainEqual({
        name: 'src_endpoint.hostname',
        type_id: 1,
        type: 'Hostname',
        value: peer,
      });
      expect(event.observables).toContainEqual({
        name: 'device.hostname',
        type_id: 1,
        type: 'Hostname',
        value: 'combo',
      });
    }
  });

  it("writes a cloud principal's ARN as the actor's user uid, a plain user name as its name", async () => {
    const alerts = await realAlerts();
    const arns = alerts.flatMap((a) =>
      a.entities.filter((e) => e.kind === 'account' && e.value.startsWith('arn:')),
    );
    expect(arns.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const event = toOcsfEvent(alertRecord(alert)) as Event;
      for (const e of alert.entities.filter((x) => x.kind === 'account')) {
        const arn = e.value.startsWith('arn:');
        expect(event.observables).toContainEqual({
          name: arn ? 'actor.user.uid' : 'actor.user.name',
          type_id: arn ? 10 : 4,
          type: arn ? 'Resource UID' : 'User Name',
          value: e.value,
        });
      }
    }
    const ssh = (await linuxSshAlerts()).flatMap((a) => toOcsfEvent(alertRecord(a)) as Event);
    expect(ssh.some((ev) => ev.observables.some((o: Event) => o.name === 'actor.user.name'))).toBe(
      true,
    );
  });

  it('writes recommendation changes as valid Compliance Findings (2003)', () => {
    const cases: [ExportRecord, number, number, number, number][] = [
      // record, activity_id, status_id, compliance.status_id, severity_id
      [recommendationRecord('fail', null), 1, 1, 3, 4],
      [recommendationRecord('fail', 'pass'), 2, 1, 3, 4],
      [recommendationRecord('pass', 'fail'), 3, 4, 1, 1],
      [recommendationRecord('exempt', 'fail'), 2, 3, 3, 4],
    ];
    for (const [record, activity, status, check, severity] of cases) {
      const event = toOcsfEvent(record) as Event;
      expect(validate(event)).toBe(2003);
      expect([
        event.activity_id,
        event.status_id,
        event.compliance.status_id,
        event.severity_id,
      ]).toEqual([activity, status, check, severity]);
      expect(event.resources[0].uid).toBe('arn:aws:s3:::logs-prod');
      expect(event.cloud).toEqual({
        provider: 'AWS',
        account: { uid: '123456789012' },
        region: 'eu-west-1',
      });
      expect(event.compliance.control).toBe('NS');
    }
  });

  it('writes regulatory compliance changes as valid Compliance Findings (2003)', () => {
    const failed = toOcsfEvent(complianceRecord('failed', 'passed')) as Event;
    expect(validate(failed)).toBe(2003);
    expect(failed.compliance.standards).toEqual(['CIS AWS Foundations Benchmark']);
    expect(failed.compliance.control).toBe('2.1.4');
    expect([failed.compliance.status_id, failed.severity_id, failed.activity_id]).toEqual([
      3, 3, 2,
    ]);
    // The estate: the resource the check targeted, its finding uid, and unmapped in full.
    expect(failed.resources).toEqual([
      {
        uid: COMPLIANCE_TARGET_SET,
        name: 'infra/aws, infra/shared',
        type: 'Palisade Target Set',
      },
    ]);
    expect(failed.finding_info.uid).toBe(`${COMPLIANCE_TARGET_SET}/cis/2.1.4`);
    expect([failed.unmapped.target_set, failed.unmapped.targets]).toEqual([
      COMPLIANCE_TARGET_SET,
      ['infra/aws', 'infra/shared'],
    ]);
    const passed = toOcsfEvent(complianceRecord('passed', 'failed')) as Event;
    expect(validate(passed)).toBe(2003);
    expect([passed.compliance.status_id, passed.status_id, passed.activity_id]).toEqual([1, 4, 3]);
    // A control no rule assessed is no warning: Other, as its finding status is.
    const unknown = toOcsfEvent(complianceRecord('not_assessed', null)) as Event;
    expect(validate(unknown)).toBe(2003);
    expect([unknown.compliance.status_id, unknown.compliance.status]).toEqual([99, 'Not Assessed']);
    expect([unknown.status_id, unknown.status]).toEqual([99, 'Not Assessed']);
  });

  it('writes a control no rule checks as Other labelled Manual, apart from not assessed', () => {
    const manual = toOcsfEvent(complianceRecord('manual', null)) as Event;
    expect(validate(manual)).toBe(2003);
    expect([manual.compliance.status_id, manual.compliance.status]).toEqual([99, 'Manual']);
    expect([manual.status_id, manual.status]).toEqual([99, 'Manual']);
    expect(manual.compliance.status_detail).toMatch(/No Palisade rule checks this control/);
    expect([manual.severity_id, manual.activity_id]).toEqual([1, 1]);
    expect(manual.unmapped.state).toBe('manual');

    // A control that gains a rule and passes closes its manual finding.
    const checked = toOcsfEvent(complianceRecord('passed', 'manual')) as Event;
    expect(validate(checked)).toBe(2003);
    expect([checked.compliance.status_id, checked.activity_id]).toEqual([1, 3]);
    expect(checked.unmapped.previous_state).toBe('manual');
  });

  it('serialises as one line of JSON through formatRecord', async () => {
    const [alert] = await realAlerts();
    const body = formatRecord(alertRecord(alert), 'ocsf');
    expect(body.includes('\n')).toBe(false);
    expect(validate(JSON.parse(body))).toBe(2004);
  });
});
