//! The playground's state and the actions that change it: pure, no effects.
//!
//! Every action goes through [`State::reduce`]; what the page shows (the bytes, the annotation,
//! the JSON) is derived from the state by the core. Timers, storage and the DOM are `app.rs`'s.

use std::rc::Rc;

use crate::compiler;
use crate::share::Shared;
use wirelens_core::bench_report::Custom;
use wirelens_core::commands::SchemaSource;
use wirelens_core::draft;
use wirelens_core::examples::{self, Example};
use wirelens_core::input::{self, InputError, InputFormat};
use wirelens_core::message::{self, JsonStyle, MessageError, Notation, ParseOptions};
use wirelens_core::mutate::{self, Mutation};
use wirelens_core::prost_reflect::{DynamicMessage, MessageDescriptor};
use wirelens_core::schema::{Schema, SchemaProblem};
use wirelens_core::wire::{Pins, Reading};
use yew::Reducible;

/// Files larger than this are refused: the annotated view of more would not help anyone.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

/// Files up to this size become hex text in the bytes editor, to edit and share; larger ones are
/// kept as bytes only (`State::bytes_file`): 16 MiB as hex would be 48 MB of text in the page.
pub const MAX_FILE_AS_TEXT: usize = 64 << 10;

/// Decode input longer than this is left out of permalinks and saved work.
pub const MAX_SHARED_BYTES_TEXT: usize = 16 << 10;

/// Which way the page works: from a message to bytes, or from bytes to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Encode,
    Decode,
    /// The gRPC panel: a grpc-web call to the server (its state is `grpc_state`'s).
    Grpc,
    /// The lessons (their state is `learn_state`'s).
    Learn,
    /// The benchmark: protobuf against JSON (its state is `bench_state`'s; the message measured
    /// as "yours" is the encoded message).
    Bench,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The `.proto` files being edited: `(import name, text)`.
    pub files: Vec<(String, String)>,
    pub active_file: usize,
    /// The last schema that compiled; kept while the text has errors.
    pub schema: Option<Rc<Schema>>,
    /// Problems of the text as it is now (empty when it compiles).
    pub schema_problems: Vec<SchemaProblem>,
    /// The files as they were at the last compile: an unchanged schema is not compiled again.
    compiled_files: Vec<(String, String)>,
    /// A compiled schema in use instead of the files while set: a FileDescriptorSet opened by
    /// the user or fetched by server reflection. Editing the files goes back to them.
    pub descriptor_set: Option<LoadedSet>,
    /// Full name of the message type the message is written in and the bytes are read as.
    pub message_type: Option<String>,
    pub mode: Mode,
    pub notation: Notation,
    pub message_text: String,
    pub message_error: Option<MessageError>,
    /// JSON only: skip members the schema has no field for (input written for a newer schema),
    /// rather than refuse them.
    pub ignore_unknown_fields: bool,
    /// The bytes of the last message text that parsed (Encode mode).
    pub encoded: Rc<Vec<u8>>,
    pub bytes_text: String,
    /// The name of the binary file the decode input is, when it is too large to be text
    /// ([`MAX_FILE_AS_TEXT`]): `decoded` holds its bytes and `bytes_text` is empty.
    pub bytes_file: Option<String>,
    pub bytes_format: InputFormat,
    pub bytes_error: Option<InputError>,
    /// The bytes of the last input that parsed (Decode mode).
    pub decoded: Rc<Vec<u8>>,
    /// In Decode mode: read the bytes as `message_type`, or without a schema.
    pub decode_with_schema: bool,
    /// The byte the user points at.
    pub selected: Option<usize>,
    /// A note for the user that is not an error of one input (a refused file, say).
    pub notice: Option<String>,
    /// Readings chosen for ambiguous fields when reading without a schema.
    pub pins: Pins,
    /// The decode input as it was before the mutation lab damaged it, for undo.
    pub before_mutations: Option<Undo>,
    /// The files wait for the compiler's code (`compiler.rs`): the page fetches it, then
    /// compiles.
    pub waiting_for_compiler: bool,
}

/// The decode input to go back to: text, or a file's name and bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Undo {
    Text(String),
    File(String, Rc<Vec<u8>>),
}

/// A FileDescriptorSet in use as the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSet {
    /// The file's name, or where reflection fetched it from.
    pub name: String,
    pub from_server: bool,
    /// Its files (imports included) and services, as the schema pane lists them.
    pub files: Vec<String>,
    pub services: Vec<String>,
}

