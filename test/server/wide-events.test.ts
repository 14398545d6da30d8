/**
 * `POST /api/v1/events` judges a very wide record like any other: padding a request with a long
 * list must not turn its alert into a "detection failed" error count.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAlerts, startLive, type LiveHarness } from './ingest-helpers.js';
import { KEY_FOR_ANOTHER, OPEN_TO_INTERNET, wideRecords } from '../support/wide-records.js';

describe('POST /api/v1/events with a very wide CloudTrail record', () => {
  let h: LiveHarness;
  let operator: string;
  let reader: string;

  beforeAll(async () => {
    h = await startLive();
    operator = await h.token('security-operator');
    reader = await h.token('reader');
  });
  afterAll(() => h.close());

  it('raises the alert a range after 300,000 padding ranges opens', async () => {
    const res = await fetch(`${h.url}/api/v1/events?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/x-ndjson' },
      body: wideRecords(),
    });
    const report = await res.json();
    expect(res.status, JSON.stringify(report)).toBe(202);
    expect(report).toMatchObject({ reader: 'cloudtrail', events: 2, errors: 0 });

    const titles = (await allAlerts(h, reader)).map((a) => a.title).sort();
    expect(titles).toEqual([KEY_FOR_ANOTHER, OPEN_TO_INTERNET]);
  });
});
