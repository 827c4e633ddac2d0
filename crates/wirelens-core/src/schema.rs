//! `.proto` sources held in memory, compiled with protox into a descriptor pool.
//!
//! Knows files, imports, the well-known types and where a compile error is
//! (file, line, column, byte span). Knows nothing about messages' values or bytes.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use prost_reflect::{DescriptorPool, MessageDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

/// A compiled set of `.proto` files.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pool: DescriptorPool,
    files: Vec<String>,
}

impl Schema {
    /// Compiles `files`, given as `(name, source)` pairs. Names are import paths
    /// (`userservice/user.proto`); files import each other and `google/protobuf/*.proto`.
    pub fn compile<N: AsRef<str>, S: AsRef<str>>(files: &[(N, S)]) -> Result<Schema, SchemaError> {
        let sources: HashMap<String, String> =
            files.iter().map(|(name, source)| (name.as_ref().to_owned(), source.as_ref().to_owned())).collect();
        let names: Vec<String> = files.iter().map(|(name, _)| name.as_ref().to_owned()).collect();
        let mut resolver = ChainFileResolver::new();
        resolver.add(Sources(sources.clone()));
        resolver.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true).include_source_info(false);
        for name in &names {
            compiler.open_file(name).map_err(|e| SchemaError::from_protox(&e, &sources))?;
        }
        // Rebuild the pool from the encoded descriptors: protox's own pool computes `is_packed`
        // before it interprets options, so `[packed = false]` would read as packed.
        let pool = DescriptorPool::decode(compiler.encode_file_descriptor_set().as_slice())
            .expect("protox's descriptors decode into a pool");
        Ok(Schema { pool, files: names })
    }

    /// A schema already compiled: an encoded `google.protobuf.FileDescriptorSet` (as `protoc
    /// --descriptor_set_out` or a build script writes it), read without compiling anything. Its
    /// own files are those of `files`; the others in the set are imports.
    pub fn from_descriptor_set(bytes: &[u8], files: &[&str]) -> Result<Schema, DescriptorSetError> {
        let pool = read_descriptor_set(bytes)?;
        Ok(Schema { pool, files: files.iter().map(|f| (*f).to_owned()).collect() })
    }

    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// Full names of the messages declared in the given files (not their imports), in
    /// declaration order, nested messages after their parent; map entries left out.
    pub fn messages(&self) -> Vec<String> {
        let mut messages: Vec<MessageDescriptor> = self
            .pool
            .all_messages()
            .filter(|m| !m.is_map_entry() && self.files.iter().any(|f| f == m.parent_file().name()))
            .collect();
        // The pool lists files in dependency order; show them in the order they were given.
        messages.sort_by_key(|m| self.files.iter().position(|f| f == m.parent_file().name()));
        messages.into_iter().map(|m| m.full_name().to_owned()).collect()
    }

    /// Looks up a message by full name (`userservice.User`), or by short name when that is unique.
    pub fn message(&self, name: &str) -> Result<MessageDescriptor, UnknownType> {
        let name = name.strip_prefix('.').unwrap_or(name);
        if let Some(m) = self.pool.get_message_by_name(name) {
            return Ok(m);
        }
        let matches: Vec<MessageDescriptor> = self.pool.all_messages().filter(|m| m.name() == name).collect();
        if let [only] = matches.as_slice() {
            return Ok(only.clone());
        }
        let candidates = if matches.is_empty() {
            self.messages()
        } else {
            matches.iter().map(|m| m.full_name().to_owned()).collect()
        };
        Err(UnknownType { name: name.to_owned(), ambiguous: matches.len() > 1, candidates })
    }
}

/// Every file list of `proto/` that the examples and lessons use, compiled at build time
/// (`build.rs`): the names, in order, and the encoded `FileDescriptorSet`.
static PRECOMPILED: &[(&[&str], &[u8])] = include!(concat!(env!("OUT_DIR"), "/precompiled.rs"));

/// The schema of `proto/` files as `build.rs` compiled them, for files embedded from `proto/` (an
/// example's, a lesson's): read without compiling. `None` for a list it did not compile.
pub(crate) fn precompiled(files: &[(&str, &str)]) -> Option<Schema> {
    let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
    let (_, set) = PRECOMPILED.iter().find(|(compiled, _)| *compiled == names.as_slice())?;
    // build.rs wrote it from the same files: reading it cannot fail.
    Some(Schema::from_descriptor_set(set, &names).expect("build.rs compiled proto/"))
}