pub enum Action {
    LoadExample(&'static str),
    /// A FileDescriptorSet to use as the schema: `(name, bytes, from server reflection)`.
    LoadDescriptorSet(String, Vec<u8>, bool),
    /// Back to the `.proto` files from a descriptor set.
    UseProtoFiles,
    EditFile(usize, String),
    SelectFile(usize),
    AddFile,
    /// Compile the files as they are now (sent by app.rs after typing pauses).
    Compile,
    SelectType(String),
    SetNotation(Notation),
    EditMessage(String),
    /// Skip JSON members the schema does not know, or refuse them.
    SetIgnoreUnknownFields(bool),
    Template,
    SetMode(Mode),
    EditBytes(String),
    SetBytesFormat(InputFormat),
    /// A binary file the user dropped or opened.
    LoadBinary {
        name: String,
        bytes: Vec<u8>,
    },
    SetDecodeWithSchema(bool),
    Select(Option<usize>),
    /// Something to tell the user that belongs to no input: a file refused or unreadable.
    Notice(String),
    /// Read the schema-less LEN field at this field-number path this way.
    Pin(Vec<u32>, Reading),
    /// Use a drafted `.proto` as the schema and read the bytes with its root message.
    UseDraft(String),
    /// Replace the work with this state: a recent work reopened, a lesson's example opened in
    /// the playground.
    Open(Box<Shared>),
    /// Damage the decode input at the selected byte (the mutation lab).
    Mutate(Mutation),
    /// Back to the bytes before the first mutation.
    UndoMutations,
    /// The compiler's code could not be fetched (`compiler.rs`): why.
    CompilerUnavailable(String),
}

impl Default for State {
    fn default() -> State {
        State::from_example(&examples::REFERENCE)
    }
}

impl State {
    pub fn from_example(example: &Example) -> State {
        let files = example.files.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        let mut state = State::blank(files, Some(example.message.to_owned()));
        state.compile();
        // The sample, pretty-printed; parsed once (the pretty text is the same message).
        let parsed = state.descriptor().and_then(|d| message::parse_json(&d, example.json).ok());
        match parsed.and_then(|m| Some((message::to_json(&m, JsonStyle::PRETTY).ok()?, m))) {
            Some((pretty, m)) => {
                state.message_text = pretty;
                state.encoded = Rc::new(message::encode(&m));
            }
            None => state.edit_message(example.json.to_owned()),
        }
        state.bytes_text = input::to_hex(&state.encoded);
        state.decoded = state.encoded.clone();
        state
    }

    /// Files and a type, nothing compiled or typed yet.
    fn blank(files: Vec<(String, String)>, message_type: Option<String>) -> State {
        State {
            files,
            active_file: 0,
            schema: None,
            schema_problems: Vec::new(),
            compiled_files: Vec::new(),
            descriptor_set: None,
            message_type,
            mode: Mode::Encode,
            notation: Notation::Json,
            message_text: String::new(),
            message_error: None,
            encoded: Rc::default(),
            bytes_text: String::new(),
            bytes_file: None,
            bytes_format: InputFormat::Auto,
            bytes_error: None,
            decoded: Rc::default(),
            decode_with_schema: true,
            ignore_unknown_fields: false,
            selected: None,
            notice: None,
            pins: Pins::default(),
            before_mutations: None,
            waiting_for_compiler: false,
        }
    }

    /// The same state, with a notice for the user.
    pub fn with_notice(self, notice: String) -> State {
        State { notice: Some(notice), ..self }
    }

    /// What a permalink or the saved work carries.
    pub fn to_shared(&self) -> Shared {
        // Megabytes of hex do not belong in a URL (or in local storage's few megabytes).
        let small = self.bytes_text.len() <= MAX_SHARED_BYTES_TEXT;
        Shared {
            files: self.files.clone(),
            message_type: self.message_type.clone(),
            notation: self.notation.name().into(),
            message: self.message_text.clone(),
            mode: match self.mode {
                Mode::Encode => "encode",
                Mode::Decode => "decode",
                Mode::Grpc => "grpc",
                Mode::Learn => "learn",
                Mode::Bench => "bench",
            }
            .into(),
            bytes: if small { self.bytes_text.clone() } else { String::new() },
            bytes_format: match self.bytes_format {
                InputFormat::Auto => String::new(),
                format => format.to_string(),
            },
            schema_less: !self.decode_with_schema,
            ignore_unknown_fields: self.ignore_unknown_fields,
            pins: self.pins.iter().map(|(path, reading)| (path.to_vec(), reading)).collect(),
            selected: self.selected.filter(|_| small),
        }
    }

