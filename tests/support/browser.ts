/**
 * Headless Chromium for the tests of pages (report.html, the dashboard): Debian's `chromium`
 * package driven by playwright-core, never a downloaded browser. When no browser is installed the
 * tests FAIL with a line saying how to install one (`.ci/run` installs it), never pass or skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);

/** Flags that keep a test browser off the network: no updates, sync, QUIC or first-run calls. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error(`no Chromium found (looked at ${CANDIDATES.join(', ')}): install Debian's package with \`apt-get update && apt-get install -y chromium\` (.ci/run does), or set CT_CHROMIUM to a Chromium binary`);
  }
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: FLAGS, headless: true });
}

/** Where a test's screenshots go: tests/output/<name>/ (git-ignored). */
export function screenshotDir(name: string): string {
  const dir = resolve('tests', 'output', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A page that records every console error and uncaught page error, for "loads with no console error". */
export async function pageWithErrors(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // A page of ours never reaches outside loopback or the file system.
  await page.route(/^(?!file:|http:\/\/127\.0\.0\.1[:/]|data:|blob:|about:)/, (route) => {
    errors.push(`network: blocked ${route.request().url()}`);
    return route.abort();
  });
  return { page, errors };
}

export function screenshotPath(name: string, file: string): string {
  return join(screenshotDir(name), file);
}
