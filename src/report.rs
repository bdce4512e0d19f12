//! Output: tables for people, CSV and JSON Lines for programs.

use crate::thread::{Comment, Thread};
use serde::Serialize;
use std::io::{self, Write};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Human-readable table (the default on a terminal).
    Table,
    /// CSV, one row per comment (the default when piped).
    Csv,
    /// JSON Lines, one object per comment.
    Jsonl,
}

impl OutputFormat {
    /// The format to use when none was asked for: a table on a terminal, CSV otherwise.
    pub fn default_for(stdout_is_terminal: bool) -> Self {
        if stdout_is_terminal {
            OutputFormat::Table
        } else {
            OutputFormat::Csv
        }
    }
}

/// One parsed comment as a flat row (the `parse` command's CSV and JSONL output).
#[derive(Debug, Serialize)]
pub struct ParsedRow<'a> {
    /// Thread id.
    pub thread_id: &'a str,
    /// Comment id.
    pub comment_id: &'a str,
    /// Parent comment id, when linked.
    pub parent_id: Option<&'a str>,
    /// Author.
    pub author: Option<&'a str>,
    /// Replied-to author name.
    pub parent_author: Option<&'a str>,
    /// Timestamp.
    pub timestamp: Option<&'a str>,
    /// Nesting depth.
    pub depth: usize,
    /// Comment text.
    pub text: &'a str,
}

impl<'a> ParsedRow<'a> {
    /// Flattens a comment of a thread.
    pub fn new(thread: &'a Thread, c: &'a Comment) -> Self {
        Self {
            thread_id: &thread.id,
            comment_id: &c.id,
            parent_id: c.parent_id.as_deref(),
            author: c.author.as_deref(),
            parent_author: c.parent_author.as_deref(),
            timestamp: c.timestamp.as_deref(),
            depth: c.depth,
            text: &c.text,
        }
    }
}

/// Writes parsed threads in the given format.
pub fn write_parsed(
    out: &mut dyn Write,
    threads: &[Thread],
    format: OutputFormat,
    width: usize,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => write_parsed_table(out, threads, width),
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            for thread in threads {
                for c in &thread.comments {
                    writer
                        .serialize(ParsedRow::new(thread, c))
                        .map_err(io::Error::other)?;
                }
            }
            writer.flush()
        }
        OutputFormat::Jsonl => {
            for thread in threads {
                for c in &thread.comments {
                    serde_json::to_writer(&mut *out, &ParsedRow::new(thread, c))?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()
        }
    }
}

/// The table view: each thread's title, then its comments indented by depth.
fn write_parsed_table(out: &mut dyn Write, threads: &[Thread], width: usize) -> io::Result<()> {
    for thread in threads {
        let id = terminal_safe(&thread.id);
        let title = terminal_safe(thread.title.as_deref().unwrap_or("(untitled)"));
        writeln!(
            out,
            "{id} — {}",
            truncate(&title, width.saturating_sub(id.len() + 3))
        )?;
        writeln!(
            out,
            "  {} comment{} · {}",
            thread.comments.len(),
            plural(thread.comments.len()),
            terminal_safe(&thread.source)
        )?;
        for c in &thread.comments {
            let indent = indentation(c.depth);
            writeln!(
                out,
                "{indent}{}{}",
                depth_marker(c.depth),
                comment_heading(c)
            )?;
            let room = width.saturating_sub(indent.len() + 2).max(20);
            writeln!(out, "{indent}  {}", truncate(&text_line(&c.text), room))?;
        }
        writeln!(out)?;
    }
    out.flush()
}

/// The deepest nesting the table views show by indentation. Deeper replies are indented
/// like this depth and marked with their true depth, so a long reply chain cannot make
/// the output grow with the square of its length.
pub const MAX_INDENT_DEPTH: usize = 8;

/// A comment's indentation in the table views: two spaces per level of nesting, plus
/// two, up to [`MAX_INDENT_DEPTH`] levels.
fn indentation(depth: usize) -> String {
    "  ".repeat(depth.min(MAX_INDENT_DEPTH) + 1)
}

/// `[depth N] ` for a comment nested deeper than the table views indent (see
/// [`MAX_INDENT_DEPTH`]), empty otherwise.
fn depth_marker(depth: usize) -> String {
    if depth > MAX_INDENT_DEPTH {
        format!("[depth {depth}] ")
    } else {
        String::new()
    }
}

/// "author → replied-to · timestamp · id", leaving out what is unknown, on one line and
/// safe to show on a terminal (see [`terminal_safe`]).
pub fn comment_heading(c: &Comment) -> String {
    let mut heading = match &c.author {
        Some(author) => terminal_safe(author).into_owned(),
        None => "(anonymous)".to_string(),
    };
    if let Some(p) = &c.parent_author {
        heading.push_str(" → ");
        heading.push_str(&terminal_safe(p));
    }
    if let Some(t) = &c.timestamp {
        heading.push_str(" · ");
        heading.push_str(&terminal_safe(&t.replace('T', " ")));
    }
    heading.push_str(" · ");
    heading.push_str(&terminal_safe(&c.id));
    heading
}

