// The playground's speed in a real browser, printed as figures (a benchmark, not a test):
//  - typing: from an edit of the message to the re-rendered bytes, for the reference user;
//  - a 1 MiB message: from pasting its hex to the first rendered rows (its bytes), to the rows
//    drawn annotated (read), then scroll steps;
//  - a 16 MiB binary file dropped on the bytes pane: from the drop to its first rows, then to the
//    page answering (a scroll in the middle drawn, a byte pointed at explained), and the wasm
//    memory it took;
//  - the benchmark tab (issue #5): the full plan on every built-in workload and every codec, in
//    its Web Worker; the tab's Markdown is printed (--no-codecs skips it: about two minutes).
// `cargo xtask bench app` builds the app, serves it and runs this with the same variables as the
// end-to-end tests (WIRELENS_URL, WIRELENS_NODE_MODULES, CHROMIUM).
import { URL, launch } from '../e2e/browser.mjs';

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const report = (name, xs) =>
  console.log(`${name.padEnd(44)} median ${quantile(xs, 0.5).toFixed(2)} ms   p95 ${quantile(xs, 0.95).toFixed(2)} ms   (n=${xs.length})`);

const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
// The app's wasm instance (trunk's loader announces it), to read how large its memory grew.
await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.appWasm = e.detail.wasm; }));
// When `ready()` first holds under `el`, watched with a MutationObserver (a timer's polling would
// add its own clamped delays): the measurements below wait with it.
await page.addInitScript(() => {
  window.until = (el, ready, what) => new Promise((resolve, reject) => {
    if (ready()) { resolve(performance.now()); return; }
    const observer = new MutationObserver(() => { if (ready()) { observer.disconnect(); resolve(performance.now()); } });
    observer.observe(el, { childList: true, subtree: true, characterData: true, attributes: true });
    setTimeout(() => { observer.disconnect(); reject(new Error(`not seen within 60 s: ${what}`)); }, 60_000);
  });
});
await page.goto(URL);
await page.locator('.hex [data-offset="0"]').waitFor();
console.log(`page: ${URL}  crossOriginIsolated: ${await page.evaluate(() => crossOriginIsolated)}`);

// Typing: alternate the id between two values; time until the id's byte shows the new value.
const typing = await page.evaluate(async (n) => {
  const editor = document.querySelector('textarea.message-editor');
  const cell = () => document.querySelector('.hex [data-offset="1"]').textContent.trim();
  const times = [];
  for (let i = 0; i < n; i++) {
    const id = i % 2 ? 42 : 43; // starts from 42, so every edit changes the byte
    const want = id.toString(16).toUpperCase();
    const text = editor.value.replace(/"id": "\d+"/, `"id": "${id}"`);
    const hex = document.querySelector('.hex');
    const done = new Promise((resolve) => {
      const observer = new MutationObserver(() => { if (cell() === want) { observer.disconnect(); resolve(performance.now()); } });
      observer.observe(hex, { childList: true, subtree: true, characterData: true });
    });
    const t0 = performance.now();
    editor.value = text;
    editor.dispatchEvent(new InputEvent('input', { bubbles: true }));
    times.push((await done) - t0);
    await new Promise((r) => requestAnimationFrame(() => r()));
  }
  return times;
}, 60);
report('typing → bytes re-rendered (reference user)', typing);

// 1 MiB: the reference user 24,386 times, as hex, pasted into the decode input.
await page.getByRole('tab', { name: 'bytes → message' }).click();
const big = await page.evaluate(async () => {
  const user = '08 2A 12 05 41 6C 69 63 65 1A 11 61 6C 69 63 65 40 65 78 61 6D 70 6C 65 2E 63 6F 6D 22 05 61 64 6D 69 6E 22 04 75 73 65 72 30 01';
  // Each user wrapped as field 1 of a batch message: 0A 2B <user>.
  const record = '0A 2B ' + user + ' ';
  const count = Math.ceil((1 << 20) / 45);
  const hex = record.repeat(count).trim();
  const input = document.querySelector('textarea.bytes-editor');
  document.querySelector('.bytes-pane input[type=checkbox]').click(); // read without a schema
  await new Promise((r) => requestAnimationFrame(() => r()));
  const head = () => document.querySelector('.wire-pane .pane-head').textContent;
  // The bytes are drawn first (their rows span the megabyte), then read (later.rs's
  // LARGE_INPUT): the first byte shows as a tag and the "reading" badge is gone. Both watched
  // from before the paste.
  const view = () => document.querySelector('.hex');
  const wire = document.querySelector('.wire-pane');
  const drawn = until(wire, () => head().includes('MiB') && view().scrollHeight > 1e6, 'the first rows');
  const read = until(wire, () => head().includes('MiB') && !head().includes('reading') && view().querySelector('[data-offset="0"]')?.dataset.role === 'tag', 'the rows annotated');
  const t0 = performance.now();
  input.value = hex;
  input.dispatchEvent(new InputEvent('input', { bubbles: true }));
  const opened = (await drawn) - t0;
  const annotated = (await read) - t0;
  const rows = document.querySelectorAll('.hex .row').length;
  // Scroll through it: time from the scroll event to the new rows in the DOM, observed with a
  // MutationObserver (timer polling would add its own clamped delays).
  const hexEl = document.querySelector('.hex');
  const scrolls = [];
  for (let i = 1; i <= 30; i++) {
    const target = Math.floor((hexEl.scrollHeight * i) / 31);
    const want = Math.floor(target / 26) * 16; // rows of 24 px and a gap of 2 (hex_view.rs's ROW_HEIGHT)
    const drawn = () => [...hexEl.querySelectorAll('.row .offset')].some((o) => parseInt(o.textContent, 16) >= want);
    const done = new Promise((resolve) => {
      const observer = new MutationObserver(() => { if (drawn()) { observer.disconnect(); resolve(performance.now()); } });
      observer.observe(hexEl, { childList: true, subtree: true, characterData: true });
    });
    const t1 = performance.now();
    hexEl.scrollTop = target;
    // Deliver the scroll event now rather than at the next frame, so the figure is the app's own work.
    hexEl.dispatchEvent(new Event('scroll'));
    scrolls.push((await done) - t1);
    await new Promise((r) => requestAnimationFrame(() => r()));
  }
  return { opened, annotated, rows, bytes: count * 45, scrolls };
});
console.log(`1 MiB message (${big.bytes} bytes, schema-less) → first rows drawn   ${big.opened.toFixed(0)} ms, read and drawn annotated ${big.annotated.toFixed(0)} ms   (${big.rows} rows in the DOM)`);
report('scroll event → new rows drawn (1 MiB)', big.scrolls);

