//! A call written as a command line to copy: `wirelens call`, `grpcurl` and `buf curl`, from one
//! plain description, so the app shows the same lines the CLI would print. Knows the three
//! tools' flags and POSIX shell quoting; nothing about making the call.

use crate::call::Protocol;
use crate::compression::Algorithm;

/// Where the schema of a call comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// The reference UserService's, built into the CLI (wirelens-server also serves it by reflection).
    Builtin,
    /// `.proto` files and the include directories their imports are found in.
    Protos { files: Vec<String>, includes: Vec<String> },
    /// An encoded FileDescriptorSet file (`.binpb`, `.pb`, `.protoset`).
    DescriptorSet(String),
    /// The server's reflection service.
    Reflect,
}

/// A call, as a command line describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLine {
    pub protocol: Protocol,
    /// The server's base URL: `http://127.0.0.1:8080`.
    pub base_url: String,
    /// `package.Service/Method`.
    pub method: String,
    pub schema: SchemaSource,
    /// Request metadata; an `authorization: Bearer T` becomes `--token T` in wirelens' line.
    pub metadata: Vec<(String, String)>,
    pub deadline_ms: Option<u32>,
    /// `--compress` in wirelens' line (grpcurl and buf curl lines leave it out: the server
    /// answers uncompressed to them, with the same messages).
    pub compress: Option<Algorithm>,
    /// A Connect GET: `--get` in wirelens' line (buf curl and grpcurl POST it, the same call).
    pub get: bool,
    /// The request messages as JSON, one per message (several for a client stream).
    pub requests: Vec<String>,
}

/// `wirelens call …`: runs the same call again.
pub fn wirelens(call: &CallLine) -> String {
    let mut words = vec!["wirelens".to_owned(), "call".to_owned()];
    match &call.schema {
        SchemaSource::Builtin => {}
        SchemaSource::Protos { files, includes } => {
            for dir in includes {
                words.extend(["-I".to_owned(), quote(dir)]);
            }
            for file in files {
                words.extend(["--proto".to_owned(), quote(file)]);
            }
        }
        SchemaSource::DescriptorSet(path) => words.extend(["--descriptor-set".to_owned(), quote(path)]),
        SchemaSource::Reflect => words.push("--reflect".to_owned()),
    }
    words.extend([
        "--protocol".to_owned(),
        call.protocol.name().to_owned(),
        "--addr".to_owned(),
        quote(&call.base_url),
    ]);
    let mut token = None;
    for (name, value) in &call.metadata {
        match value.strip_prefix("Bearer ") {
            Some(t) if name.eq_ignore_ascii_case("authorization") && token.is_none() => token = Some(t),
            _ => words.extend(["-H".to_owned(), quote(&format!("{name}: {value}"))]),
        }
    }
    match token {
        Some(t) => words.extend(["--token".to_owned(), quote(t)]),
        // The CLI sends the demo token to the built-in service unless told otherwise.
        None if call.schema == SchemaSource::Builtin => words.extend(["--token".to_owned(), quote("")]),
        None => {}
    }
    if let Some(ms) = call.deadline_ms {
        words.extend(["--deadline".to_owned(), format!("{ms}ms")]);
    }
    if let Some(algorithm) = call.compress {
        words.extend(["--compress".to_owned(), algorithm.name().to_owned()]);
    }
    if call.get {
        words.push("--get".to_owned());
    }
    words.push(quote(&call.method));
    words.extend(["--json".to_owned(), quote(&call.requests.join("\n"))]);
    words.join(" ")
}

/// `grpcurl …`: native gRPC only, whatever the call's protocol; reflection unless the schema is
/// files; `-max-time` for the deadline, in seconds.
pub fn grpcurl(call: &CallLine) -> String {
    let mut words = vec!["grpcurl".to_owned()];
    let (tls, authority) = split_url(&call.base_url);
    if !tls {
        words.push("-plaintext".to_owned());
    }
    match &call.schema {
        SchemaSource::Protos { files, includes } => {
            for dir in includes {
                words.extend(["-import-path".to_owned(), quote(dir)]);
            }
            for file in files {
                words.extend(["-proto".to_owned(), quote(file)]);
            }
        }
        SchemaSource::DescriptorSet(path) => words.extend(["-protoset".to_owned(), quote(path)]),
        SchemaSource::Builtin | SchemaSource::Reflect => {}
    }
    for (name, value) in &call.metadata {
        words.extend(["-H".to_owned(), quote(&format!("{name}: {value}"))]);
    }
    if let Some(ms) = call.deadline_ms {
        words.extend(["-max-time".to_owned(), seconds(ms)]);
    }
    words.extend(["-d".to_owned(), quote(&call.requests.join("\n")), quote(&authority), quote(&call.method)]);
    words.join(" ")
}

