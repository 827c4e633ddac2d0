//! A stream of length-delimited messages, as `writeDelimitedTo` writes them: each message's size
//! as a varint, then the message. [`Delimited`] is fed the stream in chunks of any size and
//! hands back each message once all of its bytes are in, so a reader holds one message at a
//! time however long the stream. It never allocates from a length it has not seen the bytes
//! for. Knows the framing only; each message is the annotator's.

use crate::varint::{self, VarintError};

/// One message of the stream, borrowed from the splitter until the next call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelimitedMessage<'a> {
    /// Its position in the stream, from 0.
    pub index: u64,
    /// The stream offset of its length prefix.
    pub offset: u64,
    /// The length prefix's size in bytes.
    pub prefix: usize,
    pub bytes: &'a [u8],
}

/// Why the stream cannot be split further, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DelimitedError {
    #[error("message {index} at byte {offset}: the length prefix is cut off by the end of the stream")]
    CutLength { index: u64, offset: u64 },
    #[error("message {index} at byte {offset}: the length prefix does not fit in 64 bits")]
    BadLength { index: u64, offset: u64 },
    #[error(
        "message {index} at byte {offset}: its length is {length}, but the stream ends after {} of it",
        super::plural(*available, "byte", "bytes")
    )]
    CutMessage { index: u64, offset: u64, length: u64, available: u64 },
}

/// The splitter: `push` chunks, take messages with `next`, and `finish` at the end of the stream.
#[derive(Debug, Default)]
pub struct Delimited {
    buf: Vec<u8>,
    /// Bytes of `buf` already handed out.
    read: usize,
    /// The stream offset of `buf[0]`.
    base: u64,
    index: u64,
}

impl Delimited {
    pub fn new() -> Delimited {
        Delimited::default()
    }

    pub fn push(&mut self, chunk: &[u8]) {
        if self.read > 0 && self.read >= self.buf.len() / 2 {
            // Drop what was handed out, so the buffer holds at most about one message.
            self.buf.drain(..self.read);
            self.base += self.read as u64;
            self.read = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next whole message, `None` if more bytes are needed, or the error that stops the stream.
    pub fn next_message(&mut self) -> Option<Result<DelimitedMessage<'_>, DelimitedError>> {
        let rest = &self.buf[self.read..];
        if rest.is_empty() {
            return None;
        }
        let offset = self.base + self.read as u64;
        let length = match varint::decode(rest) {
            Ok(v) => v,
            Err(VarintError::Truncated) => return None,
            Err(VarintError::Overflow) => {
                return Some(Err(DelimitedError::BadLength { index: self.index, offset }));
            }
        };
        let available = (rest.len() - length.len) as u64;
        if length.value > available {
            return None;
        }
        let start = self.read + length.len;
        let end = start + length.value as usize;
        self.read = end;
        let index = self.index;
        self.index += 1;
        Some(Ok(DelimitedMessage { index, offset, prefix: length.len, bytes: &self.buf[start..end] }))
    }

    /// The end of the stream: an error if a message was left incomplete.
    pub fn finish(&self) -> Result<(), DelimitedError> {
        let rest = &self.buf[self.read..];
        if rest.is_empty() {
            return Ok(());
        }
        let (index, offset) = (self.index, self.base + self.read as u64);
        match varint::decode(rest) {
            Err(VarintError::Truncated) => Err(DelimitedError::CutLength { index, offset }),
            Err(VarintError::Overflow) => Err(DelimitedError::BadLength { index, offset }),
            Ok(v) => Err(DelimitedError::CutMessage {
                index,
                offset,
                length: v.value,
                available: (rest.len() - v.len) as u64,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each message's index, offset and bytes.
    type Split = Vec<(u64, u64, Vec<u8>)>;

    fn split(stream: &[u8], chunk: usize) -> (Split, Result<(), DelimitedError>) {
        let mut d = Delimited::new();
        let mut out = Vec::new();
        for piece in stream.chunks(chunk.max(1)) {
            d.push(piece);
            while let Some(m) = d.next_message() {
                match m {
                    Ok(m) => out.push((m.index, m.offset, m.bytes.to_vec())),
                    Err(e) => return (out, Err(e)),
                }
            }
        }
        (out, d.finish())
    }

    #[test]
    fn any_chunking_gives_the_same_messages() {
        let mut stream = vec![2, 0x08, 0x2A, 0];
        stream.push(0x81);
        stream.push(0x01);
        stream.extend(std::iter::repeat_n(0x61, 129));
        stream.extend([1, 0x10]);
        let expected = vec![(0, 0, vec![0x08, 0x2A]), (1, 3, vec![]), (2, 4, vec![0x61; 129]), (3, 135, vec![0x10])];
        for chunk in 1..=stream.len() {
            assert_eq!(split(&stream, chunk), (expected.clone(), Ok(())), "chunks of {chunk}");
        }
    }

    #[test]
    fn a_cut_stream_names_the_message_and_offset() {
        assert_eq!(
            split(&[1, 0x10, 5, 0x08], 3),
            (
                vec![(0, 0, vec![0x10])],
                Err(DelimitedError::CutMessage { index: 1, offset: 2, length: 5, available: 1 })
            )
        );
        assert_eq!(split(&[0x80], 1).1, Err(DelimitedError::CutLength { index: 0, offset: 0 }));
        let overflow = [0xFF; 11];
        assert_eq!(split(&overflow, 11).1, Err(DelimitedError::BadLength { index: 0, offset: 0 }));
        // A huge length waits for its bytes instead of allocating them.
        let huge = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00];
        assert_eq!(
            split(&huge, 6).1,
            Err(DelimitedError::CutMessage { index: 0, offset: 0, length: 0xFFFF_FFFF, available: 1 })
        );
    }
}
