// End-to-end tests of the gRPC panel against the real wirelens-server (which `cargo xtask test`
// starts, in memory, serving dist/ too). Same environment as playground.test.mjs:
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

/** A fresh page on the app's gRPC tab. */
async function openPanel() {
  const { page, errors } = await openPage(browser, URL);
  await page.getByRole('tab', { name: 'gRPC' }).click();
  await page.locator('form button.call').waitFor();
  return { page, errors };
}

/** What tonic's generated client (over tonic-web-wasm-client) made of the call, once it ends. */
async function typed(page) {
  const view = page.locator('.typed-client[data-code]');
  await view.waitFor({ timeout: 15_000 });
  return { code: await view.getAttribute('data-code'), summary: (await view.locator('summary').textContent()).trim() };
}

/** Fills the form (only the fields given), presses Call, waits for the status; returns its name. */
async function call(page, { method, request, token, deadline, demo, text } = {}) {
  if (method) await page.locator('select[aria-label="method"]').selectOption(`userservice.UserService/${method}`);
  if (request !== undefined) await page.locator('textarea[aria-label="request"]').fill(request);
  if (token !== undefined) await page.locator('input[aria-label="token"]').fill(token);
  if (deadline !== undefined) await page.locator('input[aria-label="deadline in ms"]').fill(deadline);
  if (demo !== undefined) await page.locator('input[aria-label="demo delay in ms"]').fill(demo);
  if (text) await page.getByLabel('grpc-web-text', { exact: true }).check();
  await page.locator('form button.call').click();
  const status = page.locator('.grpc-status[data-code]');
  await status.waitFor({ timeout: 15_000 });
  return (await status.locator('.code-name').textContent()).trim();
}

test('the tabs open in any order and each keeps working', async () => {
  for (const order of [['benchmark', 'gRPC', 'Learn'], ['Learn', 'gRPC', 'benchmark']]) {
    const { page, errors } = await openPage(browser, URL);
    for (const tab of order) await page.getByRole('tab', { name: tab }).click();
    // Each tab mounted into its own root (hidden but for the tab shown), and each still
    // answers clicks.
    await page.locator('#bench-root button').first().waitFor({ state: 'attached' });
    await page.locator('#learn-root article.lesson').waitFor({ state: 'attached' });
    await page.getByRole('tab', { name: 'gRPC' }).click();
    assert.equal(await call(page), 'OK', `order ${order}`);
    assert.deepEqual(errors, [], `order ${order}`);
    await page.context().close();
  }
});

test('GetUser 42: OK, Alice, and the trailer frame annotated', async () => {
  const { page, errors } = await openPanel();
  assert.equal(await call(page), 'OK');
  const message = page.locator('.frame.message');
  assert.equal(await message.count(), 1);
  assert.match(await message.locator('.message-json').textContent(), /"name": "Alice"/);
  // The message's bytes are annotated like any other: GetUserResponse.user (0A), then User's 08 2A.
  assert.equal(await message.locator('.hex [data-offset="0"]').getAttribute('data-role'), 'tag');
  const trailer = page.locator('.frame.trailers');
  assert.equal((await trailer.locator('[data-role="flags"]').textContent()).trim(), '80');
  assert.match(await trailer.locator('.trailer-text').textContent(), /grpc-status: ?0/);
  assert.match(await page.locator('.grpc-status').textContent(), /OK \(0\)/);
  // The same call through the generated client: OK, one GetUserResponse holding Alice.
  const client = await typed(page);
  assert.equal(client.code, '0');
  assert.match(client.summary, /OK \(0\), 1 response · agrees with the frames/);
  await page.locator('.typed-client summary').click();
  assert.match(await page.locator('.typed-response').textContent(), /GetUserResponse \{[\s\S]*name: "Alice"/);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'grpc-get-user.png'), fullPage: true });
  await page.context().close();
});

