//! The labels CSV: the append-only file the labeling loop writes and training reads.
//!
//! # Format
//!
//! One header row, then one row per decision:
//!
//! ```text
//! id,thread_id,parent_id,author,text,abusive,conspiratorial,annotator,labeled_at,source
//! ```
//!
//! - There is one column per label, between `text` and `annotator` (default labels:
//!   [`DEFAULT_LABELS`]). A label cell is `1` (yes), `0` (no) or empty (no decision
//!   for that label); anything else is an error naming the file, line, column and value.
//! - `labeled_at` is an RFC 3339 timestamp (empty for imported rows); `source` says where
//!   the row came from (`label`, `import:<corpus>:<file>`, [`UNDO_SOURCE`], ...).
//! - Readers accept the columns in any order, need only `text` and the label columns they
//!   ask for, and ignore every other column (an importer's `spans`, label columns added
//!   later, ...). A file with more label columns than a reader asks for just works.
//!
//! # Latest wins, corrections and undo
//!
//! The file is append-only: rows are never rewritten. A row with an `id` is one decision
//! of one annotator (missing `annotator` column = `""`) about one comment, and the
//! **last row in the file for an (id, annotator) pair replaces every earlier one**, as a
//! whole row (a correction restates the full decision). Rows without an `id` are each
//! their own item.
//!
//! An **undo** is a later row for the same (id, annotator) with every label cell empty
//! and `source` = [`UNDO_SOURCE`] (`undo`): it means "no decision", so the item drops out
//! of the training set and out of the resume set ([`LabelLog::decided`]), and the
//! labeling loop will offer it again. A later row with every label empty and another
//! source (a *skip*) also carries no label, but still counts as decided for resume.
//!
//! # Crash safety
//!
//! [`LabelWriter::append`] writes each row with one `write` and syncs it before
//! returning, so a crash can only cut the row being written, at the end of the file.
//! When the write or the sync fails (a full disk), the file is cut back to its length
//! before the row, so an error leaves the file exactly as it was.
//!
//! - Reading: the last row is *partial* when it has an unterminated quote or fewer fields
//!   than the header. It is skipped and reported as a [`LoadWarning`] (file and line);
//!   every earlier row is kept. A whole last row without the final newline (hand-made
//!   files often end so) is kept, the same before and after [`LabelWriter::open`] adds
//!   the newline.
//! - A file that ends inside a UTF-8 character (at most 3 bytes of it) is read without
//!   those bytes, as if the cut had come just before the character; the rules above then
//!   apply. Only there: invalid UTF-8 anywhere else is an error.
//! - Appending after a cut: [`LabelWriter::open`] first ends the cut row: it cuts off the
//!   bytes of a cut character (so the file stays UTF-8 once rows follow them), closes an
//!   open quote if there is one (so the cut row cannot swallow the rows after it) and
//!   adds a newline. The cut row is then a short row in the middle of the file.
//! - A row in the middle of the file with *fewer* fields than the header is treated as
//!   such a cut row: skipped with a warning. This is the same as "a short row followed by
//!   a good row", because whatever follows it is either good, another cut row, or an error
//!   of its own. Rows with *more* fields than the header, bad label values or invalid UTF-8
//!   are errors with line numbers.
//! - A cut inside the last column (`source` in the layout this module writes) leaves a
//!   row with the right number of fields: its labels are intact, so it is kept.

use crate::error::{Error, Location, Result, clip};
use crate::fsutil::{file_identity, write_atomic};
use csv::{ByteRecord, ReaderBuilder, WriterBuilder};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The labels threadguard scores, in their column order.
pub const DEFAULT_LABELS: [&str; 2] = ["abusive", "conspiratorial"];

/// The `source` of a row that undoes the earlier decision for its (id, annotator).
pub const UNDO_SOURCE: &str = "undo";

/// The columns before the label columns, in the order [`LabelWriter`] writes them.
pub const LEADING_COLUMNS: [&str; 5] = ["id", "thread_id", "parent_id", "author", "text"];

/// The columns after the label columns, in the order [`LabelWriter`] writes them.
pub const TRAILING_COLUMNS: [&str; 3] = ["annotator", "labeled_at", "source"];

/// [`DEFAULT_LABELS`] as owned strings.
pub fn default_labels() -> Vec<String> {
    DEFAULT_LABELS.iter().map(|s| (*s).to_string()).collect()
}

/// Keys that `score` writes beside the labels' scores and beside [`LEADING_COLUMNS`] and
/// [`TRAILING_COLUMNS`]: a label of one of these names would clash with them.
pub const SCORE_OUTPUT_KEYS: [&str; 4] = ["comment_id", "flags", "explanation", "title"];

