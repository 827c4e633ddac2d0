//! Reading a schema from disk or from the embedded examples, and compiling it with core.
//!
//! Knows paths, include directories and the `import` statements of `.proto` files (enough of
//! the grammar to find them: comments, strings, identifiers). Core's `Schema::compile` takes
//! `(name, source)` pairs from memory, so this module gathers the files named on the command
//! line and, transitively, every file they import. Knows nothing about messages or bytes.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use wirelens_core::examples::{EXAMPLES, Example};
use wirelens_core::schema::Schema;

use crate::error::{Failure, FailureKind, Problem};
use wirelens_core::position::excerpt;

/// A compiled schema, and the message type to use when `--type` is absent.
pub struct Loaded {
    pub schema: Schema,
    /// The example's message type, or the only message of the given files.
    pub default_type: Option<String>,
}

/// Compiles the embedded example `id`.
pub fn example(id: &str) -> Result<Loaded, Failure> {
    let example = Example::by_id(id).ok_or_else(|| {
        let ids: Vec<&str> = EXAMPLES.iter().map(|e| e.id).collect();
        Failure::usage(format!("unknown example '{id}': the examples are {}", ids.join(", ")))
    })?;
    let schema = compile(example.files)?;
    Ok(Loaded { schema, default_type: Some(example.message.to_owned()) })
}

/// Reads `protos` and everything they import from `include_dirs`, and compiles them.
pub fn files(protos: &[PathBuf], include_dirs: &[PathBuf]) -> Result<Loaded, Failure> {
    let gathered = read_with_imports(protos, include_dirs)?;
    let mut schema = compile(&gathered.files);
    if let Err(failure) = &mut schema {
        failure.hints.extend(gathered.missing.iter().filter_map(Missing::hint));
    }
    let schema = schema?;
    let mut messages = schema.messages();
    // Only the messages of the files named on the command line, not of their imports.
    let named = &gathered.files[..gathered.named];
    messages.retain(|m| {
        let file = schema.pool().get_message_by_name(m).map(|d| d.parent_file().name().to_owned());
        named.iter().any(|(name, _)| Some(name) == file.as_ref())
    });
    let default_type = match messages.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    };
    Ok(Loaded { schema, default_type })
}

/// What [`read_with_imports`] found.
pub struct Gathered {
    /// `(import name, source)`: the files named on the command line first, then their imports.
    pub files: Vec<(String, String)>,
    /// How many of `files` were named on the command line.
    pub named: usize,
    /// Imports found in no include directory.
    pub missing: Vec<Missing>,
}

/// An import that no include directory holds.
pub struct Missing {
    pub import: String,
    /// The file with the import statement.
    pub from: PathBuf,
}

impl Missing {
    /// `-I DIR` for the nearest directory above the importing file that holds the import.
    fn hint(&self) -> Option<String> {
        let mut dir = self.from.parent();
        while let Some(d) = dir {
            let shown = if d.as_os_str().is_empty() { Path::new(".") } else { d };
            let candidate = shown.join(&self.import);
            if candidate.is_file() {
                return Some(format!(
                    "add -I {}: '{}' is imported as \"{}\"",
                    shown.display(),
                    candidate.display(),
                    self.import
                ));
            }
            dir = d.parent();
        }
        None
    }
}

/// Reads the files named on the command line and, transitively, the files they import.
/// `google/protobuf/*` imports are left to protox, which has them built in. A named file in
/// no include directory is named by its file name, and its directory is searched too.
pub fn read_with_imports(protos: &[PathBuf], include_dirs: &[PathBuf]) -> Result<Gathered, Failure> {
    let mut include_dirs = include_dirs.to_vec();
    let mut files: Vec<(String, String)> = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for path in protos {
        let name = match import_name(path, &include_dirs) {
            Some(name) => name,
            None => {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
                include_dirs.push(dir.to_path_buf());
                path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            }
        };
        if seen.insert(name.clone()) {
            files.push((name, read(path)?));
            paths.push(path.clone());
        }
    }
    let named = files.len();
    let mut missing = Vec::new();
    let mut next = 0;
    while next < files.len() {
        for import in imports(&files[next].1) {
            if import.starts_with("google/protobuf/") || !seen.insert(import.clone()) {
                continue;
            }
            match include_dirs.iter().map(|dir| dir.join(&import)).find(|p| p.is_file()) {
                Some(path) => {
                    files.push((import, read(&path)?));
                    paths.push(path);
                }
                // Left out: protox reports it at the import statement, with file, line and column.
                None => missing.push(Missing { import, from: paths[next].clone() }),
            }
        }
        next += 1;
    }
    Ok(Gathered { files, named, missing })
}

