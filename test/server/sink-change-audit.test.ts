/**
 * The audit log says where an export's or automation rule's records go (each sink's
 * destination, without query strings or secrets) and when a new token expires.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runTokenCreate } from '../../src/cli/token-command.js';
import { openStore } from '../../src/store/database.js';
import { ownerApi } from './harness.js';
import { allowLoopbackExports } from '../export/support/allow-loopback.js';

allowLoopbackExports();

const CONSOLE = 'https://palisade.example.com';
const SECRETS = [
  'hook-secret-0123456789',
  'query-key-987',
  'hec-token-abcdef',
  'T0AAA/B0BBB/slack-path-secret',
  'sn-password',
];

const webhook = {
  kind: 'webhook',
  url: 'https://siem.example.com/hooks/palisade/?key=query-key-987#frag',
  secret: 'hook-secret-0123456789',
};
const slack = {
  kind: 'slack',
  url: 'https://hooks.slack.com/services/T0AAA/B0BBB/slack-path-secret',
  consoleUrl: CONSOLE,
};

describe('audit of sink changes', () => {
  const api = ownerApi();

  async function audit(action: string): Promise<{ target: { id: string }; details: any }[]> {
    const res = await api.inject({ method: 'GET', url: `/api/v1/audit?action=${action}` });
    expect(res.statusCode, res.body).toBe(200);
    for (const secret of SECRETS) expect(res.body).not.toContain(secret);
    return res.json().items;
  }

  it('records the destination of an export made and deleted, never a secret', async () => {
    const made = await api.post('/exports', { name: 'SIEM', sink: webhook, types: ['alert'] });
    expect(made.statusCode, made.body).toBe(201);
    const chat = await api.post('/exports', { name: 'Chat', sink: slack, types: ['alert'] });
    expect(chat.statusCode, chat.body).toBe(201);
    const ids = [made.json().export.id, chat.json().export.id];
    for (const id of ids) {
      const gone = await api.inject({ method: 'DELETE', url: `/api/v1/exports/${id}` });
      expect(gone.statusCode, gone.body).toBe(200);
    }

    const destinations = (entries: { target: { id: string }; details: any }[]) =>
      ids.map((id) => entries.find((e) => e.target.id === id)?.details.destination);
    // A webhook URL as given, less query and fragment; a Slack URL is its secret: origin only.
    const expected = ['https://siem.example.com/hooks/palisade/', 'https://hooks.slack.com'];
    expect(destinations(await audit('export.create'))).toEqual(expected);
    expect(destinations(await audit('export.delete'))).toEqual(expected);
    const [created] = (await audit('export.create')).filter((e) => e.target.id === ids[0]);
    expect(created.details).toEqual({
      name: 'SIEM',
      sink: 'webhook',
      destination: expected[0],
      scope: { kind: 'all' },
      types: ['alert'],
    });
  });

  it("records each automation action's sink and destination, made and deleted", async () => {
    const made = await api.post('/automations', {
      name: 'Tickets and logs',
      triggers: ['alert.created'],
      actions: [
        {
          sink: {
            kind: 'servicenow',
            instanceUrl: 'https://acme.service-now.com',
            username: 'svc',
            password: 'sn-password',
            consoleUrl: CONSOLE,
          },
        },
        { sink: { kind: 'splunk-hec', url: 'http://127.0.0.1:8088', token: 'hec-token-abcdef' } },
        { sink: { kind: 'syslog', transport: 'tls', host: 'siem.example.com' } },
        {
          sink: {
            kind: 'email',
            host: 'smtp.example.com',
            from: 'palisade@example.com',
            to: ['soc@example.com'],
          },
        },
        { sink: { kind: 'nats', servers: ['nats-1:4222', 'nats-2:4222'], subject: 'sec.alerts' } },
        { sink: slack },
      ],
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().rule.id;
    expect(
      (await api.inject({ method: 'DELETE', url: `/api/v1/automations/${id}` })).statusCode,
    ).toBe(200);

    const actions = [
      { sink: 'servicenow', destination: 'https://acme.service-now.com' },
      { sink: 'splunk-hec', destination: 'http://127.0.0.1:8088' },
      { sink: 'syslog', destination: 'siem.example.com:6514' },
      { sink: 'email', destination: 'smtp.example.com:587' },
      { sink: 'nats', destination: 'nats-1:4222, nats-2:4222' },
      { sink: 'slack', destination: 'https://hooks.slack.com' },
    ];
    const [created] = (await audit('automation.create')).filter((e) => e.target.id === id);
    expect(created.details).toEqual({
      name: 'Tickets and logs',
      triggers: ['alert.created'],
      actions,
    });
    const [deleted] = (await audit('automation.delete')).filter((e) => e.target.id === id);
    expect(deleted.details).toEqual({ name: 'Tickets and logs', actions });
  });

  it('records when a new token expires, or that it never does', async () => {
    const expiring = await api.post('/tokens', {
      name: 'ci',
      role: 'reader',
      scopes: [],
      expiresInDays: 30,
    });
    const forever = await api.post('/tokens', {
      name: 'forever',
      role: 'reader',
      scopes: [],
      expiresInDays: null,
    });
    expect([expiring.statusCode, forever.statusCode]).toEqual([201, 201]);
    expect(expiring.json().expiresAt).toMatch(/^\d{4}-/);

    const entries = await audit('token.create');
    const expiry = (id: string) => entries.find((e) => e.target.id === id)?.details.expiresAt;
    expect(expiry(expiring.json().id)).toBe(expiring.json().expiresAt);
    expect(expiry(forever.json().id)).toBe('never');
  });

  it('records the expiry of a token made on the command line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-token-audit-'));
    const location = join(dir, 'palisade.db');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const base = { db: location, role: 'reader' as const, scope: [] };
      expect(await runTokenCreate({ ...base, name: 'a', expires: 7 })).toBe(0);
      expect(await runTokenCreate({ ...base, name: 'b', expires: 'never' })).toBe(0);
      const db = await openStore(location);
      try {
        const tokens = await db
          .selectFrom('api_tokens')
          .select(['id', 'expires_at'])
          .orderBy('name')
          .execute();
        const audit = await db.selectFrom('audit_log').select(['target_id', 'details']).execute();
        const expiry = (id: string) =>
          JSON.parse(audit.find((a) => a.target_id === id)!.details).expiresAt;
        expect(tokens[0].expires_at).toMatch(/^\d{4}-/);
        expect([expiry(tokens[0].id), expiry(tokens[1].id)]).toEqual([
          tokens[0].expires_at,
          'never',
        ]);
      } finally {
        await db.destroy();
      }
    } finally {
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
