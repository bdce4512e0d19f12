//! CSV and JSON Lines exports: one comment per row. `text` is required; `id` (or
//! `comment_id`), `thread_id`, `parent_id`, `author`, `parent_author`, `timestamp` and
//! `title` are understood; every other column is carried through in `Comment::extra`.
//!
//! Rows are handed on in chunks (a run of rows of one thread, at most
//! [`CHUNK_COMMENTS`](super::CHUNK_COMMENTS) long), so a large export streams. Depths are
//! computed within a chunk: a reply whose parent lies in an earlier chunk counts as depth 1
//! until a sink that keeps whole threads sets them again (see
//! [`ThreadParts`](crate::thread::ThreadParts)).

use super::csv_watch::{CsvWatch, Spot};
use super::{CHUNK_COMMENTS, Sink};
use crate::error::{Error, Location, Result};
use crate::thread::{Comment, Thread, positional_id, set_depths};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The name of the one column a CSV export must have.
pub const TEXT_COLUMN: &str = "text";

/// Whether a line looks like the header of a CSV export: it has a `text` column, and
/// when it is a single column, it is exactly the name the CSV reader looks for (so that
/// the first line of a page dump is not easily taken for one). A `Text` column in
/// another case counts only when every field reads as a column name (`id,TEXT`: an
/// export the reader then refuses, naming its columns), not in a title such as
/// `Text, lies and videotape`.
pub fn looks_like_csv_header(line: &str) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let Some(Ok(record)) = reader.records().next() else {
        return false;
    };
    if record.len() == 1 {
        return record[0].trim() == TEXT_COLUMN;
    }
    let fields = || record.iter().map(str::trim);
    fields().any(|f| f == TEXT_COLUMN)
        || (fields().any(|f| f.eq_ignore_ascii_case(TEXT_COLUMN))
            && fields().all(looks_like_column_name))
}

/// Whether a header field reads as a column name: one word of letters, digits, `_`, `-`
/// or `.`.
fn looks_like_column_name(field: &str) -> bool {
    !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// One row, by column name, before it becomes a comment.
type Row = BTreeMap<String, String>;

/// One row's values by role. Empty values of the named columns count as missing.
#[derive(Debug, Default)]
struct RowValues<'a> {
    thread_id: Option<Cow<'a, str>>,
    title: Option<Cow<'a, str>>,
    id: Option<String>,
    parent_id: Option<String>,
    author: Option<String>,
    parent_author: Option<String>,
    timestamp: Option<String>,
    text: String,
    extra: Row,
}

impl RowValues<'static> {
    /// Splits a row by column name into the values threadguard interprets and the rest.
    fn from_row(mut row: Row) -> Self {
        let thread_id = take(&mut row, "thread_id").map(Cow::Owned);
        let title = take(&mut row, "title").map(Cow::Owned);
        let id = take(&mut row, "id").or_else(|| take(&mut row, "comment_id"));
        row.remove("depth");
        RowValues {
            thread_id,
            title,
            id,
            parent_id: take(&mut row, "parent_id"),
            author: take(&mut row, "author"),
            parent_author: take(&mut row, "parent_author"),
            timestamp: take(&mut row, "timestamp"),
            text: row.remove("text").unwrap_or_default(),
            extra: row,
        }
    }
}

/// Comments a new chunk has room for before its first growth.
const FIRST_CHUNK_CAPACITY: usize = 64;

/// Groups rows into per-thread chunks and hands them to the sink.
struct Chunker<'a> {
    source: String,
    default_thread_id: std::rc::Rc<str>,
    sink: &'a mut dyn Sink,
    current: Option<Thread>,
    /// Rows read so far of the current thread (for positional ids).
    position: usize,
    /// Rows read so far of the other threads seen.
    positions: HashMap<String, usize>,
}

impl<'a> Chunker<'a> {
    fn new(path: &Path, default_thread_id: &str, sink: &'a mut dyn Sink) -> Self {
        Self {
            source: path.display().to_string(),
            default_thread_id: default_thread_id.into(),
            sink,
            current: None,
            position: 0,
            positions: HashMap::new(),
        }
    }