    /// The state a permalink or the saved work describes: compiled and parsed as if typed.
    pub fn from_shared(shared: Shared) -> State {
        let mut state = State::blank(shared.files, shared.message_type);
        state.notation = shared.notation.parse().unwrap_or(Notation::Json);
        state.mode = match shared.mode.as_str() {
            "decode" => Mode::Decode,
            "grpc" => Mode::Grpc,
            "learn" => Mode::Learn,
            "bench" => Mode::Bench,
            _ => Mode::Encode,
        };
        state.bytes_format = shared.bytes_format.parse().unwrap_or(InputFormat::Auto);
        state.decode_with_schema = !shared.schema_less;
        state.ignore_unknown_fields = shared.ignore_unknown_fields;
        for (path, reading) in shared.pins {
            state.pins.pin(path, reading);
        }
        state.compile();
        state.edit_message(shared.message);
        state.edit_bytes(shared.bytes);
        state.selected = shared.selected.filter(|&at| at < state.bytes().len());
        state
    }

    /// The playground's message as the benchmark measures it ("yours"): its files, type and
    /// text, once it has a type and some text.
    pub fn bench_custom(&self) -> Option<Custom> {
        // The benchmark compiles `.proto` files; a descriptor set has none to give it.
        if self.descriptor_set.is_some() {
            return None;
        }
        let type_name = self.message_type.clone().filter(|_| !self.message_text.trim().is_empty())?;
        Some(Custom {
            files: self.files.clone(),
            type_name,
            message: self.message_text.clone(),
            notation: self.notation.name().into(),
        })
    }

    /// Where the schema comes from, as a command line names it.
    pub fn schema_source(&self) -> SchemaSource {
        match &self.descriptor_set {
            Some(set) if set.from_server => SchemaSource::Reflect,
            Some(set) => SchemaSource::DescriptorSet(set.name.clone()),
            None if self.files.iter().all(|(name, _)| name.starts_with("userservice/")) => SchemaSource::Builtin,
            None => SchemaSource::Protos {
                files: self.files.iter().map(|(name, _)| name.clone()).collect(),
                includes: vec![".".to_owned()],
            },
        }
    }

    /// Reads a FileDescriptorSet and uses it as the schema; what cannot be read is a notice, and
    /// the schema in use stays.
    fn load_descriptor_set(&mut self, name: String, bytes: &[u8], from_server: bool) {
        let pool = match wirelens_core::schema::read_descriptor_set(bytes) {
            Ok(pool) => pool,
            Err(e) => {
                self.notice = Some(format!("cannot use {name} as the schema: {e}"));
                return;
            }
        };
        let files: Vec<String> = pool.files().map(|f| f.name().to_owned()).collect();
        let own: Vec<&str> = files.iter().map(String::as_str).filter(|f| !f.starts_with("google/protobuf/")).collect();
        let schema = match Schema::from_descriptor_set(bytes, &own) {
            Ok(schema) => schema,
            Err(e) => {
                self.notice = Some(format!("cannot use {name} as the schema: {e}"));
                return;
            }
        };
        let services = pool.services().map(|s| s.full_name().to_owned()).collect();
        let keep = self.message_type.as_ref().is_some_and(|t| schema.message(t).is_ok());
        if !keep {
            self.message_type = schema.messages().first().cloned();
        }
        self.notice = Some(format!("the schema is now {name}: {} files", files.len()));
        self.schema = Some(Rc::new(schema));
        self.schema_problems.clear();
        self.descriptor_set = Some(LoadedSet { name, from_server, files, services });
        // The set is the schema now: the files wait for nothing.
        self.waiting_for_compiler = false;
        let text = self.message_text.clone();
        self.edit_message(text);
    }

    /// The descriptor of the chosen type in the last good schema.
    pub fn descriptor(&self) -> Option<MessageDescriptor> {
        let schema = self.schema.as_ref()?;
        schema.message(self.message_type.as_deref()?).ok()
    }

    /// The bytes shown: the encoded message, or the decoded input.
    pub fn bytes(&self) -> Rc<Vec<u8>> {
        match self.mode {
            Mode::Encode | Mode::Grpc | Mode::Learn | Mode::Bench => self.encoded.clone(),
            Mode::Decode => self.decoded.clone(),
        }
    }

    /// The type the bytes are read as, if any.
    pub fn reading_type(&self) -> Option<MessageDescriptor> {
        match self.mode {
            Mode::Decode if !self.decode_with_schema => None,
            _ => self.descriptor(),
        }
    }

