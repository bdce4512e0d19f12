//! Labeling sessions: the queue of comments to label, the order they come in, and the
//! state machine of one annotator's toggles, accepts, skips and undos, written through
//! to the labels CSV as they happen (see [`crate::labels`]).
//!
//! This module knows nothing about terminals: [`ui`] renders a [`Session`] with ratatui
//! and maps keys to session calls, [`terminal`] runs the interactive loop, and [`batch`]
//! applies decisions read from a script.
//!
//! # What gets written
//!
//! Every decision is appended (and synced) at once, so quitting or crashing loses
//! nothing that was accepted:
//!
//! - **accept**: one row with `1`/`0` in every label column (nothing toggled = clean, all `0`);
//! - **skip**: one row with every label cell empty and `source` = the input file: it carries
//!   no label but counts as decided, so a resumed session does not offer it again;
//! - **undo**: one [`Decision::undo`] row, which supersedes the earlier row of the same
//!   (id, annotator); the comment is offered again. Rows are never rewritten.
//!
//! A session holds its annotator's [`AnnotatorLock`] on the file: sessions of different
//! annotators share a file, but a second one of the same annotator is refused.

pub mod batch;
pub mod terminal;
pub mod ui;

use crate::error::{Error, Result};
use crate::fsutil::LockFile;
use crate::labels::{Decision, LabelLog, LabelWriter, is_undo_prefix, now_rfc3339};
use crate::model::Model;
use crate::thread::Thread;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Keys with a fixed meaning, never given to a label.
pub const RESERVED_KEYS: [char; 5] = ['s', 'u', 'q', 'j', 'k'];

/// The order comments are offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Order {
    /// Most uncertain first: probability closest to a label's threshold (active learning).
    #[default]
    Uncertain,
    /// Threads in input order, comments in reading order.
    Thread,
    /// Shuffled with `--seed` (the same seed gives the same order).
    Random,
}

/// One label of a session, as shown on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSpec {
    /// The label's column name.
    pub name: String,
    /// The key that toggles it.
    pub key: char,
    /// A one-line definition from the labeling guidelines.
    pub definition: String,
    /// The model's threshold for it, when the model has this label.
    pub threshold: Option<f32>,
}

/// The one-line definition of a label, from `docs/labeling-guidelines.md`.
pub fn definition(label: &str) -> &'static str {
    match label {
        "abusive" => {
            "attacks people rather than ideas: insults, slurs, dehumanizing language, threats"
        }
        "conspiratorial" => {
            "asserts events are secretly orchestrated by a hidden, powerful, malevolent group or plan"
        }
        _ => "see docs/labeling-guidelines.md",
    }
}

/// Picks a key per label: the first letter of its name not reserved or taken, else the
/// first free letter of the alphabet, else a digit.
pub fn assign_keys(labels: &[String]) -> Vec<char> {
    let mut taken: Vec<char> = RESERVED_KEYS.to_vec();
    let mut keys = Vec::with_capacity(labels.len());
    for label in labels {
        let from_name = label
            .chars()
            .flat_map(char::to_lowercase)
            .filter(char::is_ascii_lowercase);
        let fallback = ('a'..='z').chain('1'..='9');
        let key = from_name
            .chain(fallback)
            .find(|c| !taken.contains(c))
            .unwrap_or('0');
        taken.push(key);
        keys.push(key);
    }
    keys
}

/// The labels of a session with their keys, definitions and (when `model` has them)
/// thresholds.
pub fn label_specs(labels: &[String], model: Option<&Model>) -> Vec<LabelSpec> {
    let keys = assign_keys(labels);
    labels
        .iter()
        .zip(keys)
        .map(|(name, key)| LabelSpec {
            name: name.clone(),
            key,
            definition: definition(name).to_string(),
            threshold: model.and_then(|m| {
                m.labels
                    .iter()
                    .find(|l| &l.name == name)
                    .map(|l| l.threshold)
            }),
        })
        .collect()
}

/// The comment a reply answers, for context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParentView {
    /// Its author, when known.
    pub author: Option<String>,
    /// Its text; `None` when only the author is known (the parent is not in the input).
    pub text: Option<String>,
}

