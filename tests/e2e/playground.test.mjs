// End-to-end tests of the release build in headless Chromium (Debian's), driven by playwright-core.
// `cargo xtask test` starts wirelens-server on dist/ and runs them with node's test runner; the
// environment it passes is read in browser.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { URL, SHOTS, launch, openPage } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** A fresh page (fresh context: no storage) on the app, once it has rendered the bytes. */
async function open() {
  const { page, errors } = await openPage(browser, URL, { consoleErrors: true });
  await page.locator('.hex [data-offset="0"]').waitFor();
  return { page, errors };
}

// Large inputs are drawn, then read (later.rs's LARGE_INPUT): waits for the reading.
async function readingDone(page) {
  await page.waitForFunction(() => !document.querySelector('.wire-pane .pane-head').textContent.includes('reading the bytes'));
}

/** The hex cells from `from` (inclusive) to `to` (exclusive): their text and roles. */
async function cells(page, from, to) {
  const out = [];
  for (let i = from; i < to; i++) {
    const cell = page.locator(`.hex [data-offset="${i}"]`);
    out.push([(await cell.textContent()).trim(), await cell.getAttribute('data-role')]);
  }
  return out;
}

test('first open: the reference user, 08 2A and 12 05 41 6C 69 63 65 with their roles', async () => {
  const { page, errors } = await open();
  assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['2A', 'varint']]);
  assert.deepEqual(await cells(page, 2, 9), [
    ['12', 'tag'], ['05', 'len'], ['41', 'string'], ['6C', 'string'], ['69', 'string'], ['63', 'string'], ['65', 'string'],
  ]);
  const sizes = await page.locator('.sizes-table').textContent();
  assert.match(sizes, /protobuf\s*43/);
  assert.match(sizes, /hand-written \(int64 as numbers\)\s*95/);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'first-open.png'), fullPage: true });
  await page.context().close();
});

test('hovering a byte explains it and marks its field', async () => {
  const { page } = await open();
  await page.locator('.hex [data-offset="3"]').hover();
  const explain = await page.locator('.explain').textContent();
  assert.match(explain, /byte 3/);
  assert.match(explain, /length 5/);
  assert.match(await page.locator('.tree-line.current').first().textContent(), /name.*"Alice"/);
  await page.locator('.hex [data-offset="4"]').hover();
  assert.match(await page.locator('.explain').textContent(), /bytes 4–8.*"Alice"/s);
  // The JSON line of the same field is marked; choosing a JSON line selects its bytes.
  assert.equal(await page.locator('.json-lines .jl.hl').count(), 1);
  assert.match(await page.locator('.json-lines .jl.hl').textContent(), /"name": "Alice"/);
  await page.locator('.json-lines [data-path="roles[1]"]').click();
  assert.match(await page.locator('.explain .where').textContent(), /roles\[1\]/);
  assert.deepEqual(await cells(page, 35, 37), [['22', 'tag'], ['04', 'len']]);
  assert.equal(await page.locator('.b.cursor').getAttribute('data-offset'), '35');
  await page.context().close();
});

test('arrow keys move through the bytes', async () => {
  const { page } = await open();
  await page.locator('.hex').focus();
  await page.keyboard.press('ArrowRight');
  assert.match(await page.locator('.explain .where').textContent(), /^byte 1/);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('.b.cursor').getAttribute('data-offset'), '17');
  assert.match(await page.locator('.explain .where').textContent(), /email/);
  await page.context().close();
});

test('bad JSON: the error names line and column, the text and the last bytes are kept', async () => {
  const { page } = await open();
  const editor = page.locator('textarea.message-editor');
  await editor.fill('{\n  "id": "42",\n  "nme": "Alice"\n}');
  const error = await page.locator('.message-pane .error').textContent();
  assert.match(error, /line 3, column 7/);
  // Underlined in the editor itself, at the word the error points at.
  assert.deepEqual(await page.locator('.message-pane .editor-backdrop mark').allTextContents(), ['"nme"']);
  assert.equal(await editor.inputValue(), '{\n  "id": "42",\n  "nme": "Alice"\n}');
  await page.locator('.badge').waitFor();
  assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['2A', 'varint']]);
  await page.screenshot({ path: path.join(SHOTS, 'bad-json.png'), fullPage: true });
  await page.context().close();
});

