/** Sink configurations refuse, when they are made, credentials that could never be sent. */

import { describe, expect, it } from 'vitest';
import { parseExportInput } from '../../../src/export/exporter-config.js';

const CONSOLE = 'https://palisade.example.com';

/** One valid configuration of each sink kind with credentials, and its credential fields. */
const SINKS: { sink: Record<string, unknown>; fields: string[] }[] = [
  {
    sink: { kind: 'splunk-hec', url: 'https://hec.example.com:8088', token: 'hec-token-0123' },
    fields: ['token'],
  },
  {
    sink: {
      kind: 'servicenow',
      instanceUrl: 'https://example.service-now.com',
      username: 'svc-palisade',
      password: 'sn-password-0123',
      consoleUrl: CONSOLE,
    },
    fields: ['username', 'password'],
  },
  {
    sink: {
      kind: 'jira',
      baseUrl: 'https://example.atlassian.net',
      email: 'soc@example.com',
      apiToken: 'jira-token-0123',
      projectKey: 'SEC',
      consoleUrl: CONSOLE,
    },
    fields: ['email', 'apiToken'],
  },
  {
    sink: { kind: 'nats', servers: ['nats.example.com:4222'], subject: 'sec', token: 'n-0123' },
    fields: ['token'],
  },
  {
    sink: {
      kind: 'nats',
      servers: ['nats.example.com:4222'],
      subject: 'sec',
      user: 'palisade',
      pass: 'nats-pass-0123',
    },
    fields: ['user', 'pass'],
  },
  {
    sink: {
      kind: 'email',
      host: 'smtp.example.com',
      from: 'palisade@example.com',
      to: ['soc@example.com'],
      user: 'palisade',
      pass: 'smtp-pass-0123',
    },
    fields: ['user', 'pass'],
  },
];

describe('sink credentials', () => {
  it('are accepted as given when they hold no control characters', () => {
    for (const { sink } of SINKS) {
      expect(() => parseExportInput({ name: 'x', sink }), String(sink.kind)).not.toThrow();
    }
  });

  it('refuse a line break or other control character when made, naming the field only', () => {
    for (const { sink, fields } of SINKS) {
      for (const field of fields) {
        for (const bad of ['X\r\nX-Injected: yes', 'token\n', 'tab\there', 'nul\u0000']) {
          const made = () => parseExportInput({ name: 'x', sink: { ...sink, [field]: bad } });
          expect(made, `${String(sink.kind)} ${field} ${JSON.stringify(bad)}`).toThrow(
            `export sink.${field}: ${String(sink.kind)} sink: ${field} must not hold line breaks or other control characters`,
          );
          expect(made).not.toThrow(/Injected/);
        }
      }
    }
  });
});
