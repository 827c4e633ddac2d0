// The tabs' code arrives when a tab first opens (src/lazy.rs, `cargo xtask split-app`), the
// protoscope writer's when the export panel does: the first screen fetches none of it, each tab
// fetches its part once, the parts are sent compressed and
// cached for good, and a part that cannot be fetched is said, with a way to try again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { URL, SHOTS, launch, openPage } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => { await browser?.close(); });

const PART = /\/(split_\w+|chunk_\d+)-[0-9a-f]+\.wasm$/;
const TABS = [['gRPC', 'form button.call', 'split_grpc'], ['benchmark', '.bench-pane button.run', 'split_bench'],
  ['Learn', 'article.lesson', 'split_learn']];

/** A fresh page on the app once the seed is drawn, and the tabs' parts it has fetched so far. */
async function open() {
  const { page, errors } = await openPage(browser, URL, { consoleErrors: true });
  const parts = [];
  page.on('response', (r) => { if (PART.test(new globalThis.URL(r.url()).pathname)) parts.push(r); });
  await page.locator('.hex [data-offset="0"]').waitFor();
  await page.waitForLoadState('networkidle');
  return { page, errors, parts };
}

const names = (parts) => parts.map((r) => new globalThis.URL(r.url()).pathname.match(PART)[1]);

/** Waits until no part has arrived for half a second: a tab's part and the shared chunks it
 * needs are fetched side by side, and answer in any order. */
async function settled(parts) {
  for (let seen = -1; seen !== parts.length;) {
    seen = parts.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

test('the first screen fetches no tab part; each tab fetches its own once, compressed and kept', async () => {
  const { page, errors, parts } = await open();
  assert.deepEqual(names(parts), [], 'nothing of the tabs before one opens');
  for (const [tab, ready, part] of TABS) {
    const before = parts.length;
    await page.getByRole('tab', { name: tab }).click();
    await page.locator(ready).first().waitFor();
    const fetched = names(parts.slice(before));
    assert.ok(fetched.includes(part), `${tab} fetched ${fetched}`);
  }
  // Every part once: shared code (chunk_N) is fetched by the first tab that needs it.
  const all = names(parts);
  assert.equal(new Set(all).size, all.length, `fetched twice: ${all}`);
  // Back to each tab: nothing more.
  const count = parts.length;
  for (const [tab, ready] of TABS) {
    await page.getByRole('tab', { name: tab }).click();
    await page.locator(ready).first().waitFor();
  }
  assert.equal(parts.length, count);
  for (const response of parts) {
    const headers = await response.allHeaders();
    assert.equal(headers['content-encoding'], 'br', response.url());
    assert.match(headers['cache-control'], /immutable/, response.url());
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the pointer on a tab starts fetching its part; opening it then fetches nothing more', async () => {
  const { page, errors, parts } = await open();
  const fetched = page.waitForResponse((r) => /split_grpc-[0-9a-f]+\.wasm$/.test(r.url()));
  await page.getByRole('tab', { name: 'gRPC' }).hover();
  await fetched;
  await settled(parts);
  assert.ok(names(parts).includes('split_grpc'), names(parts).join());
  assert.equal(await page.locator('form button.call').count(), 0, 'fetched, not opened');
  const count = parts.length;
  await page.getByRole('tab', { name: 'gRPC' }).click();
  await page.locator('form button.call').first().waitFor();
  assert.equal(parts.length, count);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the protoscope writer comes when the export panel first opens, once', async () => {
  const { page, errors, parts } = await open();
  await page.locator('.export summary').click();
  const protoscope = page.getByRole('textbox', { name: 'protoscope' });
  await protoscope.waitFor();
  assert.match(await protoscope.inputValue(), /^1: 42 {2}# id\n/);
  assert.ok(names(parts).includes('split_protoscope'), names(parts).join());
  // Closed and opened again: drawn from the code already here.
  const count = parts.length;
  await page.locator('.export summary').click();
  await page.locator('.export summary').click();
  await protoscope.waitFor();
  assert.equal(parts.length, count);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a part that cannot be fetched is said, the page stays, and Try again loads it', async () => {
  const { page, errors } = await open();
  await page.route(/split_learn-[0-9a-f]+\.wasm$/, (route) => route.abort('internetdisconnected'));
  await page.getByRole('tab', { name: 'Learn' }).click();
  const failed = page.locator('.lazy-failed');
  await failed.waitFor();
  assert.match(await failed.textContent(), /Learn mode could not be fetched/);
  await page.screenshot({ path: path.join(SHOTS, 'lazy-failed.png') });
  // The rest of the page still works.
  await page.getByRole('tab', { name: 'message → bytes' }).click();
  assert.equal((await page.locator('.hex [data-offset="0"]').textContent()).trim(), '08');
  await page.unroute(/split_learn-[0-9a-f]+\.wasm$/);
  await page.getByRole('tab', { name: 'Learn' }).click();
  await failed.getByRole('button', { name: 'Try again' }).click();
  await page.locator('article.lesson').waitFor();
  assert.equal(await page.locator('.panic-banner').count(), 0);
  // The browser reports the aborted fetch; the loader logs it. Nothing else.
  assert.ok(errors.every((e) => /split_learn|Failed to fetch|ERR_INTERNET_DISCONNECTED|TypeError/.test(e)), errors.join('\n'));
  await page.context().close();
});
