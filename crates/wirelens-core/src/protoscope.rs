//! Protoscope-style text: bytes as a list of tagged values that a person can read and edit, and
//! back. `1: 42  2: {"Alice"}` is the reference user's first two fields.
//!
//! The language is the one of protoscope (github.com/protocolbuffers/protoscope), the parts of it
//! a wire dump needs:
//! - a tag is `N:` with the wire type inferred from the value after it, or `N:VARINT`, `N:I64`,
//!   `N:LEN`, `N:SGROUP`, `N:EGROUP`, `N:I32` (or the type's number, `N:2`);
//! - an integer is a varint (`42`, `-1` as ten bytes of two's complement, `0x2a`); `-1z` is
//!   zigzag; `5i32`/`5i64` are fixed-width little-endian; `1.5` is a double and `1.5i32` a
//!   float; `true`/`false` are the varints 1 and 0;
//! - `"text"` is UTF-8 with C escapes, `` `0a2b` `` is bytes in hex;
//! - `{ … }` is its contents behind a varint length prefix; `!{ … }` after a tag is a group,
//!   closed by the matching end-group tag;
//! - `long-form:N` before a varint (a tag, a number or the length of `{`) writes it N bytes longer
//!   than it needs, as some encoders do; `#` starts a comment.
//!
//! [`write`] prints an [`Annotation`] so that [`parse`] gives back exactly its bytes: overlong
//! varints as `long-form`, and anything the annotator could not read as hex, with the reason in a
//! comment. Knows the wire format; the schema only lends names to the comments.

use std::fmt::Write as _;

use crate::input::{self, ErrorKind};
use crate::varint;
use crate::wire::{Annotation, NodeId, NodeKind, Scalar, WireType};

/// The annotation as protoscope text, one record per line, nested messages indented.
pub fn write(annotation: &Annotation) -> String {
    let mut writer = Writer { a: annotation, out: String::new() };
    for id in annotation.roots() {
        writer.item(id, 0);
    }
    writer.out
}

/// The bytes protoscope `text` spells, or the character position (0-based, in `char`s) of the
/// first mistake and what it is.
pub(crate) fn parse(chars: &[char]) -> Result<Vec<u8>, Fault> {
    Parser { chars, at: 0, out: Vec::new(), frames: Vec::new(), long_form: None, last_tag: None }.run()
}

/// Whether `chars` opens like protoscope: its first token is a tag (`1:`) or `long-form:`.
pub(crate) fn looks_like(chars: &[char]) -> bool {
    let mut rest = chars.iter().skip_while(|c| c.is_whitespace()).peekable();
    if rest.peek() == Some(&&'#') {
        return true;
    }
    let word: String = rest.take_while(|c| !c.is_whitespace()).collect();
    word.starts_with("long-form:")
        || word.split_once(':').is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

struct Writer<'a> {
    a: &'a Annotation,
    out: String,
}

