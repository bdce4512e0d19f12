//! Importers of the public labeled corpora into labels-CSV rows.
//!
//! Every imported row has `id` = `<corpus>:<id in the corpus>`, empty `thread_id`,
//! `parent_id`, `author` and `labeled_at`, `annotator` = the corpus name and `source` =
//! `import:<corpus>:<file name>`. Labels are [`DEFAULT_LABELS`]; a label the corpus says
//! nothing about is left empty (unlabeled), never guessed.
//!
//! # davidson (`labeled_data.csv`)
//!
//! Tweets with `class` 0 hate speech, 1 offensive language, 2 neither and the annotator
//! votes `hate_speech`, `offensive_language`, `neither` out of `count`.
//! - `abusive`: hate (0) → 1, neither (2) → 0; offensive (1) by [`OffensivePolicy`]
//!   (default [`OffensivePolicy::Drop`]: Davidson's "offensive" mixes attacks on people
//!   with profanity aimed at no one, and trained on as abusive it teaches profanity; see
//!   the README).
//! - `conspiratorial`: empty. Tweets are almost never conspiratorial, but the corpus was
//!   not annotated for it, and a wrong 0 is worse than no label.
//! - Text is kept as is (retweet prefixes included) except HTML entities (`&amp;`, `&lt;`,
//!   `&gt;`, `&quot;`, `&apos;`, `&#NNN;`, `&#xHH;`), which are decoded once.
//! - The id is the `id` column (or an unnamed first column, as in the original release).
//!
//! # psycomark (`train.csv`)
//!
//! Reddit comments, one row per annotator decision: `id`, `subreddit`, `annotator`,
//! `conspiracy` (`Yes` / `No` / `Can't tell`), `text`.
//! - An annotator's repeated rows for one id count once (the last one wins): in the
//!   released file every repeated id is the same annotator's duplicate row.
//! - Per id, `conspiratorial` is the majority of Yes (1) against No (0) votes, ignoring
//!   `Can't tell`; ties and ids with only `Can't tell` are dropped.
//! - `abusive`: empty.
//!
//! # toxic-spans (`tsd_train.csv`, `tsd_trial.csv`)
//!
//! Civil Comments posts, all rated toxic at post level, with `spans`: a JSON list of the
//! character offsets annotators marked toxic.
//! - `abusive` = 1 when `spans` is non-empty. Posts with empty spans are dropped: they
//!   were rated toxic but nobody could point at the words, which often means profanity or
//!   a hostile tone rather than an attack on people; as positives they would blur the
//!   label, and as negatives they would be wrong.
//! - `conspiratorial`: empty. The spans are kept in an extra `spans` column (same JSON list
//!   format), which the labels reader ignores.
//! - The id is `toxic-spans:<file stem>:<0-based row index>` (the files have no ids).
//! - **Clean remainders.** Every post is also cut into sentences, and the sentences that
//!   contain no toxic character are joined into a second row, `<id>:clean`, with
//!   `abusive` = 0 (and `conspiratorial` left empty), when at least eight words remain. The corpus
//!   has no non-toxic posts, so without these rows every news comment the model sees in
//!   training is abusive and it learns "news-comment style = abusive". The remainder is
//!   the same reader's words on the same topic with the attack left out: the contrast
//!   teaches which words carry the abuse. (Labeling the remainders conspiratorial = 0 too
//!   was measured and dropped: held-out PsyCoMark ROC-AUC fell from 0.71 to 0.63, as the
//!   model learned news style against Reddit style instead of conspiracy talk.) Post
//!   and remainder share `thread_id` (the post's id), so they never straddle a split.

use crate::error::{Error, Location, Result, clip};
use crate::fsutil::write_atomic;
use crate::labels::{self, DEFAULT_LABELS, Decision, record_start};
use csv::{ReaderBuilder, StringRecord, WriterBuilder};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What to do with Davidson's "offensive language" class (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffensivePolicy {
    /// Offensive → abusive = 1.
    Positive,
    /// Offensive → abusive = 0.
    Negative,
    /// Skip offensive rows (the default until measured on reader comments).
    #[default]
    Drop,
    /// Decide from the votes: abusive = 1 when at least one annotator voted hate speech
    /// (someone saw an attack on a group); 0 when nobody voted hate and at least one voted
    /// neither (mild, disputed profanity); dropped when every vote was "offensive"
    /// (profanity and insults are indistinguishable there).
    Votes,
}

