// End-to-end tests of the benchmark tab (issue #5) against the real wirelens-server: a short run
// in the benchmark worker fills every cell with a positive, finite number, and Cancel stops a
// long one. The figures are printed, never asserted. Same environment as playground.test.mjs:
//   WIRELENS_URL, WIRELENS_NODE_MODULES, WIRELENS_SCREENSHOTS, CHROMIUM
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { URL, SHOTS, launch, openPage } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** A fresh page on the benchmark tab, with exactly these workloads and the quick or full plan. */
async function openPanel(workloads, length) {
  const { page, errors } = await openPage(browser, URL, { viewport: { width: 1400, height: 1200 } });
  await page.getByRole('tab', { name: 'benchmark' }).click();
  await page.locator('.bench-pane button.run').waitFor();
  for (const box of await page.locator('input[data-workload]').all()) {
    const id = await box.getAttribute('data-workload');
    if ((await box.isChecked()) !== workloads.includes(id)) await box.click();
  }
  await page.getByRole('button', { name: new RegExp(`^${length}:`) }).click();
  return { page, errors };
}

test('a short benchmark in the worker fills every cell with a positive, finite number', async () => {
  const { page, errors } = await openPanel(['user', 'page-1', 'page-10', 'numbers', 'yours'], 'quick');
  await page.locator('.bench-pane button.run').click();
  await page.locator('.bench-progress').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'bench-running.png'), fullPage: true });
  await page.locator('.bench-table').waitFor({ timeout: 180_000 });

  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the server isolates the page');
  const env = await page.locator('.bench-env').textContent();
  assert.match(env, /Timer resolution .* · cross-origin isolated · \d+ logical processors/);

  // 4 built-in workloads × 4 codecs, and the playground's message without prost.
  const rows = page.locator('.bench-table tbody tr');
  assert.equal(await rows.count(), 4 * 4 + 3);
  assert.equal(await page.locator('.bench-table tr[data-workload="yours"][data-codec="prost"]').count(), 0);
  for (const row of await rows.all()) {
    const cells = await row.locator('td[data-value]').evaluateAll((tds) => tds.map((td) => Number(td.dataset.value)));
    // bytes, then median, MB/s and the ratio to prost for each direction (no ratio on "yours").
    const yours = (await row.getAttribute('data-workload')) === 'yours';
    assert.equal(cells.length, yours ? 5 : 7, `cells of ${await row.textContent()}`);
    for (const value of cells) assert.ok(Number.isFinite(value) && value > 0, `${value} in ${await row.textContent()}`);
  }
  const sizes = await page.locator('.bench-sizes td[data-value]').evaluateAll((tds) => tds.map((td) => Number(td.dataset.value)));
  assert.equal(sizes.length, 5 * 6);
  for (const value of sizes) assert.ok(Number.isFinite(value) && value > 0, `size ${value}`);

  // The words and both charts.
  const words = await page.locator('.bench-focus .measured').textContent();
  assert.match(words, /protobuf is [\d.]+x smaller than compact JSON \(43 against 97 bytes\)/);
  assert.match(words, /Prost encodes ([\d.]+x (faster|slower) than|about as fast as) serde_json/);
  assert.equal(await page.locator('.chart svg').count(), 3, 'the bars and the two log-log charts');
  assert.ok((await page.locator('.chart .bar-row').count()) >= 8);

  const markdown = await page.locator('.bench-markdown').textContent();
  assert.match(markdown, /^Machine: .*Chrome.* \(\d+ logical processors\); wasm32 in a Web Worker; .*quick plan\./);
  console.log(markdown);

  await page.screenshot({ path: path.join(SHOTS, 'bench-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(SHOTS, 'bench-dark.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('Cancel stops a run and terminates its worker', async () => {
  const { page, errors } = await openPanel(['page-1000', 'page-10000'], 'full');
  await page.locator('.bench-pane button.run').click();
  await page.locator('.bench-now', { hasText: /\d+ of \d+: (en|de)code/ }).waitFor({ timeout: 60_000 });
  // The page stays responsive while the worker runs: the tab bar still switches.
  await page.getByRole('tab', { name: 'message → bytes' }).click();
  await page.getByRole('tab', { name: 'benchmark' }).click();
  await page.locator('.bench-pane button.cancel').click();
  await page.locator('.bench-cancelled').waitFor();
  assert.equal(await page.locator('.bench-progress').count(), 0);
  assert.ok(await page.locator('.bench-pane button.run').isEnabled());
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('.bench-table').count(), 0, 'the cancelled run reports nothing later');
  assert.deepEqual(errors, []);
  await page.context().close();
});
