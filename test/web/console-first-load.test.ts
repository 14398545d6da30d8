/**
 * The console's first load in a fresh browser, in Debian's chromium against a real server on
 * 127.0.0.1: a visitor who has not signed in gets the sign-in page and nothing else, with no
 * request the server refuses and no error in the page or its console.
 */

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasChromium,
  launchBrowser,
  logIn,
  logOut,
  startConsoleServer,
  type ConsoleServer,
} from './console-harness.js';

let console_: ConsoleServer;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
/** Every answer of 400 or above, every console error and every page error, as they came. */
let problems: string[] = [];

/** Opens the console's address and waits for either the sign-in form or the navigation. */
async function load(): Promise<void> {
  await page.goto(console_.url);
  const form = page.getByRole('button', { name: 'Log in' });
  const nav = page.getByRole('navigation', { name: 'Console' });
  await form.or(nav).first().waitFor({ timeout: 15_000 });
  // Requests the page starts while it settles are still reported.
  await page.waitForLoadState('networkidle');
}

describe.skipIf(!hasChromium())('console first load in Debian chromium', () => {
  beforeAll(async () => {
    console_ = await startConsoleServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
  }, 60_000);

  it('shows a clean sign-in page to a visitor who has not signed in', async () => {
    problems = [];
    await load();
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.locator('.error').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('still opens the console on a reload once signed in, and is clean again after logging out', async () => {
    await logIn(page, console_.owner.username, console_.owner.password);
    problems = [];
    await load();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('owner');

    await logOut(page);
    problems = [];
    await load();
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