    /// Adds one row, flushing the current chunk when the thread changes or it is full.
    fn push(&mut self, row: RowValues<'_>) -> Result<()> {
        let default = std::rc::Rc::clone(&self.default_thread_id);
        let thread_id = row.thread_id.as_deref().unwrap_or(&default);
        let same_thread = self.current.as_ref().is_some_and(|t| t.id == thread_id);
        let full = self
            .current
            .as_ref()
            .is_some_and(|t| t.comments.len() >= CHUNK_COMMENTS);
        if !same_thread {
            self.switch_positions(thread_id);
        }
        if !same_thread || full {
            self.flush()?;
        }
        let thread = self.current.get_or_insert_with(|| Thread {
            id: thread_id.to_string(),
            source: self.source.clone(),
            title: row.title.map(Cow::into_owned),
            // Room for a typical comment section at once, rather than growing it from
            // one comment by doublings (and copies) for every thread.
            comments: Vec::with_capacity(FIRST_CHUNK_CAPACITY),
            ..Thread::default()
        });
        let id = row
            .id
            .unwrap_or_else(|| positional_id(&thread.id, self.position));
        self.position += 1;
        thread.comments.push(Comment {
            id,
            parent_id: row.parent_id,
            author: row.author,
            parent_author: row.parent_author,
            timestamp: row.timestamp,
            depth: 0,
            text: row.text,
            extra: row.extra,
        });
        Ok(())
    }

    /// Saves the current thread's row count and loads `thread_id`'s.
    fn switch_positions(&mut self, thread_id: &str) {
        if let Some(current) = &self.current {
            self.positions.insert(current.id.clone(), self.position);
        }
        self.position = self.positions.get(thread_id).copied().unwrap_or(0);
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

/// What a CSV column holds. When a header name repeats, the last column wins (as a map
/// by column name would have it) and the earlier ones are ignored.
#[derive(Debug, Clone, PartialEq)]
enum Column {
    ThreadId,
    Title,
    Id,
    CommentId,
    ParentId,
    Author,
    ParentAuthor,
    Timestamp,
    Text,
    Ignored,
    Extra(String),
}

impl Column {
    /// The role of each header, in column order.
    fn roles(headers: &[String]) -> Vec<Column> {
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if headers[i + 1..].contains(h) {
                    return Column::Ignored;
                }
                match h.as_str() {
                    "thread_id" => Column::ThreadId,
                    "title" => Column::Title,
                    "id" => Column::Id,
                    "comment_id" => Column::CommentId,
                    "parent_id" => Column::ParentId,
                    "author" => Column::Author,
                    "parent_author" => Column::ParentAuthor,
                    "timestamp" => Column::Timestamp,
                    TEXT_COLUMN => Column::Text,
                    "depth" => Column::Ignored,
                    other => Column::Extra(other.to_string()),
                }
            })
            .collect()
    }
}

/// A field's text, borrowed when it is valid UTF-8 (invalid sequences replaced).
fn field_text(bytes: &[u8]) -> Cow<'_, str> {
    // `from_utf8` first: it is much faster than the lossy decoder on valid text.
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Splits a CSV record into the values threadguard interprets and the rest, by the
/// columns' roles; the same as [`RowValues::from_row`] on the row by column name.
fn record_values<'r>(roles: &[Column], record: &'r csv::ByteRecord) -> RowValues<'r> {
    values_by_role(roles, record.iter().map(field_text))
}

/// [`record_values`] over a record's decoded fields.
fn values_by_role<'r>(
    roles: &[Column],
    fields: impl Iterator<Item = Cow<'r, str>>,
) -> RowValues<'r> {
    let non_empty = |v: Cow<'r, str>| (!v.is_empty()).then(|| v.into_owned());
    let mut row = RowValues::default();
    let mut comment_id = None;
    for (role, v) in roles.iter().zip(fields) {
        match role {
            Column::ThreadId => row.thread_id = (!v.is_empty()).then_some(v),
            Column::Title => row.title = (!v.is_empty()).then_some(v),
            Column::Id => row.id = non_empty(v),
            Column::CommentId => comment_id = Some(v),
            Column::ParentId => row.parent_id = non_empty(v),
            Column::Author => row.author = non_empty(v),
            Column::ParentAuthor => row.parent_author = non_empty(v),
            Column::Timestamp => row.timestamp = non_empty(v),
            Column::Text => row.text = v.into_owned(),
            Column::Ignored => {}
            Column::Extra(name) => {
                row.extra.insert(name.clone(), v.into_owned());
            }
        }
    }
    // Like taking `id`, then `comment_id` only when `id` is missing or empty: otherwise
    // `comment_id` is an ordinary extra column.
    if let Some(v) = comment_id {
        if row.id.is_none() {
            row.id = non_empty(v);
        } else {
            row.extra.insert("comment_id".to_string(), v.into_owned());
        }
    }
    row
}