/// `buf curl …`: Connect, grpc-web (binary; buf curl has no text mode) or gRPC (with
/// `--http2-prior-knowledge` over plain http); reflection unless the schema is files. buf curl
/// has no per-call deadline flag, so a deadline is sent as the protocol's own header.
pub fn buf_curl(call: &CallLine) -> String {
    let mut words = vec!["buf".to_owned(), "curl".to_owned()];
    let (tls, _) = split_url(&call.base_url);
    let protocol = match call.protocol {
        Protocol::Grpc => "grpc",
        Protocol::GrpcWeb | Protocol::GrpcWebText => "grpcweb",
        Protocol::Connect | Protocol::ConnectJson => "connect",
    };
    words.extend(["--protocol".to_owned(), protocol.to_owned()]);
    if call.protocol == Protocol::Grpc && !tls {
        words.push("--http2-prior-knowledge".to_owned());
    }
    match &call.schema {
        SchemaSource::Protos { files, .. } => {
            for file in files {
                words.extend(["--schema".to_owned(), quote(file)]);
            }
        }
        SchemaSource::DescriptorSet(path) => words.extend(["--schema".to_owned(), quote(path)]),
        SchemaSource::Builtin | SchemaSource::Reflect => {}
    }
    for (name, value) in &call.metadata {
        words.extend(["-H".to_owned(), quote(&format!("{name}: {value}"))]);
    }
    if let Some(ms) = call.deadline_ms {
        let header = match call.protocol {
            Protocol::Connect | Protocol::ConnectJson => format!("connect-timeout-ms: {ms}"),
            _ => format!("grpc-timeout: {ms}m"),
        };
        words.extend(["-H".to_owned(), quote(&header)]);
    }
    words.extend(["-d".to_owned(), quote(&call.requests.join("\n"))]);
    words.push(quote(&format!("{}/{}", call.base_url.trim_end_matches('/'), call.method)));
    words.join(" ")
}

