//! Commands that write a file never destroy an input or a non-file, take each setting
//! once, and fail when they had nothing to do.

use std::path::Path;
use std::process::{Command, Output};

const LABELS: &str = "tests/fixtures/train/small_labels.csv";

fn threadguard(args: &[&str]) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin("threadguard"))
        .args(args)
        .output()
        .expect("threadguard runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A copy of the fixture labels in a fresh directory.
fn copied_labels(dir: &Path) -> String {
    let path = dir.join("in.csv");
    std::fs::copy(LABELS, &path).expect("fixture copies");
    path.display().to_string()
}

#[test]
fn train_refuses_to_write_its_model_over_an_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = copied_labels(dir.path());
    let before = std::fs::read(&input).expect("input reads");
    let respelled = dir.path().join(".").join("in.csv");
    let out = threadguard(&["train", &input, "--out", &respelled.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("would destroy it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&input).expect("input reads"), before);
}

#[test]
fn import_refuses_to_write_over_its_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("d.csv");
    std::fs::copy("tests/fixtures/import/davidson.csv", &input).expect("fixture copies");
    let before = std::fs::read(&input).expect("input reads");
    let path = input.display().to_string();
    let out = threadguard(&["import", "--from", "davidson", &path, "--out", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(std::fs::read(&input).expect("input reads"), before);
}

#[test]
fn train_refuses_a_directory_as_its_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = copied_labels(dir.path());
    let sub = dir.path().join("models");
    std::fs::create_dir(&sub).expect("dir");
    let out = threadguard(&["train", &input, "--out", &sub.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    assert!(sub.is_dir());
}

#[test]
fn a_weight_given_twice_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = copied_labels(dir.path());
    let model = dir.path().join("m.tgm").display().to_string();
    let (first, second) = (format!("{input}=2"), format!("{input}=3"));
    let out = threadguard(&[
        "train", &input, "--out", &model, "--weight", &first, "--weight", &second,
    ]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("given twice"), "{}", stderr(&out));
    assert!(!Path::new(&model).exists());
}

#[test]
fn a_label_named_like_an_output_column_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = copied_labels(dir.path());
    let model = dir.path().join("m.tgm").display().to_string();
    let out = threadguard(&["train", &input, "--out", &model, "--labels", "flags"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--labels flags"), "{}", stderr(&out));
}

#[test]
fn eval_with_nothing_to_evaluate_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let header_only = dir.path().join("h.csv");
    std::fs::write(&header_only, "id,text,abusive,conspiratorial\n").expect("writes");
    let out = threadguard(&["eval", &header_only.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing evaluated"),
        "{}",
        stderr(&out)
    );
    // A label the model does not have is not evaluated either.
    let out = threadguard(&["eval", LABELS, "--labels", "sarcastic"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // With something to evaluate, eval succeeds.
    assert!(threadguard(&["eval", LABELS]).status.success());
}

#[test]
fn agreement_on_a_file_without_labels_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("e.csv");
    std::fs::write(&empty, "").expect("writes");
    let out = threadguard(&["agreement", &empty.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no comment is labeled"),
        "{}",
        stderr(&out)
    );
    assert!(threadguard(&["agreement", LABELS]).status.success());
}

#[test]
fn label_trims_label_names_and_refuses_batch_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_path = dir.path().join("labels.csv");
    let out_arg = out_path.display().to_string();
    let run = |labels: &str, stdin: &str| {
        use std::io::Write as _;
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("threadguard"))
            .args([
                "label",
                "tests/fixtures/train/to_score.csv",
                "--out",
                &out_arg,
            ])
            .args(["--batch", "--annotator", "t", "--labels", labels])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("threadguard starts");
        if let Some(mut input) = child.stdin.take() {
            input
                .write_all(stdin.as_bytes())
                .expect("stdin takes the decisions");
        }
        child.wait_with_output().expect("threadguard finishes")
    };
    let refused = run("abusive,skip", "");
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--labels skip"),
        "{}",
        stderr(&refused)
    );
    let out = run("abusive, conspiratorial", "s1,conspiratorial\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&out_path).expect("labels written");
    let header = written.lines().next().unwrap_or("");
    assert!(header.contains(",abusive,conspiratorial,"), "{header}");
}

#[test]
fn train_warns_about_an_input_with_no_labeled_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = copied_labels(dir.path());
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").expect("writes");
    let model = dir.path().join("m.tgm").display().to_string();
    let out = threadguard(&[
        "train",
        &input,
        &empty.display().to_string(),
        "--out",
        &model,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: ") && stderr(&out).contains("empty.csv: no row labeled"),
        "{}",
        stderr(&out)
    );
}