/// Decodes the lines of a streamed JSON Lines export, replacing invalid UTF-8 and warning
/// once per file with the line and byte offset of the first bad byte.
struct Decoder {
    warned: bool,
}

impl Decoder {
    fn warn(&mut self, path: &Path, line: u64, offset: u64, sink: &mut dyn Sink) {
        if !self.warned {
            self.warned = true;
            sink.warning(invalid_utf8_warning(path, line, offset));
        }
    }

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
                self.warn(path, line, offset + e.valid_up_to() as u64, sink);
                String::from_utf8_lossy(bytes).into_owned()
            }
        }
    }
}

/// The warning about invalid UTF-8 in an export, at `line` and byte `offset`.
fn invalid_utf8_warning(path: &Path, line: u64, offset: u64) -> super::Warning {
    super::Warning {
        location: Location::line(path, line),
        message: format!(
            "invalid UTF-8 at byte offset {offset} (invalid sequences replaced with U+FFFD)"
        ),
    }
}

/// A CSV parser over the raw bytes of an export, and what it does not tell: where each
/// record starts and the first invalid UTF-8 byte (see [`CsvWatch`]).
struct CsvInput<R> {
    reader: csv::Reader<CsvWatch<R>>,
    /// Where the last record read starts.
    record_start: Option<Spot>,
    /// Whether the invalid UTF-8 warning was given.
    warned: bool,
}

impl<R: std::io::Read> CsvInput<R> {
    /// Reads `input`, which starts `start` bytes into the file.
    fn new(input: R, start: u64) -> Self {
        Self {
            reader: csv::ReaderBuilder::new().from_reader(CsvWatch::new(input, start)),
            record_start: None,
            warned: false,
        }
    }

    /// Reads the header row, decoded (invalid UTF-8 replaced, with a warning) and trimmed.
    fn headers(&mut self, path: &Path, sink: &mut dyn Sink) -> Result<Vec<String>> {
        let headers = self.reader.byte_headers().cloned();
        self.record_start = self.reader.get_mut().take_record_start();
        let headers = headers.map_err(|e| self.error(path, &e))?;
        if std::str::from_utf8(headers.as_slice()).is_err() {
            self.warn_invalid(path, sink);
        }
        Ok(headers
            .iter()
            .map(|h| field_text(h).trim().to_string())
            .collect())
    }

    /// The line the last record read starts on (the header's: 1 for an empty file).
    fn line(&self) -> u64 {
        self.record_start.map_or(1, |s| s.line)
    }

    /// Reads the next record into `record`: false at the end of the input.
    fn next(&mut self, path: &Path, record: &mut csv::ByteRecord) -> Result<bool> {
        let read = self.reader.read_byte_record(record);
        if let Some(start) = self.reader.get_mut().take_record_start() {
            self.record_start = Some(start);
        }
        read.map_err(|e| self.error(path, &e))
    }

    /// Turns a csv error on the last record read into an input error naming its line.
    fn error(&self, path: &Path, err: &csv::Error) -> Error {
        let message = match err.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("malformed CSV row: {len} fields where the header has {expected_len}")
            }
            _ => format!("malformed CSV: {err}"),
        };
        let location = match err.kind() {
            csv::ErrorKind::Io(_) => Location::file(path),
            _ => Location::line(path, self.line()),
        };
        Error::input(location, message)
    }

    /// Warns (once per file) about the first invalid UTF-8 byte, which is at the latest
    /// in the last record read.
    fn warn_invalid(&mut self, path: &Path, sink: &mut dyn Sink) {
        if self.warned {
            return;
        }
        self.warned = true;
        let spot = self.reader.get_ref().first_invalid_utf8();
        let (line, offset) = spot
            .or(self.record_start)
            .map_or((1, 0), |s| (s.line, s.byte));
        sink.warning(invalid_utf8_warning(path, line, offset));
    }

    /// The line of the quote of a quoted field left open at the end of the input.
    fn unterminated_quote(&self) -> Option<u64> {
        self.reader.get_ref().open_quote_line()
    }
}

