//! The server's integration tests: one binary, every server on 127.0.0.1 port 0.
//! `binary`: the spawned wirelens-server (log lines, SIGINT, a taken port); `grpc`: the native tonic client against every method, status and layer; `grpc_web`:
//! hand-framed grpc-web over HTTP/1.1; `reflection`: grpc.reflection v1 and v1alpha; `rest`: the JSON twin; `persistence`: restarts.

mod binary;
mod grpc;
mod grpc_web;
mod persistence;
mod raw;
mod reflection;
mod rest;
mod support;
