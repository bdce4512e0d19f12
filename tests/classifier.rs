//! The classifier end to end: train on a small fixture, score, explain, evaluate, inspect,
//! and every kind of bad input to train, eval and score.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const LABELS: &str = "tests/fixtures/train/small_labels.csv";
const TO_SCORE: &str = "tests/fixtures/train/to_score.csv";

fn threadguard() -> Command {
    Command::cargo_bin("threadguard").unwrap()
}

/// Trains a model on the fixture into `dir` and returns its path.
fn train_fixture(dir: &Path) -> PathBuf {
    let model = dir.join("m.tgm");
    threadguard()
        .args(["train", LABELS, "--out"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("abusive"))
        .stdout(predicate::str::contains("ROC-AUC"))
        .stdout(predicate::str::contains("top features"));
    model
}

fn csv_rows(output: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(output);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    (header, reader.records().map(|r| r.unwrap()).collect())
}

#[test]
fn train_then_score_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture(dir.path());
    let out = threadguard()
        .args(["score", TO_SCORE, "--format", "csv", "--model"])
        .arg(&model)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let (header, rows) = csv_rows(&out);
    assert_eq!(
        header,
        [
            "thread_id",
            "comment_id",
            "parent_id",
            "author",
            "abusive",
            "conspiratorial",
            "flags",
            "text"
        ]
    );
    assert_eq!(rows.len(), 3);
    let score = |r: usize, c: usize| rows[r][c].parse::<f64>().unwrap();
    assert_eq!(&rows[0][1], "s1", "comment_id is the input's id");
    assert!(
        score(0, 4) > score(1, 4) + 0.2,
        "insult scores above clean text for abusive"
    );
    assert!(
        score(2, 5) > score(1, 5) + 0.2,
        "plot talk scores above clean text for conspiratorial"
    );
    assert!(rows[0][6].split(';').any(|f| f == "abusive"));
    assert!(rows[2][6].split(';').any(|f| f == "conspiratorial"));
    assert_eq!(&rows[1][6], "", "the clean comment is not flagged");
    // Scores have four decimals.
    assert_eq!(rows[0][4].split('.').nth(1).map(str::len), Some(4));
}

#[test]
fn explain_points_at_the_words() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture(dir.path());
    let out = threadguard()
        .args([
            "score",
            TO_SCORE,
            "--format",
            "jsonl",
            "--explain",
            "--flagged-only",
            "--model",
        ])
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "only the two flagged comments");
    let first = &lines[0];
    assert_eq!(first["comment_id"], "s1");
    let why = first["explanation"]["abusive"].as_array().unwrap();
    assert!(!why.is_empty());
    let words: Vec<&str> = why
        .iter()
        .flat_map(|c| {
            c["words"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap())
        })
        .collect();
    assert!(
        words.iter().any(|w| *w == "idiot" || *w == "clown"),
        "{words:?}"
    );
    // Each feature's spans are character offsets of the words it lists.
    let text: Vec<char> = first["text"].as_str().unwrap().chars().collect();
    for c in why {
        let at: Vec<String> = c["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|span| {
                let (s, e) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
                text[s as usize..e as usize].iter().collect()
            })
            .collect();
        let listed: Vec<&str> = c["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        for w in &at {
            assert!(listed.contains(&w.as_str()), "{at:?} vs {listed:?}");
        }
        assert_eq!(at.is_empty(), listed.is_empty(), "{c}");
    }
    assert!(
        why.iter()
            .all(|c| c["contribution"].as_f64().unwrap() > 0.0)
    );
    // The highlighted words: an insult first, each at its character offsets.
    let highlights = first["highlights"]["abusive"].as_array().unwrap();
    assert!(!highlights.is_empty());
    let strongest = highlights[0]["word"].as_str().unwrap();
    assert!(["idiot", "clown"].contains(&strongest), "{highlights:?}");
    for h in highlights {
        let (s, e) = (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap());
        let at: String = text[s as usize..e as usize].iter().collect();
        assert_eq!(at, h["word"].as_str().unwrap());
        assert!(h["contribution"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn eval_and_model_show() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture(dir.path());
    threadguard()
        .args(["eval", LABELS, "--model"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("80 labeled rows"))
        .stdout(predicate::str::contains("confusion at threshold"));
    threadguard()
        .args(["model", "show"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("format version 1"))
        .stdout(predicate::str::contains(
            "small_labels.csv · 80 rows · sha256 ",
        ))
        .stdout(predicate::str::contains("conspiratorial · threshold"));
}

#[test]
fn table_lists_worst_thread_first() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture(dir.path());
    let out = threadguard()
        .args(["score", TO_SCORE, "--format", "table", "--model"])
        .arg(&model)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("2 threads, 3 comments"));
    assert!(table.contains("! "), "flagged comments are marked");
}

#[test]
fn labels_csv_without_a_label_column_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nolabel.csv");
    std::fs::write(&path, "id,text,abusive\n1,hi,0\n2,you idiot,1\n").unwrap();
    threadguard()
        .arg("train")
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains("nolabel.csv"))
        .stderr(predicate::str::contains("conspiratorial"));
}

