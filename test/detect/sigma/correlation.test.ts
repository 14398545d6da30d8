import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/model/event.js';
import { loadSigmaRules, loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import { createSigmaEngine, type SigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import type { SigmaMatch, SigmaOptions } from '../../../src/detect/sigma/types.js';
import { REPO_ROOT } from '../../support/paths.js';
import { event } from './sigma-test-support.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

function login(
  seconds: number,
  ip: string,
  result: 'Success' | 'Failure',
  user = 'alice',
): LogEvent {
  return event(
    {
      eventName: 'ConsoleLogin',
      sourceIPAddress: ip,
      responseElements: { ConsoleLogin: result },
      userIdentity: { userName: user },
    },
    at(seconds),
  );
}

function run(engine: SigmaEngine, events: LogEvent[]): SigmaMatch[] {
  return [...events.flatMap((e) => engine.process(e)), ...engine.flush()];
}

const detection = (name: string, result: string): string =>
  `title: ${name}\nname: ${name}\nid: ${name}\nlogsource: {product: aws, service: cloudtrail}\n` +
  `detection:\n    sel:\n        eventName: ConsoleLogin\n        responseElements.ConsoleLogin: ${result}\n    condition: sel\n`;

function engineFor(correlation: string, options: SigmaOptions = {}): SigmaEngine {
  const yaml = [correlation, detection('failure', 'Failure'), detection('success', 'Success')].join(
    '---\n',
  );
  const { rules, unsupported } = loadSigmaText(yaml, 'corr.yml');
  expect(unsupported).toEqual([]);
  return createSigmaEngine(rules, options);
}

describe('chained correlation: brute force then success (fixture)', () => {
  async function engine(): Promise<SigmaEngine> {
    const file = resolve(REPO_ROOT, 'test/fixtures/sigma/correlation-console-brute-force.yml');
    const { rules } = await loadSigmaRules([file]);
    return createSigmaEngine(rules);
  }

  it('fires once when three failures within 5 minutes precede a success from the same address', async () => {
    const matches = run(await engine(), [
      login(0, '198.51.100.7', 'Failure'),
      login(60, '198.51.100.7', 'Failure'),
      login(120, '198.51.100.7', 'Failure'),
      login(180, '198.51.100.7', 'Success'),
    ]);
    expect(matches.map((m) => m.rule.title)).toEqual([
      'Console brute force followed by a successful login',
    ]);
    const [m] = matches;
    expect(m.correlation).toMatchObject({
      type: 'temporal_ordered',
      group: { sourceIPAddress: '198.51.100.7' },
      count: 2,
      firstSeen: at(0),
      lastSeen: at(180),
    });
    expect(m.events.map((e) => e.time)).toEqual([at(0), at(60), at(120), at(180)]);
  });

  it('stays silent when the failures are spread wider than the window, or the order is reversed', async () => {
    expect(
      run(await engine(), [
        login(0, '198.51.100.7', 'Failure'),
        login(200, '198.51.100.7', 'Failure'),
        login(400, '198.51.100.7', 'Failure'),
        login(450, '198.51.100.7', 'Success'),
      ]),
    ).toEqual([]);
    expect(
      run(await engine(), [
        login(0, '198.51.100.7', 'Success'),
        login(10, '198.51.100.7', 'Failure'),
        login(20, '198.51.100.7', 'Failure'),
        login(30, '198.51.100.7', 'Failure'),
      ]),
    ).toEqual([]);
  });

  it('keeps addresses apart', async () => {
    expect(
      run(await engine(), [
        login(0, '198.51.100.7', 'Failure'),
        login(10, '198.51.100.8', 'Failure'),
        login(20, '198.51.100.7', 'Failure'),
        login(30, '198.51.100.8', 'Success'),
      ]),
    ).toEqual([]);
  });
});

describe('correlation types', () => {
  it('value_count counts distinct values per group', () => {
    const engine = engineFor(
      'title: spray\ncorrelation:\n    type: value_count\n    rules: [failure]\n    group-by: [sourceIPAddress]\n' +
        '    timespan: 10m\n    condition:\n        field: userIdentity.userName\n        gte: 3\n',
    );
    const same = run(
      engine,
      [0, 10, 20, 30].map((s) => login(s, '203.0.113.1', 'Failure', 'alice')),
    );
    expect(same).toEqual([]);
    const spray = run(
      engine,
      ['a', 'b', 'a', 'c'].map((u, i) => login(i * 10, '203.0.113.1', 'Failure', u)),
    );
    expect(spray).toHaveLength(1);
    expect(spray[0].correlation).toMatchObject({
      type: 'value_count',
      count: 3,
      group: { sourceIPAddress: '203.0.113.1' },
    });
  });

  it('temporal needs every rule within the window, in any order', () => {
    const corr =
      'title: both\ncorrelation:\n    type: temporal\n    rules: [failure, success]\n' +
      '    group-by: [userIdentity.userName]\n    timespan: 1m\n';
    expect(
      run(engineFor(corr), [login(0, 'x', 'Success'), login(30, 'y', 'Failure')]),
    ).toHaveLength(1);
    expect(run(engineFor(corr), [login(0, 'x', 'Success'), login(90, 'y', 'Failure')])).toEqual([]);
    expect(
      run(engineFor(corr), [login(0, 'x', 'Success', 'a'), login(30, 'y', 'Failure', 'b')]),
    ).toEqual([]);
  });

  it('upper-bounded conditions (lt, eq, ranges) are judged when the window closes', () => {
    const corr = (cond: string) =>
      `title: few\ncorrelation:\n    type: event_count\n    rules: [failure]\n    group-by: [sourceIPAddress]\n` +
      `    timespan: 5m\n    condition:\n${cond}`;
    const events = [login(0, 'a', 'Failure'), login(10, 'b', 'Failure'), login(20, 'b', 'Failure')];
    const few = run(engineFor(corr('        lt: 2\n')), events);
    expect(few.map((m) => m.correlation?.group)).toEqual([{ sourceIPAddress: 'a' }]);
    const range = run(engineFor(corr('        gt: 1\n        lte: 2\n')), events);
    expect(range.map((m) => [m.correlation?.group.sourceIPAddress, m.correlation?.count])).toEqual([
      ['b', 2],
    ]);
    const neq = run(engineFor(corr('        neq: 1\n')), events);
    expect(neq.map((m) => m.correlation?.group.sourceIPAddress)).toEqual(['b']);
    const eq = run(engineFor(corr('        eq: 1\n')), [...events, login(400, 'b', 'Failure')]);
    expect(eq.map((m) => m.correlation?.group.sourceIPAddress).sort()).toEqual(['a', 'b']);
  });

  it('aliases group different fields of different rules', () => {
    const corr =
      'title: alias\ncorrelation:\n    type: temporal\n    rules: [failure, success]\n    group-by: [who]\n' +
      '    timespan: 1m\n    aliases:\n        who:\n            failure: userIdentity.userName\n            success: sourceIPAddress\n';
    const matches = run(engineFor(corr), [
      login(0, 'ip', 'Failure', 'bob'),
      login(5, 'bob', 'Success', 'carol'),
    ]);
    expect(matches).toHaveLength(1);
    expect(matches[0].correlation?.group).toEqual({ who: 'bob' });
  });

  it('hides the referenced rules unless the correlation says generate: true', () => {
    const corr =
      'title: n\ncorrelation:\n    type: event_count\n    rules: [failure]\n    group-by: [sourceIPAddress]\n' +
      '    timespan: 5m\n    condition:\n        gte: 2\n';
    const hidden = run(engineFor(corr), [login(0, 'a', 'Failure'), login(1, 'a', 'Failure')]);
    expect(hidden.map((m) => m.rule.kind)).toEqual(['correlation']);
    const shown = run(engineFor(`${corr}generate: true\n`), [
      login(0, 'a', 'Failure'),
      login(1, 'a', 'Failure'),
    ]);
    expect(shown.map((m) => m.rule.kind)).toEqual(['detection', 'detection', 'correlation']);
  });
});

describe('correlation memory', () => {
  const corr =
    'title: n\ncorrelation:\n    type: event_count\n    rules: [failure]\n    group-by: [sourceIPAddress]\n' +
    '    timespan: 5m\n    condition:\n        gte: 1000\n';

  it('caps the groups kept per correlation', () => {
    const engine = engineFor(corr, { maxGroupsPerCorrelation: 50 });
    for (let i = 0; i < 5000; i++)
      engine.process(login(i % 200, `10.0.${i >> 8}.${i & 255}`, 'Failure'));
    expect(engine.openGroups).toBeLessThanOrEqual(50);
  });

  it('evicts groups whose window has passed', () => {
    const engine = engineFor(corr);
    for (let i = 0; i < 1000; i++)
      engine.process(login(i / 10, `10.1.${i >> 8}.${i & 255}`, 'Failure'));
    expect(engine.openGroups).toBe(1000);
    engine.process(login(3600, '192.0.2.1', 'Success'));
    expect(engine.openGroups).toBe(0);
  });
});
