//! Batch labeling: decisions read from lines of text instead of keys, for scripts and
//! tests.
//!
//! One decision per line, `<comment_id>,<labels>`:
//!
//! ```text
//! # abusive = 1, every other label = 0
//! a1,abusive
//! # both
//! a2,abusive;conspiratorial
//! # clean: every label 0
//! a3,
//! # a skip row (decided, no label)
//! a4,skip
//! # an undo row: a1 is undecided again
//! a1,undo
//! ```
//!
//! (A note after a decision would be read as part of its labels: notes go on lines of
//! their own.)
//!
//! A skip never erases labels: for a comment whose current decision (by this annotator,
//! in the file or earlier in the run) carries labels, `skip` writes nothing and the
//! labels stay. `undo` is what clears them.
//!
//! The id is everything before the last comma, so ids may contain commas and may start
//! with `#` (`#7,abusive`). Blank lines, a lone `#` and lines starting with `#` and a
//! space or tab (`# a note`) are comments, ignored. Lines are applied in order and each
//! row is saved before the next line is read: the first bad line (unknown id or label,
//! invalid UTF-8) stops the run with an error naming its line, and everything before it
//! stays saved.
//!
//! # Acknowledgements
//!
//! Once a line's row is written and synced to disk, `ack` is called with the line number
//! and the line (trimmed). The CLI prints `ok <line> <line text>` to standard output for
//! each, so a script that is interrupted (or a process that is killed) knows exactly
//! which decisions are durable: every acknowledged line is in the file, and at most the
//! one line after the last acknowledgement may be in the file without one.

use super::{Counts, Item, Recorder};
use crate::error::{Error, Location, Result, clip};
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

/// What one batch line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A decision: one value per label.
    Decide(Vec<bool>),
    /// A skip row.
    Skip,
    /// An undo row.
    Undo,
}

/// Parses the part after the comma: `skip`, `undo`, or labels joined by `;` (empty =
/// clean). Errors name the unknown label and list the known ones.
pub fn parse_command(spec: &str, labels: &[String]) -> std::result::Result<Command, String> {
    let spec = spec.trim();
    match spec {
        "skip" => return Ok(Command::Skip),
        "undo" => return Ok(Command::Undo),
        _ => {}
    }
    let mut values = vec![false; labels.len()];
    for name in spec.split(';').map(str::trim).filter(|n| !n.is_empty()) {
        let index = labels.iter().position(|l| l == name).ok_or_else(|| {
            format!(
                "unknown label `{}` (labels: {}; or `skip`, `undo`, empty for clean)",
                clip(name),
                labels.join(", ")
            )
        })?;
        values[index] = true;
    }
    Ok(Command::Decide(values))
}

/// Whether a (trimmed) line is a comment: a lone `#`, or `#` and then whitespace
/// (`# a1,abusive`). A `#` right before other text starts an id (`#7,abusive`).
fn is_comment(line: &str) -> bool {
    line.strip_prefix('#')
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// What a batch line did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Its row was written and synced.
    Written,
    /// A `skip` of a comment whose current decision carries labels: nothing was written
    /// and the labels stay (see the module docs).
    KeptLabels,
}

/// Applies the decisions of `input` (named `input_name` in errors) about `items`,
/// writing each with `recorder` and calling `ack` with the line number, the line's text
/// and what it did once it is durable. `labeled` holds the ids whose current decision
/// by the recorder's annotator, before the run, carries labels (a skip leaves those
/// alone). Returns the rows written.
pub fn run(
    items: &[Item],
    labels: &[String],
    recorder: &mut Recorder,
    mut labeled: HashSet<String>,
    input: impl BufRead,
    input_name: &str,
    mut ack: impl FnMut(u64, &str, Applied) -> Result<()>,
) -> Result<Counts> {
    let by_id: HashMap<&str, &Item> = items.iter().map(|i| (i.id.as_str(), i)).collect();
    // Split on bytes, not `lines()`, so that invalid UTF-8 is an error naming its line.
    for (index, bytes) in input.split(b'\n').enumerate() {
        let number = u64::try_from(index + 1).unwrap_or(u64::MAX);
        let at = || Location::line(input_name, number);
        let bytes = bytes.map_err(|e| Error::io(input_name, e))?;
        let saved = recorder.counts().rows();
        let fail = |message: String| {
            Error::input(
                at(),
                format!("{message}; the {saved} rows before this line are saved"),
            )
        };
        let line = std::str::from_utf8(&bytes)
            .map_err(|_| fail("not valid UTF-8".to_string()))?
            .trim();
        if line.is_empty() || is_comment(line) {
            continue;
        }
        let Some((id, spec)) = line.rsplit_once(',') else {
            let msg = format!("expected `<comment_id>,<labels>`, got `{}`", clip(line));
            return Err(fail(msg));
        };
        let id = id.trim();
        let Some(item) = by_id.get(id) else {
            return Err(fail(format!(
                "unknown comment id `{}` (not in the inputs)",
                clip(id)
            )));
        };
        let applied = match parse_command(spec, labels).map_err(fail)? {
            Command::Decide(values) => {
                recorder.accept(item, &values)?;
                // A clean decision (every label 0) carries labels too.
                labeled.insert(item.id.clone());
                Applied::Written
            }
            Command::Skip if labeled.contains(&item.id) => Applied::KeptLabels,
            Command::Skip => {
                recorder.skip(item)?;
                Applied::Written
            }
            Command::Undo => {
                recorder.undo(&item.id)?;
                labeled.remove(&item.id);
                Applied::Written
            }
        };
        ack(number, line, applied)?;
    }
    Ok(recorder.counts())
}
