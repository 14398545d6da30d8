/**
 * Every "open in the console" link an export carries (chat and e-mail cards, CEF and LEEF, ticket
 * descriptions) opens the record's own page: followed in Debian's chromium against a real server
 * that serves the built console, over records the server wrote to its outbox from the sample
 * estate and from real Sigma detections on real CloudTrail logs.
 */

import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { toCef } from '../../src/export/formats/cef.js';
import { toLeef } from '../../src/export/formats/leef.js';
import { cardContent } from '../../src/export/sinks/chat-card.js';
import { alertLink } from '../../src/export/sinks/ticket-sink.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { addOutboxConsumer } from '../store/outbox-consumer.js';
import {
  eventually,
  hasChromium,
  launchBrowser,
  logIn,
  SAMPLE_ESTATE,
  type ConsoleServer,
  startConsoleServer,
} from '../web/console-harness.js';

const SHARED = resolve(process.cwd(), '../shared/data');
const CLOUDTRAIL = resolve(SHARED, 'cloudtrail/stratus-red-team');
const SIGMA_AWS = resolve(SHARED, 'sigma-rules/rules/cloud/aws');

let console_: ConsoleServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const records = new Map<string, ExportRecord>();

/** The one link every format and card gives `record`, checked to be the same everywhere. */
function linkOf(record: ExportRecord): string {
  const base = console_.url;
  const card = cardContent(record, base).link;
  const cef = /request=(\S+)/.exec(toCef(record, { consoleUrl: base }))?.[1];
  const leef = /\^url=([^^]+)/.exec(toLeef(record, { consoleUrl: base }))?.[1];
  expect(cef?.replace(/\\=/g, '=')).toBe(card);
  expect(leef).toBe(card);
  if (record.type === 'alert') expect(alertLink(base, record.data.alert)).toBe(card);
  return card;
}

/** Follows `link` as a person clicking it would and returns the page heading shown. */
async function follow(link: string): Promise<string> {
  await page.goto(link);
  const h1 = page.locator('main h1').first();
  await h1.waitFor({ timeout: 15_000 });
  return ((await h1.textContent()) ?? '').trim();
}

describe.skipIf(!hasChromium())('console links in exported records', () => {
  beforeAll(async () => {
    console_ = await startConsoleServer();
    await addOutboxConsumer(console_.server.db);
    const source = await console_.apiCall('POST', '/sources', {
      name: 'sample-estate',
      paths: [SAMPLE_ESTATE],
      intervalMinutes: 60,
    });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const found = await detect({ paths: [CLOUDTRAIL], ruleDirs: [SIGMA_AWS] });
    await saveAlerts(console_.server.db, found.alerts, found.incidents);

    const incidents = await console_.apiCall('GET', '/incidents?limit=1');
    const incidentId = incidents.body.items[0].id as string;
    const changed = await console_.apiCall('PATCH', `/incidents/${incidentId}`, {
      comment: 'looking into it',
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    await eventually(async () => {
      const rows = await exportStore(console_.server.db)
        .selectFrom('export_outbox')
        .select('body')
        .execute();
      for (const row of rows) {
        const record = JSON.parse(row.body) as ExportRecord;
        if (!records.has(record.type)) records.set(record.type, record);
      }
      return records.size >= 5 ? true : undefined;
    }, 90_000);

    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(console_.url);
    await logIn(page, console_.owner.username, console_.owner.password);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
  });

  it('serves the console shell at the address before the hash, not the API 404', async () => {
    const link = linkOf(records.get('alert')!);
    const response = await fetch(link.split('#')[0]);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
  });

  it("opens an alert's own page from an alert record", async () => {
    const record = records.get('alert') as Extract<ExportRecord, { type: 'alert' }>;
    expect(await follow(linkOf(record))).toBe(record.data.alert.title);
  });

  it("opens the incident's own page from an incident record", async () => {
    const record = records.get('incident') as Extract<ExportRecord, { type: 'incident' }>;
    expect(await follow(linkOf(record))).toBe(record.data.incident.title);
  });

  it("opens the rule's recommendation page from a recommendation record", async () => {
    const record = records.get('recommendation') as Extract<
      ExportRecord,
      { type: 'recommendation' }
    >;
    expect(await follow(linkOf(record))).toBe(record.data.title);
  });

  it("opens the standard control's page from a compliance record", async () => {
    const record = records.get('compliance') as Extract<ExportRecord, { type: 'compliance' }>;
    const heading = await follow(linkOf(record));
    expect(heading.startsWith(`${record.data.controlId} `)).toBe(true);
  });

  it('opens the overview, where the score is shown, from a secure score record', async () => {
    expect(await follow(linkOf(records.get('secure_score')!))).toBe('Overview');
  });
});