test('text format and back', async () => {
  const { page } = await open();
  await page.getByRole('button', { name: 'text format' }).click();
  assert.match(await page.locator('textarea.message-editor').inputValue(), /name: "Alice"/);
  await page.getByRole('button', { name: 'JSON', exact: true }).click();
  assert.match(await page.locator('textarea.message-editor').inputValue(), /"name": "Alice"/);
  await page.context().close();
});

test('a schema error is listed at file:line:col and the last schema stays in use', async () => {
  const { page } = await open();
  const schema = page.locator('textarea.schema-editor');
  const text = await schema.inputValue();
  await schema.fill(text.replace('string name = 2;', 'strin name = 2;'));
  const problems = page.locator('.problems');
  await problems.waitFor();
  assert.match(await problems.textContent(), /userservice\/user\.proto:\d+:\d+: .*strin/);
  assert.deepEqual(await page.locator('.schema-pane .editor-backdrop mark').allTextContents(), ['strin']);
  assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['2A', 'varint']]);
  await page.screenshot({ path: path.join(SHOTS, 'schema-error.png'), fullPage: true });
  await page.context().close();
});

test('decode: pasted hex becomes JSON; bad hex is reported with its column and kept', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  const input = page.locator('textarea.bytes-editor');
  await input.fill('08 2A 12 05 41 6C 69 63 65');
  await page.waitForFunction(() => document.querySelector('.json-out')?.textContent.includes('"name": "Alice"'));
  assert.match(await page.locator('.json-out').textContent(), /"id": "42"/);
  await page.locator('.bytes-pane select').selectOption('hex');
  await input.fill('08 2A 1G');
  assert.match(await page.locator('.bytes-pane .error').textContent(), /'G'.*column 8/);
  assert.deepEqual(await page.locator('.bytes-pane .editor-backdrop mark').allTextContents(), ['G']);
  assert.equal(await input.inputValue(), '08 2A 1G');
  await page.locator('.bytes-pane select').selectOption('auto');
  await input.fill('12 09 41');
  const diagnostics = page.locator('.diagnostics');
  await diagnostics.waitFor();
  assert.match(await diagnostics.textContent(), /error at byte 1: length 9 runs past the end/);
  await page.screenshot({ path: path.join(SHOTS, 'decode-error.png'), fullPage: true });
  await page.context().close();
});

test('decode without a schema shows every field by number', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('.bytes-pane input[type=checkbox]').uncheck();
  assert.match(await page.locator('.wire-pane .pane-head').textContent(), /read without a schema/);
  assert.match(await page.locator('.tree').textContent(), /field 2: string.*"Alice"/s);
  await page.screenshot({ path: path.join(SHOTS, 'schema-less.png'), fullPage: true });
  await page.context().close();
});

test('a large input keeps only the rows in view in the DOM, and scrolls to its last byte', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('.bytes-pane input[type=checkbox]').uncheck();
  // 20,000 records of field 1 = 1: 40,000 bytes, 2,500 rows of 16.
  await page.locator('textarea.bytes-editor').fill(Array(20000).fill('08 01').join(' '));
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('39.1 KiB'));
  assert.ok((await page.locator('.hex .row').count()) <= 40);
  await page.locator('.hex').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.locator('.hex [data-offset="39999"]').waitFor();
  assert.ok((await page.locator('.hex .row').count()) <= 40);
  await page.context().close();
});