/// One comment to label, with the context shown next to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    /// The comment's id (the key of its rows in the labels CSV).
    pub id: String,
    /// The thread's id.
    pub thread_id: String,
    /// The thread's (article's) title, when known.
    pub thread_title: Option<String>,
    /// The input file the thread came from (the `source` of the rows written).
    pub source: String,
    /// The comment's author, when known.
    pub author: Option<String>,
    /// The id of the comment it replies to, when known.
    pub parent_id: Option<String>,
    /// The parent comment, when the comment is a reply.
    pub parent: Option<ParentView>,
    /// The comment's text.
    pub text: String,
    /// The model's probability per session label (`None`: no model, or the model lacks
    /// the label).
    pub probs: Vec<Option<f32>>,
    /// Position in reading order over all inputs (0-based).
    pub position: usize,
}
/// Whether a comment can be labeled: it has text.
pub fn is_labelable(comment: &crate::thread::Comment) -> bool {
    !comment.text.trim().is_empty()
}

/// The ids of the labelable comments of `threads` (see [`is_labelable`]) that an earlier
/// comment already has, each once, in input order: [`collect_items`] keeps only the
/// first comment of an id, since a labels file keys decisions by comment id.
pub fn duplicate_ids(threads: &[Thread]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    let mut duplicates = Vec::new();
    let comments = threads.iter().flat_map(|t| &t.comments);
    for comment in comments.filter(|c| is_labelable(c)) {
        if !seen.insert(comment.id.as_str()) && reported.insert(comment.id.as_str()) {
            duplicates.push(comment.id.clone());
        }
    }
    duplicates
}

/// Every comment of `threads` with text, in reading order, each id once (the first
/// occurrence wins; the labels file keys rows on the id).
pub fn collect_items(threads: &[Thread]) -> Vec<Item> {
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for thread in threads {
        let texts: HashMap<&str, &crate::thread::Comment> =
            thread.comments.iter().map(|c| (c.id.as_str(), c)).collect();
        for comment in &thread.comments {
            if !is_labelable(comment) || !seen.insert(comment.id.clone()) {
                continue;
            }
            let parent_comment = comment
                .parent_id
                .as_deref()
                .and_then(|p| texts.get(p).copied());
            let parent = match parent_comment {
                Some(p) => Some(ParentView {
                    author: p.author.clone(),
                    text: Some(p.text.clone()),
                }),
                None if comment.parent_id.is_some() || comment.parent_author.is_some() => {
                    Some(ParentView {
                        author: comment.parent_author.clone(),
                        text: None,
                    })
                }
                None => None,
            };
            items.push(Item {
                id: comment.id.clone(),
                thread_id: thread.id.clone(),
                thread_title: thread.title.clone(),
                source: thread.source.clone(),
                author: comment.author.clone(),
                parent_id: comment.parent_id.clone(),
                parent,
                text: comment.text.clone(),
                probs: Vec::new(),
                position: items.len(),
            });
        }
    }
    items
}

/// Sets every item's probabilities with `score`, which returns one value per session
/// label for a comment text.
pub fn score_items_with(items: &mut [Item], mut score: impl FnMut(&str) -> Vec<Option<f32>>) {
    for item in items {
        item.probs = score(&item.text);
    }
}

/// Scores every item with `model`, mapping the model's labels onto the session's
/// `labels` by name (labels the model lacks get `None`).
pub fn score_items(items: &mut [Item], labels: &[String], model: &Model) {
    let columns: Vec<Option<usize>> = labels
        .iter()
        .map(|name| model.labels.iter().position(|l| &l.name == name))
        .collect();
    let mut scorer = model.scorer();
    let mut probs = Vec::new();
    score_items_with(items, |text| {
        scorer.score(text, &mut probs);
        columns
            .iter()
            .map(|c| c.and_then(|c| probs.get(c).copied()))
            .collect()
    });
}

