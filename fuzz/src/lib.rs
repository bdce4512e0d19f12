//! What each fuzz target does with its input, and the checks they share. Every check
//! panics on a broken invariant, which libFuzzer reports as a crash.
//!
//! `tests/fuzz_regressions.rs` includes this file to replay the inputs kept in
//! `tests/fixtures/fuzz/<target>/` through the same functions on every `cargo test`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;
use threadguard::ingest::{self, Collected, InputFormat, tabular};
use threadguard::labels::{LabelLog, default_labels};
use threadguard::model::{Model, Scorer, file};
use threadguard::report::{self, OutputFormat};
use threadguard::text::{Tokenizer, Tokens};
use threadguard::thread::Thread;

/// Page dumps: the first byte picks blog, forum, article or detection; the rest is the page.
pub fn page_dump(data: &[u8]) {
    let Some((&selector, page)) = data.split_first() else {
        return;
    };
    let format = match selector % 4 {
        0 => InputFormat::Blog,
        1 => InputFormat::Forum,
        2 => InputFormat::Article,
        _ => InputFormat::Auto,
    };
    ingest("page.txt", page, format);
}

/// CSV exports, whole (`read_bytes`, which decodes BOMs and UTF-16 first) and streamed
/// (`tabular::read_csv`, as for a `.csv` file).
pub fn csv_export(data: &[u8]) {
    ingest("export.csv", data, InputFormat::Csv);
    let mut streamed = Collected::default();
    if tabular::read_csv(Path::new("export.csv"), "fuzz", data, &mut streamed).is_ok() {
        check_threads(&streamed.threads);
        round_trip(&streamed.threads);
    }
}

/// JSON Lines exports, whole and streamed.
pub fn jsonl_export(data: &[u8]) {
    ingest("export.jsonl", data, InputFormat::Jsonl);
    let mut streamed = Collected::default();
    if tabular::read_jsonl(Path::new("export.jsonl"), "fuzz", data, &mut streamed).is_ok() {
        check_threads(&streamed.threads);
        round_trip(&streamed.threads);
    }
}

/// The labels CSV reader: latest-wins leaves one row per (id, annotator).
pub fn labels_csv(data: &[u8]) {
    let Ok(log) = LabelLog::from_bytes(Path::new("labels.csv"), data, &default_labels()) else {
        return;
    };
    let mut keys = HashSet::new();
    for item in &log.latest {
        let d = &item.decision;
        assert_eq!(d.values.len(), 2);
        if !d.id.is_empty() {
            assert!(
                keys.insert((d.id.clone(), d.annotator.clone())),
                "two winning rows"
            );
        }
    }
    assert_eq!(log.rows_read, log.latest.len() + log.superseded);
    let _ = log.decided();
    let _ = log.labeled();
}

/// The shipped model, loaded once.
static MODEL: LazyLock<Model> = LazyLock::new(|| match threadguard::model::default_model() {
    Ok(model) => model,
    Err(e) => panic!("the embedded model does not load: {e}"),
});

thread_local! {
    /// Two long-lived scorers of the shipped model (creating them per input is slow).
    static SCORERS: std::cell::RefCell<(Scorer<'static>, Scorer<'static>)> =
        std::cell::RefCell::new((MODEL.scorer(), MODEL.scorer()));
}

/// Normalizing, tokenizing and scoring arbitrary text with the shipped model: two scorers
/// whose caches have seen different texts give the same probabilities, in [0, 1].
pub fn text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_tokens(&text);
    let _ = threadguard::text::normalize(&text);
    SCORERS.with_borrow_mut(|(a, b)| {
        let (mut first, mut second) = (Vec::new(), Vec::new());
        a.score(&text, &mut first);
        b.score(
            "another text to change what the caches hold",
            &mut Vec::new(),
        );
        b.score(&text, &mut second);
        check_probabilities(&first, MODEL.labels.len());
        assert!(bits(&first) == bits(&second), "non-deterministic score");
        check_explanations(a, &text, MODEL.labels.len());
    });
}

