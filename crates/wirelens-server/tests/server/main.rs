//! The server's integration tests: one binary, every server on 127.0.0.1 port 0.
//! `binary`: the spawned wirelens-server (log lines, SIGINT and its bound, SIGKILL during
//! uploads, a taken port); `faults`: load shedding, the body limit, slow and silent clients;
//! `fuzz_corpus`: the `server` fuzz target's corpus; `grpc`: the native tonic client against
//! every method, status and layer; `grpc_web`: hand-framed grpc-web over HTTP/1.1; `raw`:
//! frames by hand over h2c; `reflection`: grpc.reflection v1 and v1alpha; `rest`: the JSON
//! twin; `persistence`: restarts.

mod binary;
mod faults;
mod fuzz_corpus;
mod grpc;
mod grpc_web;
mod persistence;
mod raw;
mod reflection;
mod rest;
mod support;
