/**
 * Free text people write (an alert comment, an exemption's justification and resource pattern)
 * without a space in it, such as a pasted link, wraps inside the page: in Debian's chromium
 * against a real server on 127.0.0.1 the page never scrolls sideways, wide or narrow.
 */

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeConsole,
  eventually,
  hasChromium,
  openConsole,
  openPage,
  screenshot,
  type ConsoleBrowser,
  type ConsoleServer,
} from './console-harness.js';

/** A pasted link: 600 characters and not one space. */
const LONG = `https://tickets.example.org/browse/SEC-1234?context=${'a1b2c3d4e5'.repeat(55)}`;
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

/** The sample estate assessed, the Stratus Red Team alerts stored, the Owner logged in. */
const SETUP = { estate: true, stratusAlerts: true, asOwner: true };

let console_: ConsoleServer;
let browser: ConsoleBrowser;
let page: Page;
const pageProblems: string[] = [];

/** How far the page scrolls sideways at `width` px on `hash`, once the text has shown. */
async function sidewaysAt(width: number, hash: string, text: string): Promise<number> {
  await page.setViewportSize({ width, height: 800 });
  await openPage(page, console_.url, hash);
  await page.getByText(text.slice(0, 40)).first().waitFor({ timeout: 15_000 });
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

describe.skipIf(!hasChromium())('long free text in the console', () => {
  beforeAll(async () => {
    ({ console: console_, browser, page } = await openConsole(pageProblems, SETUP));
  }, 120_000);

  afterAll(() => closeConsole(browser, console_), 60_000);

  it("wraps an alert comment without spaces in the alert's timeline", async () => {
    const alert = (await console_.apiCall('GET', '/alerts?limit=1')).body.items[0];
    const changed = await console_.apiCall('PATCH', `/alerts/${encodeURIComponent(alert.id)}`, {
      status: 'in_progress',
      comment: LONG,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const hash = `#/alerts/${encodeURIComponent(alert.id)}`;
    for (const width of [1366, 375]) {
      expect(await sidewaysAt(width, hash, LONG), `${width} px wide`).toBe(0);
      await screenshot(page, `long-comment-alert-${width}`);
    }
    expect(pageProblems).toEqual([]);
  });

  it("wraps an exemption's justification and resource pattern without spaces", async () => {
    const target = await eventually(async () => {
      const list = await console_.apiCall('GET', '/recommendations?limit=500');
      return (list.body.items ?? []).find((r: { failing: number }) => r.failing > 0);
    }, 60_000);
    const resource = `${'long-resource-pattern-'.repeat(12)}*`;
    const made = await console_.apiCall('POST', '/exemptions', {
      rule: target.ruleId,
      resource,
      justification: LONG,
      expires: inAMonth(),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const hash = `#/recommendations/${encodeURIComponent(target.ruleId)}`;
    for (const width of [1366, 375]) {
      expect(await sidewaysAt(width, hash, LONG), `${width} px wide`).toBe(0);
      await screenshot(page, `long-justification-${width}`);
    }
    expect(pageProblems).toEqual([]);
  });
});
