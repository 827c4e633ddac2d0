// The app loaded cold, as a new user meets it (a benchmark that prints figures, not a test):
// headless Chromium under three network and CPU profiles of the DevTools protocol, each run
// `RUNS` times in a fresh browser context (an empty cache), reporting the median of:
//  - seed bytes visible: from the start of navigation to the first byte of the reference
//    example drawn in the hex view (what the first screen is for);
//  - bytes transferred for the first screen (everything the page fetched by then, headers
//    included, as the network saw it: compressed);
//  - bytes transferred once every tab has been opened (the benchmark not run);
//  - bytes transferred by a repeat visit (a new page in the same context: the browser's cache
//    and the server's caching headers at work).
// `cargo xtask bench app` serves the release build with wirelens-server (precompressed files,
// caching headers) and runs this with the end-to-end tests' variables (WIRELENS_URL, ...).
import { URL, launch } from '../e2e/browser.mjs';

const RUNS = 3;
const PROFILES = [
  { name: 'loopback', network: null, cpu: 1 },
  // Download and upload in bytes per second, latency in ms (the DevTools protocol's units).
  { name: 'broadband (20 Mbps, 40 ms RTT)', network: { latency: 40, down: 20e6 / 8, up: 5e6 / 8 }, cpu: 1 },
  { name: 'mobile (1.6 Mbps, 150 ms RTT, 4x CPU)', network: { latency: 150, down: 1.6e6 / 8, up: 750e3 / 8 }, cpu: 4 },
];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

// Runs in the page before its own scripts: notes when the seed's first byte is drawn.
const WATCH_SEED = () => {
  const seen = () => {
    const cell = document.querySelector('.hex [data-offset="0"]');
    if (cell && cell.textContent.trim() === '08' && window.__seedVisible === undefined) {
      window.__seedVisible = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, observer) => { if (seen()) observer.disconnect(); })
    .observe(document, { childList: true, subtree: true, characterData: true });
};

/** Counts the bytes each page of `context` receives, through a DevTools session per page. */
async function meter(context, page, profile) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (profile.network) {
    const { latency, down, up } = profile.network;
    await cdp.send('Network.emulateNetworkConditions',
      { offline: false, latency, downloadThroughput: down, uploadThroughput: up });
  }
  if (profile.cpu > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  const counter = { bytes: 0, requests: 0 };
  cdp.on('Network.loadingFinished', (e) => { counter.bytes += e.encodedDataLength; counter.requests += 1; });
  return counter;
}

async function visit(browser, profile) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(WATCH_SEED);
  const page = await context.newPage();
  const first = await meter(context, page, profile);
  await page.goto(URL, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__seedVisible !== undefined, null, { timeout: 120_000 });
  const seedMs = await page.evaluate(() => window.__seedVisible);
  // Let the network settle: what the first screen fetched after drawing counts too.
  await page.waitForLoadState('networkidle');
  const firstScreen = first.bytes;

  // Every tab opened, waiting for each to show its content (the benchmark is not run).
  for (const [tab, ready] of [['gRPC', 'form button.call'], ['benchmark', '.bench-pane button.run'],
    ['Learn', 'article.lesson'], ['bytes → message', 'textarea.bytes-editor']]) {
    await page.getByRole('tab', { name: tab }).click();
    await page.locator(ready).first().waitFor({ timeout: 120_000 });
  }
  await page.waitForLoadState('networkidle');
  const everyTab = first.bytes;

  // A repeat visit: a new page in the same context, so the browser's cache is warm.
  const again = await context.newPage();
  const repeat = await meter(context, again, profile);
  await again.goto(URL, { waitUntil: 'commit' });
  await again.waitForFunction(() => window.__seedVisible !== undefined, null, { timeout: 120_000 });
  const repeatSeedMs = await again.evaluate(() => window.__seedVisible);
  await again.waitForLoadState('networkidle');
  await context.close();
  return { seedMs, firstScreen, everyTab, repeat: repeat.bytes, repeatSeedMs };
}

const browser = await launch();
console.log(`page: ${URL}, ${RUNS} cold loads per profile, medians\n`);
console.log('| profile | seed bytes visible | first screen | every tab opened | repeat visit | repeat: seed visible |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const profile of PROFILES) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await visit(browser, profile));
  const m = (key) => median(runs.map((r) => r[key]));
  console.log(`| ${profile.name} | ${m('seedMs').toFixed(0)} ms | ${kib(m('firstScreen'))} | ${kib(m('everyTab'))} | `
    + `${kib(m('repeat'))} | ${m('repeatSeedMs').toFixed(0)} ms |`);
}
await browser.close();
