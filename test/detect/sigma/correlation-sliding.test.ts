/**
 * A count with only lower bounds ("at least 5 within 10m") slides, as Sigma means it: every hit
 * whose timespan before it holds enough is reported, not only each fifth. The alert then counts
 * every matching event and ends at the last one.
 */

import { describe, expect, it } from 'vitest';
import { detect, loadDetectionRules } from '../../../src/detect/detect.js';
import { loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import { createSigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import type { SigmaMatch } from '../../../src/detect/sigma/types.js';
import { readLogs } from '../../../src/logs/read-logs.js';
import type { LogEvent } from '../../../src/model/event.js';
import { shared } from '../../support/paths.js';
import { event } from './sigma-test-support.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');

function login(seconds: number, ip: string, result: string, user = 'alice'): LogEvent {
  return event(
    {
      eventName: 'ConsoleLogin',
      sourceIPAddress: ip,
      responseElements: { ConsoleLogin: result },
      userIdentity: { userName: user },
    },
    new Date(T0 + seconds * 1000).toISOString(),
  );
}

const detection = (name: string, result: string): string =>
  `title: ${name}\nname: ${name}\nid: ${name}\nlogsource: {product: aws, service: cloudtrail}\n` +
  `detection:\n    sel:\n        eventName: ConsoleLogin\n        responseElements.ConsoleLogin: ${result}\n    condition: sel\n`;

const correlation = (name: string, body: string): string =>
  `title: ${name}\nname: ${name}\nid: ${name}\ncorrelation:\n${body}`;

function run(docs: string[], events: LogEvent[]): SigmaMatch[] {
  const yaml = [...docs, detection('failure', 'Failure'), detection('success', 'Success')];
  const { rules, unsupported } = loadSigmaText(yaml.join('---\n'), 'sliding.yml');
  expect(unsupported).toEqual([]);
  const engine = createSigmaEngine(rules);
  return [...events.flatMap((e) => engine.process(e)), ...engine.flush()];
}

const brute = correlation(
  'brute',
  '    type: event_count\n    rules: [failure]\n    group-by: [sourceIPAddress]\n' +
    '    timespan: 10m\n    condition: {gte: 5}\n',
);

async function* linesOf(lines: string[]) {
  yield lines.join('\n') + '\n';
}

const failed = (time: string, ip: string, pid: number) =>
  `Mar  3 ${time} web1 sshd[${pid}]: Failed password for root from ${ip} port ${40000 + pid} ssh2`;

describe('sliding counts (lower bounds only)', () => {
  it('reports the window once the bar is reached, then each further hit alone', () => {
    const matches = run(
      [brute],
      [0, 10, 20, 30, 40, 50, 60].map((s) => login(s, '198.51.100.7', 'Failure')),
    );
    expect(matches.map((m) => [m.correlation?.count, m.events.length])).toEqual([
      [5, 5],
      [6, 1],
      [7, 1],
    ]);
    expect(matches[2].correlation?.lastSeen).toBe(new Date(T0 + 60_000).toISOString());
    expect(matches[2].events[0].time).toBe(new Date(T0 + 60_000).toISOString());
  });

  it('stops when the window no longer holds enough, and starts a new run when it does again', () => {
    const times = [0, 10, 20, 30, 40, 1200, 1210, 1220, 1230, 1240];
    const matches = run(
      [brute],
      times.map((s) => login(s, '198.51.100.7', 'Failure')),
    );
    // 20 minutes later the window holds one failure: silent until it holds five again, then the
    // new run reports its five.
    expect(matches.map((m) => [m.correlation?.count, m.events.length])).toEqual([
      [5, 5],
      [5, 5],
    ]);
  });

  it('value_count: each further failure once enough distinct users were tried', () => {
    const spray = correlation(
      'spray',
      '    type: value_count\n    rules: [failure]\n    group-by: [sourceIPAddress]\n' +
        '    timespan: 1h\n    condition: {field: userIdentity.userName, gte: 3}\n',
    );
    const users = ['a', 'a', 'b', 'c', 'd', 'a'];
    const matches = run(
      [spray],
      users.map((u, i) => login(i * 10, '203.0.113.1', 'Failure', u)),
    );
    // The first report carries the latest failure of each user (a at 10s, b, c); then d and a.
    expect(matches.map((m) => [m.correlation?.count, m.events.map((e) => e.time)])).toEqual([
      [3, [10, 20, 30].map((s) => new Date(T0 + s * 1000).toISOString())],
      [4, [new Date(T0 + 40_000).toISOString()]],
      [4, [new Date(T0 + 50_000).toISOString()]],
    ]);
  });

  it('a chain fires once per brute force followed by a login, with the brute force as evidence', () => {
    const step = brute.replace(/brute/g, 'step');
    const chain = correlation(
      'chain',
      '    type: temporal_ordered\n    rules: [step, success]\n    group-by: [sourceIPAddress]\n' +
        '    timespan: 1h\n',
    );
    const events = [
      ...Array.from({ length: 12 }, (_, i) => login(i * 5, '198.51.100.7', 'Failure')),
      login(100, '198.51.100.7', 'Success'),
      login(200, '198.51.100.7', 'Success'),
    ];
    const matches = run([brute, step, chain], events).filter((m) => m.rule.id === 'chain');
    expect(matches).toHaveLength(1);
    const evidence = matches[0].events.map((e) => e.time);
    // The latest failures of the window (up to the evidence cap, 10), then the login.
    expect(evidence).toHaveLength(10);
    expect(evidence.at(-1)).toBe(new Date(T0 + 100_000).toISOString());
    expect(evidence.at(-2)).toBe(new Date(T0 + 55_000).toISOString());
  });

  it('an event_count over a sliding count counts its runs, not their hits', () => {
    const twice = correlation(
      'twice',
      '    type: event_count\n    rules: [brute]\n    group-by: [sourceIPAddress]\n' +
        '    timespan: 1d\n    condition: {gte: 2}\n',
    );
    const run1 = Array.from({ length: 12 }, (_, i) => login(i * 5, '198.51.100.7', 'Failure'));
    expect(run([brute, twice], run1).filter((m) => m.rule.id === 'twice')).toEqual([]);
    const run2 = Array.from({ length: 5 }, (_, i) => login(3600 + i, '198.51.100.7', 'Failure'));
    const matches = run([brute, twice], [...run1, ...run2]).filter((m) => m.rule.id === 'twice');
    expect(matches.map((m) => m.correlation?.count)).toEqual([2]);
  });
});

describe('SSH brute-force alerts count every failure', () => {
  it('6 failures within a minute: one alert of 6 events, ending at the 6th', async () => {
    const lines = [0, 5, 10, 20, 30, 45].map((s, i) =>
      failed(`10:00:${String(s).padStart(2, '0')}`, '198.51.100.7', 100 + i),
    );
    const result = await detect({ paths: '-', stdin: linesOf(lines), year: 2024 });
    const alerts = result.alerts.filter((a) => a.title === 'SSH brute force from one source');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].eventCount).toBe(6);
    expect(alerts[0].firstSeen).toBe('2024-03-03T10:00:00.000Z');
    expect(alerts[0].lastSeen).toBe('2024-03-03T10:00:45.000Z');
  });

  it('a brute force then a login raises the chained alert once', async () => {
    const lines = [
      ...Array.from({ length: 9 }, (_, i) => failed(`10:00:0${i}`, '198.51.100.7', 100 + i)),
      'Mar  3 10:00:30 web1 sshd[200]: Accepted password for root from 198.51.100.7 port 40100 ssh2',
      failed('10:00:40', '198.51.100.7', 300),
      'Mar  3 10:00:50 web1 sshd[201]: Accepted password for root from 198.51.100.7 port 40101 ssh2',
    ];
    const result = await detect({ paths: '-', stdin: linesOf(lines), year: 2024 });
    const titles = result.alerts.map((a) => a.title);
    expect(titles.filter((t) => t === 'SSH login after brute force from the same source')).toEqual([
      'SSH login after brute force from the same source',
    ]);
    const brute = result.alerts.find((a) => a.title === 'SSH brute force from one source');
    expect(brute?.eventCount).toBe(10);
  });

  it('OpenSSH_2k: the alert for 112.95.230.3 counts every failure of that source in its span', async () => {
    const file = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
    const result = await detect({ paths: [file], year: 2023 });
    const alerts = result.alerts.filter(
      (a) => a.title === 'SSH brute force from one source' && a.rule.kind === 'builtin',
    );

    // The failures as the failure rule alone matches them, by source address and time.
    const loaded = await loadDetectionRules({});
    const failure = loaded.rules.filter((r) => r.name === 'palisade_ssh_auth_failure');
    expect(failure).toHaveLength(1);
    const engine = createSigmaEngine(failure, loaded.sigmaOptions);
    const failures: { ip: string; time: string; occurrences: number }[] = [];
    for await (const item of readLogs([file], { year: 2023 })) {
      if (!('time' in item)) continue;
      const e = item as LogEvent;
      if (engine.process(e).length > 0 && e.sourceIp)
        failures.push({ ip: e.sourceIp, time: e.time, occurrences: e.occurrences ?? 1 });
    }
    // A `message repeated N times` line is N failures.
    const within = (ip: string, from: string, to: string) =>
      failures
        .filter((f) => f.ip === ip && f.time >= from && f.time <= to)
        .reduce((n, f) => n + f.occurrences, 0);

    const ipOf = (a: (typeof alerts)[number]) => a.entities.find((e) => e.kind === 'ip')?.value;
    const target = alerts.filter((a) => ipOf(a) === '112.95.230.3');
    expect(target).toHaveLength(1);
    const [alert] = target;
    const last = failures.filter((f) => f.ip === '112.95.230.3').at(-1)!;
    expect(alert.lastSeen).toBe(last.time);
    expect(alert.eventCount).toBe(within('112.95.230.3', alert.firstSeen, alert.lastSeen));
    // Every brute-force alert on this log: no failure in its span is left out.
    for (const a of alerts) {
      expect(a.eventCount, ipOf(a)).toBe(within(ipOf(a)!, a.firstSeen, a.lastSeen));
    }
  });
});