impl OffensivePolicy {
    /// Every policy, in CLI order.
    pub const ALL: [OffensivePolicy; 4] = [
        OffensivePolicy::Positive,
        OffensivePolicy::Negative,
        OffensivePolicy::Drop,
        OffensivePolicy::Votes,
    ];

    /// The policy's CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            OffensivePolicy::Positive => "positive",
            OffensivePolicy::Negative => "negative",
            OffensivePolicy::Drop => "drop",
            OffensivePolicy::Votes => "votes",
        }
    }
}

impl fmt::Display for OffensivePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OffensivePolicy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        OffensivePolicy::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| {
            Error::Usage(format!(
                "unknown Davidson offensive policy `{s}` (expected positive, negative, drop or votes)"
            ))
        })
    }
}

/// A public corpus threadguard can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corpus {
    /// Davidson et al. 2017 tweets (`labeled_data.csv`).
    Davidson {
        /// What to do with the "offensive language" class.
        offensive: OffensivePolicy,
    },
    /// PsyCoMark Reddit comments (`train.csv`).
    Psycomark,
    /// SemEval-2021 toxic spans (`tsd_train.csv`, `tsd_trial.csv`).
    ToxicSpans,
}

impl Corpus {
    /// Every corpus name [`Corpus::from_name`] accepts.
    pub const NAMES: [&'static str; 3] = ["davidson", "psycomark", "toxic-spans"];

    /// The corpus name used in ids, `annotator` and `source`.
    pub fn name(self) -> &'static str {
        match self {
            Corpus::Davidson { .. } => "davidson",
            Corpus::Psycomark => "psycomark",
            Corpus::ToxicSpans => "toxic-spans",
        }
    }

    /// The corpus called `name`; `offensive` applies to `davidson` only.
    pub fn from_name(name: &str, offensive: OffensivePolicy) -> Result<Self> {
        match name {
            "davidson" => Ok(Corpus::Davidson { offensive }),
            "psycomark" => Ok(Corpus::Psycomark),
            "toxic-spans" | "toxic_spans" => Ok(Corpus::ToxicSpans),
            _ => Err(Error::Usage(format!(
                "unknown corpus `{name}` (expected {})",
                Corpus::NAMES.join(", ")
            ))),
        }
    }
}

/// One imported row: a labels-CSV decision, plus the toxic spans when the corpus has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRow {
    /// The row; `values` follow [`DEFAULT_LABELS`].
    pub decision: Decision,
    /// Character offsets marked toxic (toxic-spans only).
    pub spans: Option<Vec<usize>>,
}

/// How many rows of a label are positive and negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LabelCounts {
    /// Rows with value 1.
    pub positive: usize,
    /// Rows with value 0.
    pub negative: usize,
}

/// What an import did: rows in and out, labels, and why rows were dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportStats {
    /// The corpus name.
    pub corpus: &'static str,
    /// The file read.
    pub file: PathBuf,
    /// Data rows read.
    pub rows_in: usize,
    /// Rows produced.
    pub rows_out: usize,
    /// Counts per label, in [`DEFAULT_LABELS`] order.
    pub labels: Vec<(String, LabelCounts)>,
    /// Rows (or ids) dropped, by reason.
    pub dropped: BTreeMap<String, usize>,
    /// Other counts worth knowing (merged ids, duplicate votes, ...), by name.
    pub notes: BTreeMap<String, usize>,
}

impl ImportStats {
    /// Empty stats for a corpus and file.
    fn new(corpus: Corpus, file: &Path) -> Self {
        ImportStats {
            corpus: corpus.name(),
            file: file.to_path_buf(),
            rows_in: 0,
            rows_out: 0,
            labels: DEFAULT_LABELS
                .iter()
                .map(|l| ((*l).to_string(), LabelCounts::default()))
                .collect(),
            dropped: BTreeMap::new(),
            notes: BTreeMap::new(),
        }
    }

    /// Counts one dropped row for `reason`.
    fn drop_row(&mut self, reason: &str) {
        *self.dropped.entry(reason.to_string()).or_default() += 1;
    }

