//! Follows the raw bytes of a CSV export on their way to the csv parser, to tell what
//! the parser does not: where each record starts in the file (the parser's positions
//! count LF bytes only, and put a record that follows a CRLF on the LF), where the first
//! invalid UTF-8 byte is, and whether the input ended inside a quoted field (the csv
//! crate takes the end of the input for its closing quote) and on which line that
//! field's quote opened.
//!
//! It follows the grammar as `csv_core` reads it with the default settings: `,` between
//! fields, `"` around a quoted field and doubled inside it, and CR, LF or CRLF ending a
//! record (blank lines are skipped); a quote inside an unquoted field is an ordinary
//! character, and so is a character after a quoted field's closing quote. So its
//! records are the parser's, one for one, in order.

use crate::error::{Error, Location, Result};
use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;

/// The error for a CSV file whose quoted field opened on `line` never closes.
pub(crate) fn unterminated_quote(path: &Path, line: u64) -> Error {
    Error::input(
        Location::line(path, line),
        "unterminated quoted field: no closing quote before the end of the file",
    )
}

/// Fails when `bytes`, a whole CSV file, end inside a quoted field, for readers that hold
/// the file in memory (streaming readers ask their [`CsvWatch`] at the end instead).
pub(crate) fn refuse_unterminated_quote(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut watch = CsvWatch::new(bytes, 0);
    std::io::copy(&mut watch, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    match watch.open_quote_line() {
        Some(line) => Err(unterminated_quote(path, line)),
        None => Ok(()),
    }
}

/// A place in the file: line (from 1; CRLF, CR and LF each end a line) and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    /// The line, from 1.
    pub line: u64,
    /// The byte offset from the start of the file.
    pub byte: u64,
}

/// Where the reader is in the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before a record (blank lines are skipped here).
    StartRecord,
    /// At the start of a field after a delimiter.
    StartField,
    /// Inside an unquoted field.
    InField,
    /// Inside a quoted field.
    InQuoted,
    /// Just after a quote inside a quoted field: it closes the field, or doubles.
    AfterQuote,
}

/// A reader that passes bytes through unchanged and follows the CSV grammar over them.
#[derive(Debug)]
pub struct CsvWatch<R> {
    inner: R,
    state: State,
    /// Where the next byte is.
    next: Spot,
    /// Whether the last byte was a CR (an LF right after it ends the same line).
    after_cr: bool,
    /// The line of the quote that opened the current quoted field.
    quote_line: u64,
    /// Where the records read ahead of the parser start, oldest first.
    starts: VecDeque<Spot>,
    /// The start of a UTF-8 sequence cut off by the end of the last read (at most 3 bytes).
    cut: Vec<u8>,
    /// Where the first invalid UTF-8 byte is, once found.
    invalid: Option<Spot>,
}

impl<R> CsvWatch<R> {
    /// Wraps `inner`, whose first byte is the start of the CSV text, `start` bytes into
    /// the file (after a byte-order mark).
    pub fn new(inner: R, start: u64) -> Self {
        Self {
            inner,
            state: State::StartRecord,
            next: Spot {
                line: 1,
                byte: start,
            },
            after_cr: false,
            quote_line: 1,
            starts: VecDeque::new(),
            cut: Vec::new(),
            invalid: None,
        }
    }

    /// Where the oldest record not yet taken starts. Call once for every record the
    /// parser returns (or fails on), the header included, to keep the two in step.
    pub fn take_record_start(&mut self) -> Option<Spot> {
        self.starts.pop_front()
    }

    /// Where the first invalid UTF-8 byte read so far is.
    pub fn first_invalid_utf8(&self) -> Option<Spot> {
        self.invalid
    }

    /// The line of the opening quote of a quoted field that the bytes read so far leave
    /// open; at the end of the input, an unterminated quoted field.
    pub fn open_quote_line(&self) -> Option<u64> {
        (self.state == State::InQuoted).then_some(self.quote_line)
    }