/// A label name that the labels CSV, `--labels` or `score`'s output cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLabelName {
    /// The name as given.
    pub name: String,
    /// What is wrong with it, e.g. `given twice`.
    pub problem: String,
}

/// Checks the label names of a model or of `train --labels`, in one place so that a model
/// file cannot load with a name `train` would refuse. A name must be non-empty, without
/// surrounding whitespace (`--labels` trims it), a comma (it separates `--labels`), a `;`
/// (it separates `score`'s CSV flags) or a control character, must not be a column
/// name of threadguard's own (see [`reserved_names`]), and must be given once.
pub fn check_label_names(labels: &[String]) -> std::result::Result<(), BadLabelName> {
    for (i, name) in labels.iter().enumerate() {
        let problem = name_problem(name).or_else(|| {
            labels[..i]
                .contains(name)
                .then(|| "given twice".to_string())
        });
        if let Some(problem) = problem {
            return Err(BadLabelName {
                name: name.clone(),
                problem,
            });
        }
    }
    Ok(())
}

/// The column names and keys of threadguard's own files and output: no label may take one.
pub fn reserved_names() -> impl Iterator<Item = &'static str> {
    LEADING_COLUMNS
        .into_iter()
        .chain(TRAILING_COLUMNS)
        .chain(SCORE_OUTPUT_KEYS)
}

/// What is wrong with one label name on its own, if anything.
fn name_problem(name: &str) -> Option<String> {
    let problem = if name.is_empty() {
        "an empty name"
    } else if name.trim() != name {
        "starts or ends with whitespace"
    } else if name.contains(',') {
        "has a comma, which separates the names of --labels"
    } else if name.contains(';') {
        "has a `;`, which separates the flags of score's CSV output"
    } else if name.chars().any(char::is_control) {
        "has a control character"
    } else if reserved_names().any(|r| r == name) {
        let reserved: Vec<&str> = reserved_names().collect();
        return Some(format!(
            "a column name of threadguard's own output ({})",
            reserved.join(", ")
        ));
    } else {
        return None;
    };
    Some(problem.to_string())
}

/// The header of a new labels file for `labels`.
pub fn header(labels: &[String]) -> Vec<String> {
    let leading = LEADING_COLUMNS.iter().map(|s| (*s).to_string());
    let trailing = TRAILING_COLUMNS.iter().map(|s| (*s).to_string());
    leading
        .chain(labels.iter().cloned())
        .chain(trailing)
        .collect()
}

/// The current time as an RFC 3339 timestamp (UTC, whole seconds), for `labeled_at`.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One row of the labels CSV: one annotator's decision about one comment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    /// The comment's id (empty when unknown: the row is then its own item).
    pub id: String,
    /// The thread the comment belongs to (may be empty).
    pub thread_id: String,
    /// The comment it replies to (may be empty).
    pub parent_id: String,
    /// The comment's author (may be empty).
    pub author: String,
    /// The comment's text.
    pub text: String,
    /// One value per label, in the order of the label list of the reader or writer:
    /// `Some(true)` = 1, `Some(false)` = 0, `None` = empty (no decision).
    pub values: Vec<Option<bool>>,
    /// Who decided (may be empty).
    pub annotator: String,
    /// When, as RFC 3339 (may be empty).
    pub labeled_at: String,
    /// Where the row came from; [`UNDO_SOURCE`] for an undo.
    pub source: String,
}

impl Decision {
    /// An undo row for (`id`, `annotator`) with `n_labels` empty label cells, stamped now.
    pub fn undo(id: &str, annotator: &str, n_labels: usize) -> Self {
        Decision {
            id: id.to_string(),
            values: vec![None; n_labels],
            annotator: annotator.to_string(),
            labeled_at: now_rfc3339(),
            source: UNDO_SOURCE.to_string(),
            ..Decision::default()
        }
    }

    /// Whether this row undoes the earlier decision (`source` = [`UNDO_SOURCE`]). A row
    /// without labels whose source is the start of it (down to empty) counts too: that is
    /// an undo cut short by a crash, and reading it as a skip would leave its comment
    /// neither labeled nor offered again. (Sessions never write such a source for a
    /// decision; see `row_source`.)
    pub fn is_undo(&self) -> bool {
        self.source == UNDO_SOURCE || (!self.has_label() && is_undo_prefix(&self.source))
    }

    /// Whether at least one label has a value.
    pub fn has_label(&self) -> bool {
        self.values.iter().any(Option::is_some)
    }
}