    /// Adds `n` to the note `name`.
    fn note(&mut self, name: &str, n: usize) {
        *self.notes.entry(name.to_string()).or_default() += n;
    }

    /// Fills `rows_out` and the label counts from the output rows.
    fn count_output(&mut self, rows: &[ImportedRow]) {
        self.rows_out = rows.len();
        for row in rows {
            for ((_, counts), value) in self.labels.iter_mut().zip(&row.decision.values) {
                match value {
                    Some(true) => counts.positive += 1,
                    Some(false) => counts.negative += 1,
                    None => {}
                }
            }
        }
    }
}

impl fmt::Display for ImportStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} rows in, {} rows out",
            self.corpus,
            self.file.display(),
            self.rows_in,
            self.rows_out
        )?;
        for (label, c) in &self.labels {
            writeln!(
                f,
                "  {label}: {} positive, {} negative",
                c.positive, c.negative
            )?;
        }
        for (reason, n) in &self.dropped {
            writeln!(f, "  dropped {n}: {reason}")?;
        }
        for (name, n) in &self.notes {
            writeln!(f, "  {name}: {n}")?;
        }
        Ok(())
    }
}

/// Reads `input`, a file of corpus `from`, into labels-CSV rows.
/// Missing columns and bad values are errors naming the file and line.
pub fn import(from: Corpus, input: &Path) -> Result<(Vec<ImportedRow>, ImportStats)> {
    let table = Table::read(input)?;
    let mut stats = ImportStats::new(from, input);
    stats.rows_in = table.rows.len();
    let rows = match from {
        Corpus::Davidson { offensive } => davidson(&table, offensive, &mut stats)?,
        Corpus::Psycomark => psycomark(&table, &mut stats)?,
        Corpus::ToxicSpans => toxic_spans(&table, &mut stats)?,
    };
    stats.count_output(&rows);
    Ok((rows, stats))
}

/// Writes imported rows to a new labels CSV at `path`, atomically (replacing the file).
/// The header is the standard one for [`DEFAULT_LABELS`], plus `spans` when a row has spans.
pub fn write_labels(path: &Path, rows: &[ImportedRow]) -> Result<()> {
    if let Some(bad) = rows
        .iter()
        .find(|r| r.decision.values.len() != DEFAULT_LABELS.len())
    {
        return Err(Error::Usage(format!(
            "imported row `{}` has {} label values, expected {}",
            clip(&bad.decision.id),
            bad.decision.values.len(),
            DEFAULT_LABELS.len()
        )));
    }
    let with_spans = rows.iter().any(|r| r.spans.is_some());
    let mut head = labels::header(&labels::default_labels());
    if with_spans {
        head.push("spans".to_string());
    }
    write_atomic(path, |w| {
        let mut writer = WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        writer.write_record(&head)?;
        for row in rows {
            writer.write_record(row_fields(row, with_spans))?;
        }
        writer.flush()
    })
}

/// The cells of one imported row, in header order.
fn row_fields(row: &ImportedRow, with_spans: bool) -> Vec<String> {
    let d = &row.decision;
    let cell = |v: Option<bool>| match v {
        Some(true) => "1".to_string(),
        Some(false) => "0".to_string(),
        None => String::new(),
    };
    let mut fields = vec![
        d.id.clone(),
        d.thread_id.clone(),
        d.parent_id.clone(),
        d.author.clone(),
        d.text.clone(),
    ];
    fields.extend(d.values.iter().map(|v| cell(*v)));
    fields.extend([d.annotator.clone(), d.labeled_at.clone(), d.source.clone()]);
    if with_spans {
        fields.push(
            row.spans
                .as_ref()
                .map(|s| spans_json(s))
                .unwrap_or_default(),
        );
    }
    fields
}

/// A span list as compact JSON (`[1,2,3]`).
fn spans_json(spans: &[usize]) -> String {
    let items: Vec<String> = spans.iter().map(usize::to_string).collect();
    format!("[{}]", items.join(","))
}