/// Whether a terminal could act on `c` rather than show it, or break a line at it: a
/// control character (C0, line breaks and tabs included, DEL, C1), a bidi embedding,
/// override or isolate (U+202A to U+202E, U+2066 to U+2069), or a line or paragraph
/// separator.
fn is_unsafe_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// `text` made harmless to write to a terminal, on one line: every character a terminal
/// could act on (see [`is_unsafe_on_terminal`]) becomes a visible escape, `\n`, `\r`,
/// `\t`, `\x1b` or `\u{202e}`. For the table views only: CSV and JSONL output is data
/// and keeps every character as read.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    if !text.chars().any(is_unsafe_on_terminal) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        // Writing to a String cannot fail.
        match c {
            '\n' => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            '\t' => safe.push_str("\\t"),
            c if !is_unsafe_on_terminal(c) => safe.push(c),
            c if u32::from(c) <= 0xff => {
                let _ = write!(safe, "\\x{:02x}", u32::from(c));
            }
            c => {
                let _ = write!(safe, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    std::borrow::Cow::Owned(safe)
}

/// A comment's text for a table row: whitespace collapsed to single spaces (see
/// [`one_line`]), then made safe to show on a terminal (see [`terminal_safe`]).
pub fn text_line(text: &str) -> String {
    terminal_safe(&one_line(text)).into_owned()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Collapses whitespace so a comment fits on one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Display width of a string in terminal columns, per grapheme cluster (wide characters
/// and emoji presentation sequences such as "❤️" count two).
pub fn display_width(text: &str) -> usize {
    text.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Cuts `text` to at most `width` terminal columns, ending with "…" when cut; never
/// inside a grapheme cluster (a flag, an emoji sequence, a letter and its accents).
pub fn truncate(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in text.graphemes(true) {
        let w = UnicodeWidthStr::width(grapheme);
        if used + w + 1 > width {
            break;
        }
        out.push_str(grapheme);
        used += w;
    }
    out.push('…');
    out
}

/// A thread with its comments' scores (probability per label, in the model's label order).
#[derive(Debug, Clone)]
pub struct ScoredThread {
    /// The thread.
    pub thread: Thread,
    /// Per comment, the probability of each label.
    pub scores: Scores,
    /// Per comment, per label, why it is flagged (empty unless explaining).
    pub explanations: Vec<Vec<crate::model::LabelExplanation>>,
}

impl ScoredThread {
    /// Appends a later part of the same thread (the input is read and scored in chunks):
    /// its comments, their scores and explanations, and its title or body if this part
    /// has none.
    pub fn append(&mut self, part: ScoredThread) {
        let ScoredThread {
            thread,
            scores,
            explanations,
        } = part;
        if !explanations.is_empty() {
            // Keeps explanation `i` with comment `i` even if this part had none.
            let comments = self.thread.comments.len();
            self.explanations.resize_with(comments, Vec::new);
            self.explanations.extend(explanations);
        }
        self.scores.append(&scores);
        self.thread.comments.extend(thread.comments);
        if self.thread.title.is_none() {
            self.thread.title = thread.title;
        }
        if self.thread.body.is_none() {
            self.thread.body = thread.body;
        }
    }
}

/// Scored threads kept for the table view, each put together from its parts: a thread
/// of an export reaches the table in chunks (at most
/// [`CHUNK_COMMENTS`](crate::ingest::CHUNK_COMMENTS) comments, one per run of rows of that
/// thread), and the table shows each thread once, with all its comments in input order.
#[derive(Debug, Default)]
pub struct TableThreads {
    /// Threads in order of first appearance.
    threads: Vec<ScoredThread>,
    /// The earlier parts of each thread, and which threads got several.
    parts: crate::thread::ThreadParts,
}

impl TableThreads {
    /// Adds a thread, or appends it to the earlier parts of the same thread (same source
    /// and id).
    pub fn push(&mut self, part: ScoredThread) {
        let earlier = self.parts.earlier(&part.thread, self.threads.len());
        match earlier.and_then(|i| self.threads.get_mut(i)) {
            Some(thread) => thread.append(part),
            None => self.threads.push(part),
        }
    }

    /// The threads in order of first appearance. The depths of a thread put together
    /// from parts are computed again over all its comments, as each part's only knew
    /// the parents within that part.
    pub fn into_threads(mut self) -> Vec<ScoredThread> {
        self.parts
            .set_merged_depths(&mut self.threads, |s| &mut s.thread.comments);
        self.threads
    }
}

/// Per comment, the probability of each label: `scores.get(i)` is comment `i`'s, in the
/// model's label order. One allocation per thread rather than one per comment, since
/// scored batches are freed on another thread than the one that scored them.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    values: Vec<f32>,
    labels: usize,
    comments: usize,
}

impl Scores {
    /// Room for `comments` comments of `labels` probabilities each.
    pub fn with_capacity(comments: usize, labels: usize) -> Self {
        Scores {
            values: Vec::with_capacity(comments * labels),
            labels,
            comments: 0,
        }
    }

    /// Appends the next comment's probabilities; they must number `labels` (as given to
    /// [`Scores::with_capacity`]), else they are cut or padded with zeros.
    pub fn push(&mut self, probabilities: &[f32]) {
        let n = probabilities.len().min(self.labels);
        self.values.extend_from_slice(&probabilities[..n]);
        self.values
            .extend(std::iter::repeat_n(0.0, self.labels - n));
        self.comments += 1;
    }

    /// Appends `other`'s comments' probabilities after these; an empty `Scores` takes its
    /// number of labels from `other`.
    pub fn append(&mut self, other: &Scores) {
        if self.comments == 0 {
            self.labels = other.labels;
            self.values.clear();
        }
        for probabilities in other {
            self.push(probabilities);
        }
    }

    /// The number of comments.
    pub fn len(&self) -> usize {
        self.comments
    }

    /// Whether no comment was scored.
    pub fn is_empty(&self) -> bool {
        self.comments == 0
    }

    /// Comment `i`'s probabilities, if there is a comment `i`.
    pub fn get(&self, i: usize) -> Option<&[f32]> {
        if i >= self.comments {
            return None;
        }
        self.values.get(i * self.labels..(i + 1) * self.labels)
    }

    /// Each comment's probabilities, in order.
    pub fn iter(&self) -> ScoresIter<'_> {
        ScoresIter {
            scores: self,
            next: 0,
        }
    }
}

/// The iterator of [`Scores::iter`].
#[derive(Debug, Clone)]
pub struct ScoresIter<'a> {
    scores: &'a Scores,
    next: usize,
}

impl<'a> Iterator for ScoresIter<'a> {
    type Item = &'a [f32];

    fn next(&mut self) -> Option<&'a [f32]> {
        let item = self.scores.get(self.next)?;
        self.next += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.scores.comments.saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for ScoresIter<'_> {}

impl<'a> IntoIterator for &'a Scores {
    type Item = &'a [f32];
    type IntoIter = ScoresIter<'a>;

    fn into_iter(self) -> ScoresIter<'a> {
        self.iter()
    }
}

impl Extend<Vec<f32>> for Scores {
    /// Appends per-comment probability vectors; an empty `Scores` takes its number of
    /// labels from the first.
    fn extend<I: IntoIterator<Item = Vec<f32>>>(&mut self, iter: I) {
        for probabilities in iter {
            if self.comments == 0 {
                self.labels = probabilities.len();
            }
            self.push(&probabilities);
        }
    }
}

impl FromIterator<Vec<f32>> for Scores {
    fn from_iter<I: IntoIterator<Item = Vec<f32>>>(iter: I) -> Self {
        let mut scores = Scores::default();
        scores.extend(iter);
        scores
    }
}

/// Label names and thresholds, for flagging.
#[derive(Debug, Clone)]
pub struct LabelSet {
    /// Label names, in score order.
    pub names: Vec<String>,
    /// Decision thresholds, in score order.
    pub thresholds: Vec<f32>,
}

impl LabelSet {
    /// The labels of a model.
    pub fn of(model: &crate::model::Model) -> Self {
        LabelSet {
            names: model.labels.iter().map(|l| l.name.clone()).collect(),
            thresholds: model.labels.iter().map(|l| l.threshold).collect(),
        }
    }

    /// Indices of the labels whose score reaches the threshold.
    pub fn flagged(&self, scores: &[f32]) -> Vec<usize> {
        self.thresholds
            .iter()
            .zip(scores)
            .enumerate()
            .filter(|(_, (threshold, score))| score >= threshold)
            .map(|(label, _)| label)
            .collect()
    }

    /// Names of the labels whose score reaches the threshold.
    pub fn flags(&self, scores: &[f32]) -> Vec<&str> {
        self.flagged(scores)
            .into_iter()
            .map(|l| self.names[l].as_str())
            .collect()
    }
}

/// Writes scored comments as CSV or JSON Lines, one row per comment, as they come.
pub struct ScoreWriter<W: Write> {
    out: W,
    format: OutputFormat,
    labels: LabelSet,
    flagged_only: bool,
    explain: bool,
    wrote_header: bool,
}

impl<W: Write> ScoreWriter<W> {
    /// A writer for `format` (CSV or JSONL).
    pub fn new(
        out: W,
        format: OutputFormat,
        labels: LabelSet,
        flagged_only: bool,
        explain: bool,
    ) -> Self {
        ScoreWriter {
            out,
            format,
            labels,
            flagged_only,
            explain,
            wrote_header: false,
        }
    }

    /// Writes every (flagged, with `flagged_only`) comment of a scored thread.
    pub fn write(&mut self, scored: &ScoredThread) -> io::Result<()> {
        if !self.wrote_header && self.format == OutputFormat::Csv {
            self.write_csv_header()?;
        }
        self.wrote_header = true;
        for (i, comment) in scored.thread.comments.iter().enumerate() {
            let scores = scored.scores.get(i).unwrap_or(&[]);
            let flags = self.labels.flagged(scores);
            if self.flagged_only && flags.is_empty() {
                continue;
            }
            let explanation = scored
                .explanations
                .get(i)
                .map(|e| self.explanation_text(&comment.text, e));
            match self.format {
                OutputFormat::Jsonl => self.write_jsonl(
                    &scored.thread,
                    comment,
                    scores,
                    &flags,
                    scored.explanations.get(i),
                )?,
                _ => self.write_csv(
                    &scored.thread,
                    comment,
                    scores,
                    &flags,
                    explanation.as_deref(),
                )?,
            }
        }
        Ok(())
    }

    /// Flushes the output.
    pub fn finish(&mut self) -> io::Result<()> {
        if !self.wrote_header && self.format == OutputFormat::Csv {
            self.write_csv_header()?;
        }
        self.out.flush()
    }

    fn write_csv_header(&mut self) -> io::Result<()> {
        let mut fields: Vec<&str> = vec!["thread_id", "comment_id", "parent_id", "author"];
        fields.extend(self.labels.names.iter().map(String::as_str));
        fields.push("flags");
        fields.push("text");
        if self.explain {
            fields.push("explanation");
        }
        write_csv_record(&mut self.out, fields.iter().copied())
    }

    fn write_csv(
        &mut self,
        thread: &Thread,
        c: &Comment,
        scores: &[f32],
        flags: &[usize],
        explanation: Option<&str>,
    ) -> io::Result<()> {
        // Written field by field: this runs once per comment, so it allocates nothing.
        let out = &mut self.out;
        write_csv_field(out, &thread.id)?;
        out.write_all(b",")?;
        write_csv_field(out, &c.id)?;
        out.write_all(b",")?;
        write_csv_field(out, c.parent_id.as_deref().unwrap_or(""))?;
        out.write_all(b",")?;
        write_csv_field(out, c.author.as_deref().unwrap_or(""))?;
        for &score in scores {
            out.write_all(b",")?;
            out.write_all(&four_decimals(score))?;
        }
        out.write_all(b",")?;
        let names = &self.labels.names;
        let mut flag_names = flags.iter().map(|&l| names[l].as_str());
        let one_plain_flag = flags.len() <= 1;
        if one_plain_flag {
            write_csv_field(out, flag_names.next().unwrap_or(""))?;
        } else {
            let joined: Vec<&str> = flag_names.collect();
            write_csv_field(out, &joined.join(";"))?;
        }
        out.write_all(b",")?;
        write_csv_field(out, &c.text)?;
        if self.explain {
            out.write_all(b",")?;
            write_csv_field(out, explanation.unwrap_or(""))?;
        }
        out.write_all(b"\n")
    }

    fn write_jsonl(
        &mut self,
        thread: &Thread,
        c: &Comment,
        scores: &[f32],
        flags: &[usize],
        explanation: Option<&Vec<crate::model::LabelExplanation>>,
    ) -> io::Result<()> {
        let mut object = serde_json::Map::new();
        object.insert("thread_id".into(), thread.id.clone().into());
        object.insert("comment_id".into(), c.id.clone().into());
        object.insert("parent_id".into(), c.parent_id.clone().into());
        object.insert("author".into(), c.author.clone().into());
        for (name, s) in self.labels.names.iter().zip(scores) {
            object.insert(name.clone(), round4(*s).into());
        }
        object.insert(
            "flags".into(),
            flags
                .iter()
                .map(|&l| serde_json::Value::from(self.labels.names[l].as_str()))
                .collect(),
        );
        object.insert("text".into(), c.text.clone().into());
        if self.explain {
            let mut explained = serde_json::Map::new();
            let mut highlighted = serde_json::Map::new();
            let explained_any = explanation.is_some_and(|e| e.iter().any(|w| !w.is_empty()));
            let offsets = explained_any.then(|| CharOffsets::new(&c.text));
            if let (Some(per_label), Some(offsets)) = (explanation, &offsets) {
                for (name, why) in self.labels.names.iter().zip(per_label) {
                    if why.is_empty() {
                        continue;
                    }
                    let words = why
                        .highlights
                        .iter()
                        .map(|h| {
                            serde_json::json!({
                                "word": c.text.get(h.start..h.end).unwrap_or(""),
                                "start": offsets.of(h.start),
                                "end": offsets.of(h.end),
                                "contribution": round4(h.contribution),
                            })
                        })
                        .collect();
                    highlighted.insert(name.clone(), serde_json::Value::Array(words));
                    let list = why
                        .features
                        .iter()
                        .map(|k| {
                            serde_json::json!({
                                "feature": k.feature,
                                "contribution": round4(k.contribution),
                                "words": span_words(&c.text, &k.spans),
                                "spans": offsets.spans(&k.spans),
                            })
                        })
                        .collect();
                    explained.insert(name.clone(), serde_json::Value::Array(list));
                }
            }
            object.insert("explanation".into(), explained.into());
            object.insert("highlights".into(), highlighted.into());
        }
        serde_json::to_writer(&mut self.out, &serde_json::Value::Object(object))?;
        self.out.write_all(b"\n")
    }

    fn explanation_text(&self, text: &str, per_label: &[crate::model::LabelExplanation]) -> String {
        self.labels
            .names
            .iter()
            .zip(per_label)
            .filter(|(_, why)| !why.is_empty())
            .map(|(name, why)| format!("{name}: {}", format_explanation(text, why)))
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// A probability in [0, 1] as `d.dddd`, without going through float formatting (which
/// was a measurable share of CSV scoring time).
fn four_decimals(p: f32) -> [u8; 6] {
    let v = (f64::from(p.clamp(0.0, 1.0)) * 10_000.0).round() as u32;
    let digit = |d: u32| b'0' + (d % 10) as u8;
    [
        digit(v / 10_000),
        b'.',
        digit(v / 1000),
        digit(v / 100),
        digit(v / 10),
        digit(v),
    ]
}

fn round4(x: f32) -> f64 {
    (f64::from(x) * 10_000.0).round() / 10_000.0
}

/// `word +1.23, word +0.98; feature +0.123 ["word", ...], ...`: the highlighted words with
/// their shares of the log-odds (each word once, ignoring case, with the shares of all
/// its places), then the top features (see [`format_contributions`]).
pub fn format_explanation(text: &str, why: &crate::model::LabelExplanation) -> String {
    // A word met more than once ("They're ... they're") is listed once, with the shares
    // of all its places, so a word repeated a thousand times does not read "+0.00".
    let mut totals: Vec<(&str, f32)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for h in &why.highlights {
        let Some(word) = text.get(h.start..h.end) else {
            continue;
        };
        let i = *index.entry(word.to_lowercase()).or_insert_with(|| {
            totals.push((word, 0.0));
            totals.len() - 1
        });
        totals[i].1 += h.contribution;
    }
    totals.sort_by(|a, b| b.1.total_cmp(&a.1));
    let words: Vec<String> = totals
        .iter()
        .map(|(word, share)| format!("{word} +{share:.2}"))
        .collect();
    let features = format_contributions(text, &why.features);
    if words.is_empty() {
        features
    } else {
        format!("{}; {features}", words.join(", "))
    }
}

/// `feature +0.123 ["word", ...]`, comma separated: each feature, its push on the
/// log-odds, and the words of `text` it came from.
pub fn format_contributions(text: &str, contributions: &[crate::model::Contribution]) -> String {
    contributions
        .iter()
        .map(|k| {
            let words = span_words(text, &k.spans);
            if words.is_empty() {
                format!("{} +{:.3}", k.feature, k.contribution)
            } else {
                format!("{} +{:.3} {:?}", k.feature, k.contribution, words)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The distinct words of `text` the spans point at (invalid spans are skipped).
pub fn span_words(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    spans
        .iter()
        .filter_map(|&(start, end)| text.get(start..end))
        .filter(|w| seen.insert(*w))
        .map(str::to_string)
        .collect()
}

/// Byte offsets of one text as character offsets (Unicode scalar values, as Python and
/// most JSON consumers index strings). Built in one pass, so converting the many spans of
/// a long comment's explanation costs a binary search each, not a recount.
pub struct CharOffsets {
    /// The byte offset of every character, in order.
    starts: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    /// The character positions of `text`.
    pub fn new(text: &str) -> Self {
        Self {
            starts: text.char_indices().map(|(i, _)| i).collect(),
            len: text.len(),
        }
    }

    /// The character offset of byte offset `byte`, if it is a character boundary.
    pub fn of(&self, byte: usize) -> Option<usize> {
        if byte == self.len {
            return Some(self.starts.len());
        }
        self.starts.binary_search(&byte).ok()
    }

    /// The byte ranges `spans` as `[start, end)` character offsets; ranges that do not
    /// fall on character boundaries are skipped.
    pub fn spans(&self, spans: &[(usize, usize)]) -> Vec<[usize; 2]> {
        spans
            .iter()
            .filter(|&&(start, end)| start <= end)
            .filter_map(|&(start, end)| Some([self.of(start)?, self.of(end)?]))
            .collect()
    }
}

/// Writes one CSV record with proper quoting.
fn write_csv_record<'a>(
    out: &mut dyn Write,
    fields: impl Iterator<Item = &'a str>,
) -> io::Result<()> {
    let mut first = true;
    for field in fields {
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        write_csv_field(out, field)?;
    }
    out.write_all(b"\n")
}

/// Writes one CSV field, quoted (with inner quotes doubled) when it holds a comma, a
/// quote or a line break.
fn write_csv_field<W: Write + ?Sized>(out: &mut W, field: &str) -> io::Result<()> {
    let bytes = field.as_bytes();
    if !needs_csv_quotes(bytes) {
        return out.write_all(bytes);
    }
    out.write_all(b"\"")?;
    let mut rest = bytes;
    while let Some(q) = memchr::memchr(b'"', rest) {
        out.write_all(&rest[..=q])?;
        out.write_all(b"\"")?;
        rest = &rest[q + 1..];
    }
    out.write_all(rest)?;
    out.write_all(b"\"")
}

/// Whether a CSV field must be quoted: it holds a comma, a quote, or a line break.
#[inline]
fn needs_csv_quotes(bytes: &[u8]) -> bool {
    // Ids, authors and flags are short: a plain loop beats two `memchr` calls' set-up.
    if bytes.len() < 32 {
        return bytes
            .iter()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    }
    memchr::memchr3(b',', b'"', b'\n', bytes).is_some() || memchr::memchr(b'\r', bytes).is_some()
}

/// How the score table looks.
#[derive(Debug, Clone, Copy)]
pub struct TableStyle {
    /// Terminal width in columns.
    pub width: usize,
    /// Use ANSI colors.
    pub color: bool,
    /// Show only flagged comments.
    pub flagged_only: bool,
}

/// How bad a thread is: flagged comments, then the highest score relative to its threshold.
fn badness(scored: &ScoredThread, labels: &LabelSet) -> (usize, f32) {
    let flagged = scored
        .scores
        .iter()
        .filter(|s| !labels.flags(s).is_empty())
        .count();
    let worst = scored
        .scores
        .iter()
        .flat_map(|s| {
            s.iter()
                .zip(&labels.thresholds)
                .map(|(p, t)| p / t.max(1e-6))
        })
        .fold(0.0f32, f32::max);
    (flagged, worst)
}

/// Orders threads worst first (stable for ties).
pub fn sort_worst_first(threads: &mut [ScoredThread], labels: &LabelSet) {
    threads.sort_by(|a, b| {
        let (fa, wa) = badness(a, labels);
        let (fb, wb) = badness(b, labels);
        fb.cmp(&fa).then(wb.total_cmp(&wa))
    });
}

/// Writes the score table: threads worst first, each with a summary line, then its
/// comments indented by depth, flagged ones highlighted, with explanations when present.
pub fn write_scored_table(
    out: &mut dyn Write,
    threads: &[ScoredThread],
    labels: &LabelSet,
    style: TableStyle,
) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if style.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut totals = vec![0usize; labels.names.len()];
    let mut comments = 0;
    for scored in threads {
        let thread = &scored.thread;
        let mut per_label = vec![0usize; labels.names.len()];
        for scores in &scored.scores {
            for l in labels.flagged(scores) {
                per_label[l] += 1;
            }
        }
        for (t, n) in totals.iter_mut().zip(&per_label) {
            *t += n;
        }
        comments += thread.comments.len();
        let title = terminal_safe(thread.title.as_deref().unwrap_or("(untitled)"));
        let heading = format!("{} — {title}", terminal_safe(&thread.id));
        writeln!(out, "{}", paint("1", &truncate(&heading, style.width)))?;
        let summary: Vec<String> = labels
            .names
            .iter()
            .zip(&per_label)
            .map(|(n, c)| format!("{c} {n}"))
            .collect();
        writeln!(
            out,
            "  {} comment{} · {}",
            thread.comments.len(),
            plural(thread.comments.len()),
            summary.join(" · ")
        )?;
        for (i, c) in thread.comments.iter().enumerate() {
            let scores = scored.scores.get(i).unwrap_or(&[]);
            let flags = labels.flags(scores);
            if style.flagged_only && flags.is_empty() {
                continue;
            }
            let indent = indentation(c.depth);
            let score_text: Vec<String> = labels
                .names
                .iter()
                .zip(scores)
                .map(|(n, s)| format!("{n} {s:.2}"))
                .collect();
            let marker = if flags.is_empty() {
                "  ".to_string()
            } else {
                paint("1;31", "! ")
            };
            writeln!(
                out,
                "{indent}{marker}{}{} · {}",
                depth_marker(c.depth),
                comment_heading(c),
                score_text.join(" · ")
            )?;
            let room = style.width.saturating_sub(indent.len() + 4).max(20);
            let body = truncate(&text_line(&c.text), room);
            let body = if flags.is_empty() {
                body
            } else {
                paint("31", &body)
            };
            writeln!(out, "{indent}    {body}")?;
            if let Some(per_label) = scored.explanations.get(i) {
                for (name, explanation) in labels.names.iter().zip(per_label) {
                    if !explanation.is_empty() {
                        let why = truncate(
                            &terminal_safe(&format_explanation(&c.text, explanation)),
                            room.saturating_sub(name.len() + 6),
                        );
                        writeln!(
                            out,
                            "{indent}    {} {why}",
                            paint("2", &format!("why {name}:"))
                        )?;
                    }
                }
            }
        }
        writeln!(out)?;
    }
    let totals: Vec<String> = labels
        .names
        .iter()
        .zip(&totals)
        .map(|(n, c)| format!("{c} {n}"))
        .collect();
    writeln!(
        out,
        "{} thread{}, {comments} comment{}: {}",
        threads.len(),
        plural(threads.len()),
        plural(comments),
        totals.join(", ")
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LabelExplanation;

    #[test]
    fn csv_fields_are_quoted_when_they_hold_a_separator_at_any_length() {
        let written = |field: &str| {
            let mut out = Vec::new();
            write_csv_field(&mut out, field).unwrap();
            String::from_utf8(out).unwrap()
        };
        // Short fields take the plain loop, long ones `memchr`: the same rule for both.
        for pad in ["", &"x".repeat(40)] {
            for special in [",", "\"", "\n", "\r"] {
                let field = format!("{pad}a{special}b");
                let quoted = format!("\"{}\"", field.replace('"', "\"\""));
                assert_eq!(written(&field), quoted, "{field:?}");
            }
            let plain = format!("{pad}a;b c'd");
            assert_eq!(written(&plain), plain);
        }
        assert_eq!(written(""), "");
    }

    #[test]
    fn explanations_list_each_highlighted_word_once_with_all_its_shares_then_the_features() {
        use crate::model::{Contribution, Highlight};
        let text = "They're wrong, they're liars";
        let at = |w: &str, from: usize| {
            let start = from + text[from..].find(w).unwrap();
            (start, start + w.len())
        };
        let (l0, l1) = at("liars", 0);
        let (t0, t1) = at("They're", 0);
        let (u0, u1) = at("they're", 1);
        let highlight = |(start, end): (usize, usize), contribution| Highlight {
            start,
            end,
            contribution,
        };
        let why = LabelExplanation {
            highlights: vec![
                highlight((l0, l1), 2.0),
                highlight((t0, t1), 1.25),
                highlight((u0, u1), 1.25),
            ],
            features: vec![Contribution {
                feature: "w:liar".to_string(),
                contribution: 1.5,
                spans: vec![(l0, l1)],
            }],
        };
        // "They're" and "they're" are one word, with both places' shares.
        assert_eq!(
            format_explanation(text, &why),
            r#"They're +2.50, liars +2.00; w:liar +1.500 ["liars"]"#
        );
        let features_only = LabelExplanation {
            highlights: Vec::new(),
            ..why
        };
        assert_eq!(
            format_explanation(text, &features_only),
            r#"w:liar +1.500 ["liars"]"#
        );
    }

    #[test]
    fn char_spans_count_characters_not_bytes() {
        let text = "Café idiot, naïve clown";
        let idiot = text.find("idiot").unwrap();
        let clown = text.find("clown").unwrap();
        let offsets = CharOffsets::new(text);
        let spans = offsets.spans(&[(idiot, idiot + 5), (clown, clown + 5)]);
        assert_eq!(spans, [[5, 10], [18, 23]]);
        let chars: Vec<char> = text.chars().collect();
        let words: Vec<String> = spans
            .iter()
            .map(|[s, e]| chars[*s..*e].iter().collect())
            .collect();
        assert_eq!(words, ["idiot", "clown"]);
        // A range inside a character or past the end is skipped, not guessed.
        assert!(offsets.spans(&[(4, 5), (20, 99)]).is_empty());
        assert_eq!((offsets.of(4), offsets.of(text.len())), (None, Some(23)));
    }

    #[test]
    fn scores_keep_each_comments_probabilities_in_order() {
        let mut scores = Scores::with_capacity(2, 2);
        assert!(scores.is_empty());
        scores.push(&[0.1, 0.9]);
        scores.push(&[0.7, 0.2]);
        assert_eq!(scores.len(), 2);
        assert_eq!(scores.get(1), Some(&[0.7, 0.2][..]));
        assert_eq!(scores.get(2), None);
        let all: Vec<&[f32]> = scores.iter().collect();
        assert_eq!(all, vec![&[0.1, 0.9][..], &[0.7, 0.2][..]]);
        assert_eq!(scores.iter().len(), 2);
        // Collected from per-comment vectors, the number of labels comes from the first.
        let collected: Scores = vec![vec![0.5, 0.6, 0.7], vec![0.1, 0.2, 0.3]]
            .into_iter()
            .collect();
        assert_eq!(collected.get(1), Some(&[0.1, 0.2, 0.3][..]));
        assert_eq!(Scores::default().iter().count(), 0);
    }

    /// A scored part of thread `id` from `source`, one comment per `(comment id, parent)`.
    fn part(source: &str, id: &str, comments: &[(&str, Option<&str>)]) -> ScoredThread {
        let comments: Vec<Comment> = comments
            .iter()
            .map(|&(c, parent)| Comment {
                id: c.to_string(),
                parent_id: parent.map(str::to_string),
                text: c.to_string(),
                ..Comment::default()
            })
            .collect();
        let scores = comments.iter().map(|_| vec![0.1, 0.2]).collect();
        let explanations = comments
            .iter()
            .map(|_| vec![LabelExplanation::default(), LabelExplanation::default()])
            .collect();
        ScoredThread {
            thread: Thread {
                id: id.to_string(),
                source: source.to_string(),
                comments,
                ..Thread::default()
            },
            scores,
            explanations,
        }
    }

    #[test]
    fn table_threads_put_the_parts_of_each_thread_together() {
        let mut table = TableThreads::default();
        table.push(part("a.csv", "t", &[("1", None), ("2", Some("1"))]));
        table.push(part("a.csv", "u", &[("9", None)]));
        table.push(part("b.csv", "t", &[("1", None)]));
        let mut later = part("a.csv", "t", &[("3", Some("2"))]);
        later.explanations.clear();
        later.thread.title = Some("Title".to_string());
        table.push(later);
        table.push(part("a.csv", "t", &[("4", Some("3"))]));
        let threads = table.into_threads();
        let shown: Vec<(&str, &str, usize)> = threads
            .iter()
            .map(|s| {
                (
                    s.thread.source.as_str(),
                    s.thread.id.as_str(),
                    s.scores.len(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [("a.csv", "t", 4), ("a.csv", "u", 1), ("b.csv", "t", 1)]
        );
        let t = &threads[0];
        let ids: Vec<&str> = t.thread.comments.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4"]);
        let depths: Vec<usize> = t.thread.comments.iter().map(|c| c.depth).collect();
        assert_eq!(depths, [0, 1, 2, 3], "depths over the whole thread");
        assert_eq!(t.thread.title.as_deref(), Some("Title"));
        assert_eq!(t.scores.get(3), Some(&[0.1, 0.2][..]));
        // The part without explanations keeps the later ones with their comments.
        assert_eq!(t.explanations.len(), 4);
        assert!(t.explanations[2].is_empty());
        assert_eq!(t.explanations[3].len(), 2);
    }

    #[test]
    fn four_decimals_formats_like_fixed_point() {
        let text = |p: f32| String::from_utf8(four_decimals(p).to_vec()).unwrap();
        assert_eq!(text(0.0), "0.0000");
        assert_eq!(text(1.0), "1.0000");
        assert_eq!(text(0.12344), "0.1234");
        assert_eq!(text(0.99996), "1.0000");
        assert_eq!(text(0.5), "0.5000");
        assert_eq!(text(0.0421), "0.0421");
        for p in [0.0001f32, 0.3333, 0.6180, 0.9999] {
            assert_eq!(text(p), format!("{p:.4}"));
        }
    }

    #[test]
    fn terminal_safe_escapes_what_a_terminal_would_act_on() {
        assert!(matches!(
            terminal_safe("plain «text» 日本"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            terminal_safe("a\x1b[2Jb\x07c\x7fd\u{9b}e"),
            "a\\x1b[2Jb\\x07c\\x7fd\\x9be"
        );
        assert_eq!(terminal_safe("two\nlines\r\tx"), "two\\nlines\\r\\tx");
        assert_eq!(
            terminal_safe("\u{202e}abc\u{2066}\u{2069}\u{2028}"),
            "\\u{202e}abc\\u{2066}\\u{2069}\\u{2028}"
        );
        // Text rows collapse whitespace first, then escape what is left.
        assert_eq!(
            text_line("hi \x1b]0;pwned\x07\n\nthere"),
            "hi \\x1b]0;pwned\\x07 there"
        );
    }

    #[test]
    fn comment_heading_is_one_safe_line() {
        let c = Comment {
            id: "1\x1b".to_string(),
            author: Some("evil\nname\x1b[2J".to_string()),
            parent_author: Some("\u{202e}you".to_string()),
            timestamp: Some("2024-01-01T10:00\x07".to_string()),
            ..Comment::default()
        };
        let heading = comment_heading(&c);
        assert_eq!(
            heading,
            "evil\\nname\\x1b[2J → \\u{202e}you · 2024-01-01 10:00\\x07 · 1\\x1b"
        );
        assert!(!heading.chars().any(is_unsafe_on_terminal));
    }

    #[test]
    fn indentation_stops_growing_and_deeper_comments_show_their_depth() {
        assert_eq!(indentation(0), "  ");
        assert_eq!(indentation(2), "      ");
        assert_eq!(
            indentation(MAX_INDENT_DEPTH).len(),
            2 * MAX_INDENT_DEPTH + 2
        );
        assert_eq!(indentation(431), indentation(MAX_INDENT_DEPTH));
        assert_eq!(indentation(usize::MAX), indentation(MAX_INDENT_DEPTH));
        assert_eq!(depth_marker(MAX_INDENT_DEPTH), "");
        assert_eq!(depth_marker(431), "[depth 431] ");
    }

    #[test]
    fn truncate_counts_terminal_columns() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
        // A flag is one grapheme of two columns: kept whole or cut whole.
        assert_eq!(display_width("🇺🇸🇺🇸x"), 5);
        assert_eq!(truncate("🇺🇸🇺🇸x", 4), "🇺🇸…");
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
    }
}
