//! `wirelens`: encode, decode and annotate protobuf from a terminal.
//!
//! The argument definitions (clap derive), the subcommands as thin steps over wirelens-core,
//! and the exit codes: 0 success, 1 invalid input (schema, message, bytes, an unreadable file),
//! 2 usage, 3 a failed call. Finding and reading `.proto` files is `load.rs`'s job, painting
//! the listing `output.rs`'s. All protobuf knowledge is core's.

mod call;
mod delimited;
mod error;
mod har;
mod help;
mod load;
mod output;
mod reflect;
mod repeat;
mod rest;
mod summary;
mod transport;

use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use prost_reflect::MessageDescriptor;
use wirelens_core::examples::EXAMPLES;
use wirelens_core::input::{self, InputFormat};
use wirelens_core::message::{self, JsonStyle, Notation, ParseOptions};
use wirelens_core::protoscope;
use wirelens_core::wire::{Annotation, annotate, annotate_owned};

use crate::error::Failure;
use crate::output::{ColorChoice, Ui};

/// Makes the Protocol Buffers wire format visible: encode JSON or text format to bytes,
/// decode bytes to JSON, and annotate every byte with what it means.
#[derive(Debug, Parser)]
#[command(name = "wirelens", version, after_help = help::MAIN)]
struct Cli {
    /// When to colour the listing and errors: auto means on a terminal, unless NO_COLOR is set
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Encode a message written in JSON or text format, and show its bytes
    #[command(after_long_help = help::ENCODE)]
    Encode(EncodeArgs),
    /// Decode bytes (hex, base64, escaped or raw) as a message, to JSON or text format
    #[command(after_long_help = help::DECODE)]
    Decode(DecodeArgs),
    /// Show what every byte means, with or without a schema
    #[command(after_long_help = help::ANNOTATE)]
    Annotate(AnnotateArgs),
    /// Call any method of any service over gRPC, grpc-web or Connect, and show the answers
    #[command(after_long_help = help::CALL)]
    Call(CallArgs),
    /// List the grpc-web and Connect calls of a HAR file (DevTools, playwright) with their messages
    #[command(after_long_help = help::HAR)]
    Har(HarArgs),
}

#[derive(Debug, Args)]
struct HarArgs {
    /// The HAR file: DevTools' "Save all as HAR", playwright's recordHar (content embedded)
    #[arg(value_name = "FILE.har")]
    file: PathBuf,
    /// A .proto file of the schema (repeatable); its imports are read from -I directories.
    /// Without a schema, the messages' bytes are shown
    #[arg(long = "proto", value_name = "FILE", help_heading = "Schema", conflicts_with = "descriptor_set")]
    protos: Vec<PathBuf>,
    /// An include directory for --proto (repeatable; default: .)
    #[arg(short = 'I', long = "proto-path", value_name = "DIR", help_heading = "Schema")]
    proto_path: Vec<PathBuf>,
    /// The schema as an encoded FileDescriptorSet (.binpb, .pb, .protoset)
    #[arg(long, value_name = "FILE", help_heading = "Schema")]
    descriptor_set: Option<PathBuf>,
    /// Only the call of this entry (its number in the file's log.entries, as listed)
    #[arg(long, value_name = "N")]
    entry: Option<usize>,
    /// Also show every message's wire bytes, annotated
    #[arg(long)]
    annotate: bool,
    /// With a schema: also print each call as `wirelens call`, grpcurl and `buf curl` lines (its
    /// URL, protocol, metadata, deadline and requests), to make it again
    #[arg(long)]
    commands: bool,
}