/// Decodes HTML entities once: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#NNN;` and
/// `&#xHH;`. Anything else (unknown names, invalid code points) is kept as is.
pub fn decode_html_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match entity(after) {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of the entity at the start of `s` (after `&`) and its length with `;`.
fn entity(s: &str) -> Option<(char, usize)> {
    let (end, _) = s.char_indices().take(12).find(|&(_, c)| c == ';')?;
    let name = &s[..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => numeric_entity(name)?,
    };
    Some((c, end + 1))
}

/// The character of `#NNN` or `#xHH`.
fn numeric_entity(name: &str) -> Option<char> {
    let digits = name.strip_prefix('#')?;
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).ok()?
        }
        Some(_) => return None,
        None if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse().ok()?
        }
        None => return None,
    };
    char::from_u32(code)
}

/// A corpus CSV file read whole: its header and rows with their lines.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Row>,
}

impl Table {
    /// Reads a CSV file with a header; every row must have as many fields as the header.
    fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        crate::ingest::csv_watch::refuse_unterminated_quote(path, bytes)?;
        let mut reader = ReaderBuilder::new().from_reader(bytes);
        let header = reader.headers().map_err(|e| csv_error(path, bytes, &e))?;
        let header = header.iter().map(str::to_string).collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(path, bytes, &e))?;
            rows.push(Row {
                line: record_start(bytes, record.position()).0,
                record,
            });
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    /// The index of column `name`, or an error listing the columns present (see
    /// [`Table::find`]).
    fn column(&self, name: &str) -> Result<usize> {
        self.find(name)?.ok_or_else(|| {
            let present: Vec<String> = self
                .header
                .iter()
                .map(|h| format!("`{}`", clip(h)))
                .collect();
            let msg = format!(
                "missing column `{name}`; columns present: {}",
                present.join(", ")
            );
            Error::input(Location::file(&self.path), msg)
        })
    }

    /// The index of column `name` if the header has it, or an error naming the column if
    /// it has it twice: which of the two holds the data cannot be known (the labels
    /// reader refuses this too).
    fn find(&self, name: &str) -> Result<Option<usize>> {
        let mut found = self.header.iter().enumerate().filter(|(_, h)| *h == name);
        let first = found.next().map(|(i, _)| i);
        if found.next().is_some() {
            let msg = format!("column `{name}` appears twice in the header");
            return Err(Error::input(Location::line(&self.path, 1), msg));
        }
        Ok(first)
    }

    /// The file name, for `source`.
    fn file_name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// An input error at a row.
    fn error(&self, row: &Row, message: String) -> Error {
        Error::input(Location::line(&self.path, row.line), message)
    }

    /// A whole number in column `col` (named `name`) of `row`.
    fn number(&self, row: &Row, col: usize, name: &str) -> Result<u32> {
        let value = row.cell(col);
        value.trim().parse().map_err(|_| {
            self.error(
                row,
                format!(
                    "column `{name}`: expected a whole number, found `{}`",
                    clip(value)
                ),
            )
        })
    }
}

/// A csv error in `bytes` as an input error at its line.
fn csv_error(path: &Path, bytes: &[u8], err: &csv::Error) -> Error {
    let location = match err.position() {
        Some(pos) => Location::line(path, record_start(bytes, Some(pos)).0),
        None => Location::file(path),
    };
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        _ => err.to_string(),
    };
    Error::input(location, message)
}

/// One data row of a corpus file and the line it starts on.
struct Row {
    line: u64,
    record: StringRecord,
}

impl Row {
    /// The cell in column `col` (empty when the row is shorter).
    fn cell(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or_default()
    }
}

/// A decision with the fields every imported row shares; `values` are
/// `[abusive, conspiratorial]` ([`DEFAULT_LABELS`] order).
fn imported(
    corpus: Corpus,
    table: &Table,
    id: &str,
    text: String,
    values: [Option<bool>; 2],
) -> Decision {
    Decision {
        id: format!("{}:{id}", corpus.name()),
        text,
        values: values.to_vec(),
        annotator: corpus.name().to_string(),
        source: format!("import:{}:{}", corpus.name(), table.file_name()),
        ..Decision::default()
    }
}

/// The column indexes Davidson's importer needs.
struct DavidsonColumns {
    id: usize,
    count: usize,
    hate: usize,
    offensive: usize,
    neither: usize,
    class: usize,
    tweet: usize,
}