/// Whether `source` is [`UNDO_SOURCE`] or the start of it, the empty string included.
pub fn is_undo_prefix(source: &str) -> bool {
    UNDO_SOURCE.starts_with(source)
}

/// A decision read from a file, with the line its row starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledItem {
    /// 1-based physical line where the row starts (the header is line 1).
    pub line: u64,
    /// The row.
    pub decision: Decision,
}

/// A problem that did not stop loading: a row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    /// The file and line of the skipped row.
    pub location: Location,
    /// What was wrong, in one line.
    pub message: String,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every item of a labels file after latest-wins: one row per (id, annotator), plus the
/// rows without id. Holds undo and skip rows too; see [`LabelLog::labeled`] for training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelLog {
    /// The file read.
    pub file: PathBuf,
    /// The labels read, in the order of [`Decision::values`].
    pub labels: Vec<String>,
    /// The winning row of each item, in the order those rows appear in the file.
    pub latest: Vec<LabeledItem>,
    /// Rows read successfully (before latest-wins).
    pub rows_read: usize,
    /// Rows replaced by a later row for the same (id, annotator).
    pub superseded: usize,
    /// Rows skipped with a warning (cut rows).
    pub warnings: Vec<LoadWarning>,
}

/// The items of a labels file that carry at least one requested label: training input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledSet {
    /// The file read.
    pub file: PathBuf,
    /// The labels read, in the order of [`Decision::values`].
    pub labels: Vec<String>,
    /// The labeled items, in file order of their winning rows.
    pub items: Vec<LabeledItem>,
    /// Rows read successfully (before latest-wins).
    pub rows_read: usize,
    /// Rows replaced by a later row for the same (id, annotator).
    pub superseded: usize,
    /// Items whose winning row leaves every requested label empty (undo, skip, or
    /// labeled only for other labels): not in `items`.
    pub skipped_unlabeled: usize,
    /// Rows skipped with a warning (cut rows).
    pub warnings: Vec<LoadWarning>,
}

/// Reads the labeled items of `path` for `labels` (latest wins; unlabeled items and cut
/// rows skipped). Errors name the file, the line and the column.
pub fn read_labeled(path: &Path, labels: &[String]) -> Result<LabeledSet> {
    Ok(LabelLog::read(path, labels)?.labeled())
}

impl LabelLog {
    /// Reads every item of `path` for `labels`. An empty file has no items.
    pub fn read(path: &Path, labels: &[String]) -> Result<Self> {
        check_labels(labels)?;
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(path, &bytes, labels)
    }

    /// Parses the bytes of a labels file (`path` names it in errors and warnings).
    pub fn from_bytes(path: &Path, bytes: &[u8], labels: &[String]) -> Result<Self> {
        check_labels(labels)?;
        // The bytes of a character cut by a crash are dropped here as a writer drops
        // them before appending, so the file reads the same before and after.
        parse_log(path, without_cut_character(strip_bom(bytes)), labels)
    }

    /// Like [`LabelLog::read`], but a missing file is an empty log (a first session).
    pub fn read_if_exists(path: &Path, labels: &[String]) -> Result<Self> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                check_labels(labels)?;
                Ok(empty_log(path, labels))
            }
            _ => Self::read(path, labels),
        }
    }

    /// The (id, annotator) pairs already decided, for resuming a session: every item with
    /// an id whose winning row is not an undo (skips count as decided).
    pub fn decided(&self) -> HashSet<(String, String)> {
        self.latest
            .iter()
            .map(|item| &item.decision)
            .filter(|d| !d.id.is_empty() && !d.is_undo())
            .map(|d| (d.id.clone(), d.annotator.clone()))
            .collect()
    }

    /// How many items carry at least one label.
    pub fn labeled_count(&self) -> usize {
        self.latest
            .iter()
            .filter(|item| item.decision.has_label())
            .count()
    }

    /// The current decision of `annotator` for each id they decided (undone ids absent).
    pub fn latest_for_annotator(&self, annotator: &str) -> HashMap<&str, &Decision> {
        self.latest
            .iter()
            .map(|item| &item.decision)
            .filter(|d| d.annotator == annotator && !d.id.is_empty() && !d.is_undo())
            .map(|d| (d.id.as_str(), d))
            .collect()
    }

    /// The training view: only items with at least one label.
    pub fn labeled(self) -> LabeledSet {
        let total = self.latest.len();
        let items: Vec<LabeledItem> = self
            .latest
            .into_iter()
            .filter(|item| item.decision.has_label())
            .collect();
        LabeledSet {
            file: self.file,
            labels: self.labels,
            skipped_unlabeled: total - items.len(),
            items,
            rows_read: self.rows_read,
            superseded: self.superseded,
            warnings: self.warnings,
        }
    }
}

