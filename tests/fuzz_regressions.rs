//! Replays the inputs kept from fuzzing (`tests/fixtures/fuzz/<target>/`: crashes found
//! and fixed, and a sample of each target's corpus) through the very functions the fuzz
//! targets run, with the same invariant checks. See `scripts/fuzz.sh`.

#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::path::Path;

/// Runs `check` on every file kept for `target`, naming the file that fails.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs kept in {}", dir.display());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        if std::panic::catch_unwind(|| check(&bytes)).is_err() {
            panic!("fuzz input {} fails again", file.display());
        }
    }
}

#[test]
fn page_dump_inputs() {
    replay("page_dump", fuzz::page_dump);
}

#[test]
fn csv_export_inputs() {
    replay("csv_export", fuzz::csv_export);
}

#[test]
fn jsonl_export_inputs() {
    replay("jsonl_export", fuzz::jsonl_export);
}

#[test]
fn labels_csv_inputs() {
    replay("labels_csv", fuzz::labels_csv);
}

#[test]
fn text_inputs() {
    replay("text", fuzz::text);
}

#[test]
fn model_file_inputs() {
    replay("model_file", fuzz::model_file);
}
