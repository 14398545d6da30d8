/**
 * The console's overview charts, in Debian's chromium against a real server on 127.0.0.1 that
 * assesses the sample estate and holds the alerts real Sigma rules raised on the Stratus Red Team
 * CloudTrail logs: the secure score of each control as bars with its numbers, as
 * GET /api/v1/score answers them, and alerts per day with zero on the days without any.
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

interface ApiControl {
  id: string;
  title: string;
  maxScore: number;
  currentScore: number;
  healthy: number;
  unhealthy: number;
}

/** Estate assessed, Stratus Red Team alerts stored, Owner logged in, CSP violations counted. */
const SETUP = { estate: true, stratusAlerts: true, csp: true, asOwner: true };

let console_: ConsoleServer;
let browser: ConsoleBrowser;
let page: Page;
const pageProblems: string[] = [];

describe.skipIf(!hasChromium())('overview charts in the console', () => {
  beforeAll(async () => {
    ({ console: console_, browser, page } = await openConsole(pageProblems, SETUP));
  }, 120_000);

  afterAll(() => closeConsole(browser, console_), 60_000);

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

  it('draws zero alerts on the days between two days with alerts, not a line joining them', async () => {
    const alerts = (await console_.apiCall('GET', '/alerts?limit=500')).body.items as {
      firstSeen: string;
    }[];
    const days = [...new Set(alerts.map((a) => a.firstSeen.slice(0, 10)))].sort();
    // The Stratus Red Team logs: four days in a row, then nothing for weeks, then one more.
    const gap = days.findIndex(
      (d, i) => i > 0 && Date.parse(d) - Date.parse(days[i - 1]) > 2 * 86_400_000,
    );
    expect(gap, `days with alerts: ${days.join(', ')}`).toBeGreaterThan(0);
    const quiet = new Date((Date.parse(days[gap - 1]) + Date.parse(days[gap])) / 2);
    const quietDay = `${quiet.toISOString().slice(0, 10)}T00:00:00Z`;

    await openPage(page, console_.url, '#/overview');
    const figure = page.locator('figure.chart', { hasText: 'Alerts by severity over time' });
    const chart = figure.locator('[role="img"]');
    await expect.poll(() => chart.getAttribute('data-x-max'), { timeout: 15_000 }).toBeTruthy();
    // Point at the quiet day: the legend reads the values the line is drawn through there.
    const [xMin, xMax] = [
      Number(await chart.getAttribute('data-x-min')),
      Number(await chart.getAttribute('data-x-max')),
    ];
    const area = (await chart.locator('.u-over').boundingBox())!;
    const at = Date.parse(quietDay) / 1000;
    await page.mouse.move(
      area.x + ((at - xMin) / (xMax - xMin)) * area.width,
      area.y + area.height / 2,
    );
    const legend = figure.locator('.u-legend');
    // uPlot writes the time in the browser's zone.
    const localDay = await page.evaluate((seconds) => {
      const d = new Date(seconds * 1000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    }, at);
    await expect
      .poll(() => legend.locator('tr').first().locator('.u-value').textContent())
      .toContain(localDay);
    const values = await legend
      .locator('tr.u-series')
      .evaluateAll((rows) =>
        rows.slice(1).map((r) => r.querySelector('.u-value')?.textContent ?? ''),
      );
    expect(values.length).toBeGreaterThan(0);
    expect(
      values.every((v) => v === '0'),
      `values on ${quietDay}: ${values.join(', ')}`,
    ).toBe(true);
    // The summary counts the days with alerts, not the quiet days drawn between them.
    expect(await chart.getAttribute('aria-label')).toBe(
      `${alerts.length} alerts on ${days.length} days`,
    );
    await screenshot(page, 'overview-alerts-quiet-days');
    expect(pageProblems).toEqual([]);
  });
});
