//! HAR import: files built in the test the way playwright's recorder and Chromium's DevTools
//! write them (binary responses in base64, request bodies and textual responses as UTF-8 text,
//! `_file` for attached bodies), around bodies made with core's own framing (`call::request`,
//! `grpcweb::frame`, `connect::envelope`). Every call is listed with its method, protocol and
//! status; its messages decode to the JSON they were made from; lost and missing bodies say so;
//! a file that is not a HAR says where. Proptest (fixed seed): no input panics.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor};
use serde_json::{Value, json};
use wirelens_core::call::{self, HttpRequest, Protocol, Target};
use wirelens_core::har::{self, BodyData, Framing, HarCall};
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::schema::Schema;
use wirelens_core::{connect, grpcweb, input, status};

const ECHO: &str = r#"syntax = "proto3";
package demo.v1;
message Req { string text = 1; int32 n = 2; bytes blob = 3; }
message Rep { string text = 1; bytes blob = 2; }
service Echo {
  rpc Say(Req) returns (Rep);
  rpc Count(Req) returns (stream Rep);
}
"#;

fn pool() -> DescriptorPool {
    Schema::compile(&[("echo.proto", ECHO)]).unwrap().pool().clone()
}

fn method(name: &str) -> MethodDescriptor {
    call::find_method(&pool(), name).unwrap()
}

fn msg(type_name: &str, json: &str) -> DynamicMessage {
    message::parse_json(&pool().get_message_by_name(type_name).unwrap(), json).unwrap()
}

fn json_of(m: &DynamicMessage) -> String {
    message::to_json(m, JsonStyle::CANONICAL).unwrap()
}

/// The request `call::request` makes for `json` to `method` in `protocol`, at a path prefix.
fn request(protocol: Protocol, method_name: &str, json: &str) -> HttpRequest {
    let target = Target {
        protocol,
        base_url: "https://api.example.com/rpc",
        metadata: &[],
        deadline_ms: None,
        compression: None,
        get: false,
    };
    call::request(&target, &method(method_name), &[msg("demo.v1.Req", json)]).unwrap()
}

/// A body as playwright's recorder writes `postData` (`buffer.toString()`: UTF-8, what is not
/// UTF-8 replaced by U+FFFD).
fn post_text(body: &[u8], mime: &str) -> Value {
    json!({ "mimeType": mime, "text": String::from_utf8_lossy(body), "params": [] })
}

/// A binary response body, in base64.
fn content_base64(body: &[u8], mime: &str) -> Value {
    json!({ "size": body.len(), "mimeType": mime, "text": input::to_base64(body), "encoding": "base64" })
}

/// A textual response body (`application/json`, `+json` types), as UTF-8 text.
fn content_text(body: &[u8], mime: &str) -> Value {
    json!({ "size": body.len(), "mimeType": mime, "text": String::from_utf8_lossy(body) })
}

/// An entry: the request's headers with HTTP/2 pseudo-headers and mixed-case names, as
/// Chromium reports them.
fn entry(http: &HttpRequest, post: Value, status: i64, response_headers: &[(&str, &str)], content: Value) -> Value {
    let mut headers = vec![json!({"name": ":authority", "value": "api.example.com"})];
    for (n, v) in &http.headers {
        let mut name = n.clone();
        name[..1].make_ascii_uppercase();
        headers.push(json!({ "name": name, "value": v }));
    }
    json!({
        "startedDateTime": "2026-11-30T05:00:00.000Z",
        "time": 12.5,
        "request": {
            "method": http.method, "url": http.url, "httpVersion": "HTTP/2.0", "headers": headers,
            "queryString": [], "cookies": [], "headersSize": -1, "bodySize": http.body.len(), "postData": post,
        },
        "response": {
            "status": status, "statusText": "", "httpVersion": "HTTP/2.0", "cookies": [],
            "headers": response_headers.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
            "content": content, "redirectURL": "", "headersSize": -1, "bodySize": -1,
        },
        "cache": {}, "timings": { "send": 0, "wait": 10, "receive": 2.5 },
    })
}

fn har(entries: Vec<Value>) -> String {
    serde_json::to_string_pretty(&json!({
        "log": { "version": "1.2", "creator": { "name": "Playwright", "version": "1.49.0" }, "entries": entries }
    }))
    .unwrap()
}

fn rep(json: &str) -> Vec<u8> {
    message::encode(&msg("demo.v1.Rep", json))
}

/// The call's messages both ways, its status and its framing as text; with the schema when
/// `schema`, its payloads in hex otherwise.
fn show(call: &HarCall, schema: bool) -> String {
    let method = method(&call.method);
    let requests = match call.request_messages(&method) {
        Ok(ms) => ms.iter().map(json_of).collect::<Vec<_>>().join(" "),
        Err(e) => format!("error: {e}"),
    };
    let answer = match call.response(schema.then_some(&method)) {
        Ok(a) => {
            let messages = if schema {
                a.messages.iter().map(|m| json_of(&m.message)).collect::<Vec<_>>()
            } else {
                a.payloads.iter().map(|p| format!("{:?} {}", p.range, input::to_hex(&p.bytes))).collect()
            };
            let spans: Vec<&str> = a.finished.body.spans.iter().map(|s| s.kind.class()).collect();
            format!(
                "{}{} | spans {}{}",
                messages.iter().map(|m| format!("{m} | ")).collect::<String>(),
                a.finished.status.describe(),
                spans.join(" "),
                a.lossy.map(|l| format!(" | lossy: {l}")).unwrap_or_default()
            )
        }
        Err(e) => format!("error: {e}"),
    };
    format!(
        "#{} {} {} ({:?}) HTTP {} sizes {:?}/{:?}\n  base {}\n  > {requests}\n  < {answer}\n",
        call.entry,
        call.method,
        call.protocol,
        call.framing,
        call.http_status,
        call.request_size(),
        call.response_size(),
        call.base_url
    )
}

