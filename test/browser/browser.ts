import { existsSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { demoEmail } from '../../src/demo/people.js';
import type { Role } from '../../src/people/rules.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';

/** Debian's Chromium (or CHROMIUM_PATH); Playwright never downloads a browser of its own here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function chromiumPresent(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `Chromium is not installed at ${CHROMIUM_PATH}: the browser tests are SKIPPED (install it with: apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${message}. A skip is a failure under CI=true.`);
  console.warn(`\n${'*'.repeat(100)}\n*** ${message}\n${'*'.repeat(100)}\n`);
  return false;
}

/** `describe` for suites that drive Chromium: a missing browser fails under CI=true and is a loud skip elsewhere. */
export const describeInBrowser = describe.skipIf(!chromiumPresent());

/** The service listening on a loopback port, and one Chromium for the suite. */
export interface World {
  t: TestApp;
  baseUrl: string;
  /** A person at the browser, with cookies of their own. */
  user(options?: { javaScript?: boolean }): Promise<User>;
  close(): Promise<void>;
}

/** `env` adds settings; `port` is for a service whose address another party must know first (single sign-on). */
export async function startWorld(
  options: { env?: Record<string, string>; port?: number } = {},
): Promise<World> {
  const t = await startTestApp('embedded', options.env ?? {});
  const baseUrl = await t.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  // Playwright gives each launch a fresh, empty profile directory and removes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  // Pages without JavaScript are replayed here, where axe may run.
  const checker = await browser.newContext();
  const users: User[] = [];
  return {
    t,
    baseUrl,
    async user({ javaScript = true } = {}) {
      const context = await browser.newContext({ javaScriptEnabled: javaScript, baseURL: baseUrl });
      context.setDefaultTimeout(15_000);
      const user = new User(context, await context.newPage(), javaScript, checker);
      users.push(user);
      return user;
    },
    async close() {
      await Promise.allSettled(users.map((u) => u.context.close()));
      await browser.close().catch(() => undefined);
      await t.close();
    },
  };
}

/**
 * One person's browser tab. Every page it loads must be checked with `check()` (which `goto` and the
 * navigation helpers do), and `done()` fails the test if any page went unchecked.
 */
export class User {
  private readonly loaded: string[] = [];
  private checked = 0;
  private readonly problems: string[] = [];

  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly javaScript: boolean,
    private readonly checker: BrowserContext,
  ) {
    page.on('domcontentloaded', () => this.loaded.push(page.url()));
    page.on('pageerror', (error) => this.problems.push(`script error on ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      // A 404 or 401 page reports its own status as a failed load; anything else is a fault.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        this.problems.push(`console error on ${page.url()}: ${message.text()}`);
      }
    });
  }

  /** Opens a path and checks the page. */
  async goto(path: string): Promise<void> {
    await this.page.goto(path);
    await this.check();
  }

  /** Clicks something that loads a new page, then checks that page. */
  async follow(target: Locator): Promise<void> {
    // Even a form posted back to its own address loads a new document: wait for that one.
    const loaded = this.page.waitForEvent('domcontentloaded');
    loaded.catch(() => undefined); // a failed click is the error to report
    await target.click();
    await loaded;
    await this.check();
  }

  clickLink(name: string | RegExp): Promise<void> {
    return this.follow(this.page.getByRole('link', { name, exact: typeof name === 'string' }).first());
  }

  clickButton(name: string | RegExp): Promise<void> {
    return this.follow(this.page.getByRole('button', { name, exact: typeof name === 'string' }));
  }

  /** Runs axe on the page as it is now; fails listing each violation. */
  async check(): Promise<void> {
    await this.page.waitForLoadState('load');
    const url = this.page.url();
    const count = this.loaded.length;
    let page = this.page;
    if (!this.javaScript) {
      // axe needs script, which this tab may not run: check the same markup, with its styles and without
      // its scripts, in a tab on the same site that may.
      const html = (await this.page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
      page = await this.replayPage();
      await page.setContent(html, { waitUntil: 'load' });
    }
    const results = await new AxeBuilder({ page }).analyze();
    const violations = results.violations.flatMap((v) =>
      v.nodes.map(
        (node) => `${v.id} (${v.impact ?? 'unknown impact'}) at ${node.target.join(' ')}: ${v.help}`,
      ),
    );
    if (violations.length > 0) {
      throw new Error(`Accessibility violations on ${url}:\n  ${violations.join('\n  ')}`);
    }
    this.checked = count;
  }

  private replay: Page | undefined;

  private async replayPage(): Promise<Page> {
    if (!this.replay) {
      this.replay = await this.checker.newPage();
      // Any page of the site will do: its address is what the markup's links and styles resolve against.
      await this.replay.goto(new URL('/healthz', this.page.url()).href);
    }
    return this.replay;
  }

  /** Signs in through the sign-in page as the demo account for a role. */
  async signIn(role: string, password = DEMO_PASSWORD): Promise<void> {
    await this.goto('/sign-in');
    await this.page.getByLabel('Email address').fill(demoEmail(role as Role));
    await this.page.getByLabel('Password').fill(password);
    await this.clickButton('Sign in');
  }

  /** Fails if a page was never checked, or if a script failed. */
  done(): void {
    const unchecked = this.loaded.slice(this.checked);
    if (unchecked.length > 0) {
      throw new Error(`Pages loaded but never checked for accessibility:\n  ${unchecked.join('\n  ')}`);
    }
    if (this.problems.length > 0) throw new Error(this.problems.join('\n'));
  }

  // ---- What a person sees ----

  heading(): Promise<string> {
    return text(this.page.getByRole('heading', { level: 1 }));
  }

  /** The error summary's title and the text of each of its links, with where each link points. */
  async errorSummary(): Promise<{ title: string; links: { text: string; href: string }[] } | null> {
    const summary = this.page.locator('.govuk-error-summary');
    if ((await summary.count()) === 0) return null;
    const links = [];
    for (const link of await summary.getByRole('link').all()) {
      links.push({ text: await text(link), href: (await link.getAttribute('href')) ?? '' });
    }
    return { title: await text(summary.locator('.govuk-error-summary__title')), links };
  }

  /** The message shown beside a field, without the hidden "Error:" prefix. */
  async fieldError(id: string): Promise<string> {
    const group = this.page
      .locator('.govuk-form-group--error', { has: this.page.locator(`[id="${id}"]`) })
      .first();
    const message = group.locator('.govuk-error-message').first();
    if ((await message.count()) === 0) return '';
    return (await text(message)).replace(/^Error:\s*/, '');
  }

  async successBanner(): Promise<string> {
    const banner = this.page.locator('.govuk-notification-banner--success');
    return (await banner.count()) === 0 ? '' : text(banner.locator('.govuk-notification-banner__content'));
  }

  /** A summary list as key → value. */
  async summaryList(): Promise<Record<string, string>> {
    const rows: Record<string, string> = {};
    for (const row of await this.page.locator('.govuk-summary-list__row').all()) {
      rows[await text(row.locator('.govuk-summary-list__key'))] = await text(
        row.locator('.govuk-summary-list__value'),
      );
    }
    return rows;
  }

  /** Each body row of the first table, as the text of its cells. */
  async tableRows(): Promise<string[][]> {
    const rows = [];
    for (const row of await this.page.locator('table').first().locator('tbody tr').all()) {
      rows.push((await row.locator('th, td').allInnerTexts()).map(tidy));
    }
    return rows;
  }

  async isFocused(selector: string): Promise<boolean> {
    return (await this.page.locator(`${selector}:focus`).count()) === 1;
  }
}

function tidy(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

async function text(locator: Locator): Promise<string> {
  return tidy(await locator.innerText());
}