/// How close an item is to a decision boundary: the smallest |p - threshold| over the
/// labels that have both (infinite when none has).
pub fn uncertainty(item: &Item, specs: &[LabelSpec]) -> f32 {
    item.probs
        .iter()
        .zip(specs)
        .filter_map(|(p, spec)| Some((p.as_ref()? - spec.threshold?).abs()))
        .filter(|d| d.is_finite())
        .fold(f32::INFINITY, f32::min)
}

/// Puts `items` in `order`: uncertain first (ties by reading order), reading order, or
/// a shuffle that depends only on `seed`.
pub fn order_items(items: &mut [Item], specs: &[LabelSpec], order: Order, seed: u64) {
    items.sort_by_key(|item| item.position);
    match order {
        Order::Thread => {}
        Order::Uncertain => items.sort_by(|a, b| {
            uncertainty(a, specs)
                .total_cmp(&uncertainty(b, specs))
                .then(a.position.cmp(&b.position))
        }),
        Order::Random => items.shuffle(&mut StdRng::seed_from_u64(seed)),
    }
}

/// Opens the labels file of a session (see [`LabelWriter::open`]), refusing one that has
/// label columns the session does not label (see [`LabelWriter::other_labels`]).
pub fn open_writer(out: &Path, labels: &[String]) -> Result<LabelWriter> {
    let writer = LabelWriter::open(out, labels)?;
    let others = writer.other_labels().to_vec();
    if others.is_empty() {
        return Ok(writer);
    }
    let all: Vec<String> = labels.iter().chain(&others).cloned().collect();
    Err(crate::error::Error::Usage(format!(
        "{}: this file also labels {}, which this session does not; label with \
         --labels {} (a row's empty label replaces the annotator's earlier value for \
         that comment, so a session with fewer labels could erase them), or into another \
         file",
        out.display(),
        others.join(", "),
        all.join(",")
    )))
}

/// Drops the items `annotator` already decided according to `decided`
/// ([`LabelLog::decided`]).
pub fn drop_decided(
    items: Vec<Item>,
    decided: &HashSet<(String, String)>,
    annotator: &str,
) -> Vec<Item> {
    items
        .into_iter()
        .filter(|item| !decided.contains(&(item.id.clone(), annotator.to_string())))
        .collect()
}

/// One annotator's hold on a labels file for a session, released when dropped. Two
/// sessions of one annotator on one file could undo each other's decisions (undo rows
/// are matched per annotator), so a second one is refused; sessions of other annotators
/// take locks of their own and label the same file at the same time.
#[derive(Debug)]
pub struct AnnotatorLock {
    annotator: String,
    _lock: LockFile,
}

impl AnnotatorLock {
    /// Takes `annotator`'s lock on the labels file `out`, or errors (naming the file and
    /// the annotator) while another session of theirs holds it.
    ///
    /// The lock is a hidden file next to the labels file, `.<file>.<annotator>-<hash>.lock`
    /// (which directory inputs skip), locked rather than merely present, so a session
    /// that crashed leaves nothing that blocks the next; it is removed when released.
    pub fn acquire(out: &Path, annotator: &str) -> Result<Self> {
        // A missing directory is named as such, not by the lock file's path.
        crate::fsutil::check_writable(out)?;
        let path = lock_path(out, annotator).map_err(|e| Error::io(out, e))?;
        match LockFile::try_acquire(&path) {
            Ok(Some(lock)) => Ok(AnnotatorLock {
                annotator: annotator.to_string(),
                _lock: lock,
            }),
            Ok(None) => Err(Error::Usage(format!(
                "{}: another labeling session of annotator `{annotator}` holds this file; \
                 finish it first (two sessions of one annotator could undo each other's \
                 decisions)",
                out.display()
            ))),
            Err(e) => {
                let msg = format!("cannot take the labeling session's lock file: {e}");
                Err(Error::io(&path, std::io::Error::new(e.kind(), msg)))
            }
        }
    }

    /// The annotator.
    pub fn annotator(&self) -> &str {
        &self.annotator
    }
}

