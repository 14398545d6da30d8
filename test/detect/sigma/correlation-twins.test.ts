/**
 * Correlations written twice with the same definition (an alerting brute force and the same
 * brute force as a chain's first step) share one window state: each still reports its own
 * matches, exactly as two separate correlations would.
 */

import { describe, expect, it } from 'vitest';
import { loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import { createSigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import type { SigmaMatch } from '../../../src/detect/sigma/types.js';
import type { LogEvent } from '../../../src/model/event.js';
import { event } from './sigma-test-support.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');

function login(seconds: number, ip: string, result: string): LogEvent {
  return event(
    { eventName: 'ConsoleLogin', sourceIPAddress: ip, responseElements: { ConsoleLogin: result } },
    new Date(T0 + seconds * 1000).toISOString(),
  );
}

const detection = (name: string, result: string): string =>
  `title: ${name}\nname: ${name}\nid: ${name}\nlogsource: {product: aws, service: cloudtrail}\n` +
  `detection:\n    sel:\n        eventName: ConsoleLogin\n        responseElements.ConsoleLogin: ${result}\n    condition: sel\n`;

const count = (name: string, condition: string): string =>
  `title: ${name}\nname: ${name}\nid: ${name}\ncorrelation:\n    type: event_count\n` +
  `    rules: [failure]\n    group-by: [sourceIPAddress]\n    timespan: 5m\n    condition: {${condition}}\n`;

const chain =
  'title: chain\nname: chain\nid: chain\ncorrelation:\n    type: temporal_ordered\n' +
  '    rules: [step, success]\n    group-by: [sourceIPAddress]\n    timespan: 10m\n';

function matches(docs: string[], events: LogEvent[]): SigmaMatch[] {
  const { rules, unsupported } = loadSigmaText(docs.join('---\n'), 'twins.yml');
  expect(unsupported).toEqual([]);
  const engine = createSigmaEngine(rules);
  return [...events.flatMap((e) => engine.process(e)), ...engine.flush()];
}

const stream = [
  ...[0, 10, 20, 30].map((s) => login(s, '198.51.100.7', 'Failure')),
  login(40, '203.0.113.9', 'Failure'),
  login(50, '198.51.100.7', 'Success'),
  ...[400, 410, 420].map((s) => login(s, '203.0.113.9', 'Failure')),
];

const verdicts = (list: SigmaMatch[]) =>
  list.map((m) => `${m.rule.id} ${m.correlation?.group.sourceIPAddress} ${m.correlation?.count}`);

describe('correlations with the same definition', () => {
  it('each fires as it would alone, and a chain built on the twin still fires', () => {
    const docs = [
      count('brute', 'gte: 3'),
      count('step', 'gte: 3'),
      chain,
      detection('failure', 'Failure'),
      detection('success', 'Success'),
    ];
    const both = verdicts(matches(docs, stream));
    // "At least 3 within 5m" slides: the 4th failure (count 4) is reported too, as a hit that
    // continues the run; the chain still fires once, at the success.
    expect(both).toEqual([
      'brute 198.51.100.7 3',
      'brute 198.51.100.7 4',
      'chain 198.51.100.7 2',
      'brute 203.0.113.9 3',
    ]);
    // The same verdicts as with the step written differently (`gt: 2`), so it keeps windows of
    // its own.
    const apart = [count('brute', 'gte: 3'), count('step', 'gt: 2'), ...docs.slice(2)];
    expect(verdicts(matches(apart, stream)).filter((v) => !v.startsWith('step'))).toEqual(both);
  });

  it('windowed twins (closing on an upper bound) report at flush under their own ids', () => {
    const docs = [
      count('a', 'gte: 2, lte: 4'),
      count('b', 'gte: 2, lte: 4'),
      detection('failure', 'Failure'),
    ];
    expect(verdicts(matches(docs, stream)).sort()).toEqual(
      ['a 198.51.100.7 4', 'a 203.0.113.9 3', 'b 198.51.100.7 4', 'b 203.0.113.9 3'].sort(),
    );
  });
});