    /// True when the bytes shown no longer match the text the user typed.
    pub fn is_stale(&self) -> bool {
        match self.mode {
            Mode::Encode | Mode::Grpc | Mode::Learn | Mode::Bench => {
                self.message_error.is_some() || !self.schema_problems.is_empty()
            }
            Mode::Decode => self.bytes_error.is_some(),
        }
    }

    /// Compiles the files: an example's as they came (the first screen's, a saved work not yet
    /// edited) were compiled at build time; others need the compiler, whose code the page fetches
    /// the first time (`compiler.rs`): until it is here the state waits, and the page compiles
    /// again once it is.
    fn compile(&mut self) {
        let compiled = match Example::with_files(&self.files).and_then(Example::precompiled) {
            Some(schema) => Ok(schema),
            None => match compiler::loaded() {
                Some(compile) => compile(&self.files),
                None => {
                    self.waiting_for_compiler = true;
                    return;
                }
            },
        };
        self.waiting_for_compiler = false;
        self.compiled_files = self.files.clone();
        match compiled {
            Ok(schema) => {
                let names = schema.messages();
                let keep = self.message_type.as_ref().is_some_and(|t| schema.message(t).is_ok());
                if !keep {
                    self.message_type = names.first().cloned();
                }
                self.schema = Some(Rc::new(schema));
                self.schema_problems.clear();
            }
            Err(e) => self.schema_problems = e.problems().to_vec(),
        }
    }

    /// `text` read as the chosen type in `notation`, with the page's parse options.
    fn parse(&self, desc: &MessageDescriptor, text: &str, notation: Notation) -> Result<DynamicMessage, MessageError> {
        let options = ParseOptions { ignore_unknown_fields: self.ignore_unknown_fields };
        message::parse_with(desc, text, notation, options)
    }

    fn edit_message(&mut self, text: String) {
        self.message_text = text;
        let Some(desc) = self.descriptor() else { return };
        match self.parse(&desc, &self.message_text, self.notation) {
            Ok(m) => {
                self.encoded = Rc::new(message::encode(&m));
                self.message_error = None;
            }
            Err(e) => self.message_error = Some(e),
        }
    }

    fn edit_bytes(&mut self, text: String) {
        self.bytes_text = text;
        self.bytes_file = None;
        match input::parse_bytes(&self.bytes_text, self.bytes_format) {
            Ok(bytes) => {
                self.decoded = Rc::new(bytes);
                self.bytes_error = None;
            }
            Err(e) => self.bytes_error = Some(e),
        }
    }

    /// A file's bytes as the decode input: as hex text when small enough to edit, else as bytes.
    fn load_file(&mut self, name: String, bytes: Vec<u8>) {
        self.bytes_format = InputFormat::Hex;
        self.bytes_error = None;
        if bytes.len() <= MAX_FILE_AS_TEXT {
            self.bytes_text = input::to_hex(&bytes);
            self.bytes_file = None;
        } else {
            self.bytes_text = String::new();
            self.bytes_file = Some(name);
        }
        self.decoded = Rc::new(bytes);
    }

    /// Back to a decode input kept by [`State::undo_point`].
    fn restore(&mut self, input: Undo) {
        match input {
            Undo::Text(text) => self.edit_bytes(text),
            Undo::File(name, bytes) => {
                self.bytes_text = String::new();
                self.bytes_file = Some(name);
                self.bytes_error = None;
                self.decoded = bytes;
            }
        }
    }

