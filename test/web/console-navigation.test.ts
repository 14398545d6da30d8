/**
 * What a new user of the console found missing, end to end in Debian's chromium against a real
 * server on 127.0.0.1 holding alerts and incidents that real Sigma rules raised on real
 * CloudTrail logs: the incident page, a session that ends mid-form, page titles, filters kept in
 * the address, a narrow window, and focus after following a link. Screenshots go to
 * test-artifacts/.
 */

import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import {
  hasChromium,
  launchBrowser,
  SAMPLE_ESTATE,
  screenshot,
  startConsoleServer,
  type ConsoleServer,
} from './console-harness.js';

const SHARED = resolve(process.cwd(), '../shared/data');
const CLOUDTRAIL = resolve(SHARED, 'cloudtrail/stratus-red-team');
const SIGMA_AWS = resolve(SHARED, 'sigma-rules/rules/cloud/aws');

let console_: ConsoleServer;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
/** Page errors and CSP violations seen while the tests ran. */
const pageProblems: string[] = [];

async function go(hash: string): Promise<void> {
  await page.goto(`${console_.url}/${hash}`);
  await page.locator('main h1').first().waitFor({ timeout: 15_000 });
}

async function logIn(username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

/** The incident with the most alerts, as GET /incidents/:id answers it. */
async function biggestIncident(): Promise<any> {
  const list = await console_.apiCall('GET', '/incidents?limit=100');
  expect(list.status).toBe(200);
  const items = list.body.items as { id: string; alertIds: string[] }[];
  expect(items.length, 'the Stratus Red Team logs form at least one incident').toBeGreaterThan(0);
  const biggest = items.reduce((a, b) => (b.alertIds.length > a.alertIds.length ? b : a));
  const detail = await console_.apiCall('GET', `/incidents/${encodeURIComponent(biggest.id)}`);
  expect(detail.status).toBe(200);
  return detail.body;
}

describe.skipIf(!hasChromium())('console navigation in Debian chromium', () => {
  beforeAll(async () => {
    console_ = await startConsoleServer();
    const made = await console_.apiCall('POST', '/sources', {
      name: 'sample-estate',
      paths: [SAMPLE_ESTATE],
      intervalMinutes: 60,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const found = await detect({ paths: [CLOUDTRAIL], ruleDirs: [SIGMA_AWS] });
    await saveAlerts(console_.server.db, found.alerts, found.incidents);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
        pageProblems.push(m.text());
      }
    });
    page.on('pageerror', (e) => pageProblems.push(e.message));
    await page.goto(console_.url);
    await logIn(console_.owner.username, console_.owner.password);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
  }, 60_000);

  it('opens an incident from the list: kill chain, entities, alerts by title in order, timeline, status change', async () => {
    const incident = await biggestIncident();
    await go('#/incidents');
    await page.getByRole('link', { name: incident.title }).first().click();
    await page.locator('main h1', { hasText: incident.title }).waitFor({ timeout: 15_000 });
    expect(page.url()).toContain(`#/incidents/${encodeURIComponent(incident.id)}`);

    expect(await page.getByTestId('kill-chain').locator('li').allTextContents()).toEqual(
      incident.tactics,
    );
    const entities = (await page.locator('#incident-entities-title + ul').textContent()) ?? '';
    for (const e of incident.entities) expect(entities).toContain(e.value);

    const links = page.getByTestId('incident-alerts').locator('tbody a');
    expect(await links.allTextContents()).toEqual(incident.alerts.map((a: any) => a.title));
    expect(await links.first().getAttribute('href')).toBe(
      `#/alerts/${encodeURIComponent(incident.alerts[0].id)}`,
    );
    expect(await page.locator('main').textContent()).not.toMatch(/alert \d/);

    await page.getByLabel('New status').selectOption('in_progress');
    await page.getByLabel('Comment').fill('Triaging the whole incident from the console.');
    await page.getByRole('button', { name: 'Save status' }).click();
    const timeline = page.getByTestId('timeline');
    await expect
      .poll(() => timeline.textContent(), { timeout: 15_000 })
      .toContain('Triaging the whole incident from the console.');
    expect(await timeline.textContent()).toMatch(/→ in progress/);
    expect(await page.getByTestId('incident-status').textContent()).toBe('in progress');
    const api = await console_.apiCall('GET', `/incidents/${encodeURIComponent(incident.id)}`);
    expect(api.body.status).toBe('in_progress');
    await screenshot(page, 'incident-detail');

    // The alert's own page links back to this incident.
    await links.first().click();
    await page.locator('main h1', { hasText: incident.alerts[0].title }).waitFor();
    expect(
      await page.getByRole('link', { name: 'incident', exact: true }).getAttribute('href'),
    ).toBe(`#/incidents/${encodeURIComponent(incident.id)}`);
    expect(pageProblems).toEqual([]);
  });
});