test('a paste too long to show is read, summarised in place of the editor, and can be cleared', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('.bytes-pane input[type=checkbox]').uncheck();
  // The bytes are drawn first, then read (later.rs's LARGE_INPUT): note the badge that says so.
  await page.evaluate(() => {
    window.sawReading = false;
    new MutationObserver(() => {
      window.sawReading ||= document.querySelector('.wire-pane .pane-head').textContent.includes('reading the bytes');
    }).observe(document.querySelector('.wire-pane'), { childList: true, subtree: true, characterData: true });
  });
  // 100,000 records of field 1 = 1: 200,000 bytes, 600,000 characters of hex.
  await page.locator('textarea.bytes-editor').fill(Array(100000).fill('08 01').join(' '));
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('195.3 KiB'));
  await readingDone(page);
  assert.ok(await page.evaluate(() => window.sawReading), 'the bytes were shown before they were read');
  const summary = page.getByRole('group', { name: 'bytes as hex, base64 or escapes' });
  assert.match(await summary.textContent(), /585\.9 KiB of text .* too long to show and edit here/);
  assert.equal(await page.locator('textarea.bytes-editor').count(), 0, 'the text is not in the page');
  assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['01', 'varint']]);
  await page.screenshot({ path: path.join(SHOTS, 'large-input.png') });
  await summary.getByRole('button', { name: 'clear, to type or paste again' }).click();
  assert.equal(await page.locator('textarea.bytes-editor').inputValue(), '');
  await page.context().close();
});

test('the URL is a permalink: a fresh browser opens the same state', async () => {
  const { page } = await open();
  await page.getByRole('button', { name: 'text format' }).click();
  const editor = page.locator('textarea.message-editor');
  await page.waitForFunction(() => document.querySelector('textarea.message-editor').value.includes('name: "Alice"'));
  const before = await page.evaluate(() => location.hash);
  await editor.fill((await editor.inputValue()).replace('"Alice"', '"Bob"'));
  await page.waitForFunction((before) => location.hash.length > 10 && location.hash !== before, before);
  const link = page.url();
  await page.context().close();

  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(link);
  await fresh.locator('.hex [data-offset="0"]').waitFor();
  assert.match(await fresh.locator('textarea.message-editor').inputValue(), /name: "Bob"/);
  assert.deepEqual(await cells(fresh, 2, 7), [['12', 'tag'], ['03', 'len'], ['42', 'string'], ['6F', 'string'], ['62', 'string']]);
  await context.close();
});

test('a damaged permalink is explained and the default opens', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(URL + '#v1.AAAA*broken');
  await page.locator('.hex [data-offset="0"]').waitFor();
  assert.match(await page.locator('.notice').textContent(), /this link is damaged: '\*' at character 7 .*Showing the reference example instead/);
  assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['2A', 'varint']]);
  await page.screenshot({ path: path.join(SHOTS, 'damaged-link.png') });
  await context.close();
});

test('the work survives a reload without the link', async () => {
  const { page } = await open();
  const editor = page.locator('textarea.message-editor');
  const before = await page.evaluate(() => location.hash);
  await editor.fill((await editor.inputValue()).replace('"42"', '"7"'));
  await page.waitForFunction((before) => location.hash !== before, before); // saved with it
  await page.goto(URL);
  await page.locator('.hex [data-offset="0"]').waitFor();
  assert.match(await page.locator('textarea.message-editor').inputValue(), /"id": "7"/);
  assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['07', 'varint']]);
  await page.context().close();
});

test('a permalink keeps a schema-less reading, its pins and the selected byte', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('.bytes-pane input[type=checkbox]').uncheck();
  await page.getByRole('combobox', { name: 'read field 2 as' }).selectOption('bytes');
  await page.locator('.hex [data-offset="5"]').hover();
  await page.waitForTimeout(600); // the selection is saved once the pointer rests
  const link = page.url();
  await page.context().close();

  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(link);
  await fresh.locator('.hex [data-offset="0"]').waitFor();
  assert.equal(await fresh.locator('.bytes-pane input[type=checkbox]').isChecked(), false);
  assert.equal(await fresh.getByRole('combobox', { name: 'read field 2 as' }).inputValue(), 'bytes');
  assert.equal(await fresh.locator('.hex [data-offset="4"]').getAttribute('data-role'), 'bytes');
  assert.match(await fresh.locator('.b.cursor').getAttribute('data-offset'), /^5$/);
  await context.close();
});