/// What a header column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Id,
    ThreadId,
    ParentId,
    Author,
    Text,
    Label(usize),
    Annotator,
    LabeledAt,
    Source,
    Other,
}

impl Slot {
    /// The slot of a standard (non-label) column name.
    fn standard(name: &str) -> Slot {
        match name {
            "id" => Slot::Id,
            "thread_id" => Slot::ThreadId,
            "parent_id" => Slot::ParentId,
            "author" => Slot::Author,
            "text" => Slot::Text,
            "annotator" => Slot::Annotator,
            "labeled_at" => Slot::LabeledAt,
            "source" => Slot::Source,
            _ => Slot::Other,
        }
    }
}

/// A parsed header: the slot of each column and the column names.
#[derive(Debug, Clone)]
struct Layout {
    names: Vec<String>,
    slots: Vec<Slot>,
}

impl Layout {
    /// Maps a header to slots for `labels`; a known column given twice is an error.
    fn new(path: &Path, names: Vec<String>, labels: &[String]) -> Result<Self> {
        let mut slots = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let slot = match labels.iter().position(|l| l == name) {
                Some(k) => Slot::Label(k),
                None => Slot::standard(name),
            };
            if slot != Slot::Other && names[..i].contains(name) {
                let msg = format!("column `{}` appears twice in the header", clip(name));
                return Err(Error::input(Location::line(path, 1), msg));
            }
            slots.push(slot);
        }
        Ok(Layout { names, slots })
    }

    /// Errors unless every column in `required` is present, listing the columns present.
    fn require<'a>(&self, path: &Path, required: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let missing: Vec<&str> = required
            .into_iter()
            .filter(|r| !self.names.iter().any(|n| n == r))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let list = |v: &[&str]| {
            v.iter()
                .map(|c| format!("`{}`", clip(c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let present: Vec<&str> = self.names.iter().map(String::as_str).collect();
        let noun = if missing.len() == 1 {
            "column"
        } else {
            "columns"
        };
        let msg = format!(
            "missing {noun} {}; columns present: {}",
            list(&missing),
            list(&present)
        );
        Err(Error::input(Location::file(path), msg))
    }
}

/// Errors on an unusable label list: empty, repeated, or clashing with a standard column.
fn check_labels(labels: &[String]) -> Result<()> {
    if labels.is_empty() {
        return Err(Error::Usage("no labels requested".to_string()));
    }
    for (i, label) in labels.iter().enumerate() {
        if label.is_empty() || Slot::standard(label) != Slot::Other {
            return Err(Error::Usage(format!(
                "`{label}` cannot be a label column name"
            )));
        }
        if labels[..i].contains(label) {
            return Err(Error::Usage(format!("label `{label}` is given twice")));
        }
    }
    Ok(())
}

/// Removes a leading UTF-8 byte order mark.
fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A log with no rows.
fn empty_log(path: &Path, labels: &[String]) -> LabelLog {
    LabelLog {
        file: path.to_path_buf(),
        labels: labels.to_vec(),
        latest: Vec::new(),
        rows_read: 0,
        superseded: 0,
        warnings: Vec::new(),
    }
}

/// Every record of `bytes` (the header included), as byte records.
fn records(path: &Path, bytes: &[u8]) -> Result<Vec<ByteRecord>> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    let mut record = ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => out.push(record.clone()),
            Ok(false) => return Ok(out),
            Err(e) => return Err(csv_error(path, &e)),
        }
    }
}

/// A csv error as an input error at its line.
fn csv_error(path: &Path, err: &csv::Error) -> Error {
    let location = match err.position() {
        Some(pos) => Location::line(path, pos.line()),
        None => Location::file(path),
    };
    Error::input(location, err.to_string())
}

/// The 1-based line and the byte offset where a record read from `bytes` starts.
///
/// csv's record position is where the reader stopped after the previous record: on the
/// `\n` of a `\r\n` terminator, or on blank lines skipped before the record, so its line
/// is one or more too low in those cases. This skips those line-ending bytes.
pub(crate) fn record_start(bytes: &[u8], position: Option<&csv::Position>) -> (u64, usize) {
    let Some(pos) = position else { return (0, 0) };
    let mut line = pos.line();
    let mut byte = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    while let Some(&b) = bytes.get(byte) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
        byte += 1;
    }
    (line, byte)
}

/// The header names of the first record.
fn header_names(path: &Path, record: &ByteRecord) -> Result<Vec<String>> {
    record
        .iter()
        .map(|field| {
            std::str::from_utf8(field)
                .map(str::to_string)
                .map_err(|_| Error::input(Location::line(path, 1), "the header is not valid UTF-8"))
        })
        .collect()
}

