// An independent grpc-web client: Connect for Node (@connectrpc/connect-node's gRPC-web
// transport, from npm) against wirelens-server, over HTTP/1.1 and HTTP/2.
//
// Usage: node client.mjs BASE_URL TOKEN DESCRIPTORS NODE_MODULES   (BASE_URL like http://127.0.0.1:8080;
// NODE_MODULES is where the packages are installed)
//
// No generated code: DESCRIPTORS is a FileDescriptorSet of proto/userservice (protoc
// --descriptor_set_out --include_imports), read into @bufbuild/protobuf's registry at run time.
// Calls GetUser and ListUsers (the kinds grpc-web carries) and checks answers, statuses,
// details and metadata. Exits 1 at the first failed check. `cargo xtask interop` installs the
// packages into target/tools/interop-node and runs this.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [baseUrl, token, descriptors, modules] = process.argv.slice(2);
if (!modules) {
  console.error("usage: node client.mjs BASE_URL TOKEN DESCRIPTORS NODE_MODULES");
  process.exit(2);
}
// The packages live under target/tools, not beside this file: resolve them from there.
const require = createRequire(path.join(path.resolve(modules), "..", "index.js"));
const { create, createFileRegistry, fromBinary } = require("@bufbuild/protobuf");
const { FileDescriptorSetSchema } = require("@bufbuild/protobuf/wkt");
const { Code, ConnectError, createClient } = require("@connectrpc/connect");
const { createGrpcWebTransport } = require("@connectrpc/connect-node");

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptors)));
const UserService = registry.getService("userservice.UserService");
const GetUserRequest = registry.getMessage("userservice.GetUserRequest");
const ListUsersRequest = registry.getMessage("userservice.ListUsersRequest");

let checks = 0;
function check(name, condition, detail = "") {
  if (!condition) {
    console.error(`FAILED: ${name} ${detail}`);
    process.exit(1);
  }
  checks += 1;
}

async function expectCode(name, code, call) {
  try {
    await call();
  } catch (err) {
    const error = ConnectError.from(err);
    check(name, error.code === code, `expected ${Code[code]}, got ${Code[error.code]}: ${error.rawMessage}`);
    return error;
  }
  check(name, false, `expected ${Code[code]}, the call succeeded`);
}

const auth = { authorization: `Bearer ${token}` };

for (const httpVersion of ["1.1", "2"]) {
  // Every request and response seen, to check that this really is grpc-web on the wire.
  const seen = [];
  const transport = createGrpcWebTransport({
    baseUrl,
    httpVersion,
    useBinaryFormat: true,
    interceptors: [
      (next) => async (req) => {
        const res = await next(req);
        seen.push({ request: req.header.get("content-type"), response: res.header.get("content-type") });
        return res;
      },
    ],
  });
  const client = createClient(UserService, transport);
  const on = `(HTTP/${httpVersion})`;

  const { user } = await client.getUser(create(GetUserRequest, { userId: 42n }), { headers: auth });
  check(`GetUser(42) is Alice ${on}`, user.name === "Alice" && user.email === "alice@example.com", `${user.name} ${user.email}`);
  check(`GetUser(42) roles ${on}`, user.roles.join(",") === "admin,user", user.roles.join(","));
  check(`GetUser(42) id is an int64 ${on}`, user.id === 42n, String(user.id));
  check(
    `grpc-web content types ${on}`,
    seen[0].request === "application/grpc-web+proto" && seen[0].response.startsWith("application/grpc-web"),
    JSON.stringify(seen[0]),
  );

  let error = await expectCode(`GetUser(99) ${on}`, Code.NotFound, () =>
    client.getUser(create(GetUserRequest, { userId: 99n }), { headers: auth }),
  );
  check(`NOT_FOUND message ${on}`, error.rawMessage === "no user with id 99", error.rawMessage);
  check(
    `NOT_FOUND carries google.rpc.ErrorInfo ${on}`,
    error.details.some((d) => d.type === "google.rpc.ErrorInfo"),
    JSON.stringify(error.details.map((d) => d.type)),
  );
  error = await expectCode(`GetUser(0) ${on}`, Code.InvalidArgument, () =>
    client.getUser(create(GetUserRequest, { userId: 0n }), { headers: auth }),
  );
  check(
    `INVALID_ARGUMENT carries google.rpc.BadRequest ${on}`,
    error.details.some((d) => d.type === "google.rpc.BadRequest"),
  );
  await expectCode(`no token ${on}`, Code.Unauthenticated, () => client.getUser(create(GetUserRequest, { userId: 42n })));
  await expectCode(`wrong token ${on}`, Code.Unauthenticated, () =>
    client.getUser(create(GetUserRequest, { userId: 42n }), { headers: { authorization: "Bearer nope" } }),
  );
  await expectCode(`a deadline shorter than the work ${on}`, Code.DeadlineExceeded, () =>
    client.getUser(create(GetUserRequest, { userId: 42n }), {
      headers: { ...auth, "x-wirelens-work-ms": "2000" },
      timeoutMs: 200,
    }),
  );

  // ListUsers: server streaming, paginated; the next page token comes in the initial metadata.
  let nextToken = null;
  const ids = [];
  for await (const u of client.listUsers(create(ListUsersRequest, { pageSize: 3 }), {
    headers: auth,
    onHeader: (h) => (nextToken = h.get("x-wirelens-next-page-token")),
  })) {
    ids.push(u.id);
  }
  check(`ListUsers first page ${on}`, ids.join(",") === "1,2,3", ids.join(","));
  check(`ListUsers next page token ${on}`, nextToken === "3", String(nextToken));
  const next = [];
  for await (const u of client.listUsers(create(ListUsersRequest, { pageSize: 3, pageToken: nextToken }), {
    headers: auth,
  })) {
    next.push(u.id);
  }
  check(`ListUsers second page ${on}`, next.join(",") === "4,5,6", next.join(","));
  await expectCode(`ListUsers bad page_size ${on}`, Code.InvalidArgument, async () => {
    for await (const _ of client.listUsers(create(ListUsersRequest, { pageSize: -1 }), { headers: auth })) {
      // nothing arrives
    }
  });
}

console.log(`node @connectrpc/connect-node grpc-web: ${checks} checks passed`);