/// The schema has no message of that name.
/// Reads an encoded `google.protobuf.FileDescriptorSet` (`protoc --include_imports
/// --descriptor_set_out`, `buf build -o`) into a pool. prost-reflect 0.16 reads proto2 and
/// proto3 files; a file of an edition (`edition = "2023"`) is refused up front, naming the file,
/// since prost-reflect cannot read them (0.16.5 panics on one).
pub fn read_descriptor_set(bytes: &[u8]) -> Result<DescriptorPool, DescriptorSetError> {
    let set =
        <FileDescriptorSet as prost::Message>::decode(bytes).map_err(|e| DescriptorSetError::NotASet(e.to_string()))?;
    if let Some(file) = set.file.iter().find(|f| f.syntax == "editions") {
        let edition = match file.edition {
            1000 => "2023".to_owned(),
            1001 => "2024".to_owned(),
            n => format!("number {n}"),
        };
        return Err(DescriptorSetError::Edition { file: file.name.clone(), edition });
    }
    DescriptorPool::decode(bytes).map_err(|e| DescriptorSetError::Invalid(e.to_string()))
}

/// Why a descriptor set could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptorSetError {
    #[error("not a FileDescriptorSet: {0}")]
    NotASet(String),
    #[error("{file} is a file of edition {edition}, which prost-reflect 0.16 cannot read (proto2 and proto3 only)")]
    Edition { file: String, edition: String },
    #[error("the descriptors do not make a schema: {0}")]
    Invalid(String),
}

/// As much of `FileDescriptorSet` and `FileDescriptorProto` as tells a file's syntax.
#[derive(Clone, PartialEq, prost::Message)]
struct FileDescriptorSet {
    #[prost(message, repeated, tag = "1")]
    file: Vec<FileDescriptorProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct FileDescriptorProto {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(string, tag = "12")]
    syntax: String,
    #[prost(int32, tag = "14")]
    edition: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownType {
    name: String,
    ambiguous: bool,
    candidates: Vec<String>,
}

impl fmt::Display for UnknownType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ambiguous {
            write!(f, "message type '{}' is ambiguous: use one of {}", self.name, self.candidates.join(", "))
        } else if self.candidates.is_empty() {
            write!(f, "unknown message type '{}': the schema declares no messages", self.name)
        } else {
            write!(f, "unknown message type '{}': the schema has {}", self.name, self.candidates.join(", "))
        }
    }
}

/// Why a schema did not compile: one or more problems, each with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SchemaError {
    problems: Vec<SchemaProblem>,
}

/// One compile problem at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    pub file: Option<String>,
    /// Byte range in the file's source, when protox points at one.
    pub span: Option<Range<usize>>,
    /// 1-based line and column (in characters) of the span's start.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl SchemaError {
    pub fn problems(&self) -> &[SchemaProblem] {
        &self.problems
    }

    fn from_protox(error: &protox::Error, sources: &HashMap<String, String>) -> SchemaError {
        use miette::Diagnostic;
        let file = error.file().map(str::to_owned);
        let mut problems = Vec::new();
        let mut push = |diagnostic: &dyn Diagnostic, message: String| {
            let span =
                diagnostic.labels().and_then(|mut labels| labels.next()).map(|l| l.offset()..l.offset() + l.len());
            let source = file.as_ref().and_then(|f| sources.get(f));
            let (line, column) = match (&span, source) {
                (Some(span), Some(source)) => crate::position::line_col(source, span.start),
                _ => (0, 0),
            };
            problems.push(SchemaProblem { file: file.clone(), span, line, column, message });
        };
        let related: Vec<&dyn Diagnostic> = error.related().map(|r| r.collect()).unwrap_or_default();
        if related.is_empty() {
            push(error, error.to_string());
        } else {
            for diagnostic in related {
                push(diagnostic, diagnostic.to_string());
            }
        }
        SchemaError { problems }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), 0) => write!(f, "{file}: {}", self.message),
            (Some(file), line) => write!(f, "{file}:{line}:{}: {}", self.column, self.message),
            (None, _) => write!(f, "{}", self.message),
        }
    }
}

/// The user's files, by import name.
struct Sources(HashMap<String, String>);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.get(name) {
            Some(source) => File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_set_compiled_at_build_time_is_a_fresh_compile_of_its_files() {
        use crate::{examples::EXAMPLES, learn::LESSONS, message};
        let protos = |schema: &Schema, strip: bool| -> Vec<prost_types::FileDescriptorProto> {
            schema
                .pool()
                .files()
                .map(|f| {
                    let mut file = f.file_descriptor_proto().clone();
                    if strip && file.name().starts_with("google/protobuf/") {
                        file.options = None;
                    }
                    file
                })
                .collect()
        };
        let uses = EXAMPLES.iter().map(|e| (e.id, e.files, e.message, e.json));
        for (id, files, type_name, json) in uses.chain(LESSONS.iter().map(|l| (l.slug, l.files, l.message, l.json))) {
            let built = precompiled(files).unwrap_or_else(|| panic!("{id}: its files are not in build.rs's SETS"));
            let fresh = Schema::compile(files).unwrap();
            assert_eq!(built.messages(), fresh.messages(), "{id}");
            // The same files, in the same order, with the same contents, but for the well-known
            // imports' file options, which build.rs leaves out.
            assert_eq!(protos(&built, false), protos(&fresh, true), "{id}");
            let sample = |schema: &Schema| {
                let desc = schema.message(type_name).unwrap();
                message::encode(&message::parse_json(&desc, json).unwrap())
            };
            assert_eq!(sample(&built), sample(&fresh), "{id}");
        }
        let reference = Schema::compile(crate::examples::REFERENCE.files).unwrap();
        assert_ne!(
            protos(&reference, false),
            protos(&reference, true),
            "timestamp.proto has file options to leave out"
        );
    }