impl DavidsonColumns {
    fn find(table: &Table) -> Result<Self> {
        let unnamed = || table.header.iter().position(String::is_empty);
        let id = match table.find("id")?.or_else(unnamed) {
            Some(i) => i,
            None => table.column("id")?,
        };
        Ok(DavidsonColumns {
            id,
            count: table.column("count")?,
            hate: table.column("hate_speech")?,
            offensive: table.column("offensive_language")?,
            neither: table.column("neither")?,
            class: table.column("class")?,
            tweet: table.column("tweet")?,
        })
    }
}

/// Imports Davidson's tweets.
fn davidson(
    table: &Table,
    policy: OffensivePolicy,
    stats: &mut ImportStats,
) -> Result<Vec<ImportedRow>> {
    let cols = DavidsonColumns::find(table)?;
    let corpus = Corpus::Davidson { offensive: policy };
    let mut out = Vec::new();
    for row in &table.rows {
        let Some(abusive) = davidson_abusive(table, row, &cols, policy, stats)? else {
            continue;
        };
        let id = row.cell(cols.id);
        if id.is_empty() {
            return Err(table.error(row, "empty id".to_string()));
        }
        let text = decode_html_entities(row.cell(cols.tweet));
        let decision = imported(corpus, table, id, text, [Some(abusive), None]);
        out.push(ImportedRow {
            decision,
            spans: None,
        });
    }
    Ok(out)
}

/// Davidson's class and votes of one row, mapped to `abusive` (None: drop the row).
fn davidson_abusive(
    table: &Table,
    row: &Row,
    cols: &DavidsonColumns,
    policy: OffensivePolicy,
    stats: &mut ImportStats,
) -> Result<Option<bool>> {
    let count = table.number(row, cols.count, "count")?;
    let hate = table.number(row, cols.hate, "hate_speech")?;
    let offensive = table.number(row, cols.offensive, "offensive_language")?;
    let neither = table.number(row, cols.neither, "neither")?;
    if u64::from(hate) + u64::from(offensive) + u64::from(neither) != u64::from(count) {
        let msg = format!("votes {hate} + {offensive} + {neither} do not add up to count {count}");
        return Err(table.error(row, msg));
    }
    let abusive = match table.number(row, cols.class, "class")? {
        0 => Some(true),
        2 => Some(false),
        1 => offensive_abusive(policy, hate, neither),
        other => {
            return Err(table.error(
                row,
                format!("column `class`: expected 0, 1 or 2, found `{other}`"),
            ));
        }
    };
    if abusive.is_none() {
        stats.drop_row(&format!("offensive rows (policy {policy})"));
    }
    Ok(abusive)
}

/// `abusive` for an offensive-class row under `policy` (None: drop).
fn offensive_abusive(policy: OffensivePolicy, hate_votes: u32, neither_votes: u32) -> Option<bool> {
    match policy {
        OffensivePolicy::Positive => Some(true),
        OffensivePolicy::Negative => Some(false),
        OffensivePolicy::Drop => None,
        OffensivePolicy::Votes if hate_votes >= 1 => Some(true),
        OffensivePolicy::Votes if neither_votes >= 1 => Some(false),
        OffensivePolicy::Votes => None,
    }
}

/// A PsyCoMark vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vote {
    Yes,
    No,
    CantTell,
}

/// Parses a `conspiracy` cell.
fn parse_vote(value: &str) -> Option<Vote> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("yes") {
        Some(Vote::Yes)
    } else if v.eq_ignore_ascii_case("no") {
        Some(Vote::No)
    } else if v.eq_ignore_ascii_case("can't tell") || v.eq_ignore_ascii_case("can\u{2019}t tell") {
        Some(Vote::CantTell)
    } else {
        None
    }
}

/// The rows of one PsyCoMark id: its text and one vote per annotator.
#[derive(Default)]
struct PsyItem {
    text: String,
    votes: Vec<(String, Vote)>,
    rows: usize,
}