#[derive(Debug, Args)]
struct CallArgs {
    /// The server
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    addr: String,
    /// The wire protocol: native gRPC (HTTP/2, every kind of method), grpc-web (binary or
    /// base64 text) or Connect (binary protobuf, or JSON with connect-json), over HTTP/1.1
    #[arg(long, value_name = "PROTOCOL", default_value = "grpc", value_parser = protocols())]
    protocol: call::Protocol,
    /// A .proto file of the schema (repeatable); its imports are read from -I directories
    #[arg(long = "proto", value_name = "FILE", help_heading = "Schema", conflicts_with_all = ["descriptor_set", "reflect"])]
    protos: Vec<PathBuf>,
    /// An include directory for --proto (repeatable; default: .)
    #[arg(short = 'I', long = "proto-path", value_name = "DIR", help_heading = "Schema")]
    proto_path: Vec<PathBuf>,
    /// The schema as an encoded FileDescriptorSet (.binpb, .pb, .protoset), as `protoc
    /// --include_imports --descriptor_set_out` or `buf build -o` write it
    #[arg(long, value_name = "FILE", help_heading = "Schema", conflicts_with = "reflect")]
    descriptor_set: Option<PathBuf>,
    /// The schema from the server's reflection service (grpc.reflection.v1, else v1alpha), over
    /// native gRPC, or grpc-web with --protocol grpc-web. Without any of these: the reference
    /// UserService, built in
    #[arg(long, help_heading = "Schema")]
    reflect: bool,
    /// The bearer token sent in `authorization`; empty sends none. Default: the demo token
    /// to the built-in UserService, none to other schemas
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// How long the call may take (500ms, 2s, 1m): sent as grpc-timeout (connect-timeout-ms)
    #[arg(long, value_name = "DURATION", value_parser = call::parse_duration)]
    deadline: Option<std::time::Duration>,
    /// An extra request header, `name: value` (repeatable), e.g. 'x-wirelens-delay-ms: 300'
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// Compress the request's messages (gzip or deflate) and ask the server to compress its
    /// answers so (grpc-encoding and grpc-accept-encoding; Connect's content-encoding headers).
    /// Compressed answers are read with or without it
    #[arg(long, value_name = "ALGORITHM", value_parser = call::parse_algorithm)]
    compress: Option<call::Algorithm>,
    /// Connect only: send the call as a GET with the message in the URL (for a unary method
    /// marked `option idempotency_level = NO_SIDE_EFFECTS`), as Connect clients do with
    /// useHttpGet / WithHTTPGet
    #[arg(long)]
    get: bool,
    /// Also show every response's wire bytes, annotated, and the trailers or Connect's
    /// end-of-stream message or error body
    #[arg(long)]
    annotate: bool,
    /// Print the response headers, trailers and the status with its meaning on stderr
    #[arg(short, long)]
    verbose: bool,
    /// Print the call as `wirelens call`, grpcurl and `buf curl` lines instead of making it
    #[arg(long)]
    commands: bool,
    /// Make the call N times (same requests) and print a summary: statuses, calls/s, latencies;
    /// the reference GetUser and ListUsers are then made N times over their REST twin too
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    repeat: u32,
    /// With --repeat: how many calls are in flight at once (over one HTTP/2 connection in gRPC)
    #[arg(long, value_name = "C", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
    /// The request in canonical proto3 JSON; for a client stream, one message per line
    #[arg(long, value_name = "REQUEST")]
    json: Option<String>,
    /// `package.Service/Method`, `Service/Method`, or a method name unique in the schema
    /// (GetUser). Without it: the schema's methods are listed
    #[arg(value_name = "METHOD")]
    method: Option<String>,
    /// `-` (or nothing, without --json) reads the request(s) from stdin: one JSON message per line
    /// for a client stream
    #[arg(value_name = "-", conflicts_with = "json")]
    stdin: Option<String>,
}

fn protocols() -> impl clap::builder::TypedValueParser<Value = call::Protocol> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(call::Protocol::ALL.map(call::Protocol::name))
        .map(|name| call::Protocol::from_name(&name).expect("one of the possible values"))
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text.split_once(':').ok_or_else(|| format!("'{text}' is not `name: value`"))?;
    Ok((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
}

#[derive(Debug, Args)]
struct SchemaArgs {
    /// A .proto file to compile (repeatable). The files it imports are read from the include
    /// directories; google/protobuf/*.proto are built in
    #[arg(long = "proto", value_name = "FILE", help_heading = "Schema")]
    protos: Vec<PathBuf>,
    /// An include directory (repeatable; default: .). A file's import name is its path
    /// relative to the first include directory that holds it
    #[arg(short = 'I', long = "proto-path", value_name = "DIR", help_heading = "Schema")]
    proto_path: Vec<PathBuf>,
    /// The message type, by full name (userservice.User) or unique short name (User). Not
    /// needed with --example, or when the files declare a single message
    #[arg(long = "type", value_name = "PKG.Message", help_heading = "Schema")]
    type_name: Option<String>,
    /// A built-in example schema instead of --proto (its message type is the default --type)
    #[arg(
        long,
        value_name = "ID",
        help_heading = "Schema",
        conflicts_with_all = ["protos", "proto_path"],
        value_parser = clap::builder::PossibleValuesParser::new(EXAMPLES.iter().map(|e| e.id)),
    )]
    example: Option<String>,
}

