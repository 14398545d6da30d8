/**
 * Exemptions in the console, in Debian's chromium against a real server on 127.0.0.1 assessing
 * the sample estate: an exemption whose rule and resource are globs (the sample's waiver of the
 * public marketing bucket) is listed on each recommendation it applies to, and deleted there by
 * a role that may delete it.
 */

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeConsole,
  eventually,
  hasChromium,
  logInAsNewUser,
  openConsole,
  openPage,
  screenshot,
  type ConsoleBrowser,
  type ConsoleServer,
} from './console-harness.js';

const PATTERN = {
  rule: 'aws-s3-*public*',
  resource: '*public-assets*',
  category: 'waiver',
  justification: 'Marketing assets are public by design; the bucket holds nothing else.',
};
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

let console_: ConsoleServer;
let browser: ConsoleBrowser;
let page: Page;
const pageProblems: string[] = [];

/** Makes a user of `role` through the API and logs the browser in as them. */
async function logInAs(role: string): Promise<void> {
  const username = `exemptions-${role}`;
  const password = `${role} password for the exemptions test`;
  await logInAsNewUser(page, console_, { username, password, role });
}

describe.skipIf(!hasChromium())('exemptions in the console', () => {
  let exemptionId: string;
  let ruleId: string;

  beforeAll(async () => {
    ({ console: console_, browser, page } = await openConsole(pageProblems, { estate: true }));
    const made = await console_.apiCall('POST', '/exemptions', { ...PATTERN, expires: inAMonth() });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    exemptionId = made.body.exemption.id;
    // A rule the pattern names only as a glob, with the public bucket exempt under it.
    ruleId = await eventually(async () => {
      const list = await console_.apiCall('GET', '/recommendations?limit=500');
      const hit = (list.body.items ?? []).find(
        (r: { ruleId: string; exempt: number }) => /^aws-s3-.*public/.test(r.ruleId) && r.exempt,
      );
      return hit?.ruleId as string | undefined;
    }, 60_000);
  }, 120_000);

  afterAll(() => closeConsole(browser, console_), 60_000);

  it('lists a pattern exemption on a recommendation it applies to, without Delete for an Operator', async () => {
    await logInAs('security-operator');
    await openPage(page, console_.url, `#/recommendations/${encodeURIComponent(ruleId)}`);
    const table = page.getByTestId('exemptions');
    await expect.poll(() => table.textContent(), { timeout: 15_000 }).toContain(PATTERN.resource);
    expect(await table.textContent()).toContain(PATTERN.rule);
    expect(await table.textContent()).toContain(PATTERN.justification);
    expect(await page.getByRole('button', { name: /^Delete exemption/ }).count()).toBe(0);
    expect(pageProblems).toEqual([]);
  });

  it('deletes a pattern exemption from the recommendation page as a Security Admin', async () => {
    await logInAs('security-admin');
    await openPage(page, console_.url, `#/recommendations/${encodeURIComponent(ruleId)}`);
    const remove = page.getByRole('button', { name: `Delete exemption of ${PATTERN.resource}` });
    await remove.waitFor({ timeout: 15_000 });
    await screenshot(page, 'pattern-exemption');
    await remove.click();
    await page.getByText(`Exemption of ${PATTERN.resource} deleted`).waitFor({ timeout: 60_000 });

    const left = await console_.apiCall('GET', '/exemptions?limit=100');
    expect(left.body.items.map((e: { id: string }) => e.id)).not.toContain(exemptionId);
    await expect
      .poll(() => page.getByText('No exemption for this recommendation.').count())
      .toBe(1);
    expect(pageProblems).toEqual([]);
  });
});