    #[test]
    fn a_descriptor_set_reads_back_as_the_schema_it_was_compiled_from() {
        let compiled = crate::examples::REFERENCE.schema().unwrap();
        let bytes = compiled.pool().encode_to_vec();
        let files: Vec<&str> = compiled.files.iter().map(String::as_str).collect();
        let read = Schema::from_descriptor_set(&bytes, &files).unwrap();
        assert_eq!(read.messages(), compiled.messages());
        assert_eq!(read.message("User").unwrap().full_name(), "userservice.User");
        let error = Schema::from_descriptor_set(b"\x0a\x05\x0a", &[]).unwrap_err();
        assert!(!error.to_string().is_empty());
    }

    #[test]
    fn an_editions_file_is_refused_by_name_not_by_a_panic() {
        // A FileDescriptorProto named e.proto, syntax "editions", edition 2023 (1000).
        let file = [&b"\x0a\x07e.proto\x62\x08editions\x70\xe8\x07"[..]].concat();
        let set = [&[0x0a, file.len() as u8][..], &file].concat();
        assert_eq!(
            read_descriptor_set(&set).unwrap_err().to_string(),
            "e.proto is a file of edition 2023, which prost-reflect 0.16 cannot read (proto2 and proto3 only)"
        );
        assert_eq!(
            read_descriptor_set(b"\xff").unwrap_err().to_string().split(':').next(),
            Some("not a FileDescriptorSet")
        );
    }

    #[test]
    fn compiles_files_that_import_each_other_and_well_known_types() {
        let schema = Schema::compile(&[
            ("a.proto", "syntax = \"proto3\"; package a; import \"b.proto\"; message A { b.B b = 1; }"),
            (
                "b.proto",
                "syntax = \"proto3\"; package b; import \"google/protobuf/timestamp.proto\"; message B { google.protobuf.Timestamp at = 1; }",
            ),
        ])
        .unwrap();
        assert_eq!(schema.messages(), ["a.A", "b.B"]);
        assert_eq!(schema.message("A").unwrap().full_name(), "a.A");
        assert_eq!(schema.message(".b.B").unwrap().full_name(), "b.B");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let source = "syntax = \"proto3\";\nmessage User {\n  Adress address = 1;\n}\n";
        let error = Schema::compile(&[("user.proto", source)]).unwrap_err();
        let p = &error.problems()[0];
        assert_eq!((p.file.as_deref(), p.line, p.column), (Some("user.proto"), 3, 3));
        assert_eq!(&source[p.span.clone().unwrap()], "Adress");
        assert!(error.to_string().starts_with("user.proto:3:3: "), "{error}");

        let error =
            Schema::compile(&[("x.proto", "syntax = \"proto3\";\nmessage X {\n  int32 a = ;\n}\n")]).unwrap_err();
        assert!(error.to_string().starts_with("x.proto:3:13: "), "{error}");

        let error = Schema::compile(&[("x.proto", "syntax = \"proto3\"; import \"missing.proto\";")]).unwrap_err();
        assert!(error.to_string().contains("missing.proto"), "{error}");
    }

    #[test]
    fn unknown_types_list_what_there_is() {
        let schema =
            Schema::compile(&[("u.proto", "syntax = \"proto3\"; package u; message User {} message Address {}")])
                .unwrap();
        assert_eq!(
            schema.message("Usr").unwrap_err().to_string(),
            "unknown message type 'Usr': the schema has u.User, u.Address"
        );
    }

    #[test]
    fn packed_false_is_honoured() {
        let schema = Schema::compile(&[(
            "p.proto",
            "syntax = \"proto3\"; message U { repeated int32 a = 1 [packed = false]; repeated int32 b = 2; }",
        )])
        .unwrap();
        let u = schema.message("U").unwrap();
        let packed: Vec<bool> = u.fields().map(|f| f.is_packed()).collect();
        assert_eq!(packed, [false, true]);
    }
}
