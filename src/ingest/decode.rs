//! Turning raw bytes into text: BOMs, UTF-16, invalid UTF-8 (decoded lossily with a
//! warning naming the byte offset), and CRLF line ends (for page dumps: the fields of a
//! CSV or JSONL export are data and are kept as they are).

use super::{Sink, Warning};
use crate::error::Location;
use std::borrow::Cow;
use std::path::Path;

/// Decodes `bytes` to text with `\n` line ends. Invalid UTF-8 is replaced with U+FFFD and
/// reported once per file with the offset of the first bad byte and the count.
pub fn decode<'a>(path: &Path, bytes: &'a [u8], sink: &mut dyn Sink) -> Cow<'a, str> {
    unix_newlines(decode_raw(path, bytes, sink))
}

/// Decodes `bytes` to text (BOM removed, UTF-16 and invalid UTF-8 handled as in
/// [`decode`]) and leaves line ends as they are.
pub fn decode_raw<'a>(path: &Path, bytes: &'a [u8], sink: &mut dyn Sink) -> Cow<'a, str> {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8_lossy(path, rest, 3, sink),
        [0xFF, 0xFE, rest @ ..] => Cow::Owned(utf16(rest, u16::from_le_bytes)),
        [0xFE, 0xFF, rest @ ..] => Cow::Owned(utf16(rest, u16::from_be_bytes)),
        _ => utf8_lossy(path, bytes, 0, sink),
    }
}

/// Turns `\r\n` and lone `\r` line ends into `\n`.
pub fn unix_newlines(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        text
    }
}

fn utf8_lossy<'a>(path: &Path, bytes: &'a [u8], base: usize, sink: &mut dyn Sink) -> Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(first) => {
            let bad = count_invalid_sequences(bytes);
            let offset = first.valid_up_to();
            let line = 1 + line_ends(&bytes[..offset]);
            sink.warning(Warning {
                location: Location::line(path, line),
                message: format!(
                    "invalid UTF-8 at byte offset {} ({bad} invalid sequence{} replaced with U+FFFD)",
                    base + offset,
                    if bad == 1 { "" } else { "s" }
                ),
            });
            Cow::Owned(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// Counts the line ends in `bytes`: CRLF, CR and LF each end one line.
pub fn line_ends(bytes: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let cr = memchr::memchr_iter(b'\r', bytes).count();
    let crlf = memchr::memmem::find_iter(bytes, b"\r\n").count();
    (lf + cr - crlf) as u64
}

/// Counts the invalid sequences `from_utf8_lossy` would replace.
fn count_invalid_sequences(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .filter(|c| !c.invalid().is_empty())
        .count()
}

fn utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|pair| to_unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}