test('a compressed answer (asked for with grpc-accept-encoding) is shown inflated', async () => {
  const { page, errors } = await openPanel();
  await page.locator('textarea[aria-label="metadata"]').fill('grpc-accept-encoding: gzip');
  assert.equal(await call(page), 'OK');
  const message = page.locator('.frame.message');
  assert.equal((await message.locator('[data-role="flags"]').textContent()).trim(), '01');
  assert.match(await message.locator('.frame-head').textContent(), /compressed\), \d+ bytes on the wire, \d+ inflated with gzip/);
  assert.match(await message.locator('.message-json').textContent(), /"name": "Alice"/);
  assert.equal(await message.locator('.hex [data-offset="0"]').getAttribute('data-role'), 'tag');
  // tonic's generated client, built without tonic's gzip feature and not told to accept it, refuses
  // what the server compressed for it (the metadata row asked for both calls): the panel says the
  // two readings differ, and why.
  assert.match((await typed(page)).summary,
    /UNIMPLEMENTED \(12\) "Content is compressed with `gzip` which isn't supported", 0 responses · differs: the client says UNIMPLEMENTED, the frames OK/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('GetUser over grpc-web-text reads the base64 body the same', async () => {
  const { page } = await openPanel();
  assert.equal(await call(page, { text: true }), 'OK');
  assert.match(await page.locator('.frame.message .message-json').textContent(), /"name": "Alice"/);
  // The base64 layer: the message frame and the trailer frame, each base64'd on its own.
  const pieces = page.locator('table[aria-label="base64 pieces"] tbody tr');
  assert.equal(await pieces.count(), 2);
  assert.match(await pieces.first().locator('.base64-text').textContent(), /^AAAAAC0K[A-Za-z0-9+/]*=*$/);
  assert.match(await page.locator('.base64-layer summary').textContent(), /became 70 bytes, in 2 pieces/);
  await page.screenshot({ path: path.join(SHOTS, 'grpc-text.png'), fullPage: true });
  // tonic-web-wasm-client sends binary grpc-web only: the text call is fetch's alone, and says so.
  assert.match(await page.locator('.typed-client').textContent(), /binary grpc-web only/);
  await page.context().close();
});

test('an unknown id is NOT_FOUND, with the server message; the request text stays', async () => {
  const { page } = await openPanel();
  assert.equal(await call(page, { request: '{"userId":"999999"}' }), 'NOT_FOUND');
  assert.match(await page.locator('.grpc-status').textContent(), /HTTP equivalent 404/);
  assert.equal(await page.locator('textarea[aria-label="request"]').inputValue(), '{"userId":"999999"}');
  const client = await typed(page);
  assert.equal(client.code, '5');
  assert.match(client.summary, /NOT_FOUND \(5\) "no user with id 999999", 0 responses, 1 error detail · agrees/);
  // The server's google.rpc.ErrorInfo, decoded from grpc-status-details-bin.
  await page.locator('.typed-client summary').click();
  assert.match(await page.locator('.error-detail').textContent(), /ErrorInfo[\s\S]*USER_NOT_FOUND[\s\S]*"user_id": "999999"/);
  await page.screenshot({ path: path.join(SHOTS, 'grpc-not-found.png'), fullPage: true });
  await page.context().close();
});

test('no token is UNAUTHENTICATED', async () => {
  const { page } = await openPanel();
  assert.equal(await call(page, { token: '' }), 'UNAUTHENTICATED');
  await page.context().close();
});

test('a short deadline on slow work is DEADLINE_EXCEEDED', async () => {
  const { page } = await openPanel();
  assert.equal(await call(page, { deadline: '200', demo: '3000' }), 'DEADLINE_EXCEEDED');
  await page.screenshot({ path: path.join(SHOTS, 'grpc-deadline.png'), fullPage: true });
  await page.context().close();
});

test('a server that is not there is UNAVAILABLE, with the reason', async () => {
  const { page } = await openPanel();
  await page.locator('input[aria-label="server address"]').fill('http://127.0.0.1:9');
  assert.equal(await call(page), 'UNAVAILABLE');
  const message = await page.locator('.grpc-status .grpc-message').textContent();
  // fetch cannot tell a server that is down from one that refuses by CORS: the advice says both.
  assert.match(message, /Failed to fetch: the browser got no answer it may read from http:\/\/127\.0\.0\.1:9/);
  assert.match(message, /not running, or it does not allow this page by CORS/);
  assert.match(message, /access-control-allow-headers: accept, authorization, content-type, grpc-timeout, x-grpc-web/);
  // tonic names a failed fetch its own way (UNKNOWN): shown, not called a disagreement.
  assert.match((await typed(page)).summary, /Failed to fetch.*no server status to compare with/);
  await page.context().close();
});

test('a server on another origin answers through CORS, to both clients', async (t) => {
  // The page from localhost, the server named by 127.0.0.1: two origins, one server.
  const server = new globalThis.URL(URL);
  if (server.hostname !== '127.0.0.1') {
    t.skip(`needs the server at 127.0.0.1, not ${server.hostname}`);
    return;
  }
  const { page, errors } = await openPage(browser, URL.replace('127.0.0.1', 'localhost'));
  await page.getByRole('tab', { name: 'gRPC' }).click();
  await page.locator('input[aria-label="server address"]').fill(server.origin);
  assert.equal(await call(page), 'OK');
  assert.match(await page.locator('.frame.message .message-json').textContent(), /"name": "Alice"/);
  // The trailers and the next page header are readable across origins only if the server exposes them.
  assert.match((await typed(page)).summary, /OK \(0\), 1 response · agrees with the frames/);
  assert.equal(await call(page, { request: '{"userId":"999999"}' }), 'NOT_FOUND');
  assert.match(await page.locator('.grpc-status .grpc-message').textContent(), /no user with id 999999/);
  // The error details too: grpc-status-details-bin is one of the headers the server exposes.
  assert.match((await typed(page)).summary, /NOT_FOUND \(5\).*1 error detail · agrees/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('bad request JSON is refused before sending, the text kept', async () => {
  const { page } = await openPanel();
  await page.locator('textarea[aria-label="request"]').fill('{"userId":');
  await page.locator('form button.call').click();
  assert.match(await page.locator('.grpc-form .error').textContent(), /request:/);
  await page.context().close();
});

test('ListUsers streams several messages, each annotated, then the trailers', async () => {
  const { page, errors } = await openPanel();
  assert.equal(await call(page, { method: 'ListUsers', demo: '50' }), 'OK');
  assert.equal(await page.locator('.frame.message').count(), 5);
  assert.equal(await page.locator('.frame.trailers').count(), 1);
  assert.match(await page.locator('.frame.message .message-json').first().textContent(), /"id": "1"/);
  assert.match(await page.locator('.grpc-result details.headers').textContent(), /x-wirelens-next-page-token/);
  assert.match((await typed(page)).summary, /OK \(0\), 5 responses · agrees with the frames/);
  // The timeline: one row per frame; with a 50 ms delay per message the messages are spread out.
  const rows = page.locator('.timeline tbody tr');
  assert.equal(await rows.count(), 6);
  const at = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.children[1].textContent)));
  assert.ok(at[4] - at[0] >= 150, `messages arrived over time: ${at}`);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'grpc-list-users.png'), fullPage: true });
  await page.context().close();
});