/// Imports PsyCoMark, merging the votes of each id.
fn psycomark(table: &Table, stats: &mut ImportStats) -> Result<Vec<ImportedRow>> {
    let (id_col, annotator_col) = (table.column("id")?, table.column("annotator")?);
    let (vote_col, text_col) = (table.column("conspiracy")?, table.column("text")?);
    let mut order: Vec<String> = Vec::new();
    let mut items: HashMap<String, PsyItem> = HashMap::new();
    for row in &table.rows {
        let id = row.cell(id_col);
        if id.is_empty() {
            return Err(table.error(row, "empty id".to_string()));
        }
        let raw = row.cell(vote_col);
        let vote = parse_vote(raw).ok_or_else(|| {
            table.error(
                row,
                format!(
                    "column `conspiracy`: expected Yes, No or Can't tell, found `{}`",
                    clip(raw)
                ),
            )
        })?;
        let item = items.entry(id.to_string()).or_insert_with(|| {
            order.push(id.to_string());
            PsyItem::default()
        });
        add_vote(item, row.cell(annotator_col), vote, stats);
        if item.text.is_empty() {
            item.text = row.cell(text_col).to_string();
        }
    }
    let corpus = Corpus::Psycomark;
    let mut out = Vec::new();
    for id in order {
        let Some(item) = items.remove(&id) else {
            continue;
        };
        if item.rows > 1 {
            stats.note("ids with more than one row", 1);
        }
        if let Some(value) = majority(&item.votes, stats) {
            let decision = imported(corpus, table, &id, item.text, [None, Some(value)]);
            out.push(ImportedRow {
                decision,
                spans: None,
            });
        }
    }
    Ok(out)
}

/// Records `annotator`'s vote on an item; a repeated vote replaces the earlier one.
fn add_vote(item: &mut PsyItem, annotator: &str, vote: Vote, stats: &mut ImportStats) {
    item.rows += 1;
    match item.votes.iter_mut().find(|(a, _)| a == annotator) {
        Some(slot) => {
            stats.note("duplicate rows of one annotator (counted once)", 1);
            if slot.1 != vote {
                stats.note(
                    "duplicate rows of one annotator that disagree (last kept)",
                    1,
                );
            }
            slot.1 = vote;
        }
        None => item.votes.push((annotator.to_string(), vote)),
    }
}

/// The majority of Yes against No, ignoring Can't tell (None: tie or no Yes/No vote).
fn majority(votes: &[(String, Vote)], stats: &mut ImportStats) -> Option<bool> {
    let yes = votes.iter().filter(|(_, v)| *v == Vote::Yes).count();
    let no = votes.iter().filter(|(_, v)| *v == Vote::No).count();
    if yes + no == 0 {
        stats.drop_row("ids with only Can't tell");
        None
    } else if yes == no {
        stats.drop_row("ids with as many Yes as No");
        None
    } else {
        if votes.len() > 1 && yes.min(no) > 0 {
            stats.note("ids decided by majority over a disagreement", 1);
        }
        Some(yes > no)
    }
}

/// Imports a toxic-spans file.
fn toxic_spans(table: &Table, stats: &mut ImportStats) -> Result<Vec<ImportedRow>> {
    let (spans_col, text_col) = (table.column("spans")?, table.column("text")?);
    let stem = table
        .path
        .file_stem()
        .map_or_else(|| "file".to_string(), |s| s.to_string_lossy().into_owned());
    let corpus = Corpus::ToxicSpans;
    let mut out = Vec::new();
    for (index, row) in table.rows.iter().enumerate() {
        let text = row.cell(text_col);
        let spans = parse_spans(table, row, row.cell(spans_col), text)?;
        if spans.is_empty() {
            stats.drop_row("posts with empty spans (toxic, but no words marked)");
            continue;
        }
        let id = format!("{stem}:{index}");
        let mut decision = imported(corpus, table, &id, text.to_string(), [Some(true), None]);
        // The post and its clean remainder are one group: never split across train/test.
        decision.thread_id = decision.id.clone();
        let remainder = clean_remainder(text, &spans);
        let group = decision.thread_id.clone();
        out.push(ImportedRow {
            decision,
            spans: Some(spans),
        });
        if let Some(clean) = remainder {
            let values = [Some(false), None];
            let mut negative = imported(corpus, table, &format!("{id}:clean"), clean, values);
            negative.thread_id = group;
            negative.source.push_str(":clean-remainder");
            out.push(ImportedRow {
                decision: negative,
                spans: Some(Vec::new()),
            });
            stats.note("clean remainders added (abusive 0)", 1);
        }
    }
    Ok(out)
}