#[test]
fn label_value_other_than_0_1_or_empty_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "id,text,abusive\n1,hi,0\n2,you idiot,yes\n").unwrap();
    threadguard()
        .arg("train")
        .arg(&path)
        .args(["--labels", "abusive"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.csv:3"))
        .stderr(predicate::str::contains("yes"));
}

#[test]
fn single_class_label_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.csv");
    std::fs::write(&path, "id,text,abusive\n1,hi,0\n2,hello,0\n3,good day,\n").unwrap();
    threadguard()
        .arg("train")
        .arg(&path)
        .args(["--labels", "abusive"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "single class (0 positive, 2 negative rows)",
        ));
}

#[test]
fn model_of_another_version_or_corrupt_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture(dir.path());
    let bytes = std::fs::read(&model).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let newer = dir.path().join("v99.tgm");
    std::fs::write(
        &newer,
        text.replacen("\"format_version\":1", "\"format_version\":99", 1),
    )
    .unwrap();
    threadguard()
        .args(["score", TO_SCORE, "--model"])
        .arg(&newer)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "format version 99 is not supported",
        ));
    let cut = dir.path().join("cut.tgm");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    threadguard()
        .args(["score", TO_SCORE, "--model"])
        .arg(&cut)
        .assert()
        .failure()
        .stderr(predicate::str::contains("corrupt or cut short"));
    let junk = dir.path().join("junk.tgm");
    std::fs::write(&junk, "hello\n").unwrap();
    threadguard()
        .args(["model", "show"])
        .arg(&junk)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a threadguard model file"));
}

#[test]
fn empty_input_to_score_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    threadguard()
        .arg("score")
        .arg(&empty)
        .assert()
        .failure()
        .stderr(predicate::str::contains("empty file"));
}

#[test]
fn train_writes_nothing_when_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never.tgm");
    let path = dir.path().join("one.csv");
    std::fs::write(&path, "text,abusive,conspiratorial\nhi,0,0\n").unwrap();
    threadguard()
        .arg("train")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    assert!(!out.exists());
}

