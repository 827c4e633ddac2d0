// End-to-end tests of the gRPC tab as a general client, against a server this project did not
// write: the interop tests' EchoService (wirelens.interop.v1, not UserService) served by
// ConnectRPC for Node (@connectrpc/connect-node) in Connect and gRPC-web, with CORS, on another
// origin. `cargo xtask test` starts it and names it:
//   WIRELENS_ECHO_URL            the Node server
//   WIRELENS_ECHO_SET            echo.proto's FileDescriptorSet (protoc --include_imports)
//   WIRELENS_ECHO_EDITIONS_SET   an edition 2023 file's set (grpcio-tools' protoc)
// besides the environment of every e2e test (browser.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URL, SHOTS, launch, openPage } from './browser.mjs';

const ECHO = process.env.WIRELENS_ECHO_URL;
const ECHO_SET = process.env.WIRELENS_ECHO_SET;
const EDITIONS_SET = process.env.WIRELENS_ECHO_EDITIONS_SET;
const SERVICE = 'wirelens.interop.v1.EchoService';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** A fresh page whose playground schema is echo.proto's descriptor set, on the gRPC tab, aimed at the Node server. */
async function echoPanel(t, options) {
  if (!ECHO) {
    t.skip('WIRELENS_ECHO_URL is not set: run through cargo xtask test');
    return {};
  }
  const { page, errors } = await openPage(browser, URL, options);
  await echoSchema(page);
  return { page, errors };
}

/** Opens echo.proto's descriptor set as the playground's schema, and aims the gRPC tab at the Node server. */
async function echoSchema(page) {
  await page.locator('input[aria-label="open a descriptor set"]').setInputFiles(ECHO_SET);
  const set = page.locator('.descriptor-set');
  await set.waitFor();
  assert.match(await set.textContent(), /Descriptor set: echo\.binpb, 2 files, 1 service/);
  await page.getByRole('tab', { name: 'gRPC' }).click();
  await page.locator('input[aria-label="server address"]').fill(ECHO);
  await page.locator('input[aria-label="token"]').fill('');
}

/** Picks the method and protocol, writes the request, presses Call; returns the status's name once it ends. */
async function call(page, method, protocol, request) {
  await page.locator('select[aria-label="method"]').selectOption(`${SERVICE}/${method}`);
  await page.locator(`input[name="grpc-protocol"][value="${protocol}"]`).check();
  await page.locator('textarea[aria-label="request"]').fill(request);
  await page.locator('form button.call').click();
  const status = page.locator('.grpc-status[data-code]');
  await status.waitFor({ timeout: 15_000 });
  return (await status.locator('.code-name').textContent()).trim();
}

const messages = async (page) => (await page.locator('.frame.message .message-json').allTextContents()).map((j) => JSON.parse(j));