impl Writer<'_> {
    fn line(&mut self, depth: usize, text: &str, comment: Option<String>) {
        let _ = write!(self.out, "{:indent$}{text}", "", indent = depth * 2);
        if let Some(comment) = comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            let _ = write!(self.out, "  # {}", comment.replace('\n', " "));
        }
        self.out.push('\n');
    }

    fn item(&mut self, id: NodeId, depth: usize) {
        match &self.a.node(id).kind {
            NodeKind::Field(_) => self.field(id, depth),
            NodeKind::Invalid(reason) => {
                let hex = hex_blob(self.a.slice(id));
                self.line(depth, &hex, Some(format!("not readable: {reason}")));
            }
            _ => {
                let hex = hex_blob(self.a.slice(id));
                self.line(depth, &hex, None);
            }
        }
    }

    fn field(&mut self, id: NodeId, depth: usize) {
        let NodeKind::Field(field) = &self.a.node(id).kind else { return };
        let children: Vec<NodeId> = self.a.children(id).collect();
        // Names come from the schema; without one the field number is already on the line.
        let label = if field.descriptor().is_some() { field.label() } else { String::new() };
        let Some(tag) = children.first().and_then(|&t| self.tag(t)) else {
            return self.raw(id, depth, &label);
        };
        let kinds: Vec<NodeKind> = children.iter().map(|&c| self.a.kind(c)).collect();
        match (field.wire_type(), &kinds[1..]) {
            (WireType::Varint | WireType::I32 | WireType::I64, [NodeKind::Scalar(scalar)]) => {
                let value = self.scalar(children[1], scalar);
                let meaning = meaning(scalar, field.descriptor());
                self.line(depth, &format!("{tag} {value}"), Some(label + &meaning));
            }
            (WireType::Len, [NodeKind::Length(len), payload]) => {
                let payload_id = children[2];
                if self.a.node(payload_id).range.len() as u64 != *len {
                    return self.raw(id, depth, &label);
                }
                let open = format!("{tag} {}{{", long_form(self.a.slice(children[1])));
                match payload {
                    NodeKind::Str => {
                        let text = quote(&self.a.text(payload_id));
                        self.line(depth, &format!("{open}{text}}}"), Some(label));
                    }
                    NodeKind::Message if self.a.is_leaf(payload_id) => {
                        self.line(depth, &format!("{open}}}"), Some(label))
                    }
                    NodeKind::Message => {
                        self.line(depth, &open, Some(label));
                        for child in self.a.children(payload_id) {
                            self.item(child, depth + 1);
                        }
                        self.line(depth, "}", None);
                    }
                    NodeKind::Packed => {
                        let values: Vec<String> = self
                            .a
                            .children(payload_id)
                            .map(|c| match &self.a.node(c).kind {
                                NodeKind::Scalar(s) => self.scalar(c, s),
                                _ => hex_blob(self.a.slice(c)),
                            })
                            .collect();
                        self.line(depth, &format!("{open}{}}}", values.join(" ")), Some(label + " (packed)"));
                    }
                    _ => {
                        let hex = hex_blob(self.a.slice(payload_id));
                        self.line(depth, &format!("{open}{hex}}}"), Some(label));
                    }
                }
            }
            (WireType::StartGroup, rest) => {
                self.line(depth, &tag, Some(label + " (group)"));
                for (&child, kind) in children[1..].iter().zip(rest) {
                    match kind {
                        NodeKind::Message => self.a.children(child).for_each(|c| self.item(c, depth + 1)),
                        NodeKind::Tag { .. } => match self.tag(child) {
                            Some(end) => self.line(depth, &end, None),
                            None => self.item(child, depth),
                        },
                        _ => self.item(child, depth + 1),
                    }
                }
            }
            (WireType::EndGroup, []) => self.line(depth, &tag, Some(label + " (end of a group that was not started)")),
            _ => self.raw(id, depth, &label),
        }
    }

    /// A record this writer has no tidier spelling for: its bytes, exactly.
    fn raw(&mut self, id: NodeId, depth: usize, label: &str) {
        let reason = self.a.children(id).find_map(|c| match self.a.kind(c) {
            NodeKind::Invalid(reason) => Some(reason),
            _ => None,
        });
        let comment = match reason {
            Some(reason) if label.is_empty() => format!("not readable: {reason}"),
            Some(reason) => format!("{label}: {reason}"),
            None => label.to_owned(),
        };
        let hex = hex_blob(self.a.slice(id));
        self.line(depth, &hex, Some(comment));
    }

    /// `N:` (or `N:SGROUP`, `N:EGROUP`) behind its long form.
    fn tag(&self, id: NodeId) -> Option<String> {
        let NodeKind::Tag { field, wire_type } = self.a.node(id).kind else { return None };
        // Values carry their width (`5i32`, `1.5`, `{`), so only groups need the type spelled.
        let implied = !matches!(wire_type, WireType::StartGroup | WireType::EndGroup);
        let name = if implied { String::new() } else { wire_type.name().to_owned() };
        Some(format!("{}{field}:{name}", long_form(self.a.slice(id))))
    }

    /// A scalar leaf as the token that writes its bytes back.
    fn scalar(&self, id: NodeId, scalar: &Scalar) -> String {
        let bytes = self.a.slice(id);
        match *scalar {
            Scalar::Fixed32(_) | Scalar::SFixed32(_) | Scalar::Float(_) => {
                let bits = u32::from_le_bytes(bytes.try_into().unwrap_or_default());
                match *scalar {
                    Scalar::SFixed32(v) => format!("{v}i32"),
                    Scalar::Float(f)
                        if f.is_finite() && format!("{f:?}").parse::<f32>().map(f32::to_bits) == Ok(bits) =>
                    {
                        format!("{f:?}i32")
                    }
                    _ => format!("{bits}i32"),
                }
            }
            Scalar::Fixed64(_) | Scalar::SFixed64(_) | Scalar::Double(_) => {
                let bits = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
                match *scalar {
                    Scalar::SFixed64(v) => format!("{v}i64"),
                    Scalar::Double(f)
                        if f.is_finite() && format!("{f:?}").parse::<f64>().map(f64::to_bits) == Ok(bits) =>
                    {
                        format!("{f:?}")
                    }
                    _ => format!("{bits}i64"),
                }
            }
            _ => {
                let Ok(v) = varint::decode(bytes) else { return hex_blob(bytes) };
                let value = match *scalar {
                    Scalar::SInt { raw, value } if zigzag(value) == raw => format!("{value}z"),
                    Scalar::Bool { raw: 0 } => "false".into(),
                    Scalar::Bool { raw: 1 } => "true".into(),
                    // A signed field's negatives as such: `-1` writes the same ten bytes as
                    // 18446744073709551615, the spelling unsigned fields and schema-less reads keep.
                    Scalar::Int(_) if v.value >= 1 << 63 => (v.value as i64).to_string(),
                    _ => v.value.to_string(),
                };
                format!("{}{value}", long_form(bytes))
            }
        }
    }
}