/// Reads a CSV export from a stream, one row at a time.
pub fn read_csv(
    path: &Path,
    default_thread_id: &str,
    input: impl std::io::Read,
    sink: &mut dyn Sink,
) -> Result<()> {
    read_csv_at(path, default_thread_id, input, 0, sink)
}

/// [`read_csv`] of a stream that starts `start` bytes into the file (after a byte-order
/// mark), for the byte offsets of warnings.
pub fn read_csv_at(
    path: &Path,
    default_thread_id: &str,
    input: impl std::io::Read,
    start: u64,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut input = CsvInput::new(input, start);
    let headers = input.headers(path, sink)?;
    if !headers.iter().any(|h| h == TEXT_COLUMN) {
        return Err(Error::input(
            Location::line(path, input.line()),
            format!(
                "no \"text\" column (columns: {})",
                headers
                    .iter()
                    .map(|h| crate::error::clip(h))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let roles = Column::roles(&headers);
    let mut chunker = Chunker::new(path, default_thread_id, sink);
    let mut record = csv::ByteRecord::new();
    while input.next(path, &mut record)? {
        // Valid UTF-8 (nearly always) is checked once, for the whole record; fields are
        // then used as they are. Otherwise each field is decoded lossily, with a warning.
        match csv::StringRecord::from_byte_record(std::mem::take(&mut record)) {
            Ok(text) => {
                chunker.push(values_by_role(&roles, text.iter().map(Cow::Borrowed)))?;
                record = text.into_byte_record();
            }
            Err(invalid) => {
                record = invalid.into_byte_record();
                input.warn_invalid(path, chunker.sink);
                chunker.push(record_values(&roles, &record))?;
            }
        }
    }
    // The csv crate takes the end of the input for a closing quote.
    if let Some(line) = input.unterminated_quote() {
        return Err(super::csv_watch::unterminated_quote(path, line));
    }
    chunker.flush()
}

/// Reads a JSON Lines export from a stream: one object per line, blank lines skipped.
pub fn read_jsonl(
    path: &Path,
    default_thread_id: &str,
    input: impl std::io::BufRead,
    sink: &mut dyn Sink,
) -> Result<()> {
    read_jsonl_at(path, default_thread_id, input, 0, sink)
}

/// [`read_jsonl`] of a stream that starts `start` bytes into the file (after a
/// byte-order mark), for the byte offsets of warnings.
pub fn read_jsonl_at(
    path: &Path,
    default_thread_id: &str,
    mut input: impl std::io::BufRead,
    start: u64,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut chunker = Chunker::new(path, default_thread_id, sink);
    let mut decoder = Decoder { warned: false };
    let mut buffer = Vec::new();
    let (mut line_number, mut offset) = (0u64, start);
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
        chunker.push(RowValues::from_row(row))?;
    }
    chunker.flush()
}

/// Parses one JSON Lines row: an object with a string `text`. Values become text: a
/// string as it is, a number as written in the line, anything else as compact JSON;
/// nulls are left out.
fn parse_json_row(line: &str) -> std::result::Result<Row, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| json_error(line, e))?;
    let serde_json::Value::Object(object) = value else {
        return Err("expected a JSON object per line".to_string());
    };
    match object.get("text") {
        Some(serde_json::Value::String(_)) => {}
        Some(_) => return Err("\"text\" must be a string".to_string()),
        None => return Err("no \"text\" key".to_string()),
    }
    let numbers = numbers_as_written(line, &object)?;
    let row = object
        .into_iter()
        .filter_map(|(k, v)| {
            let value = match v {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => match numbers.get(&k) {
                    Some(raw) => raw.get().to_string(),
                    None => n.to_string(),
                },
                other => other.to_string(),
            };
            Some((k, value))
        })
        .collect();
    Ok(row)
}

/// The values of `line` as written, when one of its numbers would not print as written
/// (an integer beyond 64 bits, a fraction or an exponent: serde_json keeps an `f64`, so
/// two long ids could become the same text); empty otherwise, the common case.
fn numbers_as_written<'a>(
    line: &'a str,
    object: &serde_json::Map<String, serde_json::Value>,
) -> std::result::Result<BTreeMap<String, &'a serde_json::value::RawValue>, String> {
    let lossy = object
        .values()
        .any(|v| matches!(v, serde_json::Value::Number(n) if n.is_f64()));
    if !lossy {
        return Ok(BTreeMap::new());
    }
    serde_json::from_str(line).map_err(|e| json_error(line, e))
}

