/**
 * A record that carries its own id (CloudTrail's eventID, GCP's insertId) counts once in an
 * alert however often it arrives: a log read twice, a shipper's retry. Records without one
 * (syslog) count by file, line, time and action as before.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { recordId } from '../../src/detect/event-identity.js';
import { shared } from '../support/paths.js';

const STRATUS = shared('cloudtrail/stratus-red-team');
const GCP = shared('gcp-audit/plaso/gcp_logging.jsonl');

async function* stream(text: string) {
  yield text;
}

const counts = (alerts: { title: string; eventCount: number }[]) =>
  alerts.map((a) => `${a.title}|${a.eventCount}`).sort();

describe('records with their own id', () => {
  it('count once when the same CloudTrail records arrive twice', async () => {
    const file = join(STRATUS, 'aws.defense-evasion.cloudtrail-delete.json');
    const once = await detect({ paths: [file] });
    expect(once.alerts.length).toBeGreaterThan(0);
    const twice = await detect({ paths: [file, file] });
    expect(twice.events).toBe(2 * once.events);
    expect(counts(twice.alerts)).toEqual(counts(once.alerts));

    // Sent as NDJSON, each record twice in a row (a retry), through stdin.
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown[] | { Records: unknown[] };
    const records = Array.isArray(value) ? value : value.Records;
    const doubled = records.flatMap((r) => [JSON.stringify(r), JSON.stringify(r)]).join('\n');
    const retried = await detect({ paths: '-', stdin: stream(doubled + '\n') });
    expect(counts(retried.alerts)).toEqual(counts(once.alerts));
  });

  it('names CloudTrail and GCP records by their ids, and nothing for syslog', async () => {
    const gcp = await detect({ paths: [GCP] });
    expect(gcp.events).toBeGreaterThan(0);
    const first = JSON.parse(readFileSync(GCP, 'utf8').split('\n')[0]) as { insertId: string };
    const event = {
      time: '2024-01-01T00:00:00Z',
      source: { reader: 'gcp-audit' },
      fields: first,
    };
    expect(recordId(event)).toBe(`gcp-audit\u0000${first.insertId}`);
    expect(recordId({ ...event, source: { reader: 'syslog' } })).toBeUndefined();
    // A record whose id field is not text, or is inherited, has no id.
    expect(recordId({ ...event, fields: { insertId: { toString: {} } } })).toBeUndefined();
    expect(recordId({ ...event, source: { reader: 'constructor' } })).toBeUndefined();
  });
});