test('recent works: another example, then reopen the first from the list', async () => {
  const { page } = await open();
  await page.locator('.schema-pane select').selectOption('scalars');
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('Scalars'));
  const recent = page.getByRole('combobox', { name: 'reopen a recent work' });
  const options = await recent.locator('option').allTextContents();
  assert.match(options[1], /^User · message → bytes · \d\d:\d\d$/);
  await recent.selectOption({ index: 1 });
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('43 bytes read as userservice.User'));
  assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['2A', 'varint']]);
  // The list survives a reload; the work on screen is left out of it.
  await page.goto(URL);
  await page.locator('.hex [data-offset="0"]').waitFor();
  assert.match((await page.getByRole('combobox', { name: 'reopen a recent work' }).locator('option').allTextContents())[1], /^Scalars/);
  await page.context().close();
});

test('editing a nested field marks its bytes and the parent length prefix that changed', async () => {
  const { page } = await open();
  await page.locator('.schema-pane select').selectOption('address');
  await page.locator('.hex [data-offset="0"]').waitFor();
  const editor = page.locator('textarea.message-editor');
  await editor.fill((await editor.inputValue()).replace('"Springfield"', '"Rome"'));
  // 08 07 | 12 03 42 6F 62 | 2A <len> ...: address's tag is byte 7, its length prefix byte 8.
  await page.waitForFunction(() => document.querySelectorAll('.b.changed').length > 0);
  const changed = await page.locator('.b.changed').evaluateAll((cells) => cells.map((c) => [c.dataset.offset, c.dataset.role]));
  assert.ok(changed.some(([, role]) => role === 'len'), JSON.stringify(changed));
  assert.ok(changed.some(([, role]) => role === 'string'), JSON.stringify(changed));
  assert.ok(!changed.some(([, role]) => role === 'tag'), JSON.stringify(changed));
  const outer = await page.locator('.hex [data-offset="8"]');
  assert.equal(await outer.getAttribute('data-role'), 'len');
  assert.match(await outer.getAttribute('class'), /changed/);
  await page.context().close();
});

test('without a schema, pin a reading, then use the drafted .proto as the schema', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('.bytes-pane input[type=checkbox]').uncheck();
  const pin = page.getByRole('combobox', { name: 'read field 2 as' });
  assert.equal(await pin.inputValue(), 'string');
  await pin.selectOption('bytes');
  await page.waitForFunction(() => document.querySelector('.tree').textContent.includes('field 2: bytes'));
  assert.equal(await page.locator('.hex [data-offset="4"]').getAttribute('data-role'), 'bytes');
  await page.locator('.draft summary').click();
  assert.match(await page.locator('.draft pre').textContent(), /optional bytes field_2 = 2;/);
  await page.screenshot({ path: path.join(SHOTS, 'pins-and-draft.png'), fullPage: true });
  await page.getByRole('button', { name: 'use as the schema' }).click();
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('read as Draft'));
  assert.equal(await page.locator('.hex [data-offset="4"]').getAttribute('data-role'), 'bytes');
  assert.equal(await page.locator('.diagnostics').count(), 0);
  await page.context().close();
});

test('the mutation lab damages a byte, the diagnostic names its offset, undo restores', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('.hex [data-offset="6"]').hover();
  await page.getByRole('button', { name: 'truncate here' }).click();
  assert.equal(await page.locator('textarea.bytes-editor').inputValue(), '08 2A 12 05 41 6C');
  const diagnostics = page.locator('.diagnostics');
  await diagnostics.waitFor();
  assert.match(await diagnostics.textContent(), /error at byte 3: length 5 runs past the end: only 2 bytes follow/);
  await page.screenshot({ path: path.join(SHOTS, 'mutation-lab.png'), fullPage: true });
  await page.getByRole('button', { name: 'undo: back to the good bytes' }).click();
  assert.equal(await page.locator('.diagnostics').count(), 0);
  assert.deepEqual(await cells(page, 2, 4), [['12', 'tag'], ['05', 'len']]);
  await page.context().close();
});