/// A JSON line's parse error without serde's "at line 1": the file's line is already in
/// the location, so only the column (in characters of `line`) is added.
fn json_error(line: &str, e: serde_json::Error) -> String {
    let message = e.to_string();
    let what = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(what, _)| what);
    if e.column() > 0 {
        // serde counts bytes; a reader counts characters.
        let bytes = line.len().min(e.column() - 1);
        let column = line
            .get(..bytes)
            .map_or(e.column(), |s| s.chars().count() + 1);
        format!("invalid JSON: {what} at column {column}")
    } else {
        format!("invalid JSON: {what}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A row's values as plain owned data, for comparing.
    type Flat = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Row,
    );

    fn flat(v: RowValues<'_>) -> Flat {
        (
            v.thread_id.map(Cow::into_owned),
            v.title.map(Cow::into_owned),
            v.id,
            v.parent_id,
            v.author,
            v.parent_author,
            v.timestamp,
            v.text,
            v.extra,
        )
    }

    /// Splits one record both ways: by column roles, and through a map by column name
    /// (later columns overwriting earlier ones of the same name), which is the reference.
    fn both_ways(headers: &[&str], values: &[&str]) -> (Flat, Flat) {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let record = csv::ByteRecord::from(values.to_vec());
        let by_role = flat(record_values(&Column::roles(&headers), &record));
        // Decoded once for the whole record, as reading does: the same values.
        let text = csv::StringRecord::from(values.to_vec());
        let decoded = flat(values_by_role(
            &Column::roles(&headers),
            text.iter().map(Cow::Borrowed),
        ));
        assert_eq!(decoded, by_role);
        let row: Row = headers
            .iter()
            .zip(values)
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect();
        (by_role, flat(RowValues::from_row(row)))
    }

    #[test]
    fn record_roles_match_the_row_map() {
        let cases: [(&[&str], &[&str]); 5] = [
            (&["id", "thread_id", "text"], &["c1", "t1", "hello"]),
            (&["id", "comment_id", "text", "x"], &["", "c9", "hi", ""]),
            (&["id", "comment_id", "text"], &["c1", "c9", "hi"]),
            (
                &["text", "depth", "title", "text"],
                &["first", "3", "T", "second"],
            ),
            (
                &[
                    "author",
                    "parent_id",
                    "parent_author",
                    "timestamp",
                    "extra",
                    "extra",
                ],
                &["ann", "", "bob", "2020", "a", "b"],
            ),
        ];
        for (headers, values) in cases {
            let (by_role, reference) = both_ways(headers, values);
            assert_eq!(by_role, reference, "{headers:?}");
        }
    }

    proptest! {
        #[test]
        fn record_roles_match_the_row_map_for_any_columns(
            columns in proptest::collection::vec(
                (
                    prop::sample::select(vec![
                        "id", "comment_id", "thread_id", "title", "parent_id", "author",
                        "parent_author", "timestamp", "text", "depth", "score", "lang",
                    ]),
                    prop::sample::select(vec!["", "a", "b,c", "x y"]),
                ),
                1..10,
            )
        ) {
            let headers: Vec<&str> = columns.iter().map(|c| c.0).collect();
            let values: Vec<&str> = columns.iter().map(|c| c.1).collect();
            let (by_role, reference) = both_ways(&headers, &values);
            prop_assert_eq!(by_role, reference);
        }
    }
}
