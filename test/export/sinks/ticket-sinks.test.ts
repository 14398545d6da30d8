import { describe, expect, it } from 'vitest';
import { createSink, type SinkDeps } from '../../../src/export/sinks/index.js';
import { SinkError, type ExportRecord } from '../../../src/model/export-record.js';
import type { Alert } from '../../../src/model/alert.js';
import { mergeIncidents } from '../../../src/store/incident-aliases.js';
import { listTicketLinks } from '../../../src/store/ticket-link-repository.js';
import { STORE_TARGETS } from '../../store/store-targets.js';
import { alertRecord, realAlerts, recommendationRecord } from '../formats/sample-records.js';
import { startFakeJira, startFakeServiceNow } from './fake-ticketing.js';
import { startFake } from './fake-vendor.js';

const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const CONSOLE = 'https://palisade.example.com';

/** The n-th status change of `alert`, n minutes after its last event. */
function statusChange(alert: Alert, status: Alert['status'], n: number): ExportRecord {
  return {
    ...alertRecord({ ...alert, status }, 'status_changed', `alert:${alert.id}:status:${n}`),
    occurredAt: new Date(Date.parse(alert.lastSeen) + n * 60_000).toISOString(),
    data: {
      change: 'status_changed',
      alert: { ...alert, status },
      previousStatus: alert.status,
      actor: 'ana',
      comment: 'triaged',
    },
  } as ExportRecord;
}

describe.each(STORE_TARGETS)('ticket sinks ($name)', (target) => {
  it.skipIf(target.skip)(
    'ServiceNow: one incident per alert, moved along on status change, never duplicated',
    () =>
      target.with(async ({ db, reopen }) => {
        const snow = await startFakeServiceNow('palisade.integration', 'sn-pass');
        try {
          const config = {
            kind: 'servicenow',
            instanceUrl: snow.url,
            username: 'palisade.integration',
            password: 'sn-pass',
            consoleUrl: CONSOLE,
          };
          const sink = createSink(config, { ...LOOPBACK, db });
          const alerts = (await realAlerts()).slice(0, 3);
          const created = alerts.map((a) => alertRecord(a));
          await sink.send([...created, recommendationRecord()]);
          await sink.send(created); // redelivery
          expect(snow.incidents.size).toBe(3);
          await sink.send([statusChange(alerts[0], 'in_progress', 1)]);
          await sink.send([
            statusChange(alerts[0], 'resolved', 2),
            statusChange(alerts[1], 'dismissed', 3),
          ]);
          await sink.send([statusChange(alerts[0], 'resolved', 2)]); // redelivery of a status change
          // A late redelivery of the older change, and of the creation, reopen nothing.
          await sink.send([statusChange(alerts[0], 'in_progress', 1), created[0]]);
          await sink.close();
          expect(snow.violations).toEqual([]);
          expect(snow.incidents.size).toBe(3);
          const byCorrelation = new Map(
            [...snow.incidents.values()].map((i) => [i.correlation_id, i]),
          );
          const first = byCorrelation.get(`alert:${alerts[0].id}`)!;
          expect(first.state).toBe('6');
          expect(first.close_code).toBe('Solution provided');
          expect(first.work_notes).toContain('in_progress by ana: triaged');
          expect(first.description).toContain(`${CONSOLE}/#/alerts/${alerts[0].id}`);
          expect(first.short_description).toBe(`[Palisade] ${alerts[0].title}`);
          expect(byCorrelation.get(`alert:${alerts[1].id}`)!.close_code).toBe(
            'No resolution provided',
          );
          expect(byCorrelation.get(`alert:${alerts[2].id}`)!.state).toBe('1');
          const patches = snow.requests.filter((r) => r.method === 'PATCH');
          expect(patches).toHaveLength(3);

          // Links lost (a crash after opening the incident): found again through correlation_id.
          await db.deleteFrom('ticket_links' as any).execute();
          const again = createSink(config, { ...LOOPBACK, db: await reopen() });
          await again.send(created);
          await again.close();
          expect(snow.incidents.size).toBe(3);
          const links = await listTicketLinks(db, `servicenow:${snow.url}`);
          expect(links.map((l) => l.ticket_ref).sort()).toEqual(
            [...snow.incidents.values()].map((i) => i.number).sort(),
          );
        } finally {
          await snow.close();
        }
      }),
  );

  it.skipIf(target.skip)(
    'Jira: one issue per alert with an ADF description, transitioned on status change',
    () =>
      target.with(async ({ db }) => {
        const jira = await startFakeJira('soc@example.com', 'jira-token', 'SEC');
        try {
          const config = {
            kind: 'jira',
            baseUrl: jira.url,
            email: 'soc@example.com',
            apiToken: 'jira-token',
            projectKey: 'SEC',
            consoleUrl: CONSOLE,
          };
          const sink = createSink(config, { ...LOOPBACK, db });
          const alerts = (await realAlerts()).slice(0, 2);
          await sink.send(alerts.map((a) => alertRecord(a)));
          await sink.send(alerts.map((a) => alertRecord(a)));
          await sink.send([statusChange(alerts[0], 'in_progress', 1)]);
          await sink.send([statusChange(alerts[0], 'resolved', 2)]);
          await sink.send([statusChange(alerts[0], 'resolved', 2)]);
          expect(jira.violations).toEqual([]);
          expect(jira.issues.size).toBe(2);
          const [first, second] = [...jira.issues.values()];
          expect(first.status).toBe('Done');
          expect(second.status).toBe('To Do');
          expect(first.comments).toHaveLength(2);
          expect(first.fields.summary).toBe(`[Palisade] ${alerts[0].title}`);
          expect(JSON.stringify(first.fields.description)).toContain(
            `${CONSOLE}/#/alerts/${alerts[0].id}`,
          );

          // A workflow without the configured transition is a final, explained failure.
          const odd = createSink(
            { ...config, transitions: { dismissed: "Won't Do" } },
            { ...LOOPBACK, db },
          );
          const error = (await odd
            .send([statusChange(alerts[1], 'dismissed', 3)])
            .catch((e: unknown) => e)) as SinkError;
          expect([error.code, error.retryable]).toEqual(['jira_transition_missing', false]);
          expect(error.message).toContain('In Progress, Done');
          await sink.close();
          await odd.close();

          const wrong = createSink({ ...config, apiToken: 'revoked' }, { ...LOOPBACK, db });
          const denied = (await wrong
            .send([alertRecord((await realAlerts())[3])])
            .catch((e: unknown) => e)) as SinkError;
          expect([denied.code, denied.retryable]).toEqual(['unauthorized', false]);
          await wrong.close();
        } finally {
          await jira.close();
        }
      }),
  );
});

