//! Follows the raw bytes of a CSV export on their way to the csv parser, to tell what
//! the parser does not: whether the input ended inside a quoted field (the csv crate
//! takes the end of the input for its closing quote) and on which line that field's
//! quote opened.
//!
//! It follows the grammar as `csv_core` reads it with the default settings: `,` between
//! fields, `"` around a quoted field and doubled inside it, and CR, LF or CRLF ending a
//! record; a quote inside an unquoted field is an ordinary character, and so is a
//! character after a quoted field's closing quote.

use std::io::Read;

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
    /// The line (from 1) of the next byte; CRLF, CR and LF each end a line.
    line: u64,
    /// Whether the last byte was a CR (an LF right after it ends the same line).
    after_cr: bool,
    /// The line of the quote that opened the current quoted field.
    quote_line: u64,
}

impl<R> CsvWatch<R> {
    /// Wraps `inner`, whose first byte is the start of the CSV text.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            state: State::StartRecord,
            line: 1,
            after_cr: false,
            quote_line: 1,
        }
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
            // Ordinary bytes inside a field change nothing but `after_cr`: skip them.
            let plain = match self.state {
                State::InField => memchr::memchr3(b',', b'\r', b'\n', rest),
                State::InQuoted => memchr::memchr3(b'"', b'\r', b'\n', rest),
                _ => Some(0),
            };
            let at = plain.unwrap_or(rest.len());
            if at > 0 {
                self.after_cr = false;
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
            (StartRecord | StartField, b'"') => {
                self.quote_line = self.line;
                InQuoted
            }
            (StartRecord | StartField | InField | AfterQuote, b',') => StartField,
            (StartField | InField | AfterQuote, b'\r' | b'\n') => StartRecord,
            (StartRecord | StartField | InField, _) => InField,
            (InQuoted, b'"') => AfterQuote,
            (InQuoted, _) => InQuoted,
            (AfterQuote, b'"') => InQuoted,
            (AfterQuote, _) => InField,
        };
        if byte == b'\r' || (byte == b'\n' && !self.after_cr) {
            self.line += 1;
        }
        self.after_cr = byte == b'\r';
    }
}

impl<R: Read> Read for CsvWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.follow(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The open quote's line after following `text`, fed in pieces of `piece` bytes.
    fn open_quote(text: &str, piece: usize) -> Option<u64> {
        let mut watch = CsvWatch::new(());
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
}
