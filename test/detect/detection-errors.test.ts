/**
 * An event detection fails on is named as that record's error (file and line), and every other
 * record is still judged: one bad event must never cost the run its report.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { detect } from '../../src/detect/detect.js';

// The engine stands in for a rule or mapping bug: it fails on one kind of event, as the field
// walk once did on a very wide list ("Maximum call stack size exceeded").
vi.mock('../../src/detect/sigma/sigma-engine.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/detect/sigma/sigma-engine.js')>();
  return {
    ...real,
    createSigmaEngine: (...args: Parameters<typeof real.createSigmaEngine>) => {
      const engine = real.createSigmaEngine(...args);
      const process = engine.process.bind(engine);
      engine.process = (event) => {
        const { eventName, message } = event.fields;
        if (eventName === 'AuthorizeSecurityGroupIngress' || String(message).includes('boom')) {
          throw new RangeError('Maximum call stack size exceeded');
        }
        return process(event);
      };
      // Rules tried on a syslog line before it is built fail too (on every line, here).
      engine.quiet = () => {
        throw new RangeError('Maximum call stack size exceeded');
      };
      return engine;
    },
  };
});

const actor = { type: 'IAMUser', arn: 'arn:aws:iam::111111111111:user/a', accountId: '111' };
const record = (eventName: string, eventTime: string, requestParameters: object) =>
  JSON.stringify({
    eventVersion: '1.08',
    eventTime,
    eventSource: eventName === 'CreateAccessKey' ? 'iam.amazonaws.com' : 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '8.8.8.8',
    userIdentity: actor,
    requestParameters,
  });

describe('an event detection fails on', () => {
  it('is reported at its file and line while the records around it raise their alerts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'palisade-detect-error-')), 'trail.ndjson');
    const opened = { groupId: 'sg-1', cidrIp: '0.0.0.0/0' };
    writeFileSync(
      file,
      [
        record('CreateAccessKey', '2023-07-10T11:00:00Z', { userName: 'victim' }),
        record('AuthorizeSecurityGroupIngress', '2023-07-10T12:00:00Z', opened),
        record('CreateAccessKey', '2023-07-10T13:00:00Z', { userName: 'other' }),
      ].join('\n') + '\n',
    );

    const result = await detect({ paths: [file] });

    expect(result.events).toBe(3);
    expect(result.readErrorCount).toBe(1);
    expect(result.readErrors.map((e) => e.toString())).toEqual([
      `${file}:2: detection failed on this event: Maximum call stack size exceeded`,
    ]);
    expect(result.readErrors[0].code).toBe('DETECTION_ERROR');
    // Both keys made for other users raise their alerts; the failed event raises none.
    expect(result.alerts.map((a) => a.title)).toEqual([
      'AWS access key created for another user',
      'AWS access key created for another user',
    ]);
  });

  it('is built and reported when a rule fails on the line unbuilt, the lines around it judged', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'palisade-detect-error-')), 'auth.log');
    const failed = (n: number) =>
      `Jan 10 10:00:0${n} host sshd[42]: Failed password for root from 203.0.113.9 port 2200 ssh2`;
    const lines = [1, 2, 3, 4, 5, 6].map(failed);
    lines.splice(3, 0, 'Jan 10 10:00:03 host sshd[42]: Connection closed by boom [preauth]');
    writeFileSync(file, lines.join('\n') + '\n');

    const result = await detect({ paths: [file], year: 2024 });

    expect(result.events).toBe(7);
    expect(result.readErrors.map((e) => e.toString())).toEqual([
      `${file}:4: detection failed on this event: Maximum call stack size exceeded`,
    ]);
    expect(result.alerts.map((a) => a.title)).toEqual(['SSH brute force from one source']);
  });
});