/// The lock file of `annotator` for the labels file `out`, next to the file a symlink
/// `out` points to (so every path to the file shares its locks). The name keeps the
/// annotator's plain ASCII letters for people and adds a hash of the whole name, so
/// names differing only in other characters or in case (on a file system that ignores
/// it) never share a lock.
fn lock_path(out: &Path, annotator: &str) -> std::io::Result<PathBuf> {
    use sha2::{Digest, Sha256};
    let target = crate::fsutil::writable_target(out)?;
    let file_name = target
        .file_name()
        .ok_or_else(|| std::io::Error::other("the labels path has no file name"))?;
    let readable: String = annotator
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(32)
        .collect();
    let hash: String = Sha256::digest(annotator.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(format!(".{readable}-{hash}.lock"));
    Ok(crate::fsutil::directory_of(&target).join(name))
}

/// Counts of the rows written in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Accepted decisions (label rows).
    pub accepted: usize,
    /// Skip rows.
    pub skipped: usize,
    /// Undo rows.
    pub undone: usize,
}

impl Counts {
    /// Every row written.
    pub fn rows(&self) -> usize {
        self.accepted + self.skipped + self.undone
    }
}

/// Writes one annotator's decisions about items to a labels file and counts them.
#[derive(Debug)]
pub struct Recorder {
    writer: LabelWriter,
    annotator: String,
    counts: Counts,
    /// The annotator's lock on the file, held as long as the recorder (see
    /// [`Recorder::locked`]).
    _lock: Option<AnnotatorLock>,
}

impl Recorder {
    /// Records to `writer` as `annotator`, without an [`AnnotatorLock`] (sessions take
    /// one; see [`Recorder::locked`]).
    pub fn new(writer: LabelWriter, annotator: &str) -> Self {
        Recorder {
            writer,
            annotator: annotator.to_string(),
            counts: Counts::default(),
            _lock: None,
        }
    }

    /// Records to `writer` as the annotator of `lock`, holding the lock until dropped.
    pub fn locked(writer: LabelWriter, lock: AnnotatorLock) -> Self {
        let annotator = lock.annotator().to_string();
        Recorder {
            _lock: Some(lock),
            ..Recorder::new(writer, &annotator)
        }
    }

    /// The annotator.
    pub fn annotator(&self) -> &str {
        &self.annotator
    }

    /// The labels file.
    pub fn path(&self) -> &Path {
        self.writer.path()
    }

    /// The rows written so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Appends an accepted decision: `values[i]` for label `i`.
    pub fn accept(&mut self, item: &Item, values: &[bool]) -> Result<()> {
        let values = values.iter().map(|&v| Some(v)).collect();
        self.writer.append(&self.row(item, values))?;
        self.counts.accepted += 1;
        Ok(())
    }

    /// Appends a skip row (no label, but decided).
    pub fn skip(&mut self, item: &Item) -> Result<()> {
        let values = vec![None; self.writer.labels().len()];
        self.writer.append(&self.row(item, values))?;
        self.counts.skipped += 1;
        Ok(())
    }

    /// Appends an undo row for `id`.
    pub fn undo(&mut self, id: &str) -> Result<()> {
        let n = self.writer.labels().len();
        self.writer
            .append(&Decision::undo(id, &self.annotator, n))?;
        self.counts.undone += 1;
        Ok(())
    }

    /// The row of a decision about `item`.
    fn row(&self, item: &Item, values: Vec<Option<bool>>) -> Decision {
        Decision {
            id: item.id.clone(),
            thread_id: item.thread_id.clone(),
            parent_id: item.parent_id.clone().unwrap_or_default(),
            author: item.author.clone().unwrap_or_default(),
            text: item.text.clone(),
            values,
            annotator: self.annotator.clone(),
            labeled_at: now_rfc3339(),
            source: row_source(&item.source),
        }
    }
}

/// The `source` of a decision row: the input path, never mistaken for an undo (nor for
/// one cut short, see [`Decision::is_undo`]).
fn row_source(input: &str) -> String {
    if is_undo_prefix(input) {
        format!("./{input}")
    } else {
        input.to_string()
    }
}

/// What a session did with one offered comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Accepted with these values (one per label).
    Accepted(Vec<bool>),
    /// Skipped.
    Skipped,
}