/// Whether `bytes` ends inside a quoted field, given where its last record starts.
fn ends_in_open_quote(bytes: &[u8], last_record_start: usize) -> bool {
    let tail = bytes.get(last_record_start..).unwrap_or_default();
    // As csv reads it: a quote opens a quoted field only as a field's first byte; inside
    // one, `""` is a quote and a lone `"` closes it. Elsewhere a quote is a plain byte.
    let (mut quoted, mut field_start) = (false, true);
    let mut i = 0;
    while let Some(&b) = tail.get(i) {
        if quoted {
            if b == b'"' {
                if tail.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
            field_start = false;
        } else {
            quoted = b == b'"' && field_start;
            field_start = matches!(b, b',' | b'\n' | b'\r');
        }
        i += 1;
    }
    quoted
}

/// How many bytes at the end of `bytes` are the start of a UTF-8 character whose other
/// bytes are missing (0 to 3): a character cut by a crash. Invalid bytes anywhere else
/// are the row's own error, reported as such.
fn dangling_len(bytes: &[u8]) -> usize {
    (1..=3.min(bytes.len()))
        .find(|&n| {
            std::str::from_utf8(&bytes[bytes.len() - n..])
                .is_err_and(|e| e.valid_up_to() == 0 && e.error_len().is_none())
        })
        .unwrap_or(0)
}

/// `bytes` without the bytes of a character cut at its very end ([`dangling_len`]).
fn without_cut_character(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len() - dangling_len(bytes)]
}

/// Why the last record of a file is a cut row, if it is one.
fn partial_reason(bytes: &[u8], record: &ByteRecord, width: usize) -> Option<&'static str> {
    let (_, start) = record_start(bytes, record.position());
    if ends_in_open_quote(bytes, start) {
        Some("the last row ends inside a quoted field")
    } else if record.len() < width {
        Some("the last row has too few fields")
    } else {
        None
    }
}

/// Parses a whole labels file (BOM and a cut last character already removed) into a log.
fn parse_log(path: &Path, bytes: &[u8], labels: &[String]) -> Result<LabelLog> {
    let all = records(path, bytes)?;
    let Some((head, rows)) = all.split_first() else {
        return Ok(empty_log(path, labels));
    };
    let layout = Layout::new(path, header_names(path, head)?, labels)?;
    layout.require(
        path,
        std::iter::once("text").chain(labels.iter().map(String::as_str)),
    )?;
    let mut builder = LogBuilder::new(path, labels);
    for (i, record) in rows.iter().enumerate() {
        let (line, _) = record_start(bytes, record.position());
        let width = layout.slots.len();
        let cut = if i + 1 == rows.len() {
            partial_reason(bytes, record, width)
        } else if record.len() < width {
            Some("the row has too few fields")
        } else {
            None
        };
        if let Some(reason) = cut {
            builder.warn(line, cut_message(reason, record.len(), width));
            continue;
        }
        let decision = decision_from_record(path, line, &layout, labels.len(), record)?;
        builder.push(line, decision);
    }
    Ok(builder.finish())
}

/// The warning for a skipped cut row.
fn cut_message(reason: &str, fields: usize, width: usize) -> String {
    format!(
        "skipped a partial row ({reason}: {fields} of {width} fields), \
         probably cut by an interrupted write"
    )
}

/// Accumulates rows into a log, applying latest-wins.
struct LogBuilder {
    log: LabelLog,
    rows: Vec<Option<LabeledItem>>,
    index: HashMap<(String, String), usize>,
}