/// What a comment adds to a scalar's field name: the schema's reading where the token does not
/// already say it (an enum's name).
fn meaning(scalar: &Scalar, field: Option<&prost_reflect::FieldDescriptor>) -> String {
    match *scalar {
        Scalar::Enum(v) => match field.map(|f| f.kind()) {
            Some(prost_reflect::Kind::Enum(e)) => match e.get_value(v) {
                Some(value) => format!(" = {}", value.name()),
                None => format!(" = {v}, not a value of {}", e.name()),
            },
            _ => format!(" = enum {v}"),
        },
        _ => String::new(),
    }
}

/// `long-form:N ` for a varint that takes N more bytes than it needs, else nothing.
fn long_form(bytes: &[u8]) -> String {
    match varint::decode(bytes) {
        Ok(v) if v.is_overlong() => format!("long-form:{} ", v.len - varint::encoded_len(v.value)),
        _ => String::new(),
    }
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn hex_blob(bytes: &[u8]) -> String {
    let mut out = String::from("`");
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out.push('`');
    out
}

/// A string literal the reader turns back into the same UTF-8.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let mut utf8 = [0; 4];
                for b in c.encode_utf8(&mut utf8).bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An open `{` (or `!{`): where its contents start in the output, and how it closes.
struct Frame {
    opened_at: usize,
    start: usize,
    close: Close,
}

enum Close {
    /// A length prefix, this many bytes longer than needed, goes before the contents.
    Length(usize),
    /// The end-group tag of this field number.
    Group(u32),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Width {
    Varint,
    Zigzag,
    I32,
    I64,
}

/// What a token is, as far as a tag's inference goes.
enum Token {
    Tag { number: u32, wire_type: Option<WireType> },
    LongForm(usize),
    Number { text: String, width: Width },
    Open,
    OpenGroup,
    Close,
    Bytes(Vec<u8>),
}

struct Parser<'a> {
    chars: &'a [char],
    at: usize,
    out: Vec<u8>,
    frames: Vec<Frame>,
    /// A `long-form:N` waiting for its varint, and where it was written.
    long_form: Option<(usize, usize)>,
    /// The last tag's field number and wire type, for `!{`.
    last_tag: Option<(u32, WireType)>,
}

/// A mistake: the character index and what is wrong (input's vocabulary, so that hex and string
/// mistakes inside protoscope read as they do anywhere else).
type Fault = (usize, ErrorKind);

fn fault(at: usize, message: impl Into<String>) -> Fault {
    (at, ErrorKind::Protoscope(message.into()))
}

impl Parser<'_> {
    fn run(mut self) -> Result<Vec<u8>, Fault> {
        while let Some((start, token)) = self.next_token()? {
            self.emit(start, token)?;
        }
        if let Some((at, _)) = self.long_form {
            return Err(fault(at, "'long-form' has no varint after it"));
        }
        if let Some(frame) = self.frames.last() {
            return Err(fault(frame.opened_at, "this '{' is never closed"));
        }
        Ok(self.out)
    }

    fn emit(&mut self, start: usize, token: Token) -> Result<(), Fault> {
        let long_form = match &token {
            Token::Tag { .. } | Token::Open | Token::Number { width: Width::Varint | Width::Zigzag, .. } => {
                self.long_form.take().map(|(_, n)| n)
            }
            Token::LongForm(_) => None,
            _ => match self.long_form {
                Some((at, _)) => {
                    return Err(fault(at, "'long-form' must stand before a varint: a tag, a number or '{'"));
                }
                None => None,
            },
        };
        match token {
            Token::LongForm(n) => self.long_form = Some((start, n)),
            Token::Tag { number, wire_type } => {
                let wire_type = match wire_type {
                    Some(w) => w,
                    None => self.infer(start, number)?,
                };
                push_varint(&mut self.out, (u64::from(number) << 3) | wire_type as u64, long_form.unwrap_or(0))
                    .map_err(|why| fault(start, why))?;
                self.last_tag = Some((number, wire_type));
            }
            Token::Number { text, width } => self.number(start, &text, width, long_form.unwrap_or(0))?,
            Token::Open => self.frames.push(Frame {
                opened_at: start,
                start: self.out.len(),
                close: Close::Length(long_form.unwrap_or(0)),
            }),
            Token::OpenGroup => match self.last_tag.take() {
                Some((number, WireType::StartGroup)) => {
                    self.frames.push(Frame { opened_at: start, start: self.out.len(), close: Close::Group(number) })
                }
                _ => return Err(fault(start, "'!{' must follow a group's tag, such as '3:' or '3:SGROUP'")),
            },
            Token::Close => {
                let Some(frame) = self.frames.pop() else {
                    return Err(fault(start, "this '}' closes nothing"));
                };
                match frame.close {
                    Close::Length(extra) => {
                        let mut prefix = Vec::new();
                        push_varint(&mut prefix, (self.out.len() - frame.start) as u64, extra)
                            .map_err(|why| fault(frame.opened_at, why))?;
                        self.out.splice(frame.start..frame.start, prefix);
                    }
                    Close::Group(number) => {
                        push_varint(&mut self.out, (u64::from(number) << 3) | 4, 0).map_err(|why| fault(start, why))?
                    }
                }
            }
            Token::Bytes(bytes) => self.out.extend_from_slice(&bytes),
        }
        Ok(())
    }

    /// The wire type a tag without one takes from the token after it.
    fn infer(&mut self, tag_at: usize, number: u32) -> Result<WireType, Fault> {
        let saved = self.at;
        let mut next = self.next_token()?;
        while let Some((_, Token::LongForm(_))) = next {
            next = self.next_token()?;
        }
        self.at = saved;
        Ok(match next.map(|(_, t)| t) {
            Some(Token::Number { width: Width::Varint | Width::Zigzag, .. }) => WireType::Varint,
            Some(Token::Number { width: Width::I32, .. }) => WireType::I32,
            Some(Token::Number { width: Width::I64, .. }) => WireType::I64,
            Some(Token::Open) => WireType::Len,
            Some(Token::OpenGroup) => WireType::StartGroup,
            Some(Token::Bytes(_)) => {
                return Err(fault(
                    tag_at,
                    format!(
                        "a string or `hex` after field {number}'s tag needs braces, which write its length: {number}: {{\"text\"}}"
                    ),
                ));
            }
            _ => {
                return Err(fault(
                    tag_at,
                    format!(
                        "cannot tell the wire type of field {number} from what follows: write {number}:VARINT, {number}:LEN, {number}:I32 …"
                    ),
                ));
            }
        })
    }

    fn number(&mut self, start: usize, text: &str, width: Width, long_form: usize) -> Result<(), Fault> {
        let bad = |why: &str| fault(start, format!("'{text}' {why}"));
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let float = !digits.starts_with("0x")
            && !digits.starts_with("0X")
            && (digits.contains(['.', 'e', 'E']) || digits == "inf" || digits == "nan");
        if float {
            let value: f64 = text.parse().map_err(|_| bad("is not a number"))?;
            match width {
                Width::I32 => self.out.extend_from_slice(&(value as f32).to_le_bytes()),
                Width::I64 => self.out.extend_from_slice(&value.to_le_bytes()),
                _ => {
                    return Err(bad(
                        "is a floating-point number: it is written as a double (no suffix) or a float (i32)",
                    ));
                }
            }
            return Ok(());
        }
        let magnitude = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => digits.parse::<u64>(),
        }
        .map_err(|_| bad("is not a whole number that fits in 64 bits"))?;
        let value = if negative {
            if magnitude > 1 << 63 {
                return Err(bad("is below the smallest 64-bit integer"));
            }
            magnitude.wrapping_neg()
        } else {
            magnitude
        };
        match width {
            Width::Varint => push_varint(&mut self.out, value, long_form).map_err(|why| fault(start, why))?,
            Width::Zigzag => {
                if !negative && magnitude > i64::MAX as u64 {
                    return Err(bad("is too large for zigzag"));
                }
                push_varint(&mut self.out, zigzag(value as i64), long_form).map_err(|why| fault(start, why))?
            }
            Width::I32 => {
                let fits = if negative { magnitude <= 1 << 31 } else { magnitude <= u64::from(u32::MAX) };
                if !fits {
                    return Err(bad("does not fit in 32 bits"));
                }
                self.out.extend_from_slice(&(value as u32).to_le_bytes())
            }
            Width::I64 => self.out.extend_from_slice(&value.to_le_bytes()),
        }
        Ok(())
    }

    /// The next token and where it starts, skipping blanks and comments.
    fn next_token(&mut self) -> Result<Option<(usize, Token)>, Fault> {
        let chars = self.chars;
        loop {
            match chars.get(self.at) {
                None => return Ok(None),
                Some(c) if c.is_whitespace() => self.at += 1,
                Some('#') => {
                    while self.at < chars.len() && chars[self.at] != '\n' {
                        self.at += 1;
                    }
                }
                Some(_) => break,
            }
        }
        let start = self.at;
        let token = match chars[start] {
            '{' => {
                self.at += 1;
                Token::Open
            }
            '}' => {
                self.at += 1;
                Token::Close
            }
            '!' if chars.get(start + 1) == Some(&'{') => {
                self.at += 2;
                Token::OpenGroup
            }
            '`' => {
                let end = (start + 1..chars.len())
                    .find(|&i| chars[i] == '`')
                    .ok_or_else(|| fault(start, "this '`' has no closing '`'"))?;
                self.at = end + 1;
                let bytes = input::parse_hex(&chars[start + 1..end]).map_err(|(at, why)| (start + 1 + at, why))?;
                Token::Bytes(bytes)
            }
            '"' => {
                let mut i = start + 1;
                while i < chars.len() && chars[i] != '"' && chars[i] != '\n' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                if chars.get(i) != Some(&'"') {
                    return Err(fault(start, "this '\"' has no closing '\"' on its line"));
                }
                self.at = i + 1;
                // C escapes, and any other character as its UTF-8: the escape reader takes
                // ASCII only, so the others go to it as octal escapes, positions mapped back.
                let (mut escaped, mut origin) = (Vec::new(), Vec::new());
                for (at, &c) in chars.iter().enumerate().take(i + 1).skip(start) {
                    let mut utf8 = [0; 4];
                    let spelled = if c.is_ascii() {
                        c.to_string()
                    } else {
                        input::to_escaped(c.encode_utf8(&mut utf8).as_bytes())
                    };
                    for e in spelled.chars() {
                        escaped.push(e);
                        origin.push(at);
                    }
                }
                let bytes =
                    input::parse_escaped(&escaped).map_err(|(at, why)| (origin[at.min(origin.len() - 1)], why))?;
                Token::Bytes(bytes)
            }
            _ => {
                let end = (start..chars.len())
                    .find(|&i| chars[i].is_whitespace() || "{}`\"#".contains(chars[i]))
                    .unwrap_or(chars.len());
                self.at = end;
                let word: String = chars[start..end].iter().collect();
                let token = word_token(&word).ok_or_else(|| {
                    fault(start, format!("'{word}' is not protoscope: expected a tag such as '1:', a number, a \"string\", `hex`, '{{' or '}}'"))
                })?;
                token.map_err(|(_, kind)| (start, kind))?
            }
        };
        Ok(Some((start, token)))
    }
}

