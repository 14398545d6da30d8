/**
 * An incident's status change reaches the outbox as alert status changes do: through the API
 * (`PATCH /api/v1/incidents/{id}`) over incidents that real Sigma rules raised on real
 * CloudTrail logs, it writes an `incident` record valid against its schema, which an export
 * delivers to a real syslog TCP listener and which fires an automation rule's `incident.changed`
 * trigger, whose action reaches a second listener.
 */

import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { Exporter } from '../../src/export/exporter.js';
import { ExportRecordValidator } from '../../src/export/schemas/export-schemas.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { listAutomationRuns } from '../../src/store/automation-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { recordOf } from '../../src/store/outbox-repository.js';
import { apiCaller, startHarness, type Harness } from '../server/harness.js';
import { startSyslogListener, type SyslogListener } from './support/syslog-listener.js';
import { allowLoopbackExports } from './support/allow-loopback.js';

allowLoopbackExports();

const SHARED = resolve(process.cwd(), '../shared/data');

describe('incident status changes in continuous export', () => {
  let h: Harness;
  let admin: string;
  let exported: SyslogListener;
  let automated: SyslogListener;
  beforeAll(async () => {
    h = await startHarness();
    admin = await h.token('security-admin');
    exported = await startSyslogListener();
    automated = await startSyslogListener();
    const found = await detect({
      paths: [resolve(SHARED, 'cloudtrail/stratus-red-team')],
      ruleDirs: [resolve(SHARED, 'sigma-rules/rules/cloud/aws')],
    });
    expect(found.incidents.length).toBeGreaterThan(0);
    await saveAlerts(h.db, found.alerts, found.incidents);
  });
  afterAll(async () => {
    await exported.close();
    await automated.close();
    await h.close();
  });

  const call = (method: string, url: string, payload?: object) =>
    apiCaller(h, () => admin)(method, url, payload);
  const syslog = (port: number) => ({ kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port });

  it('writes an incident record that an export delivers and an automation rule acts on', async () => {
    const only = await call('POST', '/exports', {
      name: 'every type',
      sink: syslog(exported.port),
      types: ['alert', 'incident', 'recommendation', 'secure_score', 'compliance'],
    });
    expect(only.status, JSON.stringify(only.body)).toBe(201);
    await call('DELETE', `/exports/${only.body.export.id}`);
    const made = await call('POST', '/exports', { name: 'siem', sink: syslog(exported.port) });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.export.types).toContain('incident');
    const rule = await call('POST', '/automations', {
      name: 'resolved incidents',
      triggers: ['incident.changed'],
      actions: [{ sink: syslog(automated.port) }],
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);

    const incidents = await call('GET', '/incidents?limit=1');
    const incident = incidents.body.items[0];
    const changed = await call('PATCH', `/incidents/${incident.id}`, {
      status: 'resolved',
      comment: 'contained: keys rotated',
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    const rows = await exportStore(h.db)
      .selectFrom('export_outbox')
      .selectAll()
      .where('type', '=', 'incident')
      .execute();
    expect(rows.length).toBe(1);
    const record = recordOf(rows[0]) as Extract<ExportRecord, { type: 'incident' }>;
    expect(new ExportRecordValidator().problems(record)).toEqual([]);
    expect(record.data).toMatchObject({
      change: 'status_changed',
      previousStatus: incident.status,
      comment: 'contained: keys rotated',
      incident: { id: incident.id, status: 'resolved', alerts: incident.alertIds },
    });
    expect(record.data.actor).toBeTruthy();

    const e = new Exporter({
      db: h.db,
      key: h.serverKey,
      owner: 'test',
      backoff: { baseMs: 1, maxMs: 4 },
      sinkDeps: { network: { allow: ['127.0.0.1'] } },
    });
    for (let i = 0; i < 20; i += 1) {
      await e.runOnce();
      if (exported.messages.length > 0 && automated.messages.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await e.stop();
    expect(exported.messages.map((m) => m.id)).toEqual([record.id]);
    expect(JSON.parse(exported.messages[0].body)).toEqual(record);
    expect(automated.messages.map((m) => m.id)).toEqual([record.id]);
    const runs = await listAutomationRuns(h.db, rule.body.rule.id);
    expect(runs.length).toBe(1);
  });
});