#[derive(Debug, Args)]
struct EncodeArgs {
    #[command(flatten)]
    schema: SchemaArgs,
    /// The message in canonical proto3 JSON
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["text", "notation", "message"])]
    json: Option<String>,
    /// The message in protobuf text format
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["notation", "message"])]
    text: Option<String>,
    /// The notation of MESSAGE, or of stdin
    #[arg(long, value_enum, default_value_t = NotationArg::Json)]
    notation: NotationArg,
    /// JSON only: skip members the schema has no field for (and enum names it does not know)
    /// instead of refusing them, for JSON written against a newer schema
    #[arg(long)]
    ignore_unknown_fields: bool,
    /// What to print
    #[arg(short, long, value_name = "FORMAT", default_value = "annotated", value_parser = outputs(&Output::ALL))]
    output: Output,
    /// The message, in --notation (several words are joined by spaces); `-` or nothing reads
    /// it from stdin
    #[arg(value_name = "MESSAGE")]
    message: Vec<String>,
}

#[derive(Debug, Args)]
struct DecodeArgs {
    #[command(flatten)]
    schema: SchemaArgs,
    /// The notation of DATA
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = InputArg::Auto)]
    input: InputArg,
    /// What to print: the message, or the bytes (once they decode) in another form
    #[arg(short, long, value_name = "FORMAT", default_value = "json", value_parser = outputs(&Output::DECODE))]
    output: Output,
    /// The bytes, as text in --input's notation (several words are joined by spaces); `-` or
    /// nothing reads them from stdin
    #[arg(value_name = "DATA")]
    data: Vec<String>,
}

#[derive(Debug, Args)]
struct AnnotateArgs {
    #[command(flatten)]
    schema: SchemaArgs,
    /// The notation of DATA
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = InputArg::Auto)]
    input: InputArg,
    /// Show the arithmetic under each value: tag bits, varint groups, zigzag, byte order
    #[arg(long)]
    explain: bool,
    /// What to print: the listing, or the bytes in another form (raw assembles protoscope text,
    /// as `protoscope -s` does)
    #[arg(short, long, value_name = "FORMAT", default_value = "annotated", value_parser = outputs(&Output::BYTES))]
    output: Output,
    /// The bytes are a stream of messages, each behind its length as a varint (what
    /// writeDelimitedTo writes): annotate and print each as soon as it is read (the listing or
    /// protoscope)
    #[arg(long)]
    delimited: bool,
    /// The bytes, as text in --input's notation (several words are joined by spaces); `-` or
    /// nothing reads them from stdin
    #[arg(value_name = "DATA")]
    data: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum NotationArg {
    /// Canonical proto3 JSON: {"id":"42","name":"Alice"}
    Json,
    /// Protobuf text format: id: 42 name: "Alice"
    Text,
}

/// What a command prints: the bytes in one of their forms, or the message. Each command takes
/// the forms that make sense for it ([`Output::BYTES`] for `annotate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    /// Canonical proto3 JSON, indented
    Json,
    /// Protobuf text format
    Text,
    /// Every byte with what it means
    Annotated,
    /// Protoscope text, a record per line, that --input protoscope reads back: 1: 42
    Protoscope,
    /// Uppercase hex pairs: 08 2A
    Hex,
    /// Standard base64 with padding: CCo=
    Base64,
    /// C escapes, as protoc prints bytes: \010*
    Escaped,
    /// The bytes themselves, for a pipe or a file
    Raw,
}

impl Output {
    const ALL: [Output; 8] = [
        Output::Annotated,
        Output::Hex,
        Output::Base64,
        Output::Escaped,
        Output::Protoscope,
        Output::Raw,
        Output::Json,
        Output::Text,
    ];
    const DECODE: [Output; 8] = [
        Output::Json,
        Output::Text,
        Output::Annotated,
        Output::Protoscope,
        Output::Hex,
        Output::Base64,
        Output::Escaped,
        Output::Raw,
    ];
    const BYTES: [Output; 6] =
        [Output::Annotated, Output::Protoscope, Output::Hex, Output::Base64, Output::Escaped, Output::Raw];
}