    /// Follows `bytes`, the next bytes of the input.
    fn follow(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() {
            // Inside a record, only quotes and line ends matter: skip to the next one. A
            // comma changes an unquoted field's state only for a quote right after it (the
            // quote opens a field), so the last skipped byte tells the state.
            let plain = match self.state {
                State::StartField | State::InField | State::InQuoted => {
                    memchr::memchr3(b'"', b'\r', b'\n', rest)
                }
                State::StartRecord | State::AfterQuote => Some(0),
            };
            let at = plain.unwrap_or(rest.len());
            if let Some(&last) = at.checked_sub(1).and_then(|i| rest.get(i)) {
                self.next.byte += at as u64;
                self.after_cr = false;
                if self.state != State::InQuoted {
                    self.state = match last {
                        b',' => State::StartField,
                        _ => State::InField,
                    };
                }
            }
            let Some(&byte) = rest.get(at) else {
                return;
            };
            self.step(byte);
            rest = &rest[at + 1..];
        }
    }

    /// Takes one byte: the grammar's next state and the line count.
    fn step(&mut self, byte: u8) {
        use State::*;
        self.state = match (self.state, byte) {
            (StartRecord, b'\r' | b'\n') => StartRecord,
            (StartRecord, _) => {
                self.starts.push_back(self.next);
                return self.step_in_field_start(byte);
            }
            (StartField, b'"') => {
                self.quote_line = self.next.line;
                InQuoted
            }
            (StartField | InField | AfterQuote, b',') => StartField,
            (StartField | InField | AfterQuote, b'\r' | b'\n') => StartRecord,
            (StartField | InField, _) => InField,
            (InQuoted, b'"') => AfterQuote,
            (InQuoted, _) => InQuoted,
            (AfterQuote, b'"') => InQuoted,
            (AfterQuote, _) => InField,
        };
        self.advance(byte);
    }

    /// [`Self::step`] for the first byte of a record: the start of its first field.
    fn step_in_field_start(&mut self, byte: u8) {
        self.state = State::StartField;
        self.step(byte);
    }

    /// Moves past one byte (the grammar's state already taken): byte offset and line.
    fn advance(&mut self, byte: u8) {
        self.next.byte += 1;
        if byte == b'\r' || (byte == b'\n' && !self.after_cr) {
            self.next.line += 1;
        }
        self.after_cr = byte == b'\r';
    }

    /// Checks `bytes`, the next bytes of the input, for invalid UTF-8: the index in them
    /// of the first invalid byte, negative when it is in the sequence cut off by the
    /// previous read. An empty `bytes` is the end of the input.
    fn find_invalid_utf8(&mut self, bytes: &[u8]) -> Option<isize> {
        let mut from = 0;
        if !self.cut.is_empty() {
            let cut = self.cut.len();
            let mut joined = std::mem::take(&mut self.cut);
            joined.extend(bytes.iter().take(4 - cut));
            match std::str::from_utf8(&joined) {
                Ok(_) => from = joined.len() - cut,
                Err(e) if e.valid_up_to() > 0 => from = e.valid_up_to() - cut,
                Err(e) if e.error_len().is_some() || bytes.is_empty() => {
                    return Some(-(cut as isize));
                }
                Err(_) => {
                    self.cut = joined;
                    return None;
                }
            }
        }
        match std::str::from_utf8(&bytes[from..]) {
            Ok(_) => None,
            Err(e) if e.error_len().is_some() => Some((from + e.valid_up_to()) as isize),
            Err(e) => {
                self.cut = bytes[from + e.valid_up_to()..].to_vec();
                None
            }
        }
    }

    /// Follows `bytes` and looks for the first invalid UTF-8 byte in them.
    fn take_in(&mut self, bytes: &[u8]) {
        let bad = if self.invalid.is_none() {
            self.find_invalid_utf8(bytes)
        } else {
            None
        };
        match bad {
            // The cut sequence holds no line end: it is on the current line.
            Some(at) if at < 0 => {
                self.invalid = Some(Spot {
                    line: self.next.line,
                    byte: self.next.byte - at.unsigned_abs() as u64,
                });
                self.follow(bytes);
            }
            Some(at) => {
                let (before, after) = bytes.split_at(at.unsigned_abs());
                self.follow(before);
                self.invalid = Some(self.next);
                self.follow(after);
            }
            None => self.follow(bytes),
        }
    }
}