    /// The decode input as it is, to go back to.
    fn undo_point(&self) -> Undo {
        match &self.bytes_file {
            Some(name) => Undo::File(name.clone(), self.decoded.clone()),
            None => Undo::Text(self.bytes_text.clone()),
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.notice = None;
        match action {
            Action::LoadExample(id) => {
                if let Some(example) = Example::by_id(id) {
                    let decoding = (s.mode == Mode::Decode).then(|| (s.undo_point(), s.bytes_format));
                    s = State::from_example(example);
                    // Decoding keeps its bytes: reading v1 bytes with the v2 schema is the point.
                    if let Some((input, format)) = decoding {
                        s.mode = Mode::Decode;
                        s.bytes_format = format;
                        s.restore(input);
                    }
                }
            }
            Action::LoadDescriptorSet(name, bytes, from_server) => s.load_descriptor_set(name, &bytes, from_server),
            Action::UseProtoFiles => {
                s.descriptor_set = None;
                s.compile();
                let text = s.message_text.clone();
                s.edit_message(text);
            }
            Action::EditFile(i, text) => {
                if let Some(file) = s.files.get_mut(i) {
                    file.1 = text;
                }
                // Typing in a file means using the files.
                if s.descriptor_set.take().is_some() {
                    s.compiled_files.clear();
                }
            }
            Action::SelectFile(i) => s.active_file = i.min(s.files.len().saturating_sub(1)),
            Action::AddFile => {
                let name = (1..).map(|n| format!("new{n}.proto")).find(|n| !s.files.iter().any(|f| &f.0 == n)).unwrap();
                s.files.push((name, "syntax = \"proto3\";\n\n".to_owned()));
                s.active_file = s.files.len() - 1;
                if s.descriptor_set.take().is_some() {
                    s.compiled_files.clear();
                }
            }
            Action::Compile
                if s.descriptor_set.is_some() || (s.files == s.compiled_files && !s.waiting_for_compiler) =>
            {
                return self;
            }
            Action::Compile => {
                s.compile();
                let text = s.message_text.clone();
                s.edit_message(text);
            }
            Action::SelectType(name) => {
                s.message_type = Some(name);
                s.selected = None;
                // A message written for another type rarely parses as this one: start from its template.
                if let Some(desc) = s.descriptor() {
                    let text = s.message_text.clone();
                    if s.parse(&desc, &text, s.notation).is_err() {
                        let template = message::template(&desc);
                        s.edit_message(message::write(&template, s.notation));
                    } else {
                        s.edit_message(text);
                    }
                }
            }
            Action::SetNotation(notation) if notation != s.notation => match s.descriptor() {
                Some(desc) => match s.parse(&desc, &s.message_text, s.notation) {
                    Ok(m) => {
                        s.notation = notation;
                        s.message_text = message::write(&m, notation);
                        s.message_error = None;
                    }
                    Err(_) => s.notice = Some("fix the message before converting it".into()),
                },
                None => s.notation = notation,
            },
            Action::SetNotation(_) => {}
            Action::EditMessage(text) => s.edit_message(text),
            Action::SetIgnoreUnknownFields(yes) => {
                s.ignore_unknown_fields = yes;
                let text = s.message_text.clone();
                s.edit_message(text);
            }
            Action::Template => {
                if let Some(desc) = s.descriptor() {
                    let text = message::write(&message::template(&desc), s.notation);
                    s.edit_message(text);
                }
            }
            Action::SetMode(mode) => {
                if mode == Mode::Decode && s.mode == Mode::Encode && s.bytes_error.is_none() {
                    // Start decoding from the bytes just encoded.
                    s.bytes_text = input::to_hex(&s.encoded);
                    s.bytes_file = None;
                    s.decoded = s.encoded.clone();
                }
                s.mode = mode;
                s.selected = None;
            }
            Action::EditBytes(text) => {
                s.edit_bytes(text);
                s.selected = None;
            }
            Action::SetBytesFormat(format) => {
                s.bytes_format = format;
                // A file's bytes are no notation: they stay as they are.
                if s.bytes_file.is_none() {
                    let text = s.bytes_text.clone();
                    s.edit_bytes(text);
                }
            }
            Action::LoadBinary { name, bytes } => {
                if let Some(refusal) = too_large(&name, bytes.len()) {
                    s.notice = Some(refusal);
                } else {
                    s.mode = Mode::Decode;
                    s.notice = Some(format!("read {name}: {}", human_size(bytes.len())));
                    s.load_file(name, bytes);
                    s.selected = None;
                }
            }
            Action::SetDecodeWithSchema(yes) => {
                s.decode_with_schema = yes;
                s.selected = None;
            }
            Action::Select(offset) => s.selected = offset,
            Action::Notice(text) => s.notice = Some(text),
            Action::Pin(path, reading) => s.pins.pin(path, reading),
            Action::Mutate(mutation) => {
                let annotation = wirelens_core::wire::annotate_pinned(
                    &s.decoded,
                    s.reading_type().as_ref(),
                    &s.pins,
                    Default::default(),
                );
                let at = s.selected.unwrap_or(0);
                match mutate::mutate(&annotation, at, mutation) {
                    Some(bytes) => {
                        if s.before_mutations.is_none() {
                            s.before_mutations = Some(s.undo_point());
                        }
                        match s.bytes_file.take() {
                            // A large file stays bytes, damaged.
                            Some(name) if bytes.len() > MAX_FILE_AS_TEXT => s.load_file(name, bytes),
                            _ => {
                                s.bytes_format = InputFormat::Hex;
                                s.edit_bytes(input::to_hex(&bytes));
                            }
                        }
                        // Stay on the damaged byte, or the last one when the bytes got shorter.
                        s.selected = Some(at.min(s.decoded.len().saturating_sub(1)));
                    }
                    None => s.notice = Some(format!("nothing to {} at byte {at}", mutation.label())),
                }
            }
            Action::UndoMutations => {
                if let Some(input) = s.before_mutations.take() {
                    s.restore(input);
                }
            }
            Action::Open(shared) => return Rc::new(State::from_shared(*shared)),
            Action::CompilerUnavailable(why) => {
                s.waiting_for_compiler = false;
                s.notice = Some(format!(
                    "The .proto compiler could not be fetched ({why}): check the connection to the page's server, then edit the schema to try again."
                ));
            }
            Action::UseDraft(text) => {
                s.files = vec![("draft.proto".to_owned(), text)];
                s.active_file = 0;
                s.message_type = Some(draft::ROOT.to_owned());
                s.decode_with_schema = true;
                s.compile();
                s.notice = Some(
                    "the drafted schema is in use: rename its fields and messages as you learn what they are".into(),
                );
            }
        }
        Rc::new(s)
    }
}

/// Why a file of `size` bytes is refused, if it is.
pub fn too_large(name: &str, size: usize) -> Option<String> {
    (size > MAX_INPUT_BYTES)
        .then(|| format!("{name} is {}: wirelens reads files up to {} MiB", human_size(size), MAX_INPUT_BYTES >> 20))
}

/// `43 bytes`, `1.5 KiB`, `50.0 MiB`.
pub fn human_size(n: usize) -> String {
    match n {
        0..1024 => format!("{n} byte{}", if n == 1 { "" } else { "s" }),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(state: State, action: Action) -> State {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn opens_on_the_reference_user() {
        let s = State::default();
        assert_eq!(s.encoded.len(), 43);
        assert_eq!(&s.encoded[..2], &[0x08, 0x2a]);
        assert!(!s.is_stale());
    }

    #[test]
    fn bad_json_keeps_the_last_bytes_and_the_text() {
        let s = act(State::default(), Action::EditMessage("{\"id\": ".into()));
        assert_eq!(s.encoded.len(), 43);
        assert_eq!(s.message_text, "{\"id\": ");
        assert!(s.is_stale());
    }

    #[test]
    fn unknown_json_members_are_refused_unless_the_user_chooses_to_skip_them() {
        let newer = r#"{"id": "42", "nickname": "Al"}"#;
        let s = act(State::default(), Action::EditMessage(newer.into()));
        assert!(s.message_error.as_ref().unwrap().to_string().contains("nickname"), "{:?}", s.message_error);
        let s = act(s, Action::SetIgnoreUnknownFields(true));
        assert_eq!((s.message_error.as_ref(), &s.encoded[..]), (None, &[0x08, 0x2a][..]));
        // The choice travels with the work.
        let back = State::from_shared(crate::share::decode(&crate::share::encode(&s.to_shared())).unwrap());
        assert_eq!((back.ignore_unknown_fields, &back.encoded[..]), (true, &[0x08, 0x2a][..]));
        let s = act(s, Action::SetIgnoreUnknownFields(false));
        assert!(s.message_error.is_some());
    }

    #[test]
    fn a_schema_error_keeps_the_last_schema() {
        let s = act(State::default(), Action::EditFile(0, "syntax = \"proto3\"; message {".into()));
        let s = act(s, Action::Compile);
        assert!(!s.schema_problems.is_empty());
        assert!(s.descriptor().is_some());
    }

    #[test]
    fn own_files_wait_for_the_compiler_and_compile_once_it_comes() {
        let mut shared = State::default().to_shared();
        shared.files[0].1.push_str("\n// edited: not the example's file any more\n");
        let waiting = compiler::absent(|| State::from_shared(shared.clone()));
        assert!(waiting.waiting_for_compiler);
        assert_eq!(waiting.schema, None);
        assert!(waiting.encoded.is_empty());
        assert_eq!(waiting.message_text, shared.message, "the text is kept while it waits");

        // The page fetched the compiler and compiles again.
        let s = act(waiting.clone(), Action::Compile);
        assert!(!s.waiting_for_compiler);
        assert_eq!(s.encoded.len(), 43);
        assert_eq!(s.message_type.as_deref(), Some("userservice.User"));

        // The fetch failed: said once, and the next compile tries again.
        let failed = act(waiting, Action::CompilerUnavailable("offline".into()));
        assert!(!failed.waiting_for_compiler);
        assert!(failed.notice.as_deref().unwrap().starts_with("The .proto compiler could not be fetched (offline)"));
        assert_eq!(act(failed, Action::Compile).encoded.len(), 43);
    }

    #[test]
    fn examples_need_no_compiler() {
        let s = compiler::absent(|| act(State::default(), Action::LoadExample("wellknown")));
        assert!(!s.waiting_for_compiler);
        assert!(s.descriptor().is_some());
        assert!(!s.encoded.is_empty());
    }

    #[test]
    fn notation_converts_both_ways() {
        let s = act(State::default(), Action::SetNotation(Notation::Text));
        assert!(s.message_text.contains("name: \"Alice\""), "{}", s.message_text);
        let s = act(s, Action::SetNotation(Notation::Json));
        assert!(s.message_text.contains("\"name\": \"Alice\""), "{}", s.message_text);
        assert_eq!(s.encoded.len(), 43);
    }

    #[test]
    fn shared_state_round_trips() {
        let s = act(State::default(), Action::SetNotation(Notation::Text));
        let s = act(s, Action::SetMode(Mode::Decode));
        let s = act(s, Action::EditBytes("08 2A 12 05 41 6C".into()));
        let back = State::from_shared(crate::share::decode(&crate::share::encode(&s.to_shared())).unwrap());
        assert_eq!(back.to_shared(), s.to_shared());
        assert_eq!(back.mode, Mode::Decode);
        assert_eq!(back.notation, Notation::Text);
        assert_eq!(back.encoded.len(), 43);
        assert_eq!(back.bytes_error.as_ref().map(|e| e.position()), s.bytes_error.as_ref().map(|e| e.position()));
    }

    #[test]
    fn a_permalink_keeps_the_view_pins_format_and_selection() {
        let s = act(State::default(), Action::SetMode(Mode::Decode));
        let s = act(s, Action::SetDecodeWithSchema(false));
        let s = act(s, Action::SetBytesFormat(InputFormat::Hex));
        let s = act(s, Action::Pin(vec![2], Reading::Bytes));
        let s = act(s, Action::Select(Some(5)));
        let link = crate::share::encode(&s.to_shared());
        let back = State::from_shared(crate::share::decode(&link).unwrap());
        assert_eq!((back.decode_with_schema, back.bytes_format, back.selected), (false, InputFormat::Hex, Some(5)));
        assert_eq!(back.pins.get(&[2]), Some(Reading::Bytes));
        assert_eq!(back.to_shared(), s.to_shared());
    }

    #[test]
    fn decoding_keeps_its_bytes_when_the_schema_changes() {
        let s = act(State::from_example(Example::by_id("evolution-v1").unwrap()), Action::SetMode(Mode::Decode));
        let v1_bytes = s.decoded.clone();
        let s = act(s, Action::LoadExample("evolution-v2"));
        assert_eq!(s.decoded, v1_bytes);
        assert_eq!(s.reading_type().unwrap().full_name(), "examples.evolution.v2.User");
        let a = wirelens_core::wire::annotate(&s.decoded, s.reading_type().as_ref());
        assert!(a.diagnostics().iter().any(|d| d.message.contains("reserved names: email")), "{:?}", a.diagnostics());
    }

    #[test]
    fn a_descriptor_set_is_the_schema_until_a_file_is_edited() {
        let s = Rc::new(State::default());
        let set = wirelens_api::FILE_DESCRIPTOR_SET.to_vec();
        let s = s.reduce(Action::LoadDescriptorSet("users.binpb".into(), set, false));
        let loaded = s.descriptor_set.clone().expect("in use");
        assert_eq!(loaded.services, ["userservice.UserService"]);
        assert!(loaded.files.contains(&"userservice/user.proto".to_owned()), "{:?}", loaded.files);
        assert_eq!(s.schema_source(), SchemaSource::DescriptorSet("users.binpb".into()));
        // The message is still read with the type it had.
        assert_eq!(s.message_type.as_deref(), Some("userservice.User"));
        assert_eq!(s.encoded, State::default().encoded);
        // Editing a file goes back to the files.
        let text = s.files[0].1.clone();
        let s = s.reduce(Action::EditFile(0, text)).reduce(Action::Compile);
        assert_eq!(s.descriptor_set, None);
        assert_eq!(s.schema_source(), SchemaSource::Builtin);
    }

    #[test]
    fn a_bad_descriptor_set_is_a_notice_and_the_schema_stays() {
        let before = State::default();
        let s = Rc::new(before.clone()).reduce(Action::LoadDescriptorSet("x.pb".into(), vec![0xff, 0xff], false));
        assert!(s.notice.as_deref().unwrap().starts_with("cannot use x.pb as the schema: not a FileDescriptorSet"));
        assert_eq!(s.descriptor_set, None);
        assert!(Rc::ptr_eq(s.schema.as_ref().unwrap(), before.schema.as_ref().unwrap()), "the same schema");
    }

    #[test]
    fn a_pinned_reading_and_a_drafted_schema() {
        let s = act(State::default(), Action::SetMode(Mode::Decode));
        let s = act(s, Action::SetDecodeWithSchema(false));
        let s = act(s, Action::Pin(vec![2], Reading::Bytes));
        let pinned = wirelens_core::wire::annotate_pinned(&s.decoded, None, &s.pins, Default::default());
        let draft = draft::draft_proto(&pinned);
        assert!(draft.contains("optional bytes field_2 = 2;"), "{draft}");
        let s = act(s, Action::UseDraft(draft));
        assert_eq!(s.reading_type().unwrap().full_name(), "Draft");
        assert_eq!(s.decoded.len(), 43);
    }

    #[test]
    fn mutations_damage_the_input_and_undo_restores_it() {
        let s = act(State::default(), Action::SetMode(Mode::Decode));
        let good = s.bytes_text.clone();
        let s = act(s, Action::Select(Some(3)));
        let s = act(s, Action::Mutate(Mutation::LengthenLength));
        assert!(s.bytes_text.starts_with("08 2A 12 06"), "{}", s.bytes_text);
        let s = act(s, Action::Mutate(Mutation::Truncate));
        assert_eq!(s.bytes_text, "08 2A 12");
        let s = act(s, Action::UndoMutations);
        assert_eq!(s.bytes_text, good);
        assert_eq!(s.before_mutations, None);
    }

    #[test]
    fn a_large_file_is_kept_as_bytes_not_text() {
        let small = vec![0x08, 0x2a];
        let s = act(State::default(), Action::LoadBinary { name: "small.bin".into(), bytes: small });
        assert_eq!((s.bytes_text.as_str(), s.bytes_file.as_deref()), ("08 2A", None));
        // Larger: read, but not written out as hex (16 MiB would be 48 MB of text).
        assert_eq!(too_large("big.bin", 16 << 20), None);
        let big: Vec<u8> = [0x08, 0x01].repeat(MAX_FILE_AS_TEXT);
        let s = act(s, Action::LoadBinary { name: "big.bin".into(), bytes: big.clone() });
        assert_eq!((s.mode, s.bytes_text.as_str(), s.bytes_file.as_deref()), (Mode::Decode, "", Some("big.bin")));
        assert_eq!((&s.decoded[..], s.notice.as_deref()), (&big[..], Some("read big.bin: 128.0 KiB")));
        // Its bytes stay through a format change, another example and the mutation lab.
        let s = act(s, Action::SetBytesFormat(InputFormat::Base64));
        let s = act(s, Action::LoadExample("evolution-v2"));
        assert_eq!(
            (&s.decoded[..], s.bytes_file.as_deref(), s.bytes_error.as_ref()),
            (&big[..], Some("big.bin"), None)
        );
        let s = act(s, Action::SetDecodeWithSchema(false));
        let s = act(s, Action::Select(Some(1)));
        let s = act(s, Action::Mutate(Mutation::InsertByte));
        assert_eq!(
            (&s.decoded[..4], s.bytes_file.as_deref(), s.bytes_text.as_str()),
            (&[8, 0, 1, 8][..], Some("big.bin"), "")
        );
        let s = act(s, Action::UndoMutations);
        assert_eq!((&s.decoded[..], s.bytes_file.as_deref()), (&big[..], Some("big.bin")));
        // Typing replaces the file.
        let s = act(s, Action::EditBytes("08 2A".into()));
        assert_eq!((&s.decoded[..], s.bytes_file.as_deref()), (&[0x08, 0x2a][..], None));
    }

    #[test]
    fn huge_files_are_refused_with_a_reason() {
        let s = act(State::default(), Action::LoadBinary { name: "big.bin".into(), bytes: vec![0; 50 << 20] });
        assert_eq!(s.notice.as_deref(), Some("big.bin is 50.0 MiB: wirelens reads files up to 16 MiB"));
        assert_eq!(s.mode, Mode::Encode);
    }
}