describe('ticket sinks per incident', () => {
  /** A ServiceNow sink filing one ticket per Palisade incident. */
  const perIncident = (instanceUrl: string, db: SinkDeps['db']) =>
    createSink(
      {
        kind: 'servicenow',
        instanceUrl,
        username: 'u',
        password: 'p',
        consoleUrl: CONSOLE,
        per: 'incident',
      },
      { ...LOOPBACK, db },
    );

  it('files the alerts of one incident under one ServiceNow incident', () =>
    STORE_TARGETS[0].with(async ({ db }) => {
      const snow = await startFakeServiceNow('u', 'p');
      try {
        const sink = perIncident(snow.url, db);
        const [a, b, c] = await realAlerts();
        await sink.send([
          alertRecord({ ...a, incidentId: 'inc-1' }),
          alertRecord({ ...b, incidentId: 'inc-1' }),
          alertRecord(c),
        ]);
        await sink.close();
        expect(snow.violations).toEqual([]);
        expect([...snow.incidents.values()].map((i) => i.correlation_id).sort()).toEqual(
          [`alert:${c.id}`, 'incident:inc-1'].sort(),
        );
      } finally {
        await snow.close();
      }
    }));

  it('keeps one ServiceNow incident when the Palisade incident it files merges into another', () =>
    STORE_TARGETS[0].with(async ({ db }) => {
      const snow = await startFakeServiceNow('u', 'p');
      try {
        const sink = perIncident(snow.url, db);
        const [a, b] = await realAlerts();
        await sink.send([alertRecord({ ...a, incidentId: 'inc-1' })]);
        expect(snow.incidents.size).toBe(1);
        // inc-1 merges into inc-2: the alerts' next changes carry the survivor's id.
        await db
          .transaction()
          .execute((trx) => mergeIncidents(trx, new Map([['inc-1', 'inc-2']]), new Date()));
        await sink.send([alertRecord({ ...b, incidentId: 'inc-2' })]);
        await sink.send([statusChange({ ...a, incidentId: 'inc-2' }, 'resolved', 5)]);
        await sink.close();
        expect(snow.violations).toEqual([]);
        expect(snow.incidents.size).toBe(1);
        const links = await listTicketLinks(db, `servicenow:${snow.url}`);
        const bySubject = new Map(links.map((l) => [l.subject, l]));
        expect(bySubject.get('incident:inc-2')?.ticket_id).toBe(
          bySubject.get('incident:inc-1')?.ticket_id,
        );
        expect(bySubject.get('incident:inc-2')?.status).toBe('resolved');
      } finally {
        await snow.close();
      }
    }));
});

