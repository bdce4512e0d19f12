//! CSV and JSON Lines exports: one comment per row. `text` is required; `id` (or
//! `comment_id`), `thread_id`, `parent_id`, `author`, `parent_author`, `timestamp` and
//! `title` are understood; every other column is carried through in `Comment::extra`.
//!
//! Rows are handed on in chunks (a run of rows of one thread, at most
//! [`CHUNK_COMMENTS`](super::CHUNK_COMMENTS) long), so a large export streams. Depths are
//! computed within a chunk: a reply whose parent lies in an earlier chunk counts as depth 1.

use super::{CHUNK_COMMENTS, Sink};
use crate::error::{Error, Location, Result};
use crate::thread::{Comment, Thread, positional_id, set_depths};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Whether a line looks like the header of a CSV export (it has a `text` column).
pub fn looks_like_csv_header(line: &str) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let Some(Ok(record)) = reader.records().next() else {
        return false;
    };
    record.len() >= 2 && record.iter().any(|f| f.trim().eq_ignore_ascii_case("text"))
}

/// One row, by column name, before it becomes a comment.
type Row = BTreeMap<String, String>;

/// Groups rows into per-thread chunks and hands them to the sink.
struct Chunker<'a> {
    source: String,
    default_thread_id: String,
    sink: &'a mut dyn Sink,
    current: Option<Thread>,
    positions: HashMap<String, usize>,
}

impl<'a> Chunker<'a> {
    fn new(path: &Path, default_thread_id: &str, sink: &'a mut dyn Sink) -> Self {
        Self {
            source: path.display().to_string(),
            default_thread_id: default_thread_id.to_string(),
            sink,
            current: None,
            positions: HashMap::new(),
        }
    }

    /// Adds one row, flushing the current chunk when the thread changes or it is full.
    fn push(&mut self, mut row: Row) -> Result<()> {
        let thread_id =
            take(&mut row, "thread_id").unwrap_or_else(|| self.default_thread_id.clone());
        let same_thread = self.current.as_ref().is_some_and(|t| t.id == thread_id);
        let full = self
            .current
            .as_ref()
            .is_some_and(|t| t.comments.len() >= CHUNK_COMMENTS);
        if !same_thread || full {
            self.flush()?;
        }
        let title = take(&mut row, "title");
        let thread = self.current.get_or_insert_with(|| Thread {
            id: thread_id.clone(),
            source: self.source.clone(),
            title,
            ..Thread::default()
        });
        let position = self.positions.entry(thread_id.clone()).or_insert(0);
        let comment = comment_from_row(row, &thread_id, *position);
        *position += 1;
        thread.comments.push(comment);
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if let Some(mut thread) = self.current.take() {
            set_depths(&mut thread.comments);
            self.sink.thread(thread)?;
        }
        Ok(())
    }
}

fn take(row: &mut Row, key: &str) -> Option<String> {
    row.remove(key).filter(|v| !v.is_empty())
}

fn comment_from_row(mut row: Row, thread_id: &str, position: usize) -> Comment {
    let id = take(&mut row, "id")
        .or_else(|| take(&mut row, "comment_id"))
        .unwrap_or_else(|| positional_id(thread_id, position));
    row.remove("depth");
    Comment {
        id,
        parent_id: take(&mut row, "parent_id"),
        author: take(&mut row, "author"),
        parent_author: take(&mut row, "parent_author"),
        timestamp: take(&mut row, "timestamp"),
        depth: 0,
        text: row.remove("text").unwrap_or_default(),
        extra: row,
    }
}

/// Decodes fields of a streamed export, replacing invalid UTF-8 and warning once per file
/// with the line and byte offset of the first bad byte.
struct Decoder {
    warned: bool,
}

impl Decoder {
    fn field(
        &mut self,
        bytes: &[u8],
        path: &Path,
        line: u64,
        offset: u64,
        sink: &mut dyn Sink,
    ) -> String {
        match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(e) => {
                if !self.warned {
                    self.warned = true;
                    sink.warning(super::Warning {
                        location: Location::line(path, line),
                        message: format!(
                            "invalid UTF-8 at byte offset {} (invalid sequences replaced with U+FFFD)",
                            offset + e.valid_up_to() as u64
                        ),
                    });
                }
                String::from_utf8_lossy(bytes).into_owned()
            }
        }
    }
}

/// Reads a CSV export from a stream, one row at a time.
pub fn read_csv(
    path: &Path,
    default_thread_id: &str,
    input: impl std::io::Read,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let mut decoder = Decoder { warned: false };
    let raw_headers = reader
        .byte_headers()
        .map_err(|e| csv_error(path, &e))?
        .clone();
    let headers: Vec<String> = raw_headers
        .iter()
        .map(|h| decoder.field(h, path, 1, 0, sink).trim().to_string())
        .collect();
    if !headers.iter().any(|h| h == "text") {
        return Err(Error::input(
            Location::line(path, 1),
            format!("no \"text\" column (columns: {})", headers.join(", ")),
        ));
    }
    let mut chunker = Chunker::new(path, default_thread_id, sink);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, &e)),
        }
        let (line, start) = record.position().map_or((0, 0), |p| (p.line(), p.byte()));
        let mut offset = start;
        let mut row = Row::new();
        for (h, v) in headers.iter().zip(record.iter()) {
            let value = decoder.field(v, path, line, offset, chunker.sink);
            offset += v.len() as u64 + 1;
            row.insert(h.clone(), value);
        }
        chunker.push(row)?;
    }
    chunker.flush()
}

/// Turns a csv error into an input error with the line it happened on.
pub fn csv_error(path: &Path, err: &csv::Error) -> Error {
    let line = err.position().map(|p| p.line());
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("malformed CSV row: {len} fields where the header has {expected_len}")
        }
        _ => format!("malformed CSV: {err}"),
    };
    let location = match line {
        Some(l) => Location::line(path, l),
        None => Location::file(path),
    };
    Error::input(location, message)
}

/// Reads a JSON Lines export from a stream: one object per line, blank lines skipped.
pub fn read_jsonl(
    path: &Path,
    default_thread_id: &str,
    mut input: impl std::io::BufRead,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut chunker = Chunker::new(path, default_thread_id, sink);
    let mut decoder = Decoder { warned: false };
    let mut buffer = Vec::new();
    let (mut line_number, mut offset) = (0u64, 0u64);
    loop {
        buffer.clear();
        let read = input
            .read_until(b'\n', &mut buffer)
            .map_err(|e| Error::io(path, e))?;
        if read == 0 {
            break;
        }
        line_number += 1;
        let line = decoder.field(&buffer, path, line_number, offset, chunker.sink);
        offset += read as u64;
        if line.trim().is_empty() {
            continue;
        }
        let row = parse_json_row(line.trim_end_matches(['\n', '\r']))
            .map_err(|m| Error::input(Location::line(path, line_number), m))?;
        chunker.push(row)?;
    }
    chunker.flush()
}

fn parse_json_row(line: &str) -> std::result::Result<Row, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let serde_json::Value::Object(object) = value else {
        return Err("expected a JSON object per line".to_string());
    };
    match object.get("text") {
        Some(serde_json::Value::String(_)) => {}
        Some(_) => return Err("\"text\" must be a string".to_string()),
        None => return Err("no \"text\" key".to_string()),
    }
    let row = object
        .into_iter()
        .filter_map(|(k, v)| {
            let value = match v {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            Some((k, value))
        })
        .collect();
    Ok(row)
}