/// A bare word as a token: a tag, `long-form:N`, `true`/`false`, or a number with its suffix.
/// `None` when it is none of these; `Some(Err)` when it is one, written wrong.
fn word_token(word: &str) -> Option<Result<Token, Fault>> {
    if let Some(n) = word.strip_prefix("long-form:") {
        return Some(
            n.parse().map(Token::LongForm).map_err(|_| fault(0, format!("'{word}' needs a number of extra bytes"))),
        );
    }
    if let Some((number, kind)) = word.split_once(':') {
        let number: u32 = number.parse().ok()?;
        if number > crate::wire::MAX_FIELD_NUMBER {
            return Some(Err(fault(0, format!("field number {number} is larger than the largest, 536870911"))));
        }
        let wire_type = match kind.to_ascii_uppercase().as_str() {
            "" => None,
            name => match (0..6).filter_map(WireType::from_bits).find(|w| w.name() == name) {
                Some(w) => Some(w),
                None => match name.parse::<u8>().ok().and_then(WireType::from_bits) {
                    Some(w) => Some(w),
                    None => {
                        return Some(Err(fault(
                            0,
                            format!("'{kind}' is not a wire type: VARINT, I64, LEN, SGROUP, EGROUP or I32"),
                        )));
                    }
                },
            },
        };
        return Some(Ok(Token::Tag { number, wire_type }));
    }
    match word {
        "true" => return Some(Ok(Token::Number { text: "1".into(), width: Width::Varint })),
        "false" => return Some(Ok(Token::Number { text: "0".into(), width: Width::Varint })),
        _ => {}
    }
    let (text, width) = if let Some(t) = word.strip_suffix("i32") {
        (t, Width::I32)
    } else if let Some(t) = word.strip_suffix("i64") {
        (t, Width::I64)
    } else if let Some(t) = word.strip_suffix('z') {
        (t, Width::Zigzag)
    } else {
        let float = word.contains(['.', 'e', 'E']) && !word.contains(['x', 'X'])
            || word.trim_start_matches('-') == "inf"
            || word.trim_start_matches('-') == "nan";
        (word, if float { Width::I64 } else { Width::Varint })
    };
    let first = text.trim_start_matches(['-', '+']).chars().next()?;
    (first.is_ascii_digit() || text.ends_with("inf") || text.ends_with("nan"))
        .then(|| Ok(Token::Number { text: text.to_owned(), width }))
}