// 16 MiB: the same batch of users, 16x, as a binary file dropped on the bytes pane (schema-less,
// as above). "Usable": the first rows drawn, then a jump to the middle drawn and a byte there
// pointed at and explained, each waited for with a MutationObserver.
const dropped = await page.evaluate(async () => {
  const user = [0x08, 0x2a, 0x12, 0x05, ...new TextEncoder().encode('Alice'), 0x1a, 0x11,
    ...new TextEncoder().encode('alice@example.com'), 0x22, 0x05, ...new TextEncoder().encode('admin'),
    0x22, 0x04, ...new TextEncoder().encode('user'), 0x30, 0x01];
  const record = [0x0a, user.length, ...user];
  const size = 16 << 20;
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += record.length) bytes.set(record.slice(0, size - at), at);
  const file = new File([bytes], 'batch.bin', { type: 'application/octet-stream' });
  // Linear memory only grows: its growth over the drop is the most the drop held at once.
  const memory = () => window.appWasm?.memory.buffer.byteLength ?? NaN;
  const pane = document.querySelector('.bytes-pane');
  const wire = document.querySelector('.wire-pane');
  const head = () => wire.querySelector('.pane-head').textContent;
  const before = memory();
  const data = new DataTransfer();
  data.items.add(file);
  const t0 = performance.now();
  pane.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  const refused = () => document.querySelector('.notice')?.textContent.match(/reads files up to.*/)?.[0];
  const shown = await until(document.body, () => refused() || (head().includes('16.0 MiB') && wire.querySelector('.hex').scrollHeight > 1e7), 'the first rows');
  if (refused()) return { refused: refused() };
  const hexEl = wire.querySelector('.hex');
  // Halfway down: 16 MiB of rows is taller than a browser lays out, so the view is squeezed
  // (core's scroll.rs) and halfway is about the middle byte, not a pixel count of rows.
  const near = (o) => Math.abs(o - size / 2) < size / 100;
  const middle = () => [...hexEl.querySelectorAll('.row .b')].find((b) => near(Number(b.dataset.offset)));
  const scrolled = until(hexEl, () => middle(), 'the middle rows drawn');
  hexEl.scrollTop = Math.floor(hexEl.scrollHeight / 2);
  hexEl.dispatchEvent(new Event('scroll'));
  const drawn = await scrolled;
  const cell = middle();
  const want = Number(cell.dataset.offset);
  // The pointed byte gets the cursor in the same render as its explanation.
  const explained = until(wire, () => hexEl.querySelector(`[data-offset="${want}"].cursor`), `byte ${want} explained`);
  cell.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
  const usable = await explained;
  return {
    shown: shown - t0, drawn: drawn - t0, usable: usable - t0,
    rows: document.querySelectorAll('.hex .row').length,
    editor: document.querySelector('textarea.bytes-editor')?.value.length ?? 0,
    memory: [before, memory()],
  };
});
if (dropped.refused) console.log(`16 MiB file dropped: refused (${dropped.refused})`);
else console.log(`16 MiB file dropped (schema-less) → first rows drawn ${dropped.shown.toFixed(0)} ms, ` +
  `a scroll to the middle drawn ${dropped.drawn.toFixed(0)} ms, a byte there explained ${dropped.usable.toFixed(0)} ms ` +
  `(${dropped.rows} rows in the DOM, ${dropped.editor} characters in the editor, wasm memory ${dropped.memory.map((m) => (m / 1048576).toFixed(0)).join(' → ')} MiB)`);

if (!process.argv.includes('--no-codecs')) {
  await page.getByRole('tab', { name: 'benchmark' }).click();
  await page.locator('.bench-pane button.run').waitFor();
  for (const box of await page.locator('input[data-workload]').all()) {
    if ((await box.isChecked()) !== ((await box.getAttribute('data-workload')) !== 'yours')) await box.click();
  }
  await page.getByRole('button', { name: /^full:/ }).click();
  await page.locator('.bench-pane button.run').click();
  await page.locator('.bench-markdown, .bench-pane .error').first().waitFor({ state: 'attached', timeout: 600_000 });
  const failed = await page.locator('.bench-pane .error').count();
  if (failed) throw new Error(`the benchmark tab failed: ${await page.locator('.bench-pane .error').textContent()}`);
  console.log(`\nthe benchmark tab, full plan:\n\n${await page.locator('.bench-markdown').textContent()}`);
}
await browser.close();