test('a descriptor set becomes the schema: its services are the methods offered', async (t) => {
  const { page, errors } = await echoPanel(t);
  if (!page) return;
  assert.match(await page.locator('.schema-line').textContent(), /the descriptor set echo\.binpb/);
  const options = await page.locator('select[aria-label="method"] optgroup[label="the playground\'s schema"] option').allTextContents();
  assert.deepEqual(options, [
    `${SERVICE}/Count (server streaming)`,
    `${SERVICE}/CountThenFail (server streaming)`,
    `${SERVICE}/Fail (unary)`,
    `${SERVICE}/Look (unary)`,
    `${SERVICE}/Say (unary)`,
  ]);
  // The reference service stays callable, built in.
  assert.ok((await page.locator('optgroup[label^="built in"] option').allTextContents()).some((o) => o.includes('GetUser')));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('Say over grpc-web, Connect and Connect JSON: the same answer, each body annotated', async (t) => {
  const { page, errors } = await echoPanel(t);
  if (!page) return;
  for (const protocol of ['grpc-web', 'connect', 'connect-json']) {
    assert.equal(await call(page, 'Say', protocol, '{"text":"hi"}'), 'OK', protocol);
    const [reply] = await messages(page);
    assert.equal(reply.text, 'HI', protocol);
    assert.deepEqual(reply.tags, ['echo', 'hi'], protocol);
    assert.equal(reply.at, '2024-01-02T03:04:05Z', protocol);
    // field 1 = "HI": tag 0A, length 02 — the first byte of every message is the tag of field 1.
    assert.equal(await page.locator('.frame.message .hex [data-offset="0"]').first().getAttribute('data-role'), 'tag', protocol);
    assert.match(await page.locator('div.trailers').textContent(), /x-echo-length\s*2/, protocol);
    assert.match(await page.locator(".grpc-result .pane-head").textContent(), new RegExp(`over ${protocol} in \\d+ ms$`));
  }
  // Connect JSON shows the JSON as it came, and the protobuf bytes the schema makes of it.
  assert.match(await page.locator('.message-wire-json').textContent(), /"text":\s*"HI"/);
  await page.screenshot({ path: path.join(SHOTS, 'grpc-connect-json.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a method without side effects goes as a Connect GET when asked', async (t) => {
  const { page, errors } = await echoPanel(t);
  if (!page) return;
  await page.locator('select[aria-label="method"]').selectOption(`${SERVICE}/Look`);
  await page.locator('input[name="grpc-protocol"][value="connect"]').check();
  await page.locator('label.connect-get input').check();
  assert.equal(await call(page, 'Look', 'connect', '{"text":"peek"}'), 'OK');
  await page.locator('details.headers summary').click();
  assert.match(await page.locator('details.headers').textContent(), /x-echo-method\s*GET/);
  await page.locator('details.commands summary').click();
  assert.match(await page.locator('.command[data-tool^="wirelens"] pre').textContent(), / --get /);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a server stream over Connect: each envelope, then the end-of-stream message and its trailers', async (t) => {
  const { page, errors } = await echoPanel(t);
  if (!page) return;
  assert.equal(await call(page, 'Count', 'connect', '{"text":"n","times":3}'), 'OK');
  assert.deepEqual((await messages(page)).map((m) => m.text), ['n 1', 'n 2', 'n 3']);
  const end = page.locator('.frame.trailers');
  assert.equal((await end.locator('[data-role="flags"]').textContent()).trim(), '02');
  assert.match(await end.locator('.trailer-text').textContent(), /"x-count":\s*\["3"\]/);
  assert.equal(await page.locator('.timeline tbody tr').count(), 4);
  assert.match(await page.locator('.grpc-status').textContent(), /status from the end-of-stream message/);
  // The same over grpc-web: the end is a trailer frame.
  assert.equal(await call(page, 'Count', 'grpc-web', '{"text":"n","times":2}'), 'OK');
  assert.equal(await page.locator('.frame.message').count(), 2);
  assert.equal((await page.locator('.frame.trailers [data-role="flags"]').textContent()).trim(), '80');
  await page.screenshot({ path: path.join(SHOTS, 'grpc-general-stream.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a failing method: its status, message and error detail, in every protocol', async (t) => {
  const { page, errors } = await echoPanel(t);
  if (!page) return;
  for (const protocol of ['grpc-web', 'connect', 'connect-json']) {
    assert.equal(await call(page, 'Fail', protocol, '{"text":"no"}'), 'FAILED_PRECONDITION', protocol);
    assert.match(await page.locator('.grpc-status .grpc-message').textContent(), /echo refuses 'no'/, protocol);
    assert.match(await page.locator('.status-details').textContent(), /google\.rpc\.ErrorInfo/, protocol);
  }
  // Connect's unary error is a JSON body, shown as it came.
  assert.match(await page.locator('.error-body pre').textContent(), /"code":\s*"failed_precondition"/);
  // A stream that fails after two messages keeps them.
  assert.equal(await call(page, 'CountThenFail', 'connect', '{"text":"x","times":2}'), 'FAILED_PRECONDITION');
  assert.equal(await page.locator('.frame.message').count(), 2);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('grpc-web-text, which the Node server does not speak, fails with a status that says so', async (t) => {
  const { page, errors } = await echoPanel(t);
  if (!page) return;
  const status = await call(page, 'Say', 'grpc-web-text', '{"text":"hi"}');
  assert.notEqual(status, 'OK');
  assert.match(await page.locator('.grpc-status').textContent(), /HTTP/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the call as command lines: wirelens call, grpcurl, buf curl', async (t) => {
  const { page } = await echoPanel(t);
  if (!page) return;
  assert.equal(await call(page, 'Say', 'connect', '{"text":"hi"}'), 'OK');
  await page.locator('details.commands summary').click();
  const line = (tool) => page.locator(`.command[data-tool^="${tool}"] pre`).textContent();
  assert.equal(await line('wirelens'),
    `wirelens call --descriptor-set echo.binpb --protocol connect --addr ${ECHO} --deadline 5000ms ${SERVICE}/Say --json '{"text":"hi"}'`);
  assert.match(await line('grpcurl'), /^grpcurl -plaintext -protoset echo\.binpb/);
  assert.match(await line('buf curl'), /^buf curl --protocol connect/);
  await page.context().close();
});

test('load the schema from the server by reflection: wirelens-server\'s own', async () => {
  const { page, errors } = await openPage(browser, URL);
  await page.getByRole('tab', { name: 'gRPC' }).click();
  await page.locator('button.load-from-server').click();
  const line = page.locator('.reflection.ok');
  await line.waitFor({ timeout: 15_000 });
  assert.match(await line.textContent(), /1 service: userservice\.UserService/);
  const options = await page.locator('select[aria-label="method"] optgroup[label="the playground\'s schema"] option').allTextContents();
  assert.ok(options.includes('userservice.UserService/GetUser (unary)'), options.join('\n'));
  assert.ok(options.includes('userservice.UserService/Chat (bidirectional streaming: CLI only)'), options.join('\n'));
  await page.getByRole('tab', { name: 'message → bytes' }).click();
  assert.match(await page.locator('.descriptor-set').textContent(), /From the server: reflection of http/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a server without reflection: the failure says so, and the schema stays', async (t) => {
  if (!ECHO) return t.skip('WIRELENS_ECHO_URL is not set');
  const { page, errors } = await openPage(browser, URL);
  await page.getByRole('tab', { name: 'gRPC' }).click();
  await page.locator('input[aria-label="server address"]').fill(ECHO);
  await page.locator('button.load-from-server').click();
  const failed = page.locator('.reflection.error');
  await failed.waitFor({ timeout: 15_000 });
  assert.match(await failed.textContent(), /offers no server reflection/);
  assert.equal(await page.locator('.descriptor-set').count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('an editions descriptor set is refused by name; the schema in use stays', async (t) => {
  if (!EDITIONS_SET) return t.skip('WIRELENS_ECHO_EDITIONS_SET is not set');
  const { page, errors } = await openPage(browser, URL);
  await page.locator('input[aria-label="open a descriptor set"]').setInputFiles(EDITIONS_SET);
  const notice = page.locator('.top-notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), /cannot use editions\.binpb as the schema: .*edition 2023/);
  assert.equal(await page.locator('.descriptor-set').count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a HAR recorded by Chromium while the page calls the Node server: every call listed, decoded the same', async (t) => {
  if (!ECHO) return t.skip('WIRELENS_ECHO_URL is not set');
  const har = path.join(mkdtempSync(path.join(os.tmpdir(), 'wirelens-har-')), 'calls.har');
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 }, recordHar: { path: har, content: 'embed' } });
  const { page } = await openPage(browser, URL, { context });
  await echoSchema(page);
  const calls = [
    ['Say', 'grpc-web', '{"text":"hi"}'],
    ['Count', 'grpc-web', '{"text":"n","times":2}'],
    ['Say', 'connect', '{"text":"hi"}'],
    ['Count', 'connect', '{"text":"n","times":3}'],
    ['Say', 'connect-json', '{"text":"json"}'],
    ['Fail', 'connect-json', '{"text":"no"}'],
  ];
  const live = [];
  for (const [method, protocol, request] of calls) {
    const status = await call(page, method, protocol, request);
    live.push({ method, status, messages: await messages(page) });
  }
  await context.close(); // writes the HAR

  const { page: viewer, errors } = await openPage(browser, URL);
  await echoSchema(viewer);
  await viewer.locator('input[aria-label="open a HAR file"]').setInputFiles(har);
  const rows = viewer.locator('table.har-calls tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), calls.length, 'one row per call; the page, its files and CORS preflights are other entries');
  assert.match(await viewer.locator('.har-summary').textContent(), /6 calls, \d+ other entries, recorded by Playwright/);
  for (let i = 0; i < calls.length; i++) {
    const row = rows.nth(i);
    assert.match(await row.textContent(), new RegExp(`EchoService/${calls[i][0]}${calls[i][1]}${live[i].status}`));
    assert.equal(await row.locator('td[title]').getAttribute('title'), `${SERVICE}/${calls[i][0]}`);
    await row.locator('button.show-recorded').click();
    await viewer.locator('.recorded-note', { hasText: `entry ` }).waitFor();
    const status = (await viewer.locator('.grpc-status[data-code] .code-name').textContent()).trim();
    assert.equal(status, live[i].status, `${calls[i]}`);
    assert.deepEqual(await messages(viewer), live[i].messages, `${calls[i]}`);
  }
  await rows.nth(3).locator('button.show-recorded').click();
  await viewer.screenshot({ path: path.join(SHOTS, 'grpc-har.png'), fullPage: true });
  // Sent again from the file: the Connect call's body was kept exactly, so it goes as recorded.
  await rows.nth(2).locator('button.send-again').click();
  await viewer.locator('.grpc-status[data-code]').waitFor();
  await viewer.locator('.recorded-note').waitFor({ state: 'detached' });
  assert.equal((await viewer.locator('.grpc-status .code-name').textContent()).trim(), 'OK');
  assert.equal((await messages(viewer))[0].text, 'HI');
  assert.deepEqual(errors, []);
  await viewer.context().close();
});

test('a file that is not a HAR says where it broke', async (t) => {
  const { page, errors } = await openPage(browser, URL);
  await page.getByRole('tab', { name: 'gRPC' }).click();
  await page.locator('input[aria-label="open a HAR file"]').setInputFiles({
    name: 'broken.har', mimeType: 'application/json', buffer: Buffer.from('{"log": {"entries": [\n  {"request": }') });
  const error = page.locator('.grpc-har .error');
  await error.waitFor();
  assert.match(await error.textContent(), /broken\.har: .*line 2/);
  assert.deepEqual(errors, []);
  await page.context().close();
});
