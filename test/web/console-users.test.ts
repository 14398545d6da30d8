/**
 * Users and tokens in the console's Settings, in Debian's chromium against a real server on
 * 127.0.0.1: each role select offers only the roles the signed-in user may grant (a Security
 * Admin is never offered Owner, which the API refuses), and a scoped Security Admin's new user
 * is made within its own accounts.
 */

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeConsole,
  hasChromium,
  logInAsNewUser,
  openConsole,
  openPage,
  screenshot,
  type ConsoleBrowser,
  type ConsoleServer,
} from './console-harness.js';

let console_: ConsoleServer;
let browser: ConsoleBrowser;
let page: Page;
const pageProblems: string[] = [];

/** Makes a user through the API and logs the browser in as them on the Settings page. */
async function logInAs(username: string, role: string, scopes: string[] = []): Promise<void> {
  const password = `${username} password for the users test`;
  await logInAsNewUser(page, console_, { username, password, role, scopes });
  await openPage(page, console_.url, '#/settings');
}

/** The options of the select labelled `label` inside the form named `form`. */
async function offered(form: string, label: string): Promise<string[]> {
  const select = page.getByRole('form', { name: form }).getByLabel(label);
  await select.waitFor({ timeout: 15_000 });
  return select.locator('option').allTextContents();
}

describe.skipIf(!hasChromium())('users and tokens in the console', () => {
  beforeAll(async () => {
    ({ console: console_, browser, page } = await openConsole(pageProblems));
    const reader = await console_.apiCall('POST', '/users', {
      username: 'users-reader',
      password: 'reader password for the users test',
      role: 'reader',
    });
    expect(reader.status, JSON.stringify(reader.body)).toBe(201);
  }, 120_000);

  afterAll(() => closeConsole(browser, console_), 60_000);

  it('offers a Security Admin no Owner role for a new user, a new token or a user it manages', async () => {
    await logInAs('users-admin', 'security-admin');
    expect(await offered('Add a user', 'Role')).toEqual([
      'reader',
      'security-operator',
      'security-admin',
    ]);
    expect(await offered('Create a token', 'Role')).toEqual([
      'ingest',
      'metrics',
      'reader',
      'security-operator',
      'security-admin',
    ]);
    const row = page.getByLabel('Role of users-reader');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('option').allTextContents()).not.toContain('owner');
    await screenshot(page, 'settings-admin-roles');
    expect(pageProblems).toEqual([]);
  });

  it('offers an Owner the Owner role', async () => {
    await logInAs('users-owner', 'owner');
    expect(await offered('Add a user', 'Role')).toContain('owner');
    expect(await offered('Create a token', 'Role')).toContain('owner');
    expect(
      await page.getByLabel('Role of users-reader').locator('option').allTextContents(),
    ).toContain('owner');
  });

  it("adds a user as a scoped Security Admin, within the admin's own accounts", async () => {
    await logInAs('users-scoped-admin', 'security-admin', ['111111111111']);
    const form = page.getByRole('form', { name: 'Add a user' });
    await form.getByLabel('Username').fill('users-scoped-reader');
    await form.getByLabel('Password (12+ characters)').fill('scoped reader password here');
    await form.getByLabel('Role').selectOption('reader');
    await form.getByRole('button', { name: 'Add user' }).click();
    await expect
      .poll(() => page.locator('[aria-labelledby="users-title"] table').textContent(), {
        timeout: 15_000,
      })
      .toContain('users-scoped-reader');
    expect(await page.getByRole('alert').count()).toBe(0);

    const users = await console_.apiCall('GET', '/users?limit=500');
    const made = users.body.items.find((u: any) => u.username === 'users-scoped-reader');
    expect(made).toMatchObject({ role: 'reader', scopes: ['111111111111'] });
    expect(pageProblems).toEqual([]);
  });
});