describe('ticket sink answers', () => {
  it('drops the trailing slash of a ServiceNow instance URL, so paths stay single-slashed', () =>
    STORE_TARGETS[0].with(async ({ db }) => {
      const snow = await startFakeServiceNow('u', 'p');
      try {
        const sink = createSink(
          {
            kind: 'servicenow',
            instanceUrl: `${snow.url}/`,
            username: 'u',
            password: 'p',
            consoleUrl: CONSOLE,
          },
          { ...LOOPBACK, db },
        );
        await sink.send([alertRecord((await realAlerts())[0])]);
        await sink.close();
        expect(snow.violations).toEqual([]);
        expect(snow.requests.map((r) => r.path)).toEqual([
          '/api/now/table/incident',
          '/api/now/table/incident',
        ]);
      } finally {
        await snow.close();
      }
    }));

  it('says what ServiceNow was expected to answer and what came instead', () =>
    STORE_TARGETS[0].with(async ({ db }) => {
      const answers = [
        { status: 200, body: { result: { sys_id: 'x', number: 'INC1' } } },
        { status: 200, body: '<html>Log in</html>' },
        { status: 200, body: { result: [] } },
        { status: 201, body: { result: { status: 'queued' } } },
      ];
      const snow = await startFake(() => answers.shift() ?? { status: 500 });
      const config = {
        kind: 'servicenow',
        instanceUrl: snow.url,
        username: 'u',
        password: 'p',
        consoleUrl: CONSOLE,
      };
      const sink = createSink(config, { ...LOOPBACK, db });
      const alert = alertRecord((await realAlerts())[0]);
      const fail = async () => (await sink.send([alert]).catch((e: unknown) => e)) as SinkError;
      try {
        const object = await fail();
        expect(object).toBeInstanceOf(SinkError);
        expect([object.code, object.message]).toEqual([
          'servicenow_answer',
          'ServiceNow search: expected "result" to be a list of incidents, but "result" was ' +
            'an object with keys sys_id, number',
        ]);
        expect((await fail()).message).toBe(
          'ServiceNow search: expected "result" to be a list of incidents, but the answer was ' +
            'a body that is not JSON (text/plain)',
        );
        expect((await fail()).message).toBe(
          'ServiceNow create: expected an incident with sys_id and number, but "result" was ' +
            'an object with keys status',
        );
      } finally {
        await sink.close();
        await snow.close();
      }
    }));

  it('says what Jira was expected to answer and what came instead', () =>
    STORE_TARGETS[0].with(async ({ db }) => {
      const jira = await startFake(() => ({ status: 200, body: { issues: { total: 0 } } }));
      const sink = createSink(
        {
          kind: 'jira',
          baseUrl: jira.url,
          email: 'a@b',
          apiToken: 't',
          projectKey: 'SEC',
          consoleUrl: CONSOLE,
        },
        { ...LOOPBACK, db },
      );
      try {
        const error = (await sink
          .send([alertRecord((await realAlerts())[0])])
          .catch((e: unknown) => e)) as SinkError;
        expect([error.code, error.message]).toEqual([
          'jira_answer',
          'Jira search: expected "issues" to be a list of issues, but "issues" was an object ' +
            'with keys total',
        ]);
      } finally {
        await sink.close();
        await jira.close();
      }
    }));
});

describe('ticket sink configuration', () => {
  it('needs the store and a valid project key', () => {
    expect(() =>
      createSink({
        kind: 'jira',
        baseUrl: 'https://x.atlassian.net',
        email: 'a@b',
        apiToken: 't',
        projectKey: 'SEC',
        consoleUrl: CONSOLE,
      }),
    ).toThrow(/jira sink: db is needed/);
    expect(() =>
      createSink({
        kind: 'jira',
        baseUrl: 'https://x.atlassian.net',
        email: 'a@b',
        apiToken: 't',
        projectKey: 'sec',
        consoleUrl: CONSOLE,
      }),
    ).toThrow(/projectKey/);
  });
});
