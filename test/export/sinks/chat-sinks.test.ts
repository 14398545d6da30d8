import { afterEach, describe, expect, it } from 'vitest';
import { createSink } from '../../../src/export/sinks/index.js';
import { SinkError } from '../../../src/model/export-record.js';
import {
  alertRecord,
  complianceRecord,
  realAlerts,
  recommendationRecord,
  scoreRecord,
} from '../formats/sample-records.js';
import { startFakeSlack, startFakeTeams } from './fake-chat.js';
import { startFake } from './fake-vendor.js';

const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const CONSOLE = 'https://palisade.example.com';
const SLACK_PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const TEAMS_PATH = '/webhookb2/3f1c/IncomingWebhook/9a7e/77d2';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function records() {
  const alerts = await realAlerts();
  return [
    ...alerts.map((a) => alertRecord(a)),
    recommendationRecord(),
    complianceRecord(),
    scoreRecord(),
  ];
}

describe('Slack sink', () => {
  it('posts one readable Block Kit message per record with severity, entities and a console link', async () => {
    const slack = await startFakeSlack(SLACK_PATH);
    open.push(slack);
    const sink = createSink(
      { kind: 'slack', url: `${slack.url}${SLACK_PATH}`, consoleUrl: CONSOLE },
      LOOPBACK,
    );
    open.push(sink);
    const sent = await records();
    await sink.send(sent);
    expect(slack.violations).toEqual([]);
    expect(slack.messages).toHaveLength(sent.length);
    const [first] = slack.messages;
    const alert = (sent[0] as any).data.alert;
    expect(first.blocks[0].text.text).toBe(alert.title);
    const fields = first.blocks[1].fields.map((f: any) => f.text).join('\n');
    expect(fields).toContain(`*Severity*`);
    expect(fields).toContain(alert.severity);
    expect(fields).toContain(alert.entities[0].value);
    expect(first.blocks.at(-1).elements[0].url).toBe(`${CONSOLE}/#/alerts/${alert.id}`);
    expect(first.text).toContain(alert.title);
  });

  it('reports Slack errors: no_service is final, 429 waits for Retry-After', async () => {
    const slack = await startFakeSlack(SLACK_PATH);
    open.push(slack);
    const gone = createSink(
      { kind: 'slack', url: `${slack.url}/services/T0/B0/revoked`, consoleUrl: CONSOLE },
      LOOPBACK,
    );
    open.push(gone);
    const error = (await gone.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([error.code, error.retryable]).toEqual(['http_404', false]);
    expect(error.message).toContain('no_service');
    const sink = createSink(
      { kind: 'slack', url: `${slack.url}${SLACK_PATH}`, consoleUrl: CONSOLE },
      LOOPBACK,
    );
    open.push(sink);
    slack.queue.push({ status: 429, body: 'rate_limited', headers: { 'retry-after': '30' } });
    const limited = (await sink
      .send([recommendationRecord()])
      .catch((e: unknown) => e)) as SinkError;
    expect([limited.retryable, limited.retryAfterMs]).toEqual([true, 30_000]);
  });
});

describe('chat webhook URLs in errors', () => {
  it('blanks the webhook path and query a receiver echoes, as they are the credential', async () => {
    // A receiver (a proxy, a framework's default 404 page) answering with the request's path.
    const echo = await startFake((req) => {
      const query = req.query.toString();
      return { status: 404, body: `Cannot POST ${req.path}${query ? `?${query}` : ''}` };
    });
    open.push(echo);
    const workflow =
      '/workflows/5e0c7a9d/triggers/manual/paths/invoke?api-version=2016-06-01&sig=S1GSECRETx9';
    const cases = [
      { kind: 'slack', path: SLACK_PATH, secrets: ['XXXXXXXXXXXXXXXXXXXXXXXX', SLACK_PATH] },
      { kind: 'teams', path: TEAMS_PATH, secrets: ['IncomingWebhook/9a7e', TEAMS_PATH] },
      { kind: 'teams', path: workflow, secrets: ['S1GSECRETx9', '5e0c7a9d'] },
    ];
    for (const { kind, path, secrets } of cases) {
      const sink = createSink({ kind, url: `${echo.url}${path}`, consoleUrl: CONSOLE }, LOOPBACK);
      open.push(sink);
      const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(SinkError);
      expect(error.message).toMatch(/answered 404: Cannot POST \*{8}/);
      for (const secret of secrets) expect(error.message, kind).not.toContain(secret);
    }
  });
});

describe('Microsoft Teams sink', () => {
  it('posts one Adaptive Card per record with severity, entities and a console link', async () => {
    const teams = await startFakeTeams(TEAMS_PATH);
    open.push(teams);
    const sink = createSink(
      { kind: 'teams', url: `${teams.url}${TEAMS_PATH}`, consoleUrl: CONSOLE },
      LOOPBACK,
    );
    open.push(sink);
    const sent = await records();
    await sink.send(sent);
    expect(teams.violations).toEqual([]);
    expect(teams.cards).toHaveLength(sent.length);
    const alert = (sent[0] as any).data.alert;
    const card = teams.cards[0];
    expect(card.body[0].text).toBe(alert.title);
    const facts = Object.fromEntries(card.body[1].facts.map((f: any) => [f.title, f.value]));
    expect(facts.Severity).toBe(alert.severity);
    expect(facts.Entities).toContain(alert.entities[0].value);
    expect(card.actions[0].url).toBe(`${CONSOLE}/#/alerts/${alert.id}`);
    const rec = teams.cards[sent.length - 3];
    expect(Object.fromEntries(rec.body[1].facts.map((f: any) => [f.title, f.value])).Status).toBe(
      'pass → fail',
    );
  });
});