impl LogBuilder {
    fn new(path: &Path, labels: &[String]) -> Self {
        LogBuilder {
            log: empty_log(path, labels),
            rows: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn warn(&mut self, line: u64, message: String) {
        let location = Location::line(&self.log.file, line);
        self.log.warnings.push(LoadWarning { location, message });
    }

    fn push(&mut self, line: u64, decision: Decision) {
        self.log.rows_read += 1;
        if !decision.id.is_empty() {
            let key = (decision.id.clone(), decision.annotator.clone());
            if let Some(earlier) = self.index.insert(key, self.rows.len()) {
                self.rows[earlier] = None;
                self.log.superseded += 1;
            }
        }
        self.rows.push(Some(LabeledItem { line, decision }));
    }

    fn finish(mut self) -> LabelLog {
        self.log.latest = self.rows.into_iter().flatten().collect();
        self.log
    }
}

/// Reads one full-width record into a decision.
fn decision_from_record(
    path: &Path,
    line: u64,
    layout: &Layout,
    n_labels: usize,
    record: &ByteRecord,
) -> Result<Decision> {
    if record.len() > layout.slots.len() {
        let msg = format!(
            "the row has {} fields but the header has {}",
            record.len(),
            layout.slots.len()
        );
        return Err(Error::input(Location::line(path, line), msg));
    }
    let mut d = Decision {
        values: vec![None; n_labels],
        ..Decision::default()
    };
    for ((slot, name), field) in layout.slots.iter().zip(&layout.names).zip(record.iter()) {
        let at = || Location::line(path, line);
        let text = || {
            std::str::from_utf8(field).map(str::to_string).map_err(|_| {
                Error::input(at(), format!("column `{}` is not valid UTF-8", clip(name)))
            })
        };
        match *slot {
            Slot::Id => d.id = text()?,
            Slot::ThreadId => d.thread_id = text()?,
            Slot::ParentId => d.parent_id = text()?,
            Slot::Author => d.author = text()?,
            Slot::Text => d.text = text()?,
            Slot::Annotator => d.annotator = text()?,
            Slot::LabeledAt => d.labeled_at = text()?,
            Slot::Source => d.source = text()?,
            Slot::Label(k) => {
                d.values[k] = parse_value(field)
                    .map_err(|msg| Error::input(at(), format!("column `{}`: {msg}", clip(name))))?
            }
            Slot::Other => {}
        }
    }
    Ok(d)
}

/// Parses a label cell: `1`, `0` or empty.
fn parse_value(field: &[u8]) -> std::result::Result<Option<bool>, String> {
    match field {
        b"1" => Ok(Some(true)),
        b"0" => Ok(Some(false)),
        b"" => Ok(None),
        other => Err(format!(
            "invalid value `{}` (expected 1, 0 or empty)",
            clip(&String::from_utf8_lossy(other))
        )),
    }
}

/// The text of a label value in a cell.
fn value_cell(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "1",
        Some(false) => "0",
        None => "",
    }
}

/// What a [`LabelWriter`] appends to: the labels file opened for appending. A trait so
/// that tests can put a failing writer (a full disk) between the writer and the file,
/// through [`LabelWriter::open_with`].
pub trait AppendTarget: Write + fmt::Debug + Send {
    /// Makes everything written so far durable.
    fn sync(&mut self) -> std::io::Result<()>;
    /// The current size in bytes.
    fn size(&self) -> std::io::Result<u64>;
    /// Cuts the target back to `size` bytes.
    fn truncate(&mut self, size: u64) -> std::io::Result<()>;
}

impl AppendTarget for File {
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }

    fn size(&self) -> std::io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn truncate(&mut self, size: u64) -> std::io::Result<()> {
        self.set_len(size)
    }
}

/// Appends decisions to a labels file, one synced row at a time. Never rewrites a row.
#[derive(Debug)]
pub struct LabelWriter {
    path: PathBuf,
    file: Box<dyn AppendTarget>,
    labels: Vec<String>,
    layout: Layout,
    /// Set when a failed append could not be rolled back: no more rows are written.
    broken: Option<String>,
    /// The [`file_identity`] of the file opened; each append checks that `path` still
    /// names it, so rows are never written to a file that was replaced or removed.
    identity: Option<(u64, u64)>,
    /// See [`LabelWriter::other_labels`].
    other_labels: Vec<String>,
}

impl LabelWriter {
    /// Opens `path` for appending decisions about `labels`, creating it with a header
    /// when it is missing or empty (atomically, so the header is never half-written).
    ///
    /// An existing file keeps its header and column order; it must have every standard
    /// column and every label in `labels` (else an error listing the columns present).
    /// If its last row was cut by a crash, that row is first ended (the bytes of a cut
    /// character removed, an open quote closed, a newline added) so the next row starts
    /// on a line of its own.
    pub fn open(path: &Path, labels: &[String]) -> Result<Self> {
        Self::open_with(path, labels, |file| Box::new(file))
    }

