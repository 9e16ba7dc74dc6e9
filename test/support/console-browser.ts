/**
 * What every browser suite needs: the console built once per test process, a real Herald serving it
 * (temp SQLite file, short retry schedule, loopback receivers allowed), Debian's Chromium through
 * playwright-core, pages that record script errors and any request that leaves Herald, and the small
 * waits the journeys share. Each suite starts its own `ConsoleHarness`, so a failure in one suite
 * cannot leave state behind for another; within a suite, `newPage` with `signIn` lets each journey
 * start from its own fresh tab.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { startHerald } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UI_DIR = join(ROOT, 'dist/ui');
export const SHOTS = process.env.HERALD_SCREENSHOTS ?? join(ROOT, 'test-artifacts/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const WIDE = { width: 1440, height: 900 };
export const TIMEOUT = 15_000;

/** For `describe(..., { skip: noChromium })`: the reason to skip where the browser is not installed. */
export const noChromium: string | false = !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}`;

/* ---------- a loopback receiver whose status the test controls ---------- */

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

export class ConsoleReceiver {
  status = 200;
  /** While true, requests wait unanswered until release(): a delivery stays in flight while the test looks. */
  holding = false;
  readonly requests: Received[] = [];
  private readonly held: (() => void)[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const answer = () => {
          res.writeHead(this.status, { 'content-type': 'application/json' });
          res.end(this.status < 300 ? '{"ok":true}' : '{"error":"receiver is down for maintenance"}');
        };
        if (this.holding) this.held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/hooks/herald`;
  }

  received(event: string): Received[] {
    return this.requests.filter((r) => (JSON.parse(r.body) as { event?: string }).event === event);
  }

  /** Answers the requests held so far, and the next ones at once. */
  release(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }

  async stop(): Promise<void> {
    this.release();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/* ---------- waits and pictures ---------- */

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls a condition (no fixed sleeps): resolves with its first truthy value, or fails after `timeout`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeout = TIMEOUT,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) assert.fail(`Timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function visible(locator: Locator, timeout = TIMEOUT): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

export async function gone(locator: Locator, timeout = TIMEOUT): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout });
}

/** A full-page screenshot in SHOTS, once transient notifications are dismissed and fetches settled. */
export async function shot(page: Page, name: string): Promise<void> {
  for (const dismiss of await page.getByRole('button', { name: 'Dismiss notification' }).all()) {
    await dismiss.click({ timeout: 500 }).catch(() => {}); // it may have timed out by itself
  }
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** The same screen at another size (a phone, a wide desktop), then back to the desktop size. */
export async function shotAt(size: typeof DESKTOP, page: Page, name: string): Promise<void> {
  await page.setViewportSize(size);
  await shot(page, name);
  await page.setViewportSize(DESKTOP);
}

/* ---------- accessibility ---------- */

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

/** One rule axe-core found broken on the page, with the elements that break it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on what the page shows now and returns its violations, so
 * a test can `assert.deepEqual(await axeViolations(page), [])` and read the offending selectors on failure.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((result) => result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    })))`) as Promise<AxeViolation[]>;
}

/* ---------- Herald + Chromium ---------- */

export interface ApiAnswer<T> {
  status: number;
  json: T;
}

export interface NewPageOptions {
  viewport?: typeof DESKTOP;
  /** Opens the console already signed in with this key (the admin key when `true`). */
  signIn?: boolean | string;
  /** With an admin key: the tenant the console opens on. */
  tenant?: string;
  isMobile?: boolean;
}

export interface ConsoleHarness {
  readonly herald: Awaited<ReturnType<typeof startHerald>>;
  readonly baseUrl: string;
  readonly adminKey: string;
  readonly browser: Browser;
  /** Moves Herald's clock (e.g. to expire a portal link without waiting). */
  skew(ms: number): void;
  /** A request to Herald's API as the admin. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** A tab in its own browser context (its own sessionStorage), recording errors and foreign requests. */
  newPage(options?: NewPageOptions): Promise<Page>;
  /** Script errors thrown in any page, and requests that left Herald: both should stay empty. */
  readonly pageErrors: string[];
  readonly foreignRequests: string[];
  close(): Promise<void>;
}

let consoleBuilt: Promise<void> | undefined;

/** Builds the console once per test process, so every suite drives the sources it runs with. */
function buildConsole(): Promise<void> {
  consoleBuilt ??= import('vite').then((vite) =>
    vite.build({ configFile: join(ROOT, 'ui/vite.config.ts'), logLevel: 'warn' }).then(() => {}),
  );
  return consoleBuilt;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts Chromium behind a Playwright server in a child process and connects to it. Herald runs in
 * the test process, and Playwright's driver (which handles every DevTools message of every page)
 * would otherwise share its event loop: the console's timings would include the test tool's work.
 */
async function launchChromiumElsewhere(): Promise<{ browser: Browser; stop: () => Promise<void> }> {
  const launcher = `
    const { chromium } = require('playwright-core');
    chromium.launchServer(${JSON.stringify({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })}).then((server) => {
      process.stdout.write(server.wsEndpoint() + '\\n');
      process.stdin.on('end', () => server.close().then(() => process.exit(0)));
      process.stdin.resume();
    });`;
  const child = spawn(process.execPath, ['-e', launcher], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout }), 'line'),
    exited.then(([code]) => {
      throw new Error(`the Playwright server exited with ${code} before it listened`);
    }),
  ])) as [string];
  const browser = await chromium.connect(line);
  return {
    browser,
    async stop() {
      await browser.close();
      child.stdin.end();
      await exited;
    },
  };
}

/** Starts a Herald serving the freshly built console, and Chromium. `env` adds or overrides settings. */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleHarness> {
  await buildConsole();
  await mkdir(SHOTS, { recursive: true });
  let skewMs = 0;
  const clock = { now: () => Date.now() + skewMs };
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-browser-'));
  const herald = await startHerald({
    config: loadConfig({
      HERALD_DATABASE: join(dataDir, 'herald.db'),
      HERALD_PORT: '0',
      HERALD_HOST: '127.0.0.1',
      HERALD_RETRY_SCHEDULE: '200ms,200ms',
      HERALD_ALLOW_NETWORKS: '127.0.0.0/8',
      HERALD_LOG_LEVEL: 'silent',
      ...env,
    }),
    clock,
    uiDir: UI_DIR,
    announce: () => {},
  });
  assert.ok(herald.url, 'Herald serves its API');
  const baseUrl = herald.url;
  const { browser, stop: stopBrowser } = await launchChromiumElsewhere();
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  const harness: ConsoleHarness = {
    herald,
    baseUrl,
    adminKey: herald.adminKey,
    browser,
    pageErrors,
    foreignRequests,
    skew(ms) {
      skewMs += ms;
    },
    async api<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${herald.adminKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
    },
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? DESKTOP,
        ...(options.isMobile ? { isMobile: true, hasTouch: true } : {}),
      });
      contexts.push(context);
      const key = options.signIn === true ? herald.adminKey : options.signIn;
      if (key) {
        // Once per tab: after Sign out, a reload must find the console signed out.
        const state = JSON.stringify({ key, tenant: options.tenant ?? '' });
        await context.addInitScript(`{
          const { key, tenant } = ${state};
          if (!sessionStorage.getItem('herald.harness-signed-in')) {
            sessionStorage.setItem('herald.harness-signed-in', '1');
            sessionStorage.setItem('herald.key', key);
            if (tenant) sessionStorage.setItem('herald.tenant', tenant);
          }
        }`);
      }
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(baseUrl) && !url.startsWith('data:')) foreignRequests.push(url);
      });
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await stopBrowser();
      await herald.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