test('exports read back: each text export pasted into the decoder gives the same bytes', async () => {
  const { page } = await open();
  await page.locator('.export summary').click();
  assert.equal(await page.getByRole('textbox', { name: 'hex' }).inputValue(), await page.locator('.hex-line').textContent());
  const base64 = await page.getByRole('textbox', { name: 'base64' }).inputValue();
  const escaped = await page.getByRole('textbox', { name: 'C escapes' }).inputValue();
  const protoscope = await page.getByRole('textbox', { name: 'protoscope' }).inputValue();
  assert.match(protoscope, /^1: 42 {2}# id\n2: \{"Alice"\} {2}# name\n/);
  assert.match(await page.locator('.export a[download]').getAttribute('href'), /^blob:/);
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  const head = page.locator('.wire-pane .pane-head');
  for (const text of [base64, '"' + escaped + '"', protoscope]) {
    await page.locator('textarea.bytes-editor').fill('08 2A');
    await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('2 bytes'));
    await page.locator('textarea.bytes-editor').fill(text);
    await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('43 bytes'));
    assert.match(await head.textContent(), /43 bytes/);
    assert.deepEqual(await cells(page, 0, 2), [['08', 'tag'], ['2A', 'varint']]);
    assert.equal(await page.locator('.bytes-pane .error').count(), 0);
  }
  await page.context().close();
});

test('a 16 MiB file dropped is read as bytes, never written into the editor as hex, and can be cleared', async () => {
  const { page } = await open();
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('.bytes-pane input[type=checkbox]').uncheck();
  // The largest file the app reads: the reference user as field 1 of a batch, again and again.
  // Made in the page and dropped there (handing playwright 16 MiB to send takes seconds).
  await page.evaluate(() => {
    const user = [0x08, 0x2a, 0x12, 0x05, ...new TextEncoder().encode('Alice')];
    const record = [0x0a, user.length, ...user];
    const bytes = new Uint8Array(16 << 20);
    for (let at = 0; at < bytes.length; at += record.length) bytes.set(record.slice(0, bytes.length - at), at);
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'users.bin'));
    document.querySelector('.bytes-pane').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('16.0 MiB'));
  await readingDone(page);
  assert.match(await page.locator('.notice').textContent(), /read users\.bin: 16\.0 MiB/);
  const summary = page.getByRole('group', { name: 'bytes as hex, base64 or escapes' });
  assert.match(await summary.textContent(), /users\.bin: a binary file of 16\.0 MiB, read as it is/);
  assert.equal(await page.locator('textarea.bytes-editor').count(), 0, 'no 48 MB of hex in the page');
  assert.deepEqual(await cells(page, 0, 5), [['0A', 'tag'], ['09', 'len'], ['08', 'tag'], ['2A', 'varint'], ['12', 'tag']]);
  // Every record has its line, only those in view drawn: the tree's end is the last user, cut.
  assert.ok((await page.locator('.tree-line').count()) <= 40);
  await page.locator('.tree').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll('.tree-line')].at(-1)?.textContent.includes('invalid'));
  assert.ok((await page.locator('.tree-line').count()) <= 40);
  // Its last byte, at the end of the view.
  await page.locator('.hex').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.locator(`.hex [data-offset="${(16 << 20) - 1}"]`).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'large-file.png') });
  await summary.getByRole('button', { name: 'clear, to type or paste again' }).click();
  assert.equal(await page.locator('textarea.bytes-editor').inputValue(), '');
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('0 bytes'));
  await page.context().close();
});

test('the binary export, opened as a file, gives the same bytes', async () => {
  const { page } = await open();
  await page.locator('.export summary').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.export a[download]').click()]);
  const file = path.join(SHOTS, 'message.bin');
  await download.saveAs(file);
  await page.getByRole('tab', { name: 'bytes → message' }).click();
  await page.locator('textarea.bytes-editor').fill('08 2A');
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('2 bytes'));
  await page.locator('.bytes-pane input[type=file]').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('.wire-pane .pane-head').textContent.includes('43 bytes'));
  assert.match(await page.locator('.notice').textContent(), /read message\.bin: 43 bytes/);
  assert.deepEqual(await cells(page, 2, 4), [['12', 'tag'], ['05', 'len']]);
  await page.context().close();
});
