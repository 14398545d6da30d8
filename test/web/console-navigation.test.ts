/**
 * What a new user of the console found missing, end to end in Debian's chromium against a real
 * server on 127.0.0.1 holding alerts and incidents that real Sigma rules raised on real
 * CloudTrail logs: the incident page, a session that ends mid-form, page titles, filters kept in
 * the address, a narrow window, and focus after following a link. Screenshots go to
 * test-artifacts/.
 */

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { counted } from '../../src/report/counted.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import {
  ARTIFACTS,
  hasChromium,
  launchBrowser,
  logIn,
  logOut,
  openPage,
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

const go = (hash: string) => openPage(page, console_.url, hash);

/**
 * Each test starts logged in as the Owner, whatever the test before it left behind (a session
 * that ended, another user), so one failure does not take the others with it.
 */
async function asOwner(): Promise<void> {
  await page.goto(console_.url);
  const nav = page.getByRole('navigation', { name: 'Console' });
  const form = page.getByRole('button', { name: 'Log in' });
  await nav.or(form).first().waitFor({ timeout: 15_000 });
  if ((await nav.count()) > 0 && (await page.locator('.who').textContent())?.includes('(owner)')) {
    return;
  }
  if ((await nav.count()) > 0) await logOut(page);
  await logIn(page, console_.owner.username, console_.owner.password);
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
    await logIn(page, console_.owner.username, console_.owner.password);
  }, 180_000);

  beforeEach(asOwner, 60_000);

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
    // In time order the story reads as it happened, by each alert's first event.
    await page.getByLabel('Order of the alerts').selectOption('time');
    const byTime = [...incident.alerts]
      .sort((a: any, b: any) => a.firstSeen.localeCompare(b.firstSeen))
      .map((a: any) => a.title);
    await expect.poll(() => links.allTextContents()).toEqual(byTime);
    await page.getByLabel('Order of the alerts').selectOption('kill chain');
    await expect
      .poll(() => links.allTextContents())
      .toEqual(incident.alerts.map((a: any) => a.title));

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

  it('keeps the page and what was typed when the session ends mid-form, and says so', async () => {
    const alerts = await console_.apiCall('GET', '/alerts?status=active&limit=1');
    const alert = alerts.body.items[0];
    const hash = `#/alerts/${encodeURIComponent(alert.id)}`;
    await go(hash);
    const comment = 'Typed before the session ended; must survive signing in again.';
    await page.getByLabel('New status').selectOption('dismissed');
    await page.getByLabel('Comment').fill(comment);

    await browser.context.clearCookies({ name: 'palisade_session' });
    await page.getByRole('button', { name: 'Save status' }).click();
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.getByRole('alert').textContent(), { timeout: 15_000 })
      .toContain('Your session ended; sign in again');
    expect(new URL(page.url()).hash).toBe(hash);
    expect(await page.title()).toBe('Log in · Palisade');
    await screenshot(page, 'session-ended');

    await dialog.getByLabel('Username').fill(console_.owner.username);
    await dialog.getByLabel('Password').fill(console_.owner.password);
    await dialog.getByRole('button', { name: 'Log in' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });
    expect(new URL(page.url()).hash).toBe(hash);
    expect(await page.getByLabel('Comment').inputValue()).toBe(comment);
    expect(await page.getByLabel('New status').inputValue()).toBe('dismissed');
    expect(await page.locator('main form').textContent()).toContain('session had ended');

    await page.getByRole('button', { name: 'Save status' }).click();
    await expect
      .poll(() => page.getByTestId('timeline').textContent(), { timeout: 15_000 })
      .toContain(comment);
    const api = await console_.apiCall('GET', `/alerts/${encodeURIComponent(alert.id)}`);
    expect(api.body.status).toBe('dismissed');
  });

  it('survives a malformed route: a bad escape in the hash neither crashes nor blanks the page', async () => {
    const before = pageProblems.length;
    await page.goto(`${console_.url}/#/alerts/%E0%A4%A`);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await expect.poll(() => page.locator('main').textContent()).toMatch(/no such alert|not found/i);
    // The page still says what it is, for the tab title and a screen reader's heading list.
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe('Alert not found');
    await expect.poll(() => page.title()).toBe('Alert not found · Palisade');
    expect(pageProblems.slice(before)).toEqual([]);
  });

  it('says an unknown address is not found instead of showing another page', async () => {
    await go('#/alrets');
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe('Page not found');
    await expect.poll(() => page.title()).toBe('Page not found · Palisade');
    await page.getByRole('link', { name: 'Go to the overview' }).click();
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe('Overview');
    await go('#/');
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe('Overview');
  });

  it('names each page in the browser tab: "<heading> · Palisade"', async () => {
    const pages: [string, string][] = [
      ['#/overview', 'Overview'],
      ['#/recommendations', 'Recommendations'],
      ['#/compliance', 'Regulatory compliance'],
      ['#/inventory', 'Inventory'],
      ['#/alerts', 'Security alerts'],
      ['#/incidents', 'Incidents'],
      ['#/settings', 'Settings'],
    ];
    for (const [hash, heading] of pages) {
      await go(hash);
      await expect.poll(() => page.title()).toBe(`${heading} · Palisade`);
    }
    const incident = await biggestIncident();
    const alert = incident.alerts[0];
    await page.goto(`${console_.url}/#/alerts/${encodeURIComponent(alert.id)}`);
    await expect.poll(() => page.title(), { timeout: 15_000 }).toBe(`${alert.title} · Palisade`);
    // Counts and times read as words, each time with its zone (a new user saw "3 eventsfrom").
    await expect
      .poll(() => page.locator('main').textContent())
      .toMatch(/\d+ events? from \S.* (UTC|GMT[+-]?\d*) to /);
    await page.getByRole('link', { name: 'incident', exact: true }).click();
    await expect.poll(() => page.title(), { timeout: 15_000 }).toBe(`${incident.title} · Palisade`);
    await screenshot(page, 'title-incident');
  });

  it('keeps the recommendations and alerts filters in the address across a reload', async () => {
    await go('#/recommendations');
    const caption = page.locator('main table caption');
    await caption.waitFor();
    await page.getByLabel('Severity').selectOption('high');
    await page.getByLabel('Cloud').selectOption('kubernetes');
    await page.getByLabel('Search').fill('container');
    await expect.poll(() => page.url()).toContain('q=container');
    // The caption is read only once it answers these filters: the last answer stays in view,
    // marked busy, while the next one loads.
    const recommendations = await console_.apiCall(
      'GET',
      '/recommendations?severity=high&cloud=kubernetes&limit=500',
    );
    const matching = (recommendations.body.items as { title: string; ruleId: string }[]).filter(
      (r) => `${r.title} ${r.ruleId}`.toLowerCase().includes('container'),
    );
    expect(
      matching.length,
      'the sample estate has high Kubernetes container findings',
    ).toBeGreaterThan(0);
    const filtered = `${matching.length} recommendations`;
    await expect.poll(() => caption.textContent()).toBe(filtered);
    expect(await page.locator('main [aria-busy="true"]').count()).toBe(0);
    const url = page.url();
    expect(url).toMatch(/#\/recommendations\?.*cloud=kubernetes/);
    expect(url).toContain('q=container');

    await page.reload();
    await caption.waitFor();
    expect(await page.getByLabel('Severity').inputValue()).toBe('high');
    expect(await page.getByLabel('Cloud').inputValue()).toBe('kubernetes');
    expect(await page.getByLabel('Search').inputValue()).toBe('container');
    await expect.poll(() => caption.textContent()).toBe(filtered);

    await go('#/alerts');
    await page.locator('main table caption').waitFor();
    // A full page says there is more, rather than passing its size off as the whole count.
    const first = await console_.apiCall('GET', '/alerts?sort=-lastSeen&limit=50');
    const more = first.body.nextCursor ? ' on this page; more on the next' : '';
    await expect
      .poll(() => page.locator('main table caption').textContent())
      .toBe(`${counted(first.body.items.length, 'alert')}${more}`);
    await page.getByLabel('Status').selectOption('active');
    await page.getByLabel('Entity').fill('christophe');
    await expect.poll(() => page.url()).toContain('entity=christophe');
    const alerts = await console_.apiCall(
      'GET',
      '/alerts?status=active&entity=christophe&limit=50',
    );
    expect(alerts.status).toBe(200);
    const alertsShown = counted(alerts.body.items.length, 'alert');
    await expect.poll(() => page.locator('main table caption').textContent()).toBe(alertsShown);
    await page.reload();
    await page.locator('main table caption').waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('active');
    expect(await page.getByLabel('Entity').inputValue()).toBe('christophe');
    await expect.poll(() => page.locator('main table caption').textContent()).toBe(alertsShown);
    await screenshot(page, 'alerts-filtered');

    // Following the nav link starts the queue again from the link's own (empty) filters.
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Security alerts' })
      .click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/alerts');
    await expect.poll(() => page.getByLabel('Entity').inputValue()).toBe('');
    expect(await page.getByLabel('Status').inputValue()).toBe('');
  });

  it('searches the whole inventory and opens a resource: facts, findings, tags, properties', async () => {
    let items: { id: string; type: string; name: string; failing: number }[] = [];
    await expect
      .poll(
        async () => {
          items = (await console_.apiCall('GET', '/resources?limit=500')).body.items ?? [];
          return items.length;
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0);
    // A failing resource whose name no other contains: the server's search finds it alone.
    const target = items.find(
      (r) => r.failing > 0 && items.filter((o) => o.name.includes(r.name)).length === 1,
    )!;
    expect(target, 'the sample estate has a failing resource with a unique name').toBeTruthy();
    const searched = await console_.apiCall(
      'GET',
      `/resources?q=${encodeURIComponent(target.name.toUpperCase())}`,
    );
    expect(searched.body.items.map((r: { id: string }) => r.id)).toEqual([target.id]);

    await go('#/inventory');
    await page.locator('main table caption').waitFor();
    await page.getByLabel('Search').fill(target.name);
    await expect.poll(() => page.url()).toContain(`q=${encodeURIComponent(target.name)}`);
    await expect
      .poll(() => page.locator('main table caption').textContent())
      .toBe('1 resource on this page');
    await page.getByRole('link', { name: target.name, exact: true }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe(target.name);
    // The page is of this file's resource: another file may declare the same id.
    expect(new URL(page.url()).hash).toMatch(/\?file=samples%2Festate%2F/);

    const detail = await console_.apiCall(
      'GET',
      `/resources/detail?id=${encodeURIComponent(target.id)}&type=${encodeURIComponent(target.type)}`,
    );
    expect(detail.status).toBe(200);
    await expect(page.locator('main table caption').first().textContent()).resolves.toBe(
      `Findings (${detail.body.findings.length})`,
    );
    const failingRule = detail.body.findings.find(
      (f: { status: string; exemption?: unknown }) => f.status === 'fail' && !f.exemption,
    ).ruleId;
    await expect(page.getByRole('link', { name: failingRule }).count()).resolves.toBeGreaterThan(0);
    await page.getByText('Properties (as the cloud API describes it)').click();
    const shown = JSON.parse((await page.getByTestId('resource-properties').textContent())!);
    expect(shown).toEqual(detail.body.properties);
    await screenshot(page, 'resource-detail');

    // The way back leads to the list as it was left: the same search.
    await page.getByRole('main').getByRole('link', { name: 'Inventory', exact: true }).click();
    await expect.poll(() => page.getByLabel('Search').inputValue()).toBe(target.name);
    await expect
      .poll(() => page.locator('main table caption').textContent())
      .toBe('1 resource on this page');

    // A hand-edited address with a filter value the API does not know shows everything.
    await go('#/inventory?cloud=nope&health=sick');
    await expect
      .poll(() => page.locator('main table caption').textContent())
      .toMatch(/^\d+ resources on this page$/);
    expect(await page.getByLabel('Cloud').inputValue()).toBe('');
    expect(await page.locator('main').textContent()).not.toContain('querystring');
  });

  it('fits a 375 px window: no sideways scroll, Log out visible, the nav folds behind Menu', async () => {
    const narrow = await browser.context.newPage();
    await narrow.setViewportSize({ width: 375, height: 740 });
    const incident = await biggestIncident();
    const alerts = await console_.apiCall('GET', '/alerts?limit=1');
    const hashes = [
      '#/overview',
      '#/recommendations',
      '#/compliance',
      '#/inventory',
      '#/alerts',
      '#/incidents',
      '#/settings',
      `#/alerts/${encodeURIComponent(alerts.body.items[0].id)}`,
      `#/incidents/${encodeURIComponent(incident.id)}`,
    ];
    const measured: string[] = [];
    for (const hash of hashes) {
      await narrow.goto(`${console_.url}/${hash}`);
      await narrow.locator('main h1').first().waitFor({ timeout: 15_000 });
      await narrow.waitForLoadState('networkidle');
      const sizes = await narrow.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        header: document.querySelector('header')!.getBoundingClientRect().height,
      }));
      measured.push(`${hash.slice(0, 24)} width ${sizes.scroll} header ${sizes.header}`);
      expect(sizes.scroll, `${hash} scrolls sideways`).toBeLessThanOrEqual(375);
      expect(sizes.header, `${hash} header height`).toBeLessThanOrEqual(100);
      const logout = await narrow.getByRole('button', { name: 'Log out' }).boundingBox();
      expect(logout!.x + logout!.width, `${hash} Log out cut off`).toBeLessThanOrEqual(375);
      await screenshot(
        narrow,
        `narrow-${hash.slice(2).split('/')[0]}${hash.split('/').length > 2 ? '-detail' : ''}`,
      );
    }

    writeFileSync(join(ARTIFACTS, 'console-narrow-sizes.txt'), measured.join('\n') + '\n');
    const menu = narrow.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await narrow.getByRole('link', { name: 'Inventory' }).isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await screenshot(narrow, 'narrow-menu-open');
    await narrow.getByRole('link', { name: 'Inventory' }).click();
    await narrow.locator('main h1', { hasText: 'Inventory' }).waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    const tableBox = await narrow.evaluate(() => {
      const table = document.querySelector('main table')!;
      return { scroll: table.scrollWidth, client: table.clientWidth };
    });
    expect(tableBox.client).toBeLessThanOrEqual(375);
    await narrow.close();
  });

  it('moves focus to the new page heading after a click, with no focus ring for the mouse', async () => {
    const focused = () =>
      page.evaluate(() => {
        const active = document.activeElement as HTMLElement | null;
        return active
          ? `${active.tagName}:${active.textContent}:${getComputedStyle(active).outlineStyle}`
          : '';
      });
    // A direct load focuses the heading too, without a ring: nobody has pressed a key yet.
    await go('#/overview');
    await expect.poll(focused).toBe('H1:Overview:none');
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Security alerts' })
      .click();
    await expect.poll(focused).toBe('H1:Security alerts:none');

    const link = page.locator('main table a').first();
    const title = (await link.textContent()) ?? '';
    await link.click();
    await page.locator('main h1', { hasText: title }).waitFor({ timeout: 15_000 });
    await expect.poll(focused).toBe(`H1:${title}:none`);

    // From the keyboard the heading shows the ring.
    await page.getByRole('link', { name: 'Security alerts' }).first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('H1:Security alerts:solid');
    await screenshot(page, 'focus-keyboard');
    expect(pageProblems).toEqual([]);
  });

  it('shows a Reader the incident page without the status form', async () => {
    const password = 'reader password for the navigation test';
    const made = await console_.apiCall('POST', '/users', {
      username: 'navigation-reader',
      password,
      role: 'reader',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const incident = await biggestIncident();
    await logOut(page);
    await logIn(page, 'navigation-reader', password);
    await go(`#/incidents/${encodeURIComponent(incident.id)}`);
    await page.getByTestId('timeline').or(page.getByText('No status changes yet.')).waitFor();
    expect(await page.locator('main form').count()).toBe(0);
    expect(await page.getByLabel('New status').count()).toBe(0);
    expect(await page.getByTestId('incident-alerts').locator('tbody a').count()).toBe(
      incident.alerts.length,
    );
  });
});
