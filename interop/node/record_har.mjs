// Records crates/wirelens-core/tests/data/chromium.har: Debian's Chromium, driven by playwright-core's
// `recordHar` (content embedded), calls the Node Connect server of server.mjs in grpc-web,
// grpc-web-text, Connect (proto and JSON, unary and streaming) with bodies written here by hand,
// so that core's HAR reader is tested on what a real browser and recorder write (bodies as text or
// base64, headers, sizes), natively, without a browser. Run it again only to refresh the file:
//
//   node interop/node/record_har.mjs E2E_NODE_MODULES URL OUT.har
//
// E2E_NODE_MODULES is where `cargo xtask setup` installed playwright-core (target/tools/e2e/node_modules),
// URL the server's (`node interop/node/server.mjs ...` prints it).
import { createRequire } from "node:module";
import path from "node:path";

const [modules, url, out] = process.argv.slice(2);
if (!modules || !url || !out) {
  console.error("usage: node record_har.mjs E2E_NODE_MODULES URL OUT.har");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "..", "index.js"));
const { chromium } = require("playwright-core");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"],
});
const context = await browser.newContext({ recordHar: { path: out, content: "embed" } });
const page = await context.newPage();
// A page on the server's origin (its document made up here: the server has none), so that the
// calls need no CORS preflight, which would be entries too.
await page.route(`${url}/`, (route) => route.fulfill({ contentType: "text/html", body: "<title>calls</title>" }));
await page.goto(`${url}/`);
const results = await page.evaluate(async (base) => {
  const utf8 = (s) => new TextEncoder().encode(s);
  const varint = (n) => {
    const out = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  // wirelens.interop.v1.SayRequest { text = 1; times = 2; }
  const sayRequest = (text, times) => {
    const t = utf8(text);
    return new Uint8Array([0x0a, ...varint(t.length), ...t, ...(times ? [0x10, ...varint(times)] : [])]);
  };
  const frame = (flags, payload) => {
    const out = new Uint8Array(5 + payload.length);
    out[0] = flags;
    new DataView(out.buffer).setUint32(1, payload.length);
    out.set(payload, 5);
    return out;
  };
  const base64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const grpcWeb = { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" };
  const grpcWebText = { "content-type": "application/grpc-web-text", "x-grpc-web": "1" };
  const connect = (type) => ({ "content-type": type, "connect-protocol-version": "1" });
  const calls = [
    ["EchoService/Say", grpcWeb, frame(0, sayRequest("hi"))],
    // a text of 150 bytes has the length varint 96 01: not UTF-8, so the recorder's text loses it.
    ["EchoService/Count", grpcWeb, frame(0, sayRequest("✓".repeat(50), 3))],
    ["EchoService/Count", grpcWebText, base64(frame(0, sayRequest("text", 2)))],
    ["EchoService/Fail", grpcWeb, frame(0, sayRequest("no"))],
    ["EchoService/Say", connect("application/proto"), sayRequest("proto", 3)],
    ["EchoService/Say", connect("application/json"), JSON.stringify({ text: "json" })],
    ["EchoService/Fail", connect("application/json"), JSON.stringify({ text: "nope" })],
    ["EchoService/Count", connect("application/connect+proto"), frame(0, sayRequest("stream", 2))],
    ["EchoService/CountThenFail", connect("application/connect+json"), frame(0, utf8(JSON.stringify({ text: "j", times: 1 })))],
  ];
  const results = [];
  for (const [method, headers, body] of calls) {
    const response = await fetch(`${base}/wirelens.interop.v1.${method}`, { method: "POST", headers, body });
    results.push(`${method} ${headers["content-type"]}: HTTP ${response.status}, ${(await response.arrayBuffer()).byteLength} bytes`);
  }
  return results;
}, url);
console.log(results.join("\n"));
await context.close();
await browser.close();