/// Session progress, for the progress line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Comments decided (accepted or skipped) in this session, net of undos.
    pub done: usize,
    /// Comments left in this session's queue.
    pub remaining: usize,
    /// Items with at least one label in the file (all annotators).
    pub labeled_in_file: usize,
    /// Decisions per minute since the session started, net of undos (`None` in its first
    /// seconds).
    pub rate_per_minute: Option<f64>,
}

/// What the screen shows besides the session: scroll position, help overlay, a message.
#[derive(Debug, Default)]
pub struct View {
    /// First line of the comment shown.
    pub scroll: u16,
    /// The largest useful scroll, set by the renderer for the last frame drawn.
    pub max_scroll: std::cell::Cell<u16>,
    /// Whether the help overlay is open.
    pub help: bool,
    /// A one-line status message (what the last key did).
    pub message: Option<String>,
}

/// One annotator's labeling session over a queue of comments.
///
/// The comment at the cursor is the current one; everything before it was accepted or
/// skipped in this session (and written), in the order of [`Session::steps`]. Undo
/// steps back one comment and writes an undo row, so it can go back to the session's
/// first comment.
#[derive(Debug)]
pub struct Session {
    specs: Vec<LabelSpec>,
    queue: Vec<Item>,
    steps: Vec<Step>,
    toggles: Vec<bool>,
    recorder: Recorder,
    labeled_base: usize,
    started: Instant,
    /// What reading the labels file at the start skipped (cut rows), to report.
    load_warnings: Vec<crate::labels::LoadWarning>,
    /// Screen state (kept here so key handling and rendering share it).
    pub view: View,
}

/// Everything [`Session::start`] needs besides the comments and the model.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// The labels CSV to append to.
    pub out: std::path::PathBuf,
    /// The labels, in column order.
    pub labels: Vec<String>,
    /// Who labels.
    pub annotator: String,
    /// The order of the queue.
    pub order: Order,
    /// The seed of [`Order::Random`].
    pub seed: u64,
    /// At most this many comments in the queue.
    pub limit: Option<usize>,
}

impl Session {
    /// A session over `queue` (already ordered and without decided items), writing with
    /// `recorder`; `labeled_in_file` is the file's labeled item count at the start.
    pub fn new(
        specs: Vec<LabelSpec>,
        queue: Vec<Item>,
        recorder: Recorder,
        labeled_in_file: usize,
    ) -> Self {
        let toggles = vec![false; specs.len()];
        Session {
            specs,
            queue,
            steps: Vec::new(),
            toggles,
            recorder,
            labeled_base: labeled_in_file,
            started: Instant::now(),
            load_warnings: Vec::new(),
            view: View::default(),
        }
    }

    /// Reads the labels file, opens it for appending, and queues the comments of
    /// `threads` the annotator has not decided yet, scored by `model` and in order.
    pub fn start(
        threads: &[Thread],
        model: Option<&Model>,
        options: &SessionOptions,
    ) -> Result<Self> {
        // Taken before reading the file, so no other session of the annotator writes
        // between the resume set read here and this session's rows.
        let lock = AnnotatorLock::acquire(&options.out, &options.annotator)?;
        let log = LabelLog::read_if_exists(&options.out, &options.labels)?;
        let writer = open_writer(&options.out, &options.labels)?;
        let specs = label_specs(&options.labels, model);
        let mut items = collect_items(threads);
        match model {
            Some(model) => score_items(&mut items, &options.labels, model),
            None => score_items_with(&mut items, |_| vec![None; options.labels.len()]),
        }
        order_items(&mut items, &specs, options.order, options.seed);
        let mut queue = drop_decided(items, &log.decided(), &options.annotator);
        if let Some(limit) = options.limit {
            queue.truncate(limit);
        }
        let recorder = Recorder::locked(writer, lock);
        let labeled = log.labeled_count();
        let mut session = Session::new(specs, queue, recorder, labeled);
        session.load_warnings = log.warnings;
        Ok(session)
    }

    /// What reading the labels file at the start skipped, with file and line (a row cut
    /// by a crash): the caller reports these before the screen takes over.
    pub fn load_warnings(&self) -> &[crate::labels::LoadWarning] {
        &self.load_warnings
    }

