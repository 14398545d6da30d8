/**
 * What the console's browser tests stand on: the console built by Vite into a temporary folder,
 * a real Palisade server on 127.0.0.1 over a temporary SQLite store, and Debian's chromium driven
 * by playwright-core with a fresh profile. Nothing is downloaded.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { pino } from 'pino';
import { expect } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { defaultConfig } from '../../src/server/config.js';
import { insertToken } from '../../src/server/identity/token-repository.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { saveAlerts } from '../../src/store/alert-repository.js';

const run = promisify(execFile);

/** Debian's chromium; the tests never use a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags that keep chromium off the network and away from any profile but the fresh one. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = resolve(process.cwd(), 'test-artifacts');

/** The repository's own sample estate. */
export const SAMPLE_ESTATE = resolve(process.cwd(), 'samples/estate');

/** The shared test data beside the repository (logs, Sigma rules). */
export const SHARED = resolve(process.cwd(), '../shared/data');

/** True when this machine has Debian's chromium. */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Builds the console with the project's Vite config into `outDir`, in a child process as
 * `npm run build:web` does: vitest sets NODE_ENV=test, which would give a development build.
 * Vite refuses a second build of the same config while one runs, whatever its outDir; each
 * console test file builds into a folder of its own, so the lock is bypassed and files running
 * side by side (or a `npm run build:web` meanwhile) do not fail each other.
 */
export async function buildConsole(outDir: string): Promise<void> {
  const vite = resolve(process.cwd(), 'node_modules/vite/bin/vite.js');
  const config = resolve(process.cwd(), 'src/web/vite.config.ts');
  await run(
    process.execPath,
    [vite, 'build', '--config', config, '--outDir', outDir, '--emptyOutDir', '--bypass-lock'],
    {
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}

export interface ConsoleServer {
  server: RunningServer;
  /** http://127.0.0.1:<port> */
  url: string;
  owner: { username: string; password: string };
  /** A bearer token of the Owner role, for checking what the API says. */
  token: string;
  /** GET or send JSON to the API with the token. */
  apiCall<T = any>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Whether the server registered `METHOD /api/v1/...`. */
  hasRoute(method: string, url: string): boolean;
  close(): Promise<void>;
}

/** Builds the console and starts a server that serves it, over a fresh temporary store. */
export async function startConsoleServer(): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-console-'));
  const consoleDir = join(dir, 'console');
  await buildConsole(consoleDir);
  process.env.PALISADE_CONSOLE_DIR = consoleDir;

  const config = defaultConfig();
  config.server.port = 0;
  config.store.location = join(dir, 'palisade.db');
  const server = await startServer(config, pino({ level: 'silent' }));
  if (!server.owner) throw new Error('a fresh store must create the Owner');

  const made = await server.db
    .transaction()
    .execute((trx) =>
      insertToken(
        trx,
        { name: 'console-test', role: 'owner', scopes: [], createdBy: 'test' },
        new Date(),
      ),
    );
  const apiCall = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${made.secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const routes = new Set(server.app.routeCensus.map((r) => `${r.method} ${r.url}`));

  return {
    server,
    url: server.url,
    owner: server.owner,
    token: made.secret,
    apiCall,
    hasRoute: (method, url) => routes.has(`${method} /api/v1${url}`),
    async close() {
      await server.stop();
      delete process.env.PALISADE_CONSOLE_DIR;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's chromium at 1366x768 with a fresh, throw-away profile. */
export async function launchBrowser(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'palisade-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1366, height: 768 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-artifacts/console-<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `console-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Polls `probe` until it returns a value, or fails after `ms`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`gave up after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens `hash` (`#/alerts`) on the console at `url` and waits for the page's heading. */
export async function openPage(page: Page, url: string, hash: string): Promise<void> {
  await page.goto(`${url}/${hash}`);
  await page.locator('main h1').first().waitFor({ timeout: 15_000 });
}

/**
 * Logs out and waits for the login form: the page left behind may have fields of the same names
 * (Settings' "Add a user" has Username and Password), which a fill must not reach.
 */
export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
}

/** Fills the login form and waits for the console's navigation. */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

/** Adds the sample estate as a source through the API and checks the server made it. */
export async function addSampleEstate(console_: ConsoleServer): Promise<void> {
  const source = await console_.apiCall('POST', '/sources', {
    name: 'sample-estate',
    paths: [SAMPLE_ESTATE],
    intervalMinutes: 60,
  });
  expect(source.status, JSON.stringify(source.body)).toBe(201);
}

/** Stores the alerts real Sigma rules raise on the Stratus Red Team CloudTrail logs. */
export async function seedStratusAlerts(console_: ConsoleServer): Promise<void> {
  const found = await detect({
    paths: [resolve(SHARED, 'cloudtrail/stratus-red-team')],
    ruleDirs: [resolve(SHARED, 'sigma-rules/rules/cloud/aws')],
  });
  await saveAlerts(console_.server.db, found.alerts, found.incidents);
}

/** A launched chromium, as launchBrowser gives it. */
export type ConsoleBrowser = { context: BrowserContext; close(): Promise<void> };

/** Launches chromium with one page whose errors (and, with `csp`, CSP violations) go to `problems`. */
export async function launchWithPage(
  problems: string[],
  { csp = false } = {},
): Promise<{ browser: ConsoleBrowser; page: Page }> {
  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  if (csp) {
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
        problems.push(m.text());
      }
    });
  }
  return { browser, page };
}

/** Opens the console at its address and logs in as the Owner. */
export async function logInAsOwner(page: Page, console_: ConsoleServer): Promise<void> {
  await page.goto(console_.url);
  await logIn(page, console_.owner.username, console_.owner.password);
}

/** Makes `user` through the API, drops the browser's session and logs in as them. */
export async function logInAsNewUser(
  page: Page,
  console_: ConsoleServer,
  user: { username: string; password: string; role: string; scopes?: string[] },
): Promise<void> {
  const made = await console_.apiCall('POST', '/users', user);
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  await page.context().clearCookies();
  await page.goto(console_.url);
  await logIn(page, user.username, user.password);
}

/** Closes the browser and the server, whichever of them was started. */
export async function closeConsole(
  browser: { close(): Promise<void> } | undefined,
  console_: ConsoleServer | undefined,
): Promise<void> {
  await browser?.close();
  await console_?.close();
}

/** Starts a console server, seeded as asked, and a chromium page on it, logged in as the Owner if asked. */
export async function openConsole(
  problems: string[],
  { estate = false, stratusAlerts = false, csp = false, asOwner = false } = {},
): Promise<{ console: ConsoleServer; browser: ConsoleBrowser; page: Page }> {
  const console_ = await startConsoleServer();
  try {
    if (estate) await addSampleEstate(console_);
    if (stratusAlerts) await seedStratusAlerts(console_);
    const { browser, page } = await launchWithPage(problems, { csp });
    if (asOwner) await logInAsOwner(page, console_);
    return { console: console_, browser, page };
  } catch (e) {
    await console_.close();
    throw e;
  }
}