/// Words a clean remainder needs to be worth a row.
const MIN_REMAINDER_WORDS: usize = 8;

/// The sentences of `text` that contain no toxic character, joined: the same reader's
/// words in the same style with the attack left out. `None` when under
/// [`MIN_REMAINDER_WORDS`] words remain.
pub fn clean_remainder(text: &str, spans: &[usize]) -> Option<String> {
    let toxic: std::collections::HashSet<usize> = spans.iter().copied().collect();
    let mut kept: Vec<String> = Vec::new();
    let mut sentence = String::new();
    let mut dirty = false;
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        sentence.push(c);
        dirty |= toxic.contains(&i);
        let next_is_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        let ends = c == '\n' || (matches!(c, '.' | '!' | '?') && next_is_space);
        if ends || chars.peek().is_none() {
            if !dirty && !sentence.trim().is_empty() {
                kept.push(sentence.trim().to_string());
            }
            sentence.clear();
            dirty = false;
        }
    }
    let joined = kept.join(" ");
    (joined.split_whitespace().count() >= MIN_REMAINDER_WORDS).then_some(joined)
}

/// Parses a `spans` cell: a JSON list of character offsets inside `text`.
fn parse_spans(table: &Table, row: &Row, raw: &str, text: &str) -> Result<Vec<usize>> {
    let spans: Vec<usize> = serde_json::from_str(raw).map_err(|_| {
        table.error(
            row,
            format!(
                "column `spans`: expected a JSON list of character offsets, found `{}`",
                clip(raw)
            ),
        )
    })?;
    let chars = text.chars().count();
    if let Some(bad) = spans.iter().find(|&&s| s >= chars) {
        let msg = format!(
            "column `spans`: offset {bad} is past the end of the text ({chars} characters)"
        );
        return Err(table.error(row, msg));
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_remainder_keeps_only_sentences_without_toxic_characters() {
        let text =
            "You are an idiot. The bridge budget doubled in two years and nobody explained why.";
        // "idiot" is at characters 11..16.
        let clean = clean_remainder(text, &[11, 12, 13, 14, 15]);
        assert_eq!(
            clean.as_deref(),
            Some("The bridge budget doubled in two years and nobody explained why.")
        );
        assert_eq!(clean_remainder("Idiot. Short one.", &[0, 1, 2, 3, 4]), None);
    }

    #[test]
    fn decodes_entities_once() {
        assert_eq!(decode_html_entities("a &amp; b &lt;3 &gt;"), "a & b <3 >");
        assert_eq!(
            decode_html_entities("&amp;amp; &#128514; &#x41;"),
            "&amp; \u{1F602} A"
        );
        assert_eq!(
            decode_html_entities("AT&T & co &bogus; &#; &#xZZ; &"),
            "AT&T & co &bogus; &#; &#xZZ; &"
        );
        assert_eq!(
            decode_html_entities("&#55296;"),
            "&#55296;",
            "a surrogate is not a char"
        );
    }

    #[test]
    fn votes_policy() {
        assert_eq!(offensive_abusive(OffensivePolicy::Votes, 1, 0), Some(true));
        assert_eq!(offensive_abusive(OffensivePolicy::Votes, 0, 1), Some(false));
        assert_eq!(offensive_abusive(OffensivePolicy::Votes, 0, 0), None);
        assert_eq!(offensive_abusive(OffensivePolicy::Drop, 3, 0), None);
    }

    #[test]
    fn policy_names_round_trip() {
        for p in OffensivePolicy::ALL {
            assert_eq!(p.as_str().parse::<OffensivePolicy>().ok(), Some(p));
        }
        assert!("maybe".parse::<OffensivePolicy>().is_err());
    }

    #[test]
    fn cant_tell_spellings() {
        assert_eq!(parse_vote("Can't tell"), Some(Vote::CantTell));
        assert_eq!(parse_vote("Can\u{2019}t tell"), Some(Vote::CantTell));
        assert_eq!(parse_vote(" yes "), Some(Vote::Yes));
        assert_eq!(parse_vote("maybe"), None);
    }
}
