//! Checks shared by the fuzz targets. Every check panics on a broken invariant, which
//! libFuzzer reports as a crash.

use std::path::Path;
use threadguard::ingest::{self, Collected, InputFormat, tabular};
use threadguard::model::Model;
use threadguard::report::{self, OutputFormat};
use threadguard::text::{Tokenizer, Tokens};
use threadguard::thread::Thread;

/// Reads `bytes` as one input in `format` and, when that succeeds, checks the threads.
pub fn ingest(name: &str, bytes: &[u8], format: InputFormat) {
    let mut collected = Collected::default();
    let path = Path::new(name);
    if ingest::read_bytes(path, "fuzz", bytes, format, &mut collected).is_ok() {
        check_threads(&collected.threads);
        round_trip(&collected.threads);
    }
    for warning in &collected.warnings {
        assert!(!warning.to_string().contains('\n'), "multi-line warning");
    }
}

/// Every comment has an id, and depths stay below the number of comments.
pub fn check_threads(threads: &[Thread]) {
    for thread in threads {
        for comment in &thread.comments {
            assert!(!comment.id.is_empty(), "comment without id");
            assert!(
                comment.depth <= thread.comments.len(),
                "depth beyond the thread"
            );
        }
    }
}

/// The fields `parse --format csv` writes and reads back (depth is recomputed per chunk,
/// so it is left out).
type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn rows(threads: &[Thread]) -> Vec<Row> {
    threads
        .iter()
        .flat_map(|t| {
            t.comments.iter().map(|c| {
                (
                    t.id.clone(),
                    c.id.clone(),
                    c.parent_id.clone(),
                    c.author.clone(),
                    c.parent_author.clone(),
                    c.timestamp.clone(),
                    c.text.clone(),
                )
            })
        })
        .collect()
}

/// Parse, write CSV, parse again (with the streaming reader `parse` uses for a `.csv`
/// file): the same comments.
pub fn round_trip(threads: &[Thread]) {
    let mut csv = Vec::new();
    if report::write_parsed(&mut csv, threads, OutputFormat::Csv, 80).is_err() {
        panic!("writing parsed CSV to memory failed");
    }
    let before = rows(threads);
    if before.is_empty() {
        return;
    }
    let mut again = Collected::default();
    if let Err(e) = tabular::read_csv(Path::new("again.csv"), "again", csv.as_slice(), &mut again) {
        panic!("re-reading written CSV failed: {e}");
    }
    assert_eq!(
        before,
        rows(&again.threads),
        "parse -> CSV -> parse changed comments"
    );
}

/// Token spans are in order and on char boundaries of `text`.
pub fn check_tokens(text: &str) {
    let mut tokens = Tokens::new();
    Tokenizer::new().tokenize_into(text, &mut tokens);
    let mut previous = 0;
    for token in tokens.iter() {
        assert!(
            token.start <= token.end && token.end <= text.len(),
            "span out of the text"
        );
        assert!(
            text.is_char_boundary(token.start),
            "start not on a char boundary"
        );
        assert!(
            text.is_char_boundary(token.end),
            "end not on a char boundary"
        );
        assert!(token.start >= previous, "tokens out of order");
        assert!(!token.text.is_empty(), "empty token");
        previous = token.start;
    }
}

/// Scores `text` twice with a warm scorer and once with a fresh one: the same
/// probabilities each time, all in [0, 1]; explanation spans on char boundaries.
pub fn check_scores(model: &Model, text: &str) {
    let mut warm = model.scorer();
    let mut first = Vec::new();
    warm.score(text, &mut first);
    warm.score("warm up the caches with another text", &mut Vec::new());
    let mut second = Vec::new();
    warm.score(text, &mut second);
    let mut fresh = Vec::new();
    model.scorer().score(text, &mut fresh);
    assert_eq!(first.len(), model.labels.len());
    for p in &first {
        assert!((0.0..=1.0).contains(p), "probability {p} outside [0, 1]");
    }
    assert!(
        bits(&first) == bits(&second) && bits(&first) == bits(&fresh),
        "non-deterministic score"
    );
    for label in 0..model.labels.len() {
        for contribution in warm.explain(text, label, 5) {
            assert!(
                contribution.contribution.is_finite(),
                "non-finite contribution"
            );
            for &(start, end) in &contribution.spans {
                assert!(
                    start <= end && end <= text.len(),
                    "explanation span out of the text"
                );
                assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            }
        }
    }
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}
