/**
 * The console's overview charts, in Debian's chromium against a real server on 127.0.0.1 that
 * assesses the sample estate: the secure score of each control as bars with its numbers, as
 * GET /api/v1/score answers them.
 */

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  hasChromium,
  launchBrowser,
  logIn,
  openPage,
  SAMPLE_ESTATE,
  screenshot,
  startConsoleServer,
  type ConsoleServer,
} from './console-harness.js';

interface ApiControl {
  id: string;
  title: string;
  maxScore: number;
  currentScore: number;
  healthy: number;
  unhealthy: number;
}

let console_: ConsoleServer;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
const pageProblems: string[] = [];

describe.skipIf(!hasChromium())('overview charts in the console', () => {
  beforeAll(async () => {
    console_ = await startConsoleServer();
    const source = await console_.apiCall('POST', '/sources', {
      name: 'sample-estate',
      paths: [SAMPLE_ESTATE],
      intervalMinutes: 60,
    });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageProblems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
        pageProblems.push(m.text());
      }
    });
    await page.goto(console_.url);
    await logIn(page, console_.owner.username, console_.owner.password);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
  }, 60_000);

  it('draws a bar per judged control with its points and percentage, as GET /score answers', async () => {
    const score = await eventually(async () => {
      const r = await console_.apiCall('GET', '/score');
      return r.status === 200 && r.body.secureScore !== null ? r.body : undefined;
    }, 60_000);
    const judged = (score.controls as ApiControl[]).filter((c) => c.healthy + c.unhealthy > 0);
    expect(judged.length, 'the sample estate is judged under several controls').toBeGreaterThan(3);

    await openPage(page, console_.url, '#/overview');
    const chart = page.getByRole('table', { name: 'Secure score by control' });
    await chart.waitFor({ timeout: 15_000 });
    const rows = chart.locator('tbody tr');
    expect(await rows.count()).toBe(judged.length);
    for (const c of judged) {
      const row = chart.locator(`tr[data-control="${c.id}"]`);
      const percentage = (100 * c.currentScore) / c.maxScore;
      expect(await row.locator('th').textContent()).toBe(`${c.id} ${c.title}`);
      expect(await row.getByTestId('control-points').textContent()).toBe(
        `${c.currentScore} of ${c.maxScore}`,
      );
      expect(await row.getByTestId('control-percentage').textContent()).toBe(
        `${percentage.toFixed(1)}%`,
      );
      const bar = Number(await row.getByTestId('control-bar').getAttribute('width'));
      expect(bar).toBeCloseTo(percentage, 1);
    }
    // The numbers are drawn, readable: visible text inside the page's width.
    const first = chart.getByTestId('control-points').first();
    expect(await first.isVisible()).toBe(true);
    const box = await first.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1366);
    await screenshot(page, 'overview-controls');
    expect(pageProblems).toEqual([]);
  });
});
