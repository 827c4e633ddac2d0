// End-to-end tests of Learn mode against the real wirelens-server (the gRPC lesson's calls need
// it). Same environment as playground.test.mjs: WIRELENS_URL, WIRELENS_NODE_MODULES,
// WIRELENS_SCREENSHOTS, CHROMIUM. Every lesson opens by its permalink; its live example must show
// the bytes its text promises (the hex below is the wire format, written out by hand here, in
// the test, and nowhere in the app), an edit must change them, and the exercise checker must
// accept the right answer and point at the first wrong byte of a wrong one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { URL, SHOTS, launch, openPage } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => { await browser?.close(); });

const LESSONS = [
  {
    slug: 'field-numbers', also: /display_name.*"Alice"/, hex: '08 2A 12 05 41 6C 69 63 65', says: [/9 bytes: 08 2A 12 05 41 6C 69 63 65/, /the same bytes, every one of them/],
    edit: '{"id": "300", "name": "Alice"}', edited: '08 AC 02 12 05 41 6C 69 63 65',
    right: '08 01 12 02 41 6c', wrong: '08 01 12 03 41 6C', wrongAt: 3,
  },
  {
    slug: 'tags', hex: '08 01 78 01 80 01 01 F8 7F 01 80 80 01 01',
    says: [/fields 1 to 15 fit a one-byte tag, 16 to 2047 take two bytes and 2048 upwards three/],
    edit: '{"a": 2}', edited: '08 02', right: '80 01 01', wrong: '78 01', wrongAt: 0,
  },
  {
    slug: 'varints', hex: '08 AC 02', says: [/44 \+ 2 × 128 = 300/, /128\s*80 01\s*2 bytes/],
    edit: '{"value": "1"}', edited: '08 01', editedSays: /value = 1 is 01, 1 byte/,
    right: '08 96 01', wrong: '08 96 02', wrongAt: 2,
  },
  {
    slug: 'signed', hex: '08 FF FF FF FF FF FF FF FF FF 01 10 01 1D FF FF FF FF',
    says: [/plain = -1 is FF FF FF FF FF FF FF FF FF 01, 10 bytes/],
    edit: '{"plain": 1}', edited: '08 01', right: '10 03', wrong: '10 04', wrongAt: 1,
  },
  {
    slug: 'length-delimited',
    hex: '08 07 12 03 42 6F 62 2A 23 0A 09 31 20 4D 61 69 6E 20 53 74 12 0B 53 70 72 69 6E 67 66 69 65 6C 64 1A 02 55 53 22 05 31 32 33 34 35',
    says: [/tag 2A, length 23, then 35 bytes/], edit: '{"name": "Al"}', edited: '12 02 41 6C',
    click: 22, miss: 0,
  },
  {
    slug: 'repeated',
    hex: '0A 04 01 02 AC 02 12 01 61 12 01 62 1A 05 0A 01 78 10 01 1A 05 0A 01 79 10 02 22 05 61 40 62 2E 63',
    says: [/numbers is 0A 04 01 02 AC 02, 6 bytes/], edit: '{"phone": "5"}', edited: '2A 01 35',
    right: '0A 03 01 02 03', wrong: '0A 03 01 02 04', wrongAt: 4,
  },
  {
    slug: 'presence', hex: '10 00', says: [/The example is 2 bytes: 10 00/], edit: '{"count": 1}', edited: '08 01',
    right: '10 00', wrong: '08 00', wrongAt: 0,
  },
  {
    slug: 'json', hexStart: '08 2A 12 05 41 6C 69 63 65', length: 43, says: [/is 95 bytes\. Its protobuf encoding is 43 bytes/],
    edit: '{"id": "43"}', edited: '08 2B', click: 42, miss: 0,
  },
  {
    slug: 'evolution', also: /field 3.*reserved/, hexStart: '08 2A 12 05 41 6C 69 63 65 1A 11', length: 28, says: [/keeps field 3 \(1A 11/],
    edit: '{"id": "1"}', edited: '08 01', click: 9, miss: 0,
  },
  {
    slug: 'grpc', hex: '08 2A', says: [/its frame is 7 bytes: 00 00 00 00 02 08 2A/, /UNAUTHENTICATED \(16\)/],
    edit: '{"userId": "300"}', edited: '08 AC 02', editedSays: /00 00 00 00 03 08 AC 02/,
    right: '00 00 00 00 02 08 2A', wrong: '00 00 00 00 03 08 2A', wrongAt: 4,
  },
];

/** A fresh page (no storage) on a URL fragment, once the lesson has rendered its bytes. */
async function open(fragment, { colorScheme = 'light', context } = {}) {
  const { page, errors } = await openPage(browser, `${URL}#${fragment}`, { colorScheme, context, consoleErrors: true });
  await page.locator('article.lesson').waitFor();
  return { page, errors };
}

/** The live example's bytes, read from its hex view's cells. */
async function liveHex(page) {
  return (await page.locator('.live-output > .wire-grid .hex .b').allTextContents()).map((t) => t.trim()).join(' ');
}

/** The lesson text as the learner reads it. */
async function lessonText(page) {
  return (await page.locator('.lesson-text').textContent()).replace(/\s+/g, ' ');
}

for (const l of LESSONS) {
  test(`lesson ${l.slug}: the promised bytes, a live edit, the exercise`, async () => {
    const { page, errors } = await open(`learn/${l.slug}`);
    assert.equal(await page.locator('article.lesson').getAttribute('data-slug'), l.slug);
    // The live example shows the bytes, and the text says what they are.
    const hex = await liveHex(page);
    if (l.hex) assert.equal(hex, l.hex);
    else {
      assert.ok(hex.startsWith(l.hexStart), hex);
      assert.equal(hex.split(' ').length, l.length);
    }
    assert.equal((await page.locator('.live-hex').textContent()).trim(), hex);
    const text = await lessonText(page);
    for (const promise of l.says) assert.match(text, promise);
    if (l.also) {
      // The same bytes read as the lesson's other type: identical, read differently.
      assert.equal((await page.locator('.also .hex .b').allTextContents()).map((t) => t.trim()).join(' '), hex);
      assert.match(await page.locator('.also .tree').textContent(), l.also);
    }
    if (l.slug === 'json') assert.match(await page.locator('.sizes-table').textContent(), /protobuf\s*43/);
    await page.screenshot({ path: path.join(SHOTS, `learn-${l.slug}.png`), fullPage: true });

    // An edit re-encodes, and the text follows the new bytes.
    await page.locator('#learn-message').fill(l.edit);
    await page.waitForFunction((want) => document.querySelector('.live-hex')?.textContent.includes(want), l.edited);
    assert.ok((await liveHex(page)).includes(l.edited));
    assert.ok(await page.locator('.live .hex .b.changed').count() > 0, 'the changed bytes flash');
    if (l.editedSays) assert.match(await lessonText(page), l.editedSays);
    // Bad JSON keeps the last bytes, marked stale.
    await page.locator('#learn-message').fill('{"oops": ');
    await page.locator('.live .badge').waitFor();
    assert.ok((await liveHex(page)).includes(l.edited));
    assert.match(await page.locator('.live .error').textContent(), /line 1/);

    const verdict = page.locator('.exercise .verdict');
    if (l.right) {
      // A wrong answer: the first wrong byte, named and explained.
      await page.locator('#learn-answer').fill(l.wrong);
      await page.locator('.check-answer').click();
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-offset'), String(l.wrongAt));
      assert.match(await verdict.textContent(), new RegExp(`byte ${l.wrongAt} should be`));
      assert.equal(await page.locator('.typed .tb.wrong').count(), 1);
      // The right one, in lower case and without spaces, is accepted with Enter.
      await page.locator('#learn-answer').fill(l.right.replace(/ /g, '').toLowerCase());
      await page.locator('#learn-answer').press('Enter');
    } else {
      await page.locator(`.find .hex [data-offset="${l.miss}"]`).click();
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-offset'), String(l.miss));
      assert.match(await verdict.textContent(), /is not in that field/);
      await page.locator(`.find .hex [data-offset="${l.click}"]`).click();
    }
    await page.locator('.exercise .verdict.correct').waitFor();
    assert.match(await page.locator(`.lessons li[data-slug="${l.slug}"]`).textContent(), /✓/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
}

test('progress survives a reload; lesson links move between lessons', async () => {
  const { page } = await open('learn/varints');
  await page.locator('#learn-answer').fill('08 96 01');
  await page.locator('.check-answer').click();
  await page.locator('.exercise .verdict.correct').waitFor();
  await page.reload();
  await page.locator('article.lesson').waitFor();
  assert.match(await page.locator('.lessons li[data-slug="varints"]').textContent(), /✓/);
  assert.match(await page.locator('.lessons .progress').textContent(), /1 of 10 done/);
  await page.locator('.lessons li[data-slug="signed"] a').click();
  await page.waitForFunction(() => location.hash === '#learn/signed');
  assert.equal(await page.locator('article.lesson').getAttribute('data-slug'), 'signed');
  // A lesson link followed in the open page (only the fragment changes) opens its lesson too.
  await page.evaluate(() => { location.hash = '#learn/tags'; });
  await page.waitForFunction(() => document.querySelector('article.lesson')?.dataset.slug === 'tags');
  // The playground's saved work is a different key: its permalink comes back on its own tab.
  await page.getByRole('tab', { name: 'message → bytes' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#v1.'));
  // (Learn mode stays in the page, hidden, once opened: look in the playground's pane.)
  assert.equal((await page.locator('.wire-pane .hex [data-offset="0"]').textContent()).trim(), '08');
  await page.context().close();
});

test('a malformed lesson link falls back to the first lesson with a notice', async () => {
  const { page, errors } = await open('learn/no-such-lesson');
  assert.match(await page.locator('.lesson .notice').textContent(), /there is no lesson 'no-such-lesson'/);
  assert.equal(await page.locator('article.lesson').getAttribute('data-slug'), 'field-numbers');
  assert.equal(await liveHex(page), '08 2A 12 05 41 6C 69 63 65');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('open in the playground: the lesson example in the message → bytes tab', async () => {
  const { page } = await open('learn/signed');
  await page.locator('#learn-message').fill('{"zigzag": -2}');
  await page.waitForFunction(() => document.querySelector('.live-hex')?.textContent.includes('10 03'));
  await page.locator('.open-playground').click();
  await page.locator('.wire-pane').waitFor();
  assert.equal(await page.getByRole('tab', { name: 'message → bytes' }).getAttribute('aria-selected'), 'true');
  // The lesson's files compile in the playground (from the build's set, or the compiler fetched
  // when they are not the lesson's as shipped) before the bytes show.
  await page.waitForFunction(() => document.querySelector('.wire-pane .hex-line')?.textContent.trim() === '10 03');
  assert.match(await page.locator('.wire-pane').textContent(), /read as learn\.signed\.Signed/);
  await page.context().close();
});

test('the gRPC lesson makes its calls in the gRPC tab', async () => {
  const { page } = await open('learn/grpc');
  await page.getByRole('button', { name: 'call without a token' }).click();
  const status = page.locator('.grpc-status[data-code]');
  await status.waitFor({ timeout: 15_000 });
  assert.equal((await status.locator('.code-name').textContent()).trim(), 'UNAUTHENTICATED');
  await page.getByRole('tab', { name: 'Learn' }).click();
  await page.waitForFunction(() => location.hash === '#learn/grpc');
  await page.getByRole('button', { name: 'call GetUser (unary)' }).click();
  await page.locator('.grpc-status[data-code="0"]').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('.frame.message .message-json').textContent(), /"name": "Alice"/);
  // The stream: five users, spaced out by the demo delay, each its own frame.
  await page.getByRole('tab', { name: 'Learn' }).click();
  await page.getByRole('button', { name: 'stream ListUsers' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.frame.message').length === 5
    && document.querySelectorAll('.frame.trailers').length === 1, null, { timeout: 15_000 });
  await page.screenshot({ path: path.join(SHOTS, 'learn-grpc-list-users.png'), fullPage: true });
  // gRPC against its REST twin, measured.
  await page.getByRole('tab', { name: 'Learn' }).click();
  await page.getByRole('button', { name: 'gRPC against REST' }).click();
  await page.locator('.grpc-compare .compare-state', { hasText: 'done' }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.compare-table tr[data-kind="REST"]').textContent(), /\d/);
  await page.context().close();
});

test('screenshots: a wrong answer explained, light and dark; a lesson in the dark theme', async () => {
  for (const [slug, colorScheme] of [['varints', 'light'], ['varints', 'dark'], ['json', 'dark']]) {
    const { page, errors } = await open(`learn/${slug}`, { colorScheme });
    await page.locator('#learn-answer, .find .hex').first().waitFor();
    if (slug === 'varints') {
      await page.locator('#learn-answer').fill('08 96 02');
      await page.locator('.check-answer').click();
      await page.locator('.exercise .verdict').waitFor();
    }
    await page.screenshot({ path: path.join(SHOTS, `learn-${slug}-${colorScheme}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await page.context().close();
  }
});