/// The name a file is imported by: its path relative to the first include directory that
/// holds it, with `/` separators; `None` when no include directory holds it.
pub fn import_name(path: &Path, include_dirs: &[PathBuf]) -> Option<String> {
    let file = fs::canonicalize(path).ok()?;
    let relative = include_dirs
        .iter()
        .filter_map(|dir| fs::canonicalize(dir).ok())
        .find_map(|dir| file.strip_prefix(dir).ok().map(Path::to_path_buf))?;
    let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}

/// The file names of a `.proto` source's `import` statements (`import "a.proto";`, also
/// `import public` and `import weak`), in order, skipping comments.
pub fn imports(source: &str) -> Vec<String> {
    let tokens = tokens(source);
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if *token != Token::Word("import") || (i > 0 && !matches!(tokens[i - 1], Token::Punct(';' | '}'))) {
            continue;
        }
        let mut rest = tokens[i + 1..].iter();
        let mut next = rest.next();
        if matches!(next, Some(Token::Word("public" | "weak"))) {
            next = rest.next();
        }
        if let (Some(Token::Str(name)), Some(Token::Punct(';'))) = (next, rest.next()) {
            found.push(name.clone());
        }
    }
    found
}

fn read(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", path.display())))
}

fn compile<N: AsRef<str>, S: AsRef<str>>(files: &[(N, S)]) -> Result<Schema, Failure> {
    Schema::compile(files).map_err(|error| {
        let sources: HashMap<&str, &str> = files.iter().map(|(n, s)| (n.as_ref(), s.as_ref())).collect();
        let errors = error
            .problems()
            .iter()
            .map(|p| Problem {
                message: p.to_string(),
                excerpt: p.file.as_deref().and_then(|f| sources.get(f)).and_then(|s| excerpt(s, p.line, p.column)),
            })
            .collect();
        Failure { kind: FailureKind::Invalid, errors, hints: Vec::new() }
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    /// A string literal's content (escapes kept as written: file names have none).
    Str(String),
    Punct(char),
}

/// Just enough of the `.proto` lexer to find import statements.
fn tokens(source: &str) -> Vec<Token<'_>> {
    let mut tokens = vec![Token::Punct(';')];
    let mut chars = source.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '/' if chars.peek().is_some_and(|&(_, n)| n == '/') => {
                chars.by_ref().find(|&(_, n)| n == '\n');
            }
            '/' if chars.peek().is_some_and(|&(_, n)| n == '*') => {
                chars.next();
                let mut previous = ' ';
                for (_, n) in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        break;
                    }
                    previous = n;
                }
            }
            '"' | '\'' => {
                let mut text = String::new();
                while let Some((_, n)) = chars.next() {
                    match n {
                        '\\' => {
                            text.push(n);
                            if let Some((_, escaped)) = chars.next() {
                                text.push(escaped);
                            }
                        }
                        '\n' => break,
                        n if n == c => break,
                        n => text.push(n),
                    }
                }
                tokens.push(Token::Str(text));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, n)) = chars.peek() {
                    if !(n.is_alphanumeric() || n == '_' || n == '.') {
                        break;
                    }
                    end = i + n.len_utf8();
                    chars.next();
                }
                tokens.push(Token::Word(&source[start..end]));
            }
            c if c.is_whitespace() => {}
            c => tokens.push(Token::Punct(c)),
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_imports_and_skips_comments() {
        let source = r#"
            syntax = "proto3"; // import "commented.proto";
            /* import "blocked.proto"; */
            import "a/b.proto";
            import public 'c.proto';
            import weak "d.proto";
            message M { string import = 1; }
        "#;
        assert_eq!(imports(source), ["a/b.proto", "c.proto", "d.proto"]);
    }

    #[test]
    fn names_files_relative_to_the_first_include_dir_that_holds_them() {
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let user = root.join("proto/userservice/user.proto");
        let name = |path: &Path, dirs: &[PathBuf]| import_name(path, dirs);
        assert_eq!(name(&user, &[root.join("proto")]).as_deref(), Some("userservice/user.proto"));
        assert_eq!(name(&user, &[root.join("xtask"), root.clone()]).as_deref(), Some("proto/userservice/user.proto"));
        assert_eq!(name(&user, &[root.join("xtask")]), None);
    }
}