    /// Like [`LabelWriter::open`], with every write to the file going through the target
    /// `wrap` makes of it (tests use this to simulate a full disk).
    pub fn open_with(
        path: &Path,
        labels: &[String],
        wrap: impl FnOnce(File) -> Box<dyn AppendTarget>,
    ) -> Result<Self> {
        check_labels(labels)?;
        let (existing, present) = match std::fs::read(path) {
            Ok(bytes) => (bytes, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), false),
            Err(e) => return Err(Error::io(path, e)),
        };
        let read = strip_bom(&existing);
        let bytes = without_cut_character(read);
        let cut_character = read.len() - bytes.len();
        let all = records(path, bytes)?;
        if present && bytes.is_empty() {
            // Appending needs write access; the header of an empty file is written by
            // replacing it, which would otherwise succeed on a read-only file.
            OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
        }
        let layout = if bytes.is_empty() {
            create_with_header(path, labels)?
        } else {
            existing_layout(path, &all, labels)?
        };
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let identity = file.metadata().ok().as_ref().and_then(file_identity);
        let mut writer = LabelWriter {
            path: path.to_path_buf(),
            file: wrap(file),
            labels: labels.to_vec(),
            layout,
            broken: None,
            identity,
            other_labels: other_label_columns(path, &all, labels)?,
        };
        // A file left with only a cut character was replaced by a header-only one above.
        if cut_character > 0 && !bytes.is_empty() {
            writer.cut_off(existing.len(), cut_character)?;
        }
        if let Some(repair) = repair_bytes(bytes, &all) {
            writer.write_durably(repair)?;
        }
        Ok(writer)
    }

    /// Cuts the last `n` bytes (a character cut by a crash) off the file, which was
    /// `read_len` bytes long when read, so that what follows them stays valid UTF-8.
    fn cut_off(&mut self, read_len: usize, n: usize) -> Result<()> {
        let size = self.file.size().map_err(|e| Error::io(&self.path, e))?;
        if usize::try_from(size).ok() != Some(read_len) {
            // Another session wrote since: its bytes, not the cut character, are at the end.
            let msg = "the labels file changed while this session was opening it; \
                       start the session again";
            return Err(Error::io(&self.path, std::io::Error::other(msg)));
        }
        let keep = size.saturating_sub(n as u64);
        self.file
            .truncate(keep)
            .and_then(|()| self.file.sync())
            .map_err(|e| Error::io(&self.path, e))
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The labels of this session, in the order of [`Decision::values`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The file's label columns that this writer leaves empty in its rows: the columns
    /// other than the standard ones and [`labels`](Self::labels) that hold `0`/`1` values
    /// (and nothing else). A labeling session refuses such a file: a
    /// row's empty label replaces the annotator's earlier value for that comment
    /// (latest row wins), so a session with fewer labels could erase the others.
    pub fn other_labels(&self) -> &[String] {
        &self.other_labels
    }

    /// Appends one decision as one row (columns in the file's header order; columns this
    /// writer does not know stay empty), then flushes and syncs it to disk.
    ///
    /// When writing or syncing fails (a full disk, an I/O error), the file is cut back to
    /// its size before this row, so the error leaves it as it was. Should even that fail,
    /// the writer refuses every later row (the file's reader skips a cut last row).
    pub fn append(&mut self, decision: &Decision) -> Result<()> {
        self.check(decision)?;
        let row = self.row_bytes(decision)?;
        self.write_durably(&row)
    }

    /// Writes `bytes` at the end of the file and syncs them, or leaves the file as it was.
    fn write_durably(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(reason) = &self.broken {
            let msg = format!("no more rows are written after an earlier failure ({reason})");
            return Err(Error::io(&self.path, std::io::Error::other(msg)));
        }
        self.check_still_there()?;
        // Another session appending to the same file in the instant between this size and
        // a failed write would lose its row to the truncation below; on a full disk its
        // own write fails too, so this is accepted for a rollback that is otherwise exact.
        let before = self.file.size().map_err(|e| Error::io(&self.path, e))?;
        let written = self
            .file
            .write_all(bytes)
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync());
        let Err(failure) = written else {
            return Ok(());
        };
        let rolled_back = self.file.truncate(before).and_then(|()| self.file.sync());
        let outcome = match rolled_back {
            Ok(()) => "the row was not saved and the file is as it was".to_string(),
            Err(e) => {
                self.broken = Some(failure.to_string());
                format!(
                    "the row was not saved, and cutting it off failed too ({e}): \
                     it will be skipped as a cut row when the file is read"
                )
            }
        };
        let msg = format!("cannot append a row: {failure}; {outcome}");
        Err(Error::io(
            &self.path,
            std::io::Error::new(failure.kind(), msg),
        ))
    }

    /// Errors when `path` no longer names the file this writer opened: it was replaced
    /// (by a checkout, an editor's save, a sync tool, another session creating it) or
    /// removed, and rows appended to the open file would be lost with it.
    fn check_still_there(&self) -> Result<()> {
        let Some(opened) = self.identity else {
            return Ok(());
        };
        let now = std::fs::metadata(&self.path)
            .ok()
            .as_ref()
            .and_then(file_identity);
        if now == Some(opened) {
            return Ok(());
        }
        let what = if now.is_some() { "replaced" } else { "removed" };
        let msg = format!(
            "the labels file was {what} by another program since this session opened it; \
             the row was not saved (start the session again to append to the file now there)"
        );
        Err(Error::io(&self.path, std::io::Error::other(msg)))
    }

    /// Errors on a decision that does not fit this writer.
    fn check(&self, d: &Decision) -> Result<()> {
        if d.values.len() != self.labels.len() {
            return Err(Error::Usage(format!(
                "a decision has {} label values but the session has {} labels",
                d.values.len(),
                self.labels.len()
            )));
        }
        if !d.labeled_at.is_empty() && chrono::DateTime::parse_from_rfc3339(&d.labeled_at).is_err()
        {
            return Err(Error::Usage(format!(
                "labeled_at `{}` is not an RFC 3339 timestamp",
                clip(&d.labeled_at)
            )));
        }
        Ok(())
    }

    /// The CSV bytes of one row, newline included.
    fn row_bytes(&self, d: &Decision) -> Result<Vec<u8>> {
        let fields = self.layout.slots.iter().map(|slot| match *slot {
            Slot::Id => d.id.as_str(),
            Slot::ThreadId => d.thread_id.as_str(),
            Slot::ParentId => d.parent_id.as_str(),
            Slot::Author => d.author.as_str(),
            Slot::Text => d.text.as_str(),
            Slot::Label(k) => value_cell(d.values.get(k).copied().flatten()),
            Slot::Annotator => d.annotator.as_str(),
            Slot::LabeledAt => d.labeled_at.as_str(),
            Slot::Source => d.source.as_str(),
            Slot::Other => "",
        });
        csv_line(fields).map_err(|e| Error::io(&self.path, e))
    }
}

