// A server this project did not write: ConnectRPC for Node (@connectrpc/connect-node, from npm)
// serving a service of the interop tests' own, wirelens.interop.v1.EchoService (and the
// editions file's NoteService), in the Connect protocol and gRPC-web, over HTTP/1.1, with CORS.
// `cargo xtask interop` starts it and calls it with `wirelens call` in every protocol.
//
// Usage: node server.mjs NODE_MODULES DESCRIPTORS...   (FileDescriptorSets, protoc --include_imports)
// Prints `listening http://127.0.0.1:PORT` once it listens on a free port; runs until killed.
//
// No generated code: the services come from the descriptor sets, read into @bufbuild/protobuf's
// registry at run time.

import { readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

const [modules, ...descriptorSets] = process.argv.slice(2);
if (!modules || descriptorSets.length === 0) {
  console.error("usage: node server.mjs NODE_MODULES DESCRIPTORS...");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "..", "index.js"));
const { createFileRegistry, fromBinary } = require("@bufbuild/protobuf");
const { FileDescriptorSetSchema, timestampFromMs } = require("@bufbuild/protobuf/wkt");
const { BinaryWriter, WireType } = require("@bufbuild/protobuf/wire");
const { Code, ConnectError } = require("@connectrpc/connect");
const { connectNodeAdapter } = require("@connectrpc/connect-node");

const registries = descriptorSets.map((file) => createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(file))));
const find = (name) => registries.map((r) => r.getService(name)).find(Boolean);
const EchoService = find("wirelens.interop.v1.EchoService");
const NoteService = find("wirelens.interop.v1.NoteService");
if (!EchoService) {
  console.error("no wirelens.interop.v1.EchoService in the descriptor sets");
  process.exit(2);
}

// A fixed time, so the answers are the same on every run.
const AT = timestampFromMs(Date.UTC(2024, 0, 2, 3, 4, 5));
const MAX_TIMES = 100;

/// google.rpc.ErrorInfo, encoded by hand: reason (1), domain (2), metadata (3) entries.
function errorInfo(reason, domain, metadata) {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).string(reason);
  writer.tag(2, WireType.LengthDelimited).string(domain);
  for (const [key, value] of Object.entries(metadata)) {
    writer.tag(3, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).string(value);
    writer.join();
  }
  return writer.finish();
}

function refused(text) {
  return new ConnectError(`echo refuses '${text}'`, Code.FailedPrecondition, undefined, [
    { type: "google.rpc.ErrorInfo", value: errorInfo("ECHO_REFUSED", "wirelens.interop", { text }) },
  ]);
}

function times(req) {
  if (req.times < 0 || req.times > MAX_TIMES) {
    throw new ConnectError(`times must be 0 to ${MAX_TIMES}, got ${req.times}`, Code.InvalidArgument);
  }
  return req.times;
}

const routes = (router) => {
  router.service(EchoService, {
    say(req, context) {
      context.responseHeader.set("x-echo-server", "connect-node");
      context.responseTrailer.set("x-echo-length", String(req.text.length));
      return { text: req.text.toUpperCase(), index: 0, tags: ["echo", req.text], at: AT };
    },
    async *count(req, context) {
      const n = times(req);
      context.responseHeader.set("x-echo-server", "connect-node");
      for (let i = 0; i < n; i++) {
        yield { text: `${req.text} ${i + 1}`, index: i + 1 };
      }
      context.responseTrailer.set("x-count", String(n));
    },
    look(req, context) {
      context.responseHeader.set("x-echo-method", context.requestMethod);
      return { text: req.text.toUpperCase(), index: 0, tags: ["look", req.text], at: AT };
    },
    fail(req) {
      throw refused(req.text);
    },
    async *countThenFail(req) {
      const n = times(req);
      for (let i = 0; i < n; i++) {
        yield { text: `${req.text} ${i + 1}`, index: i + 1 };
      }
      throw refused(req.text);
    },
  });
  if (NoteService) {
    router.service(NoteService, {
      echo(note) {
        return { text: note.text, count: note.count + 1, marks: [...note.marks].reverse() };
      },
    });
  }
};

const handler = connectNodeAdapter({ routes });
// A unary Connect answer carries its trailers as `trailer-` headers: a page reads them only when exposed too.
const exposed = [
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "grpc-encoding",
  "x-echo-server",
  "x-count",
  "x-echo-length",
  "x-echo-method",
  "trailer-x-echo-length",
];
const server = http.createServer((req, res) => {
  // CORS, so a browser on another origin can call it and read the status.
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-expose-headers", exposed.join(", "));
  if (req.method === "OPTIONS") {
    res.setHeader("access-control-allow-methods", "POST, GET");
    res.setHeader("access-control-allow-headers", req.headers["access-control-request-headers"] ?? "*");
    res.setHeader("access-control-max-age", "600");
    res.writeHead(204);
    res.end();
    return;
  }
  handler(req, res);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