/// A parser that takes the `allowed` outputs only, listed with their help in that order.
fn outputs(allowed: &'static [Output]) -> impl clap::builder::TypedValueParser<Value = Output> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(allowed.iter().filter_map(ValueEnum::to_possible_value))
        .map(|name| Output::from_str(&name, false).expect("one of the possible values"))
}

/// The bytes of `annotation` as `output` prints them (with the arithmetic when `explain`);
/// `None` for the message forms, JSON and text.
fn bytes_out(output: Output, annotation: &Annotation, explain: bool, color: bool) -> Option<Vec<u8>> {
    let bytes = annotation.bytes();
    Some(match output {
        Output::Annotated => output::listing(annotation, explain, color).into_bytes(),
        Output::Protoscope => protoscope::write(annotation).into_bytes(),
        Output::Hex => line(input::to_hex(bytes)),
        Output::Base64 => line(input::to_base64(bytes)),
        Output::Escaped => line(input::to_escaped(bytes)),
        Output::Raw => bytes.to_vec(),
        Output::Json | Output::Text => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputArg {
    /// Guess hex, base64, escaped or protoscope from the text
    Auto,
    /// Hex digit pairs: 08 2A, 082a, 0x08, 0x2a
    Hex,
    /// Standard or URL-safe base64, padded or not
    Base64,
    /// C escapes, bare or quoted: \x08*
    Escaped,
    /// Protoscope's tagged values: 1: 42 2: {"Alice"}
    Protoscope,
    /// The bytes themselves, read from stdin
    Raw,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui::new(cli.color);
    let result = match cli.command {
        Command::Encode(args) => encode(&args, &ui),
        Command::Decode(args) => decode(&args, &ui),
        Command::Annotate(args) => annotate_cmd(&args, &ui),
        Command::Call(args) => call_cmd(args, &ui),
        Command::Har(args) => har::run(&har::Har {
            file: args.file,
            protos: args.protos,
            include: args.proto_path,
            descriptor_set: args.descriptor_set,
            entry: args.entry,
            annotate: args.annotate,
            commands: args.commands,
            color: ui.stdout_color,
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            ui.report(&failure);
            ExitCode::from(failure.exit_code())
        }
    }
}

fn encode(args: &EncodeArgs, ui: &Ui) -> Result<(), Failure> {
    let desc = args.schema.message_type()?.ok_or_else(no_schema)?;
    let (text, notation) = match (&args.json, &args.text) {
        (Some(json), _) => (json.clone(), Notation::Json),
        (None, Some(text)) => (text.clone(), Notation::Text),
        (None, None) => {
            let notation = match args.notation {
                NotationArg::Json => Notation::Json,
                NotationArg::Text => Notation::Text,
            };
            match words(&args.message) {
                Some(message) => (message, notation),
                None => (read_stdin_text("the message")?, notation),
            }
        }
    };
    let options = ParseOptions { ignore_unknown_fields: args.ignore_unknown_fields };
    let message = message::parse_with(&desc, &text, notation, options)
        .map_err(|e| Failure::invalid_at(e.to_string(), &text, e.line, e.column))?;
    let bytes = message::encode(&message);
    let out = match args.output {
        Output::Json => line(json(&message)?),
        Output::Text => line(message::to_text(&message, true)),
        form => bytes_out(form, &annotate(&bytes, Some(&desc)), false, ui.stdout_color).expect("a form of bytes"),
    };
    output::write_stdout(&out)
}

/// Pretty canonical JSON; a message with no JSON form (an `Any` of an unknown type) is invalid input.
fn json(message: &prost_reflect::DynamicMessage) -> Result<String, Failure> {
    message::to_json(message, JsonStyle::PRETTY).map_err(|e| Failure::invalid(e.to_string()))
}

fn decode(args: &DecodeArgs, ui: &Ui) -> Result<(), Failure> {
    let desc = args.schema.message_type()?.ok_or_else(no_schema)?;
    let bytes = read_bytes(args.input, &args.data)?;
    let message = message::decode(&desc, &bytes).map_err(|e| {
        // Show everything that could be read before the bad byte.
        let listing = output::listing(&annotate(&bytes, Some(&desc)), false, ui.stderr_color);
        eprint!("{listing}");
        Failure::invalid(e.to_string())
    })?;
    let out = match args.output {
        Output::Json => line(json(&message)?),
        Output::Text => line(message::to_text(&message, true)),
        form => bytes_out(form, &annotate(&bytes, Some(&desc)), false, ui.stdout_color).expect("a form of bytes"),
    };
    output::write_stdout(&out)
}

/// Never fails on bytes: what cannot be read is shown as invalid, with its offset.
fn annotate_cmd(args: &AnnotateArgs, ui: &Ui) -> Result<(), Failure> {
    let desc = args.schema.message_type()?;
    if args.delimited {
        let form = match args.output {
            Output::Annotated => delimited::Form::Listing { explain: args.explain, color: ui.stdout_color },
            Output::Protoscope => delimited::Form::Protoscope,
            _ => {
                return Err(Failure::usage(
                    "--delimited prints the listing or protoscope (-o annotated, -o protoscope)",
                ));
            }
        };
        // Raw bytes stream from stdin; text is read whole and parsed first.
        return match args.input {
            InputArg::Raw if words(&args.data).is_none() => {
                delimited::run(&mut io::stdin().lock(), desc.as_ref(), form)
            }
            _ => delimited::run(&mut read_bytes(args.input, &args.data)?.as_slice(), desc.as_ref(), form),
        };
    }
    if args.output == Output::Protoscope {
        // Printed as the bytes are read, with no annotation built: 2 to 3 times their size.
        let mapped = (args.input == InputArg::Raw && words(&args.data).is_none()).then(map_stdin).flatten();
        let read;
        let bytes = match &mapped {
            Some(map) => &map[..],
            None => {
                read = read_bytes(args.input, &args.data)?;
                &read[..]
            }
        };
        let mut printer = protoscope::Printer::new(desc.as_ref());
        return output::stream_stdout(|out| printer.write_into(bytes, out));
    }
    let bytes = read_bytes(args.input, &args.data)?;
    let annotation = annotate_owned(bytes, desc.as_ref());
    if args.output == Output::Annotated {
        // Written as it is made: the listing is some 25 times the size of the bytes.
        return output::stream_stdout(|out| output::listing_to(&annotation, args.explain, ui.stdout_color, out));
    }
    let out = bytes_out(args.output, &annotation, args.explain, ui.stdout_color).expect("annotate prints bytes");
    output::write_stdout(&out)
}

fn call_cmd(args: CallArgs, ui: &Ui) -> Result<(), Failure> {
    if args.stdin.as_deref().is_some_and(|s| s != "-") {
        return Err(Failure::usage("the request comes from --json or from stdin (`-`), not from an argument"));
    }
    let call = call::Call {
        addr: args.addr,
        protocol: args.protocol,
        schema: call::Schema {
            protos: args.protos,
            include: args.proto_path,
            descriptor_set: args.descriptor_set,
            reflect: args.reflect,
        },
        token: args.token,
        deadline: args.deadline,
        headers: args.headers,
        compress: args.compress,
        get: args.get,
        method: args.method,
        json: args.json,
        annotate: args.annotate,
        verbose: args.verbose,
        commands: args.commands,
        color: ui.stdout_color,
        repeat: args.repeat,
        concurrency: args.concurrency,
    };
    if call.repeat > 1 { repeat::run(call) } else { call::run(call) }
}

impl SchemaArgs {
    /// The message type the arguments name, or `None` when they give no schema.
    fn message_type(&self) -> Result<Option<MessageDescriptor>, Failure> {
        let loaded = if let Some(id) = &self.example {
            load::example(id)?
        } else if !self.protos.is_empty() {
            let include = if self.proto_path.is_empty() { vec![PathBuf::from(".")] } else { self.proto_path.clone() };
            load::files(&self.protos, &include)?
        } else if self.type_name.is_some() {
            return Err(Failure::usage("--type needs a schema: give --proto FILE or --example ID"));
        } else {
            return Ok(None);
        };
        let name = match (&self.type_name, loaded.default_type) {
            (Some(name), _) => name.clone(),
            (None, Some(name)) => name,
            (None, None) => {
                let messages = loaded.schema.messages();
                return Err(if messages.is_empty() {
                    Failure::invalid("the schema declares no messages")
                } else {
                    Failure::usage(format!("--type is needed: the schema has {}", messages.join(", ")))
                });
            }
        };
        loaded.schema.message(&name).map(Some).map_err(|e| Failure::invalid(e.to_string()))
    }
}

fn no_schema() -> Failure {
    Failure::usage("a schema is needed: give --proto FILE --type PKG.Message, or --example ID")
}

/// The bytes of DATA in `format`, or of stdin when DATA is absent or `-`.
fn read_bytes(format: InputArg, data: &[String]) -> Result<Vec<u8>, Failure> {
    let data = words(data);
    let format = match format {
        InputArg::Raw => {
            if data.is_some() {
                return Err(Failure::usage("--input raw reads the bytes from stdin: leave DATA out, or write -"));
            }
            let mut bytes = Vec::with_capacity(stdin_file_size());
            io::stdin().read_to_end(&mut bytes).map_err(|e| Failure::invalid(format!("cannot read stdin: {e}")))?;
            return Ok(bytes);
        }
        InputArg::Auto => InputFormat::Auto,
        InputArg::Hex => InputFormat::Hex,
        InputArg::Base64 => InputFormat::Base64,
        InputArg::Escaped => InputFormat::Escaped,
        InputArg::Protoscope => InputFormat::Protoscope,
    };
    let text = match data {
        Some(data) => data,
        None => read_stdin_text("the bytes")?,
    };
    input::parse_bytes(&text, format).map_err(|e| {
        let (line, column) = e.line_col();
        Failure::invalid_at(e.to_string(), &text, line, column)
    })
}

/// The rest of the file on stdin (`< file`), mapped, for `--input raw`: its pages are faulted
/// in from the page cache, where a buffer it is read into is fresh memory faulted in a page at a
/// time (a quarter of the time of printing 1 MiB of blobs). `None` for a pipe, a terminal, an
/// empty rest, or a file that cannot be mapped: those are read.
fn map_stdin() -> Option<memmap2::Mmap> {
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let mut file = std::fs::File::from(io::stdin().as_fd().try_clone_to_owned().ok()?);
        let meta = file.metadata().ok()?;
        // Where reading would start: a shell may have read part of the file already.
        let at = file.stream_position().ok()?;
        if !meta.is_file() || meta.len() <= at {
            return None;
        }
        let len = usize::try_from(meta.len() - at).ok()?;
        // SAFETY: the mapping is only read, and only while this process prints it. A file
        // changed under it by another process changes what is printed, as it would between two
        // reads; one truncated under it ends the process (SIGBUS): the risk ripgrep takes for
        // the same gain.
        unsafe { memmap2::MmapOptions::new().offset(at).len(len).map(&file) }.ok()
    }
    #[cfg(not(unix))]
    None
}

/// The size of the file on stdin (`< file`), so that it is read into one buffer of that size
/// instead of one grown and copied as it fills; 0 for a pipe or a terminal.
fn stdin_file_size() -> usize {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let file = io::stdin().as_fd().try_clone_to_owned().map(std::fs::File::from);
        file.and_then(|f| f.metadata()).ok().filter(|m| m.is_file()).map_or(0, |m| m.len() as usize)
    }
    #[cfg(not(unix))]
    0
}

/// All of stdin, as text; `what` names it in messages.
fn read_stdin_text(what: &str) -> Result<String, Failure> {
    let mut stdin = io::stdin();
    if stdin.is_terminal() {
        eprintln!("wirelens: reading {what} from stdin (end with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin.read_to_end(&mut bytes).map_err(|e| Failure::invalid(format!("cannot read stdin: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        Failure::invalid(format!(
            "stdin is not UTF-8 text (byte {} is not): for binary input use --input raw",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The words of a positional argument joined by spaces; `None` for none or a lone `-` (stdin).
fn words(words: &[String]) -> Option<String> {
    match words {
        [] => None,
        [dash] if dash == "-" => None,
        words => Some(words.join(" ")),
    }
}

fn line(mut text: String) -> Vec<u8> {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.into_bytes()
}