/// One CSV line (quoted where needed, `\n`-terminated).
fn csv_line<'a>(fields: impl IntoIterator<Item = &'a str>) -> std::io::Result<Vec<u8>> {
    let mut writer = WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(fields)?;
    writer
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Writes a header-only file at `path` atomically and returns its layout.
fn create_with_header(path: &Path, labels: &[String]) -> Result<Layout> {
    let names = header(labels);
    let line = csv_line(names.iter().map(String::as_str)).map_err(|e| Error::io(path, e))?;
    // A missing directory is named as such, not by the temporary file's path.
    crate::fsutil::check_writable(path)?;
    write_atomic(path, |w| w.write_all(&line))?;
    Layout::new(path, names, labels)
}

/// The layout of an existing file (its records `all`, header first), which must hold every
/// column the writer writes.
fn existing_layout(path: &Path, all: &[ByteRecord], labels: &[String]) -> Result<Layout> {
    let head = all
        .first()
        .ok_or_else(|| Error::input(Location::file(path), "no header"))?;
    let layout = Layout::new(path, header_names(path, head)?, labels)?;
    let required = LEADING_COLUMNS.into_iter().chain(TRAILING_COLUMNS);
    layout.require(path, required.chain(labels.iter().map(String::as_str)))?;
    Ok(layout)
}

/// The columns of a file (its records `all`, header first) that hold labels other than
/// `labels`: every column that is not a standard one nor among `labels` and whose cells
/// are all `0`, `1` or empty, with at least one `0` or `1` (values a row leaving the
/// column empty would erase). Whatever the column order, so extra columns do not hide
/// them.
fn other_label_columns(path: &Path, all: &[ByteRecord], labels: &[String]) -> Result<Vec<String>> {
    let Some((head, rows)) = all.split_first() else {
        return Ok(Vec::new());
    };
    let names = header_names(path, head)?;
    let standard = |n: &str| LEADING_COLUMNS.contains(&n) || TRAILING_COLUMNS.contains(&n);
    let mut others = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if standard(name) || labels.contains(name) {
            continue;
        }
        let cells = || rows.iter().filter_map(|r| r.get(i));
        let label_like = cells().all(|c| matches!(c, b"" | b"0" | b"1"));
        if label_like && cells().any(|c| !c.is_empty()) {
            others.push(name.clone());
        }
    }
    Ok(others)
}

/// The bytes that end a cut last row of `bytes` (whose records are `all`), if it needs
/// ending.
fn repair_bytes(bytes: &[u8], all: &[ByteRecord]) -> Option<&'static [u8]> {
    if bytes.is_empty() {
        return None;
    }
    let (_, start) = record_start(bytes, all.last().and_then(ByteRecord::position));
    if ends_in_open_quote(bytes, start) {
        Some(b"\"\n")
    } else if !bytes.ends_with(b"\n") {
        Some(b"\n")
    } else {
        None
    }
}