/// A capture of one call in every protocol and shape, each made by core's framing.
fn every_protocol() -> (String, Vec<(Protocol, &'static str, &'static str)>) {
    let mut entries = Vec::new();
    let mut sent = Vec::new();
    let mut add = |protocol, method_name, json, build: &dyn Fn(&HttpRequest) -> Value| {
        let http = request(protocol, method_name, json);
        entries.push(build(&http));
        sent.push((protocol, method_name, json));
    };
    let ok = grpcweb::frame(0x80, b"grpc-status: 0\r\nx-served-by: test\r\n");
    let web = [grpcweb::frame(0, &rep(r#"{"text":"hi"}"#)), ok.clone()].concat();
    add(Protocol::GrpcWeb, "Echo/Say", r#"{"text":"hi","n":7}"#, &|h| {
        let headers = [("Content-Type", "application/grpc-web+proto"), ("grpc-status", "0")];
        entry(
            h,
            post_text(&h.body, "application/grpc-web+proto"),
            200,
            &headers,
            content_base64(&web, "application/grpc-web+proto"),
        )
    });
    let stream =
        [grpcweb::frame(0, &rep(r#"{"text":"a"}"#)), grpcweb::frame(0, &rep(r#"{"text":"b"}"#)), ok.clone()].concat();
    let text = input::to_base64(&stream);
    add(Protocol::GrpcWebText, "Count", r#"{"n":2}"#, &|h| {
        let headers = [("content-type", "application/grpc-web-text")];
        // playwright base64s a grpc-web-text answer too: its type is not textual to it.
        entry(
            h,
            post_text(&h.body, "application/grpc-web-text"),
            200,
            &headers,
            content_base64(text.as_bytes(), "application/grpc-web-text"),
        )
    });
    add(Protocol::Connect, "Echo/Say", r#"{"text":"proto"}"#, &|h| {
        let headers = [("content-type", "application/proto"), ("trailer-x-n", "1")];
        entry(
            h,
            post_text(&h.body, "application/proto"),
            200,
            &headers,
            content_base64(&rep(r#"{"text":"proto"}"#), "application/proto"),
        )
    });
    add(Protocol::ConnectJson, "Echo/Say", r#"{"text":"json"}"#, &|h| {
        let headers = [("content-type", "application/json")];
        entry(
            h,
            post_text(&h.body, "application/json"),
            200,
            &headers,
            content_text(br#"{"text":"json"}"#, "application/json"),
        )
    });
    add(Protocol::ConnectJson, "Echo/Say", r#"{"text":"missing"}"#, &|h| {
        let error = br#"{"code":"not_found","message":"no one"}"#;
        entry(
            h,
            post_text(&h.body, "application/json"),
            404,
            &[("content-type", "application/json")],
            content_text(error, "application/json"),
        )
    });
    let envelopes = [
        connect::envelope(0, &rep(r#"{"text":"s"}"#)),
        connect::envelope(connect::FLAG_END_STREAM, br#"{"error":{"code":"resource_exhausted","message":"enough"}}"#),
    ]
    .concat();
    add(Protocol::Connect, "Count", r#"{"n":1}"#, &|h| {
        let headers = [("content-type", "application/connect+proto")];
        entry(
            h,
            post_text(&h.body, "application/connect+proto"),
            200,
            &headers,
            content_base64(&envelopes, "application/connect+proto"),
        )
    });
    let json_envelopes = [
        connect::envelope(0, br#"{"text":"j"}"#),
        connect::envelope(connect::FLAG_END_STREAM, br#"{"metadata":{"x-n":["2"]}}"#),
    ]
    .concat();
    add(Protocol::ConnectJson, "Count", r#"{"n":2}"#, &|h| {
        let headers = [("content-type", "application/connect+json")];
        // playwright writes `+json` types as text: short envelopes' headers are valid UTF-8.
        entry(
            h,
            post_text(&h.body, "application/connect+json"),
            200,
            &headers,
            content_text(&json_envelopes, "application/connect+json"),
        )
    });
    add(Protocol::GrpcWeb, "Echo/Say", r#"{"text":"who"}"#, &|h| {
        let headers =
            [("content-type", "application/grpc-web+proto"), ("grpc-status", "16"), ("grpc-message", "who%3F")];
        entry(
            h,
            post_text(&h.body, "application/grpc-web+proto"),
            200,
            &headers,
            json!({"size": 0, "mimeType": "application/grpc-web+proto", "text": "", "encoding": "base64"}),
        )
    });
    (har(entries), sent)
}

#[test]
fn every_protocol_is_listed_and_decodes_to_the_messages_sent() {
    let (text, sent) = every_protocol();
    let capture = har::read(&text).unwrap();
    assert_eq!(capture.creator.as_deref(), Some("Playwright 1.49.0"));
    assert_eq!(capture.other_entries, 0);
    assert_eq!(capture.calls.len(), sent.len());
    for (call, (protocol, method_name, json)) in capture.calls.iter().zip(&sent) {
        let method = method(method_name);
        assert_eq!((call.protocol, call.method.as_str()), (*protocol, call::full_name(&method).as_str()));
        let messages = call.request_messages(&method).unwrap();
        assert_eq!(messages.iter().map(json_of).collect::<Vec<_>>(), [json_of(&msg("demo.v1.Req", json))]);
        // Sent again from what the file holds, the call is the one recorded.
        let target = Target {
            protocol: call.protocol,
            base_url: &call.base_url,
            metadata: &[],
            deadline_ms: None,
            compression: None,
            get: false,
        };
        let again = call::request(&target, &method, &messages).unwrap();
        assert_eq!((again.url.as_str(), call.request_body.bytes().unwrap()), (call.url.as_str(), &again.body[..]));
    }
    let mut out = String::new();
    for call in &capture.calls {
        out += &show(call, true);
    }
    expect_test::expect![[r##"
        #0 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 200 sizes Some(11)/Some(49)
          base https://api.example.com/rpc
          > {"text":"hi","n":7}
          < {"text":"hi"} | OK (0) | spans tag len bytes tag len string
        #1 demo.v1.Echo/Count grpc-web-text (GrpcWeb) HTTP 200 sizes Some(12)/Some(76)
          base https://api.example.com/rpc
          > {"n":2}
          < {"text":"a"} | {"text":"b"} | OK (0) | spans tag len bytes tag len bytes tag len string
        #2 demo.v1.Echo/Say connect (ConnectUnary) HTTP 200 sizes Some(7)/Some(7)
          base https://api.example.com/rpc
          > {"text":"proto"}
          < {"text":"proto"} | OK (0) | spans bytes
        #3 demo.v1.Echo/Say connect-json (ConnectUnary) HTTP 200 sizes Some(15)/Some(15)
          base https://api.example.com/rpc
          > {"text":"json"}
          < {"text":"json"} | OK (0) | spans bytes
        #4 demo.v1.Echo/Say connect-json (ConnectUnary) HTTP 404 sizes Some(18)/Some(39)
          base https://api.example.com/rpc
          > {"text":"missing"}
          < NOT_FOUND (5): no one | spans string
        #5 demo.v1.Echo/Count connect (ConnectStream) HTTP 200 sizes Some(7)/Some(71)
          base https://api.example.com/rpc
          > {"n":1}
          < {"text":"s"} | RESOURCE_EXHAUSTED (8): enough | spans tag len bytes tag len string
        #6 demo.v1.Echo/Count connect-json (ConnectStream) HTTP 200 sizes Some(12)/Some(48)
          base https://api.example.com/rpc
          > {"n":2}
          < {"text":"j"} | OK (0) | spans tag len bytes tag len string
        #7 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 200 sizes Some(10)/Some(0)
          base https://api.example.com/rpc
          > {"text":"who"}
          < UNAUTHENTICATED (16): who? | spans 
    "##]]
    .assert_eq(&out);
}

#[test]
fn sent_again_with_its_metadata_and_deadline_the_request_is_the_same() {
    let metadata = [("authorization".to_owned(), "Bearer t0k".to_owned()), ("x-trace".to_owned(), "a b".to_owned())];
    for protocol in [Protocol::GrpcWeb, Protocol::GrpcWebText, Protocol::Connect, Protocol::ConnectJson] {
        let target = Target {
            protocol,
            base_url: "http://h:1",
            metadata: &metadata,
            deadline_ms: Some(1500),
            compression: None,
            get: false,
        };
        let sent = call::request(&target, &method("Count"), &[msg("demo.v1.Req", r#"{"n":3}"#)]).unwrap();
        let mut recorded = entry(&sent, post_text(&sent.body, "x"), 200, &[], content_base64(b"", "x"));
        // What the browser adds on its own.
        for (name, value) in
            [("Origin", "http://h:1"), ("User-Agent", "Chrome"), ("sec-ch-ua", "\"x\""), ("Accept-Encoding", "gzip")]
        {
            recorded["request"]["headers"].as_array_mut().unwrap().push(json!({ "name": name, "value": value }));
        }
        let capture = har::read(&har(vec![recorded])).unwrap();
        let call = &capture.calls[0];
        assert_eq!((call.metadata(), call.deadline_ms()), (metadata.to_vec(), Some(1500)), "{protocol}");
        let (metadata, messages) = (call.metadata(), call.request_messages(&method("Count")).unwrap());
        let again = Target {
            protocol,
            base_url: &call.base_url,
            metadata: &metadata,
            deadline_ms: call.deadline_ms(),
            compression: None,
            get: false,
        };
        assert_eq!(call::request(&again, &method("Count"), &messages).unwrap(), sent, "{protocol}");
    }
}

#[test]
fn without_a_schema_the_payloads_spans_and_status_are_the_same() {
    let capture = har::read(&every_protocol().0).unwrap();
    for call in &capture.calls {
        let method = method(&call.method);
        let with = call.response(Some(&method)).unwrap();
        let without = call.response(None).unwrap();
        assert!(without.messages.is_empty());
        assert_eq!(without.finished.status.code, with.finished.status.code, "#{}", call.entry);
        assert_eq!(without.finished.body, with.finished.body, "#{}", call.entry);
        assert_eq!(without.payloads, with.payloads, "#{}", call.entry);
        // Each payload is a message's bytes: read with the schema, the messages the call gave.
        let read: Vec<String> = without
            .payloads
            .iter()
            .map(|p| match call.protocol {
                Protocol::ConnectJson => std::str::from_utf8(&p.bytes).unwrap().to_owned(),
                _ => json_of(&message::decode(&method.output(), &p.bytes).unwrap()),
            })
            .collect();
        let given: Vec<String> = with.messages.iter().map(|m| json_of(&m.message)).collect();
        assert_eq!(read, given, "#{}", call.entry);
    }
    let mut out = String::new();
    for call in &capture.calls[..2] {
        out += &show(call, false);
    }
    expect_test::expect![[r##"
        #0 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 200 sizes Some(11)/Some(49)
          base https://api.example.com/rpc
          > {"text":"hi","n":7}
          < 5..9 0A 02 68 69 | OK (0) | spans tag len bytes tag len string
        #1 demo.v1.Echo/Count grpc-web-text (GrpcWeb) HTTP 200 sizes Some(12)/Some(76)
          base https://api.example.com/rpc
          > {"n":2}
          < 5..8 0A 01 61 | 13..16 0A 01 62 | OK (0) | spans tag len bytes tag len bytes tag len string
    "##]]
    .assert_eq(&out);
}

#[test]
fn connect_get_reads_the_message_parameter() {
    let req = message::encode(&msg("demo.v1.Req", r#"{"text":"get?","n":300}"#));
    let b64url = input::to_base64(&req).replace('+', "-").replace('/', "_").trim_end_matches('=').to_owned();
    let url = |query: &str| format!("https://api.example.com/demo.v1.Echo/Say?connect=v1&{query}");
    let get = |url: String| {
        let (mime, content) = if url.contains("encoding=json") {
            ("application/json", content_text(br#"{"text":"got"}"#, "application/json"))
        } else {
            ("application/proto", content_base64(&rep(r#"{"text":"got"}"#), "application/proto"))
        };
        json!({
            "startedDateTime": "2026-11-30T05:00:01.000Z", "time": 3,
            "request": { "method": "GET", "url": url, "headers": [], "bodySize": 0 },
            "response": { "status": 200, "headers": [{"name": "Content-Type", "value": mime}], "content": content },
        })
    };
    let text = har(vec![
        get(url(&format!("encoding=proto&base64=1&message={b64url}"))),
        get(url("encoding=json&message=%7B%22text%22%3A%22get%3F%22%2C%22n%22%3A300%7D")),
        get(url("encoding=json&message=%7B%22text%22+%3A%22get%3F%22%7D")),
        get(url("encoding=proto&base64=1&compression=gzip&message=AAAA")),
        get(url("encoding=proto&base64=1&message=not*base64")),
        get(url("encoding=proto&base64=1")),
        get("https://api.example.com/demo.v1.Echo/Say?page=2".to_owned()),
    ]);
    let capture = har::read(&text).unwrap();
    assert_eq!((capture.calls.len(), capture.other_entries), (5, 2), "a GET without 'message' is not a call");
    let mut out = String::new();
    for call in &capture.calls {
        assert_eq!(call.framing, Framing::ConnectGet);
        out += &show(call, true);
    }
    expect_test::expect![[r##"
        #0 demo.v1.Echo/Say connect (ConnectGet) HTTP 200 sizes Some(9)/Some(5)
          base https://api.example.com
          > {"text":"get?","n":300}
          < {"text":"got"} | OK (0) | spans bytes
        #1 demo.v1.Echo/Say connect-json (ConnectGet) HTTP 200 sizes Some(23)/Some(14)
          base https://api.example.com
          > {"text":"get?","n":300}
          < {"text":"got"} | OK (0) | spans bytes
        #2 demo.v1.Echo/Say connect-json (ConnectGet) HTTP 200 sizes Some(16)/Some(14)
          base https://api.example.com
          > {"text":"get?"}
          < {"text":"got"} | OK (0) | spans bytes
        #3 demo.v1.Echo/Say connect (ConnectGet) HTTP 200 sizes None/Some(5)
          base https://api.example.com
          > error: request message in the URL: the message at byte 0 is not valid gzip: unexpected end of file
          < {"text":"got"} | OK (0) | spans bytes
        #4 demo.v1.Echo/Say connect (ConnectGet) HTTP 200 sizes None/Some(5)
          base https://api.example.com
          > error: request message in the URL: 'base64=1', but invalid base64 character '*' at line 1, column 4
          < {"text":"got"} | OK (0) | spans bytes
    "##]]
    .assert_eq(&out);
}

#[test]
fn lost_and_missing_bodies_say_so() {
    // A request whose bytes are not UTF-8 (0xff in `blob`) went through text: lost.
    let binary = request(Protocol::GrpcWeb, "Echo/Say", r#"{"blob":"//8="}"#);
    let web = [grpcweb::frame(0, &rep(r#"{"text":"ok"}"#)), grpcweb::frame(0x80, b"grpc-status: 0\r\n")].concat();
    let long = format!(r#"{{"text":"{}"}}"#, "x".repeat(200));
    let long_stream =
        [connect::envelope(0, long.as_bytes()), connect::envelope(connect::FLAG_END_STREAM, b"{}")].concat();
    let json_stream = request(Protocol::ConnectJson, "Count", r#"{"n":1}"#);
    let lost = [grpcweb::frame(0, &rep(r#"{"blob":"/w=="}"#)), grpcweb::frame(0x80, b"grpc-status: 0\r\n")].concat();
    let say = request(Protocol::GrpcWeb, "Echo/Say", r#"{"text":"x"}"#);
    let ct = [("content-type", "application/grpc-web+proto")];
    let mut omitted = entry(
        &say,
        post_text(b"", "application/grpc-web+proto"),
        200,
        &ct,
        json!({"size": 44, "mimeType": "application/grpc-web+proto"}),
    );
    omitted["request"]["postData"]["text"] = json!("");
    let attached = entry(
        &say,
        json!({"mimeType": "application/grpc-web+proto", "text": "", "_file": "3f2a.dat"}),
        200,
        &ct,
        json!({"size": 44, "mimeType": "application/grpc-web+proto", "_file": "9c1e.dat"}),
    );
    let mut failed = entry(
        &say,
        post_text(&say.body, "application/grpc-web+proto"),
        0,
        &[],
        json!({"size": 0, "mimeType": "x-unknown"}),
    );
    failed["response"]["_error"] = json!("net::ERR_FAILED");
    let text = har(vec![
        entry(
            &binary,
            post_text(&binary.body, "application/grpc-web+proto"),
            200,
            &ct,
            content_base64(&web, "application/grpc-web+proto"),
        ),
        // A `+json` stream as text: the length 0x000000d1 is not UTF-8, but the JSON it frames
        // is whole, so the length is worked out again.
        entry(
            &json_stream,
            post_text(&json_stream.body, "application/connect+json"),
            200,
            &[("content-type", "application/connect+json")],
            content_text(&long_stream, "application/connect+json"),
        ),
        // A binary answer written as text (by a recorder that took it for text): lost.
        entry(
            &say,
            post_text(&say.body, "application/grpc-web+proto"),
            200,
            &ct,
            content_text(&lost, "application/grpc-web+proto"),
        ),
        omitted,
        attached,
        failed,
    ]);
    let capture = har::read(&text).unwrap();
    let mut out = String::new();
    for call in &capture.calls {
        out += &show(call, true);
        for (side, body) in [("request", &call.request_body), ("response", &call.response_body)] {
            if let Some(why) = body.problem() {
                out += &format!("  {side} {}: {why}\n", if body.bytes().is_some() { "lossy" } else { "missing" });
            }
        }
    }
    expect_test::expect![[r##"
        #0 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 200 sizes Some(9)/Some(30)
          base https://api.example.com/rpc
          > error: request body lost bytes in the file: the recorder wrote the binary body as text, and 2 runs of bytes that were not UTF-8 became U+FFFD (the first at byte 7 of the text): their bytes are lost
          < {"text":"ok"} | OK (0) | spans tag len bytes tag len string
          request lossy: the recorder wrote the binary body as text, and 2 runs of bytes that were not UTF-8 became U+FFFD (the first at byte 7 of the text): their bytes are lost
        #1 demo.v1.Echo/Count connect-json (ConnectStream) HTTP 200 sizes Some(12)/Some(223)
          base https://api.example.com/rpc
          > {"n":1}
          < {"text":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"} | OK (0) | spans tag len bytes tag len string
        #2 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 200 sizes Some(8)/Some(29)
          base https://api.example.com/rpc
          > {"text":"x"}
          < {"blob":"7w=="} | INTERNAL (13): the body is malformed: frame at byte 8 has unknown flag bits 0x3e (flags 0xbf) | spans tag len bytes invalid | lossy: the recorder wrote the binary body as text, and 2 runs of bytes that were not UTF-8 became U+FFFD (the first at byte 7 of the text): their bytes are lost
          response lossy: the recorder wrote the binary body as text, and 2 runs of bytes that were not UTF-8 became U+FFFD (the first at byte 7 of the text): their bytes are lost
        #3 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 200 sizes Some(8)/Some(44)
          base https://api.example.com/rpc
          > error: request body is not in the file: the recorder left its 8 bytes out (playwright's content: "omit", or a content type it does not write)
          < error: response body is not in the file: the file holds none of its 44 bytes (recorded without content, as playwright's content: "omit" does)
          request missing: the recorder left its 8 bytes out (playwright's content: "omit", or a content type it does not write)
          response missing: the file holds none of its 44 bytes (recorded without content, as playwright's content: "omit" does)
        #4 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 200 sizes Some(8)/Some(44)
          base https://api.example.com/rpc
          > error: request body is not in the file: it is in '3f2a.dat', a file beside the HAR (playwright's content: "attach"), not in the HAR itself
          < error: response body is not in the file: it is in '9c1e.dat', a file beside the HAR (playwright's content: "attach"), not in the HAR itself
          request missing: it is in '3f2a.dat', a file beside the HAR (playwright's content: "attach"), not in the HAR itself
          response missing: it is in '9c1e.dat', a file beside the HAR (playwright's content: "attach"), not in the HAR itself
        #5 demo.v1.Echo/Say grpc-web (GrpcWeb) HTTP 0 sizes Some(8)/None
          base https://api.example.com/rpc
          > {"text":"x"}
          < error: response body is not in the file: no answer was recorded: net::ERR_FAILED
          response missing: no answer was recorded: net::ERR_FAILED
    "##]]
    .assert_eq(&out);
    assert!(matches!(capture.calls[0].request_body, BodyData::Lossy(..)));
    assert_eq!(capture.calls[1].response_body, BodyData::Exact(long_stream), "rebuilt");
    let error = capture.calls[3].request_messages(&method("Echo/Say")).unwrap_err();
    assert!(error.is_missing(), "{error}");
}

#[test]
fn malformed_bodies_name_the_offset() {
    let say = request(Protocol::GrpcWeb, "Echo/Say", r#"{"text":"x"}"#);
    let ct = [("content-type", "application/grpc-web+proto")];
    let bodies: [&[u8]; 4] = [
        &[0, 0, 0, 0, 9, 0x0a],       // cut inside the payload
        &[0, 0, 0, 0, 2, 0x0a, 0x05], // a Req whose string runs past its end
        &[0x80, 0, 0, 0, 0],          // trailers in a request
        &[0x01, 0, 0, 0, 1, 0x0a],    // compressed
    ];
    // In base64, with the `encoding` HAR gives only responses (some writers add it to postData).
    let post =
        |b: &[u8]| json!({"mimeType": "application/grpc-web+proto", "text": input::to_base64(b), "encoding": "base64"});
    let entries = bodies.iter().map(|b| entry(&say, post(b), 200, &ct, content_base64(b"", "x"))).collect();
    let capture = har::read(&har(entries)).unwrap();
    let errors: Vec<(String, Option<usize>)> = capture
        .calls
        .iter()
        .map(|c| c.request_messages(&method("Echo/Say")).unwrap_err())
        .map(|e| (e.to_string(), e.offset()))
        .collect();
    expect_test::expect![[r#"
        [
            (
                "request body is malformed: frame at byte 0 says its payload is 9 bytes, but the body ends after 1",
                Some(
                    0,
                ),
            ),
            (
                "request message 1 (bytes 5..7) is not a demo.v1.Req: cannot decode at byte 1: length 5 runs past the end: only 0 bytes follow",
                Some(
                    5,
                ),
            ),
            (
                "request body has an end frame at byte 0, where only messages may be",
                Some(
                    0,
                ),
            ),
            (
                "request body: the message at byte 0 is flagged compressed, but no header names its compression",
                Some(
                    0,
                ),
            ),
        ]
    "#]]
    .assert_debug_eq(&errors);
}

#[test]
fn other_entries_are_counted_and_urls_split() {
    let page = json!({"request": {"method": "GET", "url": "https://example.com/", "headers": []},
                      "response": {"status": 200, "headers": [], "content": {"size": 5, "mimeType": "text/html", "text": "<p>hi"}}});
    let rest = json!({"request": {"method": "POST", "url": "https://example.com/v1/users/7",
                      "headers": [{"name": "content-type", "value": "application/json"}], "postData": {"mimeType": "application/json", "text": "{}"}}});
    let grpc_web_json = json!({"request": {"method": "POST", "url": "https://example.com/a.B/C",
                      "headers": [{"name": "content-type", "value": "application/grpc-web+json"}]}});
    let one_segment = json!({"request": {"method": "POST", "url": "https://example.com/Say",
                      "headers": [{"name": "content-type", "value": "application/grpc-web"}]}});
    let say = request(Protocol::Connect, "Echo/Say", "{}");
    // Connect proto without its version header, a path prefix, a query and a fragment.
    let mut bare = entry(
        &say,
        post_text(&say.body, "application/proto"),
        200,
        &[("content-type", "application/proto")],
        content_base64(b"", "application/proto"),
    );
    bare["request"]["headers"] =
        json!([{"name": "Content-Type", "value": "application/proto"}, {"name": ":path", "value": "/x"}]);
    bare["request"]["url"] = json!("http://127.0.0.1:8080/api/v2/demo.v1.Echo/Say?trace=1#frag");
    let text = har(vec![page, json!("not an entry"), rest, grpc_web_json, one_segment, json!({}), bare]);
    let capture = har::read(&text).unwrap();
    assert_eq!((capture.calls.len(), capture.other_entries), (1, 6));
    let call = &capture.calls[0];
    assert_eq!(
        (call.entry, call.base_url.as_str(), call.method.as_str()),
        (6, "http://127.0.0.1:8080/api/v2", "demo.v1.Echo/Say")
    );
    assert_eq!(call.request_headers, [("content-type".to_owned(), "application/proto".to_owned())]);
    assert_eq!((call.started.as_str(), call.time_ms), ("2026-11-30T05:00:00.000Z", 12.5));
    // An empty proto message is an empty body: one message, all defaults; an empty answer too.
    assert_eq!(call.request_messages(&method("Echo/Say")).unwrap().iter().map(json_of).collect::<Vec<_>>(), ["{}"]);
    let answer = call.response(Some(&method("Echo/Say"))).unwrap();
    assert_eq!((answer.messages.len(), answer.finished.status.code), (1, status::OK));
    let without = call.response(None).unwrap();
    assert_eq!((without.payloads.len(), without.payloads[0].bytes.len()), (1, 0), "one empty message");
}

#[test]
fn files_that_are_not_hars_say_why_and_where() {
    // (text, error, line and column)
    type Case<'a> = (&'a str, &'a str, Option<(usize, usize)>);
    let cases: &[Case] = &[
        ("", "not a HAR file: not JSON at line 1, column 1: EOF while parsing a value", Some((1, 1))),
        (
            "{\n  \"log\": {\n    \"entries\": [,]\n  }\n}",
            "not a HAR file: not JSON at line 3, column 17: expected value",
            Some((3, 17)),
        ),
        ("{\"log\": \"é\" x}", "not a HAR file: not JSON at line 1, column 13: expected `,` or `}`", Some((1, 13))),
        ("[1, 2]", "not a HAR file: the JSON is not an object", None),
        ("{\"foo\": 1}", "not a HAR file: it has no 'log' object", None),
        ("{\"log\": {\"version\": \"1.2\"}}", "not a HAR file: its 'log' has no 'entries' list", None),
    ];
    for (text, message, at) in cases {
        let error = har::read(text).unwrap_err();
        assert_eq!((error.to_string().as_str(), error.line_col()), (*message, *at), "{text}");
    }
    let empty =
        har::read(r#"{"log": {"entries": [{"request": {"method": "GET", "url": "https://e.com/"}}]}}"#).unwrap();
    assert_eq!((empty.calls.len(), empty.other_entries, empty.creator), (0, 1, None));
}

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0x5eed_4a12), failure_persistence: None, ..Config::default() }
}

const CONTENT_TYPES: [&str; 7] = [
    "application/grpc-web+proto",
    "application/grpc-web-text",
    "application/proto",
    "application/json",
    "application/connect+proto",
    "application/connect+json",
    "text/html",
];

/// Reads `text` and every call's bodies every way, with and without the schema.
fn read_everything(text: &str) {
    if let Ok(capture) = har::read(text) {
        for call in &capture.calls {
            let _ = (call.request_size(), call.response_size(), call.request_payloads());
            for name in ["Echo/Say", "Count"] {
                let _ = call.request_messages(&method(name));
                let _ = call.response(Some(&method(name)));
            }
            let _ = call.response(None);
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn any_json_stream_written_as_text_is_rebuilt(
        texts in proptest::collection::vec("\\PC{0,300}", 1..4),
        end in any::<bool>(),
    ) {
        let mut body = Vec::new();
        for text in &texts {
            body.extend(connect::envelope(0, json!({ "text": text }).to_string().as_bytes()));
        }
        if end {
            body.extend(connect::envelope(connect::FLAG_END_STREAM, br#"{"metadata":{}}"#));
        }
        let http = request(Protocol::ConnectJson, "Count", "{}");
        let content = content_text(&body, "application/connect+json");
        let capture = har::read(&har(vec![entry(&http, post_text(&body, "application/connect+json"), 200, &[], content)])).unwrap();
        prop_assert_eq!(&capture.calls[0].request_body, &BodyData::Exact(body.clone()));
        prop_assert_eq!(&capture.calls[0].response_body, &BodyData::Exact(body));
    }

    #[test]
    fn any_text_reads_without_a_panic(text in "\\PC{0,200}") {
        read_everything(&text);
    }

    #[test]
    fn any_bodies_read_without_a_panic(
        request_body in proptest::collection::vec(any::<u8>(), 0..40),
        response_body in proptest::collection::vec(any::<u8>(), 0..60),
        request_type in 0..CONTENT_TYPES.len(),
        response_type in 0..CONTENT_TYPES.len(),
        status in prop_oneof![Just(0i64), Just(200), Just(404), Just(-1)],
        base64 in any::<bool>(),
        query in "[a-z=&%+0-9A-F]{0,30}",
    ) {
        let http = HttpRequest {
            method: "POST",
            url: format!("https://h/demo.v1.Echo/Say?connect=v1&encoding=proto&{query}"),
            headers: vec![
                ("content-type".into(), CONTENT_TYPES[request_type].into()),
                ("connect-protocol-version".into(), "1".into()),
            ],
            body: request_body.clone(),
        };
        let content = if base64 {
            content_base64(&response_body, CONTENT_TYPES[response_type])
        } else {
            content_text(&response_body, CONTENT_TYPES[response_type])
        };
        let headers = [("content-type", CONTENT_TYPES[response_type]), ("grpc-status", "x")];
        let mut post = entry(&http, post_text(&request_body, CONTENT_TYPES[request_type]), status, &headers, content);
        read_everything(&har(vec![post.clone()]));
        post["request"]["method"] = json!("GET");
        read_everything(&har(vec![post]));
    }
}

/// A compressed request (grpc-web-text keeps its bytes exact in a HAR's text) reads back as the
/// message sent; an algorithm wirelens lacks is named with the frame's offset.
#[test]
fn compressed_requests_read_back_inflated() {
    let say = method("Echo/Say");
    let req = msg("demo.v1.Req", r#"{"text":"hello hello hello hello","n":3}"#);
    for algorithm in wirelens_core::compression::Algorithm::ALL {
        let target = Target {
            protocol: Protocol::GrpcWebText,
            base_url: "https://api.example.com/rpc",
            metadata: &[],
            deadline_ms: None,
            compression: Some(algorithm),
            get: false,
        };
        let mut http = call::request(&target, &say, std::slice::from_ref(&req)).unwrap();
        let read = |http: &HttpRequest| {
            let post = post_text(&http.body, "application/grpc-web-text");
            let content = content_text(b"", "application/grpc-web-text");
            har::read(&har(vec![entry(http, post, 200, &[], content)])).unwrap().calls.remove(0)
        };
        let back = read(&http).request_messages(&say).unwrap();
        assert_eq!(back.iter().map(json_of).collect::<Vec<_>>(), [json_of(&req)], "{algorithm:?}");
        for (name, value) in &mut http.headers {
            if name == "grpc-encoding" {
                *value = "snappy".to_owned();
            }
        }
        let e = read(&http).request_messages(&say).unwrap_err();
        assert_eq!(
            (e.to_string(), e.offset()),
            (
                "request body: the message at byte 0 is compressed with 'snappy', which wirelens does not read (it reads gzip and deflate)".to_owned(),
                Some(0)
            )
        );
    }
}

/// A Connect GET as `call::request` makes it is what HAR import reads as one: the same
/// message back from the URL, in proto and JSON, plain and gzip; the method must be marked.
#[test]
fn connect_get_requests_read_back_from_their_urls() {
    let schema = Schema::compile(&[(
        "look.proto",
        r#"syntax = "proto3";
package demo.v1;
message Req { string text = 1; int32 n = 2; bytes blob = 3; }
message Rep { string text = 1; }
service Look {
  rpc Find(Req) returns (Rep) { option idempotency_level = NO_SIDE_EFFECTS; }
  rpc Put(Req) returns (Rep) { option idempotency_level = IDEMPOTENT; }
  rpc Watch(Req) returns (stream Rep) { option idempotency_level = NO_SIDE_EFFECTS; }
}
"#,
    )])
    .unwrap();
    let pool = schema.pool();
    let find = call::find_method(pool, "Find").unwrap();
    let req = message::parse_json(&find.input(), r#"{"text":"a b&c=d/é?","n":7,"blob":"AP8="}"#).unwrap();
    let metadata = [("x-k".to_owned(), "v".to_owned())];
    let mut urls = String::new();
    for protocol in [Protocol::Connect, Protocol::ConnectJson] {
        for compression in [None, Some(wirelens_core::compression::Algorithm::Gzip)] {
            let target = Target {
                protocol,
                base_url: "https://api.example.com/rpc",
                metadata: &metadata,
                deadline_ms: Some(900),
                compression,
                get: true,
            };
            let http = call::request(&target, &find, std::slice::from_ref(&req)).unwrap();
            assert_eq!((http.method, http.body.len()), ("GET", 0));
            if compression.is_none() {
                let headers: Vec<String> = http.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
                urls += &format!("{}\n  {}\n", http.url, headers.join(", "));
            }
            let content = content_base64(&[0x0a, 1, b'x'], "application/proto");
            let capture = har::read(&har(vec![entry(&http, Value::Null, 200, &[], content)])).unwrap();
            let call = &capture.calls[0];
            assert_eq!(
                (call.framing, call.protocol, call.method.as_str()),
                (Framing::ConnectGet, protocol, "demo.v1.Look/Find")
            );
            let back = call.request_messages(&find).unwrap();
            assert_eq!(back.iter().map(json_of).collect::<Vec<_>>(), [json_of(&req)], "{protocol} {compression:?}");
            assert_eq!(call.deadline_ms(), Some(900));
        }
    }
    expect_test::expect![[r#"
        https://api.example.com/rpc/demo.v1.Look/Find?connect=v1&encoding=proto&base64=1&message=CgthIGImYz1kL8OpPxAHGgIA_w
          connect-timeout-ms: 900, x-k: v
        https://api.example.com/rpc/demo.v1.Look/Find?connect=v1&encoding=json&message=%7B%22text%22%3A%22a%20b%26c%3Dd%2F%C3%A9%3F%22%2C%22n%22%3A7%2C%22blob%22%3A%22AP8%3D%22%7D
          connect-timeout-ms: 900, x-k: v
    "#]].assert_eq(&urls);
    let get = |method: &str, protocol| {
        let target =
            Target { protocol, base_url: "http://h", metadata: &[], deadline_ms: None, compression: None, get: true };
        let method = call::find_method(pool, method).unwrap();
        call::request(&target, &method, std::slice::from_ref(&req)).map(|_| ()).map_err(|e| e.to_string())
    };
    assert_eq!(get("Put", Protocol::Connect), Err("demo.v1.Look/Put cannot be a GET: the Connect protocol allows it only for a unary method marked `option idempotency_level = NO_SIDE_EFFECTS`".into()));
    assert_eq!(get("Watch", Protocol::Connect), Err("demo.v1.Look/Watch cannot be a GET: the Connect protocol allows it only for a unary method marked `option idempotency_level = NO_SIDE_EFFECTS`".into()));
    assert_eq!(
        get("Find", Protocol::GrpcWeb),
        Err("a GET is a Connect call (connect, connect-json), not grpc-web".into())
    );
}

/// `tests/data/chromium.har`: Debian's Chromium under playwright's `recordHar`, calling the Node
/// Connect server of `interop/node/server.mjs` (`interop/node/record_har.mjs` made it).
#[test]
fn a_har_recorded_by_chromium_and_playwright() {
    let echo = include_str!("../../../interop/proto/wirelens/interop/v1/echo.proto");
    let schema = Schema::compile(&[("wirelens/interop/v1/echo.proto", echo)]).unwrap();
    let capture = har::read(include_str!("data/chromium.har")).unwrap();
    assert_eq!((capture.creator.as_deref(), capture.other_entries), (Some("Playwright 1.64.1"), 1), "the page");
    // What record_har.mjs sent, in order.
    let sent = [
        (Protocol::GrpcWeb, "Say", r#"{"text":"hi"}"#.to_owned()),
        (Protocol::GrpcWeb, "Count", format!(r#"{{"text":"{}","times":3}}"#, "✓".repeat(50))),
        (Protocol::GrpcWebText, "Count", r#"{"text":"text","times":2}"#.to_owned()),
        (Protocol::GrpcWeb, "Fail", r#"{"text":"no"}"#.to_owned()),
        (Protocol::Connect, "Say", r#"{"text":"proto","times":3}"#.to_owned()),
        (Protocol::ConnectJson, "Say", r#"{"text":"json"}"#.to_owned()),
        (Protocol::ConnectJson, "Fail", r#"{"text":"nope"}"#.to_owned()),
        (Protocol::Connect, "Count", r#"{"text":"stream","times":2}"#.to_owned()),
        (Protocol::ConnectJson, "CountThenFail", r#"{"text":"j","times":1}"#.to_owned()),
    ];
    assert_eq!(capture.calls.len(), sent.len());
    let mut out = String::new();
    for (call, (protocol, name, json)) in capture.calls.iter().zip(&sent) {
        assert_eq!((call.metadata(), call.deadline_ms()), (vec![], None), "only the browser's and protocol's headers");
        let method = call::find_method(schema.pool(), name).unwrap();
        assert_eq!((call.protocol, call.method.clone()), (*protocol, call::full_name(&method)));
        let input = method.input();
        match call.request_messages(&method) {
            Ok(messages) => {
                let want = message::parse_json(&input, json).unwrap();
                assert_eq!(messages.iter().map(json_of).collect::<Vec<_>>(), [json_of(&want)], "#{}", call.entry);
            }
            Err(e) => out += &format!("#{} request: {e}\n", call.entry),
        }
        let answer = call.response(Some(&method)).unwrap();
        let messages: Vec<String> = answer.messages.iter().map(|m| json_of(&m.message)).collect();
        out += &format!(
            "#{} {} {} HTTP {}: {} | {}{}\n",
            call.entry,
            call.protocol,
            call.method,
            call.http_status,
            messages.join(" "),
            answer.finished.status.describe(),
            answer.lossy.map(|l| format!(" | lossy: {l}")).unwrap_or_default()
        );
    }
    expect_test::expect![[r##"
        #1 grpc-web wirelens.interop.v1.EchoService/Say HTTP 200: {"text":"HI","tags":["echo","hi"],"at":"2024-01-02T03:04:05Z"} | OK (0)
        #2 request: request body lost bytes in the file: the recorder wrote the binary body as text, and 2 runs of bytes that were not UTF-8 became U+FFFD (the first at byte 4 of the text): their bytes are lost
        #2 grpc-web wirelens.interop.v1.EchoService/Count HTTP 200: {"text":"✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓ 1","index":1} {"text":"✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓ 2","index":2} {"text":"✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓ 3","index":3} | OK (0)
        #3 grpc-web-text wirelens.interop.v1.EchoService/Count HTTP 415:  | UNKNOWN (2): HTTP 415 without a grpc-status
        #4 grpc-web wirelens.interop.v1.EchoService/Fail HTTP 200:  | FAILED_PRECONDITION (9): echo refuses 'no'
        #5 connect wirelens.interop.v1.EchoService/Say HTTP 200: {"text":"PROTO","tags":["echo","proto"],"at":"2024-01-02T03:04:05Z"} | OK (0)
        #6 connect-json wirelens.interop.v1.EchoService/Say HTTP 200: {"text":"JSON","tags":["echo","json"],"at":"2024-01-02T03:04:05Z"} | OK (0)
        #7 connect-json wirelens.interop.v1.EchoService/Fail HTTP 400:  | FAILED_PRECONDITION (9): echo refuses 'nope'
        #8 connect wirelens.interop.v1.EchoService/Count HTTP 200: {"text":"stream 1","index":1} {"text":"stream 2","index":2} | OK (0)
        #9 connect-json wirelens.interop.v1.EchoService/CountThenFail HTTP 200: {"text":"j 1","index":1} | FAILED_PRECONDITION (9): echo refuses 'j'
    "##]].assert_eq(&out);
}