test('Cancel stops a stream: CANCELLED, and no more messages arrive', async () => {
  const { page, errors } = await openPanel();
  await page.locator('select[aria-label="method"]').selectOption('userservice.UserService/ListUsers');
  await page.locator('input[aria-label="demo delay in ms"]').fill('400');
  await page.locator('form button.call').click();
  await page.locator('.frame.message').first().waitFor({ timeout: 10_000 });
  await page.locator('form button.cancel-call').click();
  const status = page.locator('.grpc-status[data-code]');
  assert.equal(await status.getAttribute('data-code'), '1');
  assert.match(await status.textContent(), /CANCELLED[\s\S]*cancelled by the user/);
  const received = await page.locator('.frame.message').count();
  assert.ok(received < 5, `the stream was cut short: ${received} of 5 messages`);
  // Both requests were stopped: nothing more arrives after the server's next two gaps.
  await page.waitForTimeout(1000);
  assert.equal(await page.locator('.frame.message').count(), received);
  assert.equal(await page.locator('form button.cancel-call').count(), 0);
  // The typed call was dropped with it: no status of its own, nothing to disagree about.
  assert.match(await page.locator('.typed-client[data-cancelled]').textContent(), /cancelled with the call/);
  assert.equal(await page.locator('.differs').count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('gRPC against REST: N calls each, median and p95, and Cancel stops a long run', async () => {
  const { page, errors } = await openPanel();
  await page.locator('input[aria-label="calls of each kind"]').fill('5');
  await page.locator('.grpc-compare button.compare').click();
  await page.locator('.grpc-compare .compare-state', { hasText: 'done' }).waitFor({ timeout: 20_000 });
  for (const kind of ['grpc-web', 'REST']) {
    const row = page.locator(`.compare-table tr[data-kind="${kind}"]`);
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[0], '5 / 5', `${kind}: ${cells}`);
    assert.equal(cells[1], '0', `${kind}: ${cells}`);
    assert.ok(Number(cells[2]) > 0 && Number(cells[3]) >= Number(cells[2]), `${kind}: ${cells}`);
  }
  await page.screenshot({ path: path.join(SHOTS, 'grpc-compare.png'), fullPage: true });
  await page.locator('input[aria-label="calls of each kind"]').fill('1000');
  await page.locator('.grpc-compare button.compare').click();
  await page.locator('.grpc-compare button.cancel').click();
  await page.locator('.grpc-compare .compare-state', { hasText: 'cancelled' }).waitFor();
  const count = async () => (await page.locator('.compare-table tr[data-kind="REST"] td').first().textContent());
  const before = await count();
  await page.waitForTimeout(300);
  assert.equal(await count(), before, 'no samples after Cancel');
  assert.match(before, /\/ 1000$/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('ListUsers: Next page calls again with the page token the server returned', async () => {
  const { page, errors } = await openPanel();
  assert.equal(await call(page, { method: 'ListUsers', request: '{"pageSize":3}' }), 'OK');
  const ids = async () => (await page.locator('.frame.message .message-json').allTextContents())
    .map((json) => JSON.parse(json).id);
  assert.deepEqual(await ids(), ['1', '2', '3']);
  const next = page.locator('button.next-page');
  assert.match(await page.locator('p.next-page').textContent(), /"pageToken": "3"/);
  await next.click();
  await page.locator('.grpc-status[data-code]').waitFor();
  await page.locator('.frame.message .message-json').first().filter({ hasText: '"id": "4"' }).waitFor();
  assert.deepEqual(await ids(), ['4', '5', '6']);
  assert.equal(await page.locator('textarea[aria-label="request"]').inputValue(), '{"pageSize":3,"pageToken":"3"}');
  await page.screenshot({ path: path.join(SHOTS, 'grpc-next-page.png'), fullPage: true });
  // The last page: 60 users, so the page from 57 names no next token and has no button.
  await page.locator('textarea[aria-label="request"]').fill('{"pageSize":3,"pageToken":"57"}');
  await page.locator('form button.call').click();
  await page.locator('.frame.message .message-json').first().filter({ hasText: '"id": "58"' }).waitFor();
  await page.locator('.grpc-status[data-code]').waitFor();
  assert.equal(await next.count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a grpc-web-text answer to a binary call is read by the capture and refused by the typed client', async () => {
  const { page, errors } = await openPanel();
  // GetUserResponse {} and an OK trailer, base64'd: what a server would send had it been asked for text.
  const frames = Buffer.from([0x00, 0, 0, 0, 0, 0x80, 0, 0, 0, 14, ...Buffer.from('grpc-status: 0')]);
  await page.route('**/userservice.UserService/GetUser', (route) => route.fulfill({
    status: 200, headers: { 'content-type': 'application/grpc-web-text' }, body: frames.toString('base64') }));
  assert.equal(await call(page), 'OK');
  const client = await typed(page);
  assert.equal(client.code, '13');
  assert.match(client.summary, /INTERNAL \(13\) "the server answered grpc-web-text to a binary request/);
  assert.deepEqual(errors, []);
  assert.equal(await page.locator('.panic-banner').count(), 0);
  await page.context().close();
});

test('a garbled response body is drawn byte by byte with the invalid span at its offset', async () => {
  const { page, errors } = await openPanel();
  // One good frame (GetUserResponse {}), then a frame header with flag bits grpc-web does not have.
  const body = Buffer.from([0x00, 0, 0, 0, 2, 0x0a, 0x00, 0x42, 0, 0, 0, 1, 0x09]);
  await page.route('**/userservice.UserService/GetUser', (route) =>
    route.fulfill({ status: 200, headers: { 'content-type': 'application/grpc-web+proto' }, body }));
  assert.equal(await call(page), 'INTERNAL');
  assert.match(await page.locator('.grpc-status .grpc-message').textContent(),
    /the body is malformed: frame at byte 7 has unknown flag bits 0x42/);
  const garbled = page.locator('.garbled');
  assert.equal(await garbled.locator('.b').count(), body.length, 'every byte drawn');
  assert.equal(await garbled.locator('.b[data-offset="0"]').getAttribute('data-role'), 'tag');
  assert.equal(await garbled.locator('.b[data-offset="5"]').getAttribute('data-role'), 'bytes');
  const invalid = garbled.locator('.b.invalid');
  assert.equal(await invalid.count(), 6);
  assert.equal(await invalid.first().getAttribute('data-offset'), '7');
  assert.match(await garbled.locator('p.error').textContent(), /Invalid from byte 7 to 13: frame at byte 7/);
  assert.equal(await page.locator('.frame.message').count(), 1, 'the good frame is still shown');
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'grpc-garbled.png'), fullPage: true });
  await page.context().close();
});
