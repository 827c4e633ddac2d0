// What every end-to-end test file and the app benchmark share: the environment `cargo xtask`
// passes, and Debian's Chromium driven by playwright-core (which never downloads a browser).
//   WIRELENS_URL            the page
//   WIRELENS_NODE_MODULES   where `cargo xtask setup` installed playwright-core
//   WIRELENS_SCREENSHOTS    where to write screenshots of the main states, to look at
//   CHROMIUM                the browser (Debian's by default)
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.WIRELENS_NODE_MODULES ?? 'node_modules', '..', 'index.js'));
const { chromium } = require('playwright-core');

export const URL = process.env.WIRELENS_URL ?? 'http://127.0.0.1:8080/';
export const SHOTS = process.env.WIRELENS_SCREENSHOTS ?? 'target/screenshots';
mkdirSync(SHOTS, { recursive: true });

/**
 * A page in a fresh context (no storage) at `url`, and the errors it reports: uncaught exceptions,
 * and console errors too with `consoleErrors`. `context` opens the page in one already made.
 */
export async function openPage(browser, url, { viewport = { width: 1400, height: 1100 }, colorScheme, context,
  consoleErrors = false } = {}) {
  context ??= await browser.newContext({ viewport, ...(colorScheme ? { colorScheme } : {}) });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (consoleErrors) page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return { page, errors };
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no network chatter). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
