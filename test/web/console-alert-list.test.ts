/**
 * The console's alert queue, in Debian's chromium against a real server on 127.0.0.1 holding the
 * alerts real detections raised on the shared CloudTrail, Azure, GCP and SSH logs (more than one
 * page): the page shown lives in the address with the filters, so a reload or a shared link opens
 * the same page.
 */

import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import {
  closeConsole,
  hasChromium,
  logInAsOwner,
  openConsole,
  openPage,
  screenshot,
  SHARED,
  type ConsoleBrowser,
  type ConsoleServer,
} from './console-harness.js';

const SIGMA = resolve(SHARED, 'sigma-rules/rules/cloud');

let console_: ConsoleServer;
let browser: ConsoleBrowser;
let page: Page;
const pageProblems: string[] = [];

/** Raises and stores the alerts of the shared logs: cloud logs by Sigma, SSH logs by built-ins. */
async function seedAlerts(): Promise<void> {
  const runs = [
    detect({
      paths: [resolve(SHARED, 'cloudtrail'), resolve(SHARED, 'azure-activity')],
      ruleDirs: [resolve(SIGMA, 'aws'), resolve(SIGMA, 'azure')],
    }),
    detect({ paths: [resolve(SHARED, 'gcp-audit')], ruleDirs: [resolve(SIGMA, 'gcp')] }),
    detect({ paths: [resolve(SHARED, 'ssh-logs')], year: 2023 }),
  ];
  for (const found of await Promise.all(runs)) {
    await saveAlerts(console_.server.db, found.alerts, found.incidents);
  }
}

/** The titles of the alerts the queue shows, in order. */
const shownTitles = (on: Page) =>
  on.locator('main table tbody tr td:first-child a').allTextContents();

describe.skipIf(!hasChromium())('the alert queue in the console', () => {
  beforeAll(async () => {
    ({ console: console_, browser, page } = await openConsole(pageProblems));
    await seedAlerts();
    await logInAsOwner(page, console_);
  }, 120_000);

  afterAll(() => closeConsole(browser, console_), 60_000);

  it('keeps the page and the filters in the address: a reload and a shared link open the same page', async () => {
    const first = await console_.apiCall('GET', '/alerts?status=active&sort=-lastSeen&limit=50');
    expect(
      first.body.nextCursor,
      'the shared logs raise more than one page of alerts',
    ).toBeTruthy();
    const second = await console_.apiCall(
      'GET',
      `/alerts?status=active&sort=-lastSeen&limit=50&cursor=${first.body.nextCursor}`,
    );
    const secondTitles = second.body.items.map((a: { title: string }) => a.title);

    await openPage(page, console_.url, '#/alerts');
    await page.getByLabel('Status').selectOption('active');
    await expect.poll(() => page.url()).toContain('status=active');
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => shownTitles(page), { timeout: 15_000 }).toEqual(secondTitles);
    const address = page.url();
    expect(address).toMatch(/#\/alerts\?.*status=active/);
    expect(address).toContain('page=2');
    expect(address).toContain(`cursor=${first.body.nextCursor}`);
    expect(await page.getByTestId('page-number').textContent()).toBe('Page 2');

    await page.reload();
    await expect.poll(() => shownTitles(page), { timeout: 15_000 }).toEqual(secondTitles);
    expect(await page.getByLabel('Status').inputValue()).toBe('active');
    expect(await page.getByTestId('page-number').textContent()).toBe('Page 2');
    expect(page.url()).toBe(address);

    // A colleague opening the link in a tab of their own, signed in with the same browser.
    const shared = await browser.context.newPage();
    await shared.goto(address);
    await expect.poll(() => shownTitles(shared), { timeout: 15_000 }).toEqual(secondTitles);
    await screenshot(shared, 'alerts-page-2');
    await shared.close();

    // Changing a filter starts again from the first page, and the address says so.
    await page.getByLabel('Status').selectOption('');
    await expect.poll(() => page.url()).not.toContain('cursor=');
    expect(page.url()).not.toContain('page=');
    expect(await page.getByTestId('page-number').textContent()).toBe('Page 1');
    expect(pageProblems).toEqual([]);
  });
});