#[test]
fn ngram_range_flags_are_checked() {
    threadguard()
        .args(["train", LABELS, "--char-ngrams", "5-2"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("MIN is larger than MAX"));
    threadguard()
        .args(["train", LABELS, "--word-ngrams", "one-two"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("expected MIN-MAX"));
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("words.tgm");
    threadguard()
        .args(["train", LABELS, "--char-ngrams", "0-0", "--out"])
        .arg(&model)
        .assert()
        .success();
    threadguard()
        .args(["model", "show"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"char_ngram_range\":[0,0]"))
        .stdout(predicate::str::contains("c:").not());
}

#[test]
fn degenerate_feature_settings_are_errors() {
    threadguard()
        .args(["train", LABELS, "--top-k", "0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--top-k must be at least 1"));
    threadguard()
        .args(["train", LABELS, "--min-df", "1000"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("lower --min-df"));
    threadguard()
        .args([
            "train",
            LABELS,
            "--word-ngrams",
            "0-0",
            "--char-ngrams",
            "0-0",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("leave no n-gram features"));
    // Zero iterations would write the untrained (all-zero) weights as a model.
    threadguard()
        .args(["train", LABELS, "--max-iter", "0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--max-iter"));
    for q in ["1.5", "-0.1", "NaN"] {
        threadguard()
            .args(["train", LABELS, &format!("--norm-floor={q}")])
            .assert()
            .failure()
            .stderr(predicate::str::contains("--norm-floor must be from 0 to 1"));
    }
}

/// What `threadguard model show` prints for `model`.
fn model_card(model: &Path) -> String {
    let out = threadguard()
        .args(["model", "show"])
        .arg(model)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_norm_floor_is_learned_from_the_training_texts_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let plain = train_fixture(dir.path());
    let floored = dir.path().join("floored.tgm");
    threadguard()
        .args(["train", LABELS, "--norm-floor", "0.5", "--out"])
        .arg(&floored)
        .assert()
        .success();
    let floor_of = |model: &Path| -> Vec<f64> {
        let config = model_card(model)
            .lines()
            .find_map(|l| l.split_once("config "))
            .map(|(_, json)| serde_json::from_str::<serde_json::Value>(json).unwrap())
            .unwrap();
        config["norm_floor"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    assert_eq!(floor_of(&plain), [0.0, 0.0]);
    let floor = floor_of(&floored);
    assert!(floor.iter().all(|&f| f > 0.0), "{floor:?}");
}

#[test]
fn characters_weighted_per_word_are_stored_and_the_model_scores() {
    let dir = tempfile::tempdir().unwrap();
    let plain = train_fixture(dir.path());
    let by_word = dir.path().join("by_word.tgm");
    threadguard()
        .args(["train", LABELS, "--char-by-word", "--out"])
        .arg(&by_word)
        .assert()
        .success();
    threadguard()
        .args(["train", LABELS, "--char-by-word", "--no-block-norm"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--char-by-word needs the two blocks normalized apart; drop --no-block-norm",
        ));
    let (plain_card, by_word_card) = (model_card(&plain), model_card(&by_word));
    assert!(plain_card.contains("format version 1 "), "{plain_card}");
    assert!(
        plain_card.contains("\"char_by_word\":false"),
        "{plain_card}"
    );
    assert!(by_word_card.contains("format version 2 "), "{by_word_card}");
    assert!(
        by_word_card.contains("\"char_by_word\":true"),
        "{by_word_card}"
    );
    threadguard()
        .args(["score", TO_SCORE, "--format", "csv", "--model"])
        .arg(&by_word)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "thread_id,comment_id,parent_id,author,abusive,conspiratorial,flags,text",
        ));
}

#[test]
fn training_on_a_full_disk_fails_clearly_and_keeps_the_old_model() {
    let Some(disk) = common::SmallDisk::mount(64) else {
        return;
    };
    let model = disk.path().join("m.tgm");
    threadguard()
        .args(["train", LABELS, "--top-k", "40", "--out"])
        .arg(&model)
        .assert()
        .success();
    let old = std::fs::read(&model).unwrap();
    disk.fill();
    let files = disk.files();
    threadguard()
        .args(["train", LABELS, "--top-k", "60", "--out"])
        .arg(&model)
        .assert()
        .failure()
        .stderr(predicate::str::contains("m.tgm").and(predicate::str::contains("No space left")));
    assert_eq!(std::fs::read(&model).unwrap(), old);
    assert_eq!(disk.files(), files, "no temporary file left behind");
}

#[test]
fn a_labels_file_with_a_new_label_column_and_a_cut_last_row_still_trains() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.csv");
    // The fixture with a `sarcastic` label column added after `conspiratorial`, and its
    // last row cut in half by a crash.
    let mut reader = csv::Reader::from_path(LABELS).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = header.iter().position(|h| h == "conspiratorial").unwrap() + 1;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let widen = |record: &csv::StringRecord, extra: &str| {
        let mut fields: Vec<String> = record.iter().map(String::from).collect();
        fields.insert(at, extra.to_string());
        fields
    };
    writer.write_record(widen(&header, "sarcastic")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    for (i, row) in rows.iter().enumerate() {
        writer
            .write_record(widen(row, ["1", "0", ""][i % 3]))
            .unwrap();
    }
    let mut bytes = writer.into_inner().unwrap();
    let last_row = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    bytes.truncate(last_row + (bytes.len() - last_row) / 2);
    std::fs::write(&labels, &bytes).unwrap();
    let model = dir.path().join("m.tgm");
    threadguard()
        .arg("train")
        .arg(&labels)
        .arg("--out")
        .arg(&model)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "labels.csv:{}: skipped a partial row",
            rows.len() + 1
        )));
    threadguard()
        .args(["score", TO_SCORE, "--model"])
        .arg(&model)
        .assert()
        .success();
}

#[test]
fn model_card_records_input_weights_and_calibration_files() {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("extra.csv");
    std::fs::copy(LABELS, &extra).unwrap();
    let extra_arg = extra.to_str().unwrap();
    let model = dir.path().join("weighted.tgm");
    threadguard()
        .args(["train", LABELS, extra_arg, "--weight"])
        .arg(format!("{extra_arg}=3"))
        .args(["--calibrate-on", extra_arg, "--out"])
        .arg(&model)
        .assert()
        .success();
    let card = threadguard()
        .args(["model", "show"])
        .arg(&model)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let card = String::from_utf8(card).unwrap();
    let escaped = serde_json::to_string(extra_arg).unwrap();
    assert!(
        card.contains(&format!("\"weights\":{{{escaped}:3}}")),
        "{card}"
    );
    assert!(
        card.contains(&format!("\"calibrate_on\":[{escaped}]")),
        "{card}"
    );

    let plain = train_fixture(dir.path());
    threadguard()
        .args(["model", "show"])
        .arg(&plain)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"weights\"").not())
        .stdout(predicate::str::contains("\"calibrate_on\"").not());
}