/// The varint of `value`, `extra` bytes longer than it needs (continuation bits on zero groups);
/// refused when that passes the ten bytes a varint may have.
fn push_varint(out: &mut Vec<u8>, value: u64, extra: usize) -> Result<(), String> {
    if varint::encoded_len(value) + extra > varint::MAX_LEN {
        return Err(format!(
            "long-form:{extra} makes {value} a varint of {} bytes; a varint has at most {}",
            varint::encoded_len(value) + extra,
            varint::MAX_LEN
        ));
    }
    varint::encode(value, out);
    if extra > 0 {
        *out.last_mut().expect("a varint has a byte") |= 0x80;
        out.extend(std::iter::repeat_n(0x80, extra - 1));
        out.push(0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;

    use super::*;
    use crate::examples::{self, EXAMPLES};
    use crate::input::{InputFormat, parse_bytes, to_hex};
    use crate::message;
    use crate::wire::annotate;

    /// Protoscope text → hex, or the error.
    fn check_parse(text: &str, expect: Expect) {
        let actual = match parse_bytes(text, InputFormat::Protoscope) {
            Ok(bytes) => to_hex(&bytes),
            Err(e) => e.to_string(),
        };
        expect.assert_eq(&actual);
    }

    fn round_trip(bytes: &[u8], annotation: &Annotation) -> Result<(), String> {
        let text = write(annotation);
        match parse_bytes(&text, InputFormat::Protoscope) {
            Ok(back) if back == bytes => Ok(()),
            Ok(back) => Err(format!("{text}\nwrote {}\nread  {}", to_hex(bytes), to_hex(&back))),
            Err(e) => Err(format!("{text}\n{e}")),
        }
    }

    #[test]
    fn writes_the_reference_user() {
        let e = &examples::REFERENCE;
        let desc = e.schema().unwrap().message(e.message).unwrap();
        let bytes = message::encode(&message::parse_json(&desc, e.json).unwrap());
        let annotation = annotate(&bytes, Some(&desc));
        expect![[r#"
            1: 42  # id
            2: {"Alice"}  # name
            3: {"alice@example.com"}  # email
            4: {"admin"}  # roles
            4: {"user"}  # roles
            6: 1  # status = ACTIVE
        "#]]
        .assert_eq(&write(&annotation));
        round_trip(&bytes, &annotation).unwrap();
    }

    #[test]
    fn every_example_round_trips_with_and_without_its_schema() {
        for e in EXAMPLES {
            let desc = e.schema().unwrap().message(e.message).unwrap();
            let bytes = message::encode(&message::parse_json(&desc, e.json).unwrap());
            round_trip(&bytes, &annotate(&bytes, Some(&desc))).unwrap_or_else(|e| panic!("{e}"));
            round_trip(&bytes, &annotate(&bytes, None)).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn reads_the_language() {
        check_parse(r#"1: 42 2: {"Alice"}"#, expect!["08 2A 12 05 41 6C 69 63 65"]);
        check_parse("1: -1", expect!["08 FF FF FF FF FF FF FF FF FF 01"]);
        check_parse("1: -1z 2: 1z 3: 0x2a", expect!["08 01 10 02 18 2A"]);
        check_parse(
            "1: 5i32 2: -2i64 3: 1.5 4: 1.5i32 5: true 6: false",
            expect!["0D 05 00 00 00 11 FE FF FF FF FF FF FF FF 19 00 00 00 00 00 00 F8 3F 25 00 00 C0 3F 28 01 30 00"],
        );
        check_parse("3: !{ 1: 5 } 4:SGROUP 4:EGROUP", expect!["1B 08 05 1C 23 24"]);
        check_parse("long-form:1 1: long-form:2 5 2: long-form:1 {}", expect!["88 00 85 80 00 12 80 00"]);
        check_parse("2: { 1: { `cafe` \"\\x00é\" } }  # nested, with a comment", expect!["12 07 0A 05 CA FE 00 C3 A9"]);
        check_parse(
            "1:LEN `03` 2:5 `00000000` 9:I64 `0102030405060708`",
            expect!["0A 03 15 00 00 00 00 49 01 02 03 04 05 06 07 08"],
        );
        check_parse("", expect![[""]]);
    }

    #[test]
    fn mistakes_are_named_at_their_place() {
        check_parse("1: 42\n2: {\"Alice\"", expect!["protoscope at line 2, column 4: this '{' is never closed"]);
        check_parse(
            "1: }",
            expect![
                "protoscope at line 1, column 1: cannot tell the wire type of field 1 from what follows: write 1:VARINT, 1:LEN, 1:I32 …"
            ],
        );
        check_parse(
            "1: \"x\"",
            expect![[
                r#"protoscope at line 1, column 1: a string or `hex` after field 1's tag needs braces, which write its length: 1: {"text"}"#
            ]],
        );
        check_parse(
            "1: 4294967296i32",
            expect!["protoscope at line 1, column 4: '4294967296' does not fit in 32 bits"],
        );
        check_parse("1: `0g`", expect!["invalid hex digit 'g' at line 1, column 6"]);
        check_parse("1: \"\\q\"", expect![[r#"invalid escape '\q' at line 1, column 5"#]]);
        check_parse(
            "1:FOO 5",
            expect![
                "protoscope at line 1, column 1: 'FOO' is not a wire type: VARINT, I64, LEN, SGROUP, EGROUP or I32"
            ],
        );
        check_parse(
            "536870912: 1",
            expect!["protoscope at line 1, column 1: field number 536870912 is larger than the largest, 536870911"],
        );
        check_parse(
            "1: banana",
            expect![[
                r#"protoscope at line 1, column 4: 'banana' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'"#
            ]],
        );
        check_parse(
            "1: long-form:2 \"x\"",
            expect![[
                r#"protoscope at line 1, column 1: a string or `hex` after field 1's tag needs braces, which write its length: 1: {"text"}"#
            ]],
        );
        check_parse("1: long-form:9 5", expect!["08 85 80 80 80 80 80 80 80 80 00"]);
        check_parse(
            "long-form:108088088 1: 5",
            expect![
                "protoscope at line 1, column 21: long-form:108088088 makes 8 a varint of 108088089 bytes; a varint has at most 10"
            ],
        );
        check_parse("1: long-form:8 {`00`}", expect!["0A 81 80 80 80 80 80 80 80 00 00"]);
        check_parse(
            "1: 42 !{",
            expect!["protoscope at line 1, column 7: '!{' must follow a group's tag, such as '3:' or '3:SGROUP'"],
        );
    }

    #[test]
    fn auto_detects_protoscope() {
        assert_eq!(input::detect_format("1: 42"), InputFormat::Protoscope);
        assert_eq!(input::detect_format("  # a comment\n1: 42"), InputFormat::Protoscope);
        assert_eq!(input::detect_format("08 2A"), InputFormat::Hex);
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            rng_seed: RngSeed::Fixed(0x5769_7265_4c65_6e73),
            ..ProptestConfig::default()
        })]

        /// Any text is read or refused with a position inside it, never a panic.
        #[test]
        fn any_text_is_read_or_refused(words in prop::collection::vec(prop_oneof![
            Just("1:".to_owned()), Just("2:LEN".to_owned()), Just("3:SGROUP".to_owned()), Just("{".to_owned()),
            Just("}".to_owned()), Just("!{".to_owned()), Just("long-form:2".to_owned()), Just("-1z".to_owned()),
            Just("1.5i32".to_owned()), Just("\"a\\x\"".to_owned()), Just("`0a`".to_owned()), Just("#c\n".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()), "\\PC{0,3}",
        ], 0..12)) {
            let text = words.join(" ");
            if let Err(e) = parse_bytes(&text, InputFormat::Protoscope) {
                prop_assert!(e.position() < text.chars().count().max(1), "{e} in {text:?}");
            }
        }

        /// Whatever the bytes, read with a schema or without, the text spells them exactly.
        #[test]
        fn any_bytes_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..96)) {
            prop_assert_eq!(round_trip(&bytes, &annotate(&bytes, None)), Ok(()));
            let e = &examples::REFERENCE;
            let desc = e.schema().unwrap().message(e.message).unwrap();
            prop_assert_eq!(round_trip(&bytes, &annotate(&bytes, Some(&desc))), Ok(()));
        }
    }
}