/// Texts every loaded model is tried on.
const TEXTS: [&str; 4] = [
    "",
    "You are an IDIOT!!! f*ck off",
    "the deep state staged it, wake up sheeple",
    "Thanks for the thoughtful article. https://example.com @bob 2017",
];

/// The model-file loader. An input starting with an even byte is taken as a model body
/// and given a valid header (so the body parser and validation are reached past the
/// checksum); any other input is loaded as a whole file. A model that loads must score
/// with probabilities in [0, 1] and save and load again.
pub fn model_file(data: &[u8]) {
    let bytes = match data.split_first() {
        Some((selector, body)) if selector % 2 == 0 => with_header(body),
        _ => data.to_vec(),
    };
    if let Ok(model) = file::from_bytes(Path::new("fuzz.tgm"), &bytes) {
        for text in TEXTS {
            check_scores(&model, text);
        }
        let again = file::to_bytes(&model).map(|b| file::from_bytes(Path::new("again.tgm"), &b));
        assert!(
            matches!(again, Ok(Ok(_))),
            "a loaded model does not save and load again"
        );
    }
}

/// `body` behind a valid header of the current format version.
fn with_header(body: &[u8]) -> Vec<u8> {
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let header = format!(
        "{{\"format\":\"{}\",\"format_version\":{},\"body_sha256\":\"{}\",\"body_bytes\":{}}}\n",
        file::FORMAT_NAME,
        file::FORMAT_VERSION,
        file::sha256_hex(body),
        body.len()
    );
    let mut bytes = header.into_bytes();
    bytes.extend_from_slice(body);
    bytes.push(b'\n');
    bytes
}

/// Reads `bytes` as one input in `format` and, when that succeeds, checks the threads.
fn ingest(name: &str, bytes: &[u8], format: InputFormat) {
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
fn check_threads(threads: &[Thread]) {
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
fn round_trip(threads: &[Thread]) {
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
fn check_tokens(text: &str) {
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
fn check_scores(model: &Model, text: &str) {
    let mut warm = model.scorer();
    let mut first = Vec::new();
    warm.score(text, &mut first);
    warm.score("warm up the caches with another text", &mut Vec::new());
    let mut second = Vec::new();
    warm.score(text, &mut second);
    let mut fresh = Vec::new();
    model.scorer().score(text, &mut fresh);
    check_probabilities(&first, model.labels.len());
    assert!(
        bits(&first) == bits(&second) && bits(&first) == bits(&fresh),
        "non-deterministic score"
    );
    check_explanations(&mut warm, text, model.labels.len());
}

/// One probability per label, each in [0, 1].
fn check_probabilities(probabilities: &[f32], labels: usize) {
    assert_eq!(probabilities.len(), labels);
    for p in probabilities {
        assert!((0.0..=1.0).contains(p), "probability {p} outside [0, 1]");
    }
}

/// Every label's explanation has finite contributions and spans on char boundaries, and
/// its highlighted words are distinct words of the text, strongest first.
fn check_explanations(scorer: &mut Scorer<'_>, text: &str, labels: usize) {
    for label in 0..labels {
        let why = scorer.explain(text, label, 5);
        for pair in why.highlights.windows(2) {
            assert!(
                pair[0].contribution >= pair[1].contribution,
                "highlights out of order"
            );
        }
        for (k, h) in why.highlights.iter().enumerate() {
            assert!(h.contribution.is_finite() && h.contribution > 0.0);
            assert!(
                h.start < h.end && h.end <= text.len(),
                "highlight out of the text"
            );
            assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
            assert!(
                why.highlights[..k]
                    .iter()
                    .all(|o| o.end <= h.start || o.start >= h.end),
                "overlapping highlights"
            );
        }
        for contribution in why.features {
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
