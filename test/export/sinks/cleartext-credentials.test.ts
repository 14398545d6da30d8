import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../src/export/sinks/cleartext-credentials.js';
import {
  createSink,
  parseNewSinkConfig,
  SinkConfigError,
} from '../../../src/export/sinks/index.js';
import { parseExportInput } from '../../../src/export/exporter-config.js';
import { parseAutomationInput } from '../../../src/automate/automation-rule.js';

const CONSOLE = 'https://palisade.example.com';

/** One configuration of each sink kind that sends a credential with every request. */
function credentialled(url: string): Record<string, unknown>[] {
  return [
    { kind: 'splunk-hec', url, token: 'hec-token-0000' },
    { kind: 'slack', url: `${url}/services/T0/B0/secret`, consoleUrl: CONSOLE },
    { kind: 'teams', url: `${url}/webhookb2/secret`, consoleUrl: CONSOLE },
    {
      kind: 'servicenow',
      instanceUrl: url,
      username: 'svc',
      password: 'password',
      consoleUrl: CONSOLE,
    },
    {
      kind: 'jira',
      baseUrl: url,
      email: 'soc@example.com',
      apiToken: 'jira-token',
      projectKey: 'SEC',
      consoleUrl: CONSOLE,
    },
  ];
}

const FIELD: Record<string, string> = {
  'splunk-hec': 'url',
  slack: 'url',
  teams: 'url',
  servicenow: 'instanceUrl',
  jira: 'baseUrl',
};

/** The refusal of `config` as a new sink, `allow` being the operator's export allow-list. */
function refusal(config: unknown, allow: string[] = []): SinkConfigError | undefined {
  try {
    parseNewSinkConfig(config, { allow });
    return undefined;
  } catch (error) {
    if (error instanceof SinkConfigError) return error;
    throw error;
  }
}

describe('sinks that send credentials over plain http', () => {
  it.each(credentialled('http://itsm.example.com:8080'))(
    'refuses $kind to an http:// host off loopback, naming the field',
    (config) => {
      const error = refusal(config);
      expect(error?.field).toBe(FIELD[String(config.kind)]);
      expect(error?.message).toMatch(/plain http:\/\/ to itsm\.example\.com:8080/);
      expect(error?.message).toMatch(/use https:\/\/, or set requireTls: false/);
    },
  );

  it.each(credentialled('http://10.20.0.5'))(
    'refuses $kind to a private address the allow-list admits',
    (config) => {
      const error = refusal(config, ['10.0.0.0/8']);
      expect(error?.field).toBe(FIELD[String(config.kind)]);
      expect(error?.message).toMatch(/plain http:\/\/ to 10\.20\.0\.5/);
    },
  );

  // A configuration stored before the check at creation existed, or written into the store by
  // hand, reaches the exporter without passing parseNewSinkConfig: building its sink refuses too.
  it.each(credentialled('http://10.20.0.5'))(
    'will not build a $kind sink to it to send',
    (config) => {
      let error: unknown;
      try {
        createSink(config, { network: { allow: ['10.0.0.0/8'] } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SinkConfigError);
      expect((error as SinkConfigError).field).toBe(FIELD[String(config.kind)]);
      expect((error as SinkConfigError).message).toMatch(/plain http:\/\/ to 10\.20\.0\.5/);
    },
  );

  it.each([
    'http://127.0.0.1:19001',
    'http://127.8.9.10',
    'http://localhost:8088',
    'http://LOCALHOST',
    'http://[::1]:8088',
    'https://itsm.example.com',
  ])('accepts every credentialled sink at %s (loopback allowed for export)', (url) => {
    for (const config of credentialled(url)) {
      expect(refusal(config, ['127.0.0.0/8', '::1'])).toBeUndefined();
    }
  });

  it('accepts plain http off loopback when the configuration sets requireTls: false', () => {
    for (const config of credentialled('http://itsm.example.com')) {
      expect(refusal({ ...config, requireTls: false })).toBeUndefined();
      expect(refusal({ ...config, requireTls: true })?.field).toBe(FIELD[String(config.kind)]);
    }
    const jira = credentialled('https://itsm.example.com')[4];
    expect(refusal({ ...jira, requireTls: 'no' })?.field).toBe('requireTls');
  });

  it('leaves the webhook sink, whose secret only signs, free to use http', () => {
    const config = { kind: 'webhook', url: 'http://siem.example.com/in', secret: 'x'.repeat(16) };
    expect(refusal(config)).toBeUndefined();
  });

  it('names the field through an export and an automation rule', () => {
    const [splunk, , , servicenow] = credentialled('http://itsm.example.com');
    expect(() => parseExportInput({ name: 'hec', sink: splunk })).toThrow(
      expect.objectContaining({ field: 'sink.url' }),
    );
    expect(() =>
      parseAutomationInput({
        name: 'tickets',
        triggers: ['alert.created'],
        actions: [{ sink: servicenow }],
      }),
    ).toThrow(expect.objectContaining({ field: 'actions[0].sink.instanceUrl' }));
  });

  it('counts 127.0.0.0/8, ::1 and localhost as loopback, and nothing else', () => {
    expect(['127.0.0.1', '127.255.0.1', '[::1]', 'localhost'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['128.0.0.1', '[::2]', '[::ffff:a00:1]', 'localhost.example.com', '0.0.0.0'].map(
        isLoopbackHost,
      ),
    ).toEqual([false, false, false, false, false]);
  });
});

describe('sink URLs', () => {
  it('keeps a URL that is posted to exactly as given, trailing slash included', () => {
    const webhook = parseNewSinkConfig(
      { kind: 'webhook', url: 'http://127.0.0.1:19001/hook2/', secret: 'x'.repeat(16) },
      { allow: ['127.0.0.1'] },
    );
    expect(webhook).toMatchObject({ url: 'http://127.0.0.1:19001/hook2/' });
    const slack = parseNewSinkConfig({
      kind: 'slack',
      url: 'https://hooks.slack.com/services/T0/B0/x/',
      consoleUrl: `${CONSOLE}/`,
    });
    expect(slack).toMatchObject({ url: 'https://hooks.slack.com/services/T0/B0/x/' });
  });

  it('drops the trailing slash of a base URL that paths are appended to', () => {
    const [splunk, , , servicenow, jira] = credentialled('https://itsm.example.com/');
    expect(parseNewSinkConfig(splunk)).toMatchObject({ url: 'https://itsm.example.com' });
    expect(parseNewSinkConfig(servicenow)).toMatchObject({
      instanceUrl: 'https://itsm.example.com',
    });
    expect(parseNewSinkConfig({ ...jira, consoleUrl: `${CONSOLE}//` })).toMatchObject({
      baseUrl: 'https://itsm.example.com',
      consoleUrl: CONSOLE,
    });
  });
});