/// A word for a POSIX shell: as it is when it has only safe characters, else in single quotes
/// (a quote inside written `'\''`).
pub fn quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Whether the URL is https, and its `host:port` (the scheme's port when it names none).
fn split_url(url: &str) -> (bool, String) {
    let (tls, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.eq_ignore_ascii_case("https"), rest),
        None => (false, url),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let has_port = authority.rsplit_once(':').is_some_and(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        && !authority.ends_with(']');
    let authority = if has_port { authority.to_owned() } else { format!("{authority}:{}", if tls { 443 } else { 80 }) };
    (tls, authority)
}

/// Milliseconds as seconds for a flag: `1.5`, `0.25`, `2`.
fn seconds(ms: u32) -> String {
    let text = format!("{:.3}", f64::from(ms) / 1000.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(protocol: Protocol, schema: SchemaSource) -> CallLine {
        CallLine {
            protocol,
            base_url: "http://127.0.0.1:8080".into(),
            method: "demo.v1.Echo/Say".into(),
            schema,
            metadata: vec![("authorization".into(), "Bearer s3cr3t".into()), ("x-trace".into(), "a b".into())],
            deadline_ms: Some(1500),
            compress: None,
            get: false,
            requests: vec![r#"{"text":"it's"}"#.into()],
        }
    }

    #[test]
    fn three_lines_for_each_schema_source() {
        let protos = SchemaSource::Protos { files: vec!["demo/echo.proto".into()], includes: vec!["proto".into()] };
        let mut out = String::new();
        for (protocol, schema) in [
            (Protocol::GrpcWeb, protos),
            (Protocol::Grpc, SchemaSource::DescriptorSet("echo.binpb".into())),
            (Protocol::ConnectJson, SchemaSource::Reflect),
        ] {
            let c = call(protocol, schema);
            out.push_str(&format!("{}\n{}\n{}\n\n", wirelens(&c), grpcurl(&c), buf_curl(&c)));
        }
        expect_test::expect![[r#"
            wirelens call -I proto --proto demo/echo.proto --protocol grpc-web --addr http://127.0.0.1:8080 -H 'x-trace: a b' --token s3cr3t --deadline 1500ms demo.v1.Echo/Say --json '{"text":"it'\''s"}'
            grpcurl -plaintext -import-path proto -proto demo/echo.proto -H 'authorization: Bearer s3cr3t' -H 'x-trace: a b' -max-time 1.5 -d '{"text":"it'\''s"}' 127.0.0.1:8080 demo.v1.Echo/Say
            buf curl --protocol grpcweb --schema demo/echo.proto -H 'authorization: Bearer s3cr3t' -H 'x-trace: a b' -H 'grpc-timeout: 1500m' -d '{"text":"it'\''s"}' http://127.0.0.1:8080/demo.v1.Echo/Say

            wirelens call --descriptor-set echo.binpb --protocol grpc --addr http://127.0.0.1:8080 -H 'x-trace: a b' --token s3cr3t --deadline 1500ms demo.v1.Echo/Say --json '{"text":"it'\''s"}'
            grpcurl -plaintext -protoset echo.binpb -H 'authorization: Bearer s3cr3t' -H 'x-trace: a b' -max-time 1.5 -d '{"text":"it'\''s"}' 127.0.0.1:8080 demo.v1.Echo/Say
            buf curl --protocol grpc --http2-prior-knowledge --schema echo.binpb -H 'authorization: Bearer s3cr3t' -H 'x-trace: a b' -H 'grpc-timeout: 1500m' -d '{"text":"it'\''s"}' http://127.0.0.1:8080/demo.v1.Echo/Say

            wirelens call --reflect --protocol connect-json --addr http://127.0.0.1:8080 -H 'x-trace: a b' --token s3cr3t --deadline 1500ms demo.v1.Echo/Say --json '{"text":"it'\''s"}'
            grpcurl -plaintext -H 'authorization: Bearer s3cr3t' -H 'x-trace: a b' -max-time 1.5 -d '{"text":"it'\''s"}' 127.0.0.1:8080 demo.v1.Echo/Say
            buf curl --protocol connect -H 'authorization: Bearer s3cr3t' -H 'x-trace: a b' -H 'connect-timeout-ms: 1500' -d '{"text":"it'\''s"}' http://127.0.0.1:8080/demo.v1.Echo/Say

        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn the_builtin_service_without_a_token_says_so() {
        let mut c = call(Protocol::Grpc, SchemaSource::Builtin);
        c.metadata.clear();
        c.deadline_ms = None;
        c.base_url = "https://api.example.com".into();
        assert_eq!(
            wirelens(&c),
            r#"wirelens call --protocol grpc --addr https://api.example.com --token '' demo.v1.Echo/Say --json '{"text":"it'\''s"}'"#
        );
        assert_eq!(grpcurl(&c), r#"grpcurl -d '{"text":"it'\''s"}' api.example.com:443 demo.v1.Echo/Say"#);
    }

    #[test]
    fn a_compressed_connect_get_says_so_in_wirelens_line() {
        let c =
            CallLine { compress: Some(Algorithm::Gzip), get: true, ..call(Protocol::Connect, SchemaSource::Reflect) };
        assert_eq!(
            wirelens(&c),
            r#"wirelens call --reflect --protocol connect --addr http://127.0.0.1:8080 -H 'x-trace: a b' --token s3cr3t --deadline 1500ms --compress gzip --get demo.v1.Echo/Say --json '{"text":"it'\''s"}'"#
        );
    }

    #[test]
    fn quoting_and_seconds() {
        assert_eq!(quote("plain-word_1.2/x:y"), "plain-word_1.2/x:y");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a'b"), r"'a'\''b'");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!((seconds(250), seconds(2000), seconds(1)), ("0.25".into(), "2".into(), "0.001".into()));
        assert_eq!(split_url("http://[::1]:9000/x"), (false, "[::1]:9000".into()));
        assert_eq!(split_url("http://h"), (false, "h:80".into()));
    }
}