    /// The session's labels.
    pub fn specs(&self) -> &[LabelSpec] {
        &self.specs
    }

    /// The whole queue, in order.
    pub fn queue(&self) -> &[Item] {
        &self.queue
    }

    /// What was done with each comment before the current one.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The comment being labeled, or `None` when the queue is done.
    pub fn current(&self) -> Option<&Item> {
        self.queue.get(self.steps.len())
    }

    /// Whether every comment of the queue was decided.
    pub fn is_finished(&self) -> bool {
        self.current().is_none()
    }

    /// The current toggles, one per label.
    pub fn toggles(&self) -> &[bool] {
        &self.toggles
    }

    /// The rows written so far.
    pub fn counts(&self) -> Counts {
        self.recorder.counts()
    }

    /// The annotator.
    pub fn annotator(&self) -> &str {
        self.recorder.annotator()
    }

    /// The labels file.
    pub fn path(&self) -> &Path {
        self.recorder.path()
    }

    /// Flips label `index` for the current comment (no-op past the end).
    pub fn toggle(&mut self, index: usize) {
        if self.is_finished() {
            return;
        }
        if let Some(t) = self.toggles.get_mut(index) {
            *t = !*t;
        }
    }

    /// Writes the current toggles as the decision on the current comment and moves on.
    /// Returns `false` (and writes nothing) when the queue is done.
    pub fn accept(&mut self) -> Result<bool> {
        let Some(item) = self.queue.get(self.steps.len()) else {
            return Ok(false);
        };
        self.recorder.accept(item, &self.toggles)?;
        self.steps.push(Step::Accepted(self.toggles.clone()));
        self.advance();
        Ok(true)
    }

    /// Writes a skip row for the current comment and moves on. Returns `false` (and
    /// writes nothing) when the queue is done.
    pub fn skip(&mut self) -> Result<bool> {
        let Some(item) = self.queue.get(self.steps.len()) else {
            return Ok(false);
        };
        self.recorder.skip(item)?;
        self.steps.push(Step::Skipped);
        self.advance();
        Ok(true)
    }

    /// Steps back to the previous comment, writing an undo row for it; the toggles come
    /// back as they were accepted. Returns `false` when nothing is left to undo.
    pub fn undo(&mut self) -> Result<bool> {
        let Some(index) = self.steps.len().checked_sub(1) else {
            return Ok(false);
        };
        let id = self.queue[index].id.clone();
        self.recorder.undo(&id)?;
        let step = self.steps.pop();
        self.toggles = match step {
            Some(Step::Accepted(values)) => values,
            _ => vec![false; self.specs.len()],
        };
        self.view.scroll = 0;
        Ok(true)
    }

    /// Resets the toggles and the scroll for the next comment.
    fn advance(&mut self) {
        self.toggles = vec![false; self.specs.len()];
        self.view.scroll = 0;
    }

    /// Progress now.
    pub fn progress(&self) -> Progress {
        self.progress_at(Instant::now())
    }

    /// Progress at `now` (for a rate measured at a given time).
    pub fn progress_at(&self, now: Instant) -> Progress {
        let done = self.steps.len();
        let accepted = self
            .steps
            .iter()
            .filter(|s| matches!(s, Step::Accepted(_)))
            .count();
        let minutes = now.saturating_duration_since(self.started).as_secs_f64() / 60.0;
        Progress {
            done,
            remaining: self.queue.len() - done,
            labeled_in_file: self.labeled_base + accepted,
            // Net of undos, like `done`: an undone decision is no progress.
            rate_per_minute: (minutes >= 5.0 / 60.0 && done > 0).then(|| done as f64 / minutes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::row_source;

    #[test]
    fn a_row_source_is_never_undo_nor_the_start_of_it() {
        for input in ["", "u", "und", "undo"] {
            assert_eq!(row_source(input), format!("./{input}"));
        }
        assert_eq!(row_source("in.csv"), "in.csv");
        assert_eq!(row_source("undo.csv"), "undo.csv");
    }
}