impl<R: Read> Read for CsvWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 || !buf.is_empty() {
            self.take_in(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The open quote's line after following `text`, fed in pieces of `piece` bytes.
    fn open_quote(text: &str, piece: usize) -> Option<u64> {
        let mut watch = CsvWatch::new((), 0);
        for part in text.as_bytes().chunks(piece) {
            watch.follow(part);
        }
        watch.open_quote_line()
    }

    #[test]
    fn quotes_open_only_at_the_start_of_a_field() {
        for piece in [1, 2, 3, 1000] {
            assert_eq!(open_quote("id,text\n1,\"open\n2,c\n", piece), Some(2));
            assert_eq!(
                open_quote("id,text\r\n1,a\r\n2,\"x\r\n\r\n", piece),
                Some(3)
            );
            assert_eq!(open_quote("a,b\r\"c", piece), Some(2));
            assert_eq!(open_quote("id,text\n1,\"closed\"\n", piece), None);
            assert_eq!(open_quote("1,\"a \"\" b\"\"\"", piece), None);
            assert_eq!(open_quote("1,a\"b\n2,\"c\"d\"\n", piece), None);
            assert_eq!(open_quote("1,\"two\r\nlines\",\"x", piece), Some(2));
            assert_eq!(open_quote("", piece), None);
        }
    }

    /// A reader that hands over at most `piece` bytes at a time.
    struct Pieces<'a>(&'a [u8], usize);

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// A line and a byte offset.
    type At = (u64, u64);

    /// Reads `bytes` through a watch in pieces: the record starts and the first
    /// invalid UTF-8 byte.
    fn watched(bytes: &[u8], piece: usize) -> (Vec<At>, Option<At>) {
        let mut watch = CsvWatch::new(Pieces(bytes, piece), 3);
        std::io::copy(&mut watch, &mut std::io::sink()).unwrap();
        let mut starts = Vec::new();
        while let Some(s) = watch.take_record_start() {
            starts.push((s.line, s.byte));
        }
        let invalid = watch.first_invalid_utf8().map(|s| (s.line, s.byte));
        (starts, invalid)
    }

    proptest::proptest! {
        /// The watch's records are the csv parser's, one for one, whatever the bytes (over
        /// the characters the grammar knows, plus `x`) and however they are split.
        #[test]
        fn record_starts_are_the_parsers(
            text in proptest::collection::vec(
                proptest::sample::select(&b"x,\"\r\n"[..]),
                0..80,
            ),
            piece in 1usize..9,
        ) {
            let (starts, _) = watched(&text, piece);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&text[..]);
            let mut record = csv::ByteRecord::new();
            let mut parsed = Vec::new();
            while reader.read_byte_record(&mut record).unwrap() {
                parsed.push(record.position().map_or(0, |p| p.byte() as usize));
            }
            proptest::prop_assert_eq!(starts.len(), parsed.len());
            // The parser's position is where it started reading the record, before the
            // blank lines it skips; the watch's is the record's first byte.
            for (&(_, watched), parsed) in starts.iter().zip(parsed) {
                let gap = text.get(parsed..watched as usize - 3);
                proptest::prop_assert!(
                    gap.is_some_and(|g| g.iter().all(|b| matches!(b, b'\r' | b'\n'))),
                    "parser at {parsed}, watch at {}", watched - 3
                );
            }
        }
    }

    #[test]
    fn record_starts_and_the_first_invalid_byte_whatever_the_pieces() {
        for piece in [1, 2, 3, 5, 1000] {
            let text = b"a,b\r\n\r\n\"x\r\n\xc3\xa9\",\xe2\x82\xac\ry,z\n\xf0\x9f\x98";
            let (starts, invalid) = watched(text, piece);
            assert_eq!(starts, [(1, 3), (3, 10), (5, 22), (6, 26)], "{piece}");
            // The 4-byte sequence at the end is cut short by the end of the input.
            assert_eq!(invalid, Some((6, 26)), "{piece}");
            let (_, invalid) = watched(b"ok\n\xe2\x82,\xe2\x82\xac", piece);
            assert_eq!(invalid, Some((2, 6)), "{piece}");
            let (_, invalid) = watched("é,€,😀\n".as_bytes(), piece);
            assert_eq!(invalid, None, "{piece}");
        }
    }
}
