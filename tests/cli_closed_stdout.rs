//! A reader that stops early (`threadguard model show | head`) is not an error: the
//! commands that print reports end quietly with success instead of panicking. Any other
//! failure to write standard output (a full disk) is an error naming it, which says what
//! was saved before.

use std::process::{Command, Stdio};

/// Runs threadguard with `args`, closes its stdout before reading anything, and returns
/// its exit status and stderr.
fn run_with_closed_stdout(args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("threadguard"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("threadguard starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("threadguard finishes");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn model_show_into_a_closed_pipe_ends_quietly() {
    // Far more than a pipe buffer holds, so a write fails whatever the timing.
    let (status, stderr) = run_with_closed_stdout(&["model", "show", "--top", "100000"]);
    assert!(status.success(), "exit {status}, stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A copy of the toxic-spans corpus for `import`, and where its labels CSV goes, in `dir`.
fn spans_corpus(dir: &std::path::Path) -> (String, String) {
    let corpus = dir.join("spans.csv");
    std::fs::write(&corpus, "spans,text\n\"[0]\",hello\n").expect("corpus written");
    let out = dir.join("labels.csv");
    (corpus.display().to_string(), out.display().to_string())
}

#[test]
fn import_into_a_closed_pipe_ends_quietly() {
    // `print!` panicked here.
    let dir = tempfile::tempdir().expect("temp dir");
    let (corpus, out) = spans_corpus(dir.path());
    let args = ["import", "--from", "toxic-spans", &corpus, "--out", &out];
    let (status, stderr) = run_with_closed_stdout(&args);
    assert!(status.success(), "exit {status}, stderr: {stderr}");
    assert_eq!(stderr, "");
    assert!(std::path::Path::new(&out).exists());
}

#[test]
fn train_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("m.tgm").display().to_string();
    let args = [
        "train",
        "tests/fixtures/train/small_labels.csv",
        "--out",
        &model,
    ];
    let (status, stderr) = run_with_closed_stdout(&args);
    assert!(status.success(), "exit {status}, stderr: {stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

/// Runs threadguard with `args` and its stdout on `/dev/full`, where every write fails
/// with "No space left on device"; returns its exit code and stderr.
#[cfg(target_os = "linux")]
fn run_into_a_full_stdout(args: &[&str]) -> (Option<i32>, String) {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full opens");
    let out = Command::new(assert_cmd::cargo::cargo_bin("threadguard"))
        .args(args)
        .stdout(full)
        .output()
        .expect("threadguard runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(target_os = "linux")]
const FULL: &str = "No space left on device (os error 28)";

#[cfg(target_os = "linux")]
#[test]
fn train_into_a_full_stdout_says_the_model_was_saved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("m.tgm");
    let path = model.display().to_string();
    let args = [
        "train",
        "tests/fixtures/train/small_labels.csv",
        "--out",
        &path,
    ];
    let (code, stderr) = run_into_a_full_stdout(&args);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "threadguard: error: the model was saved at {path}, but the report could not be \
             written to standard output: {FULL}\n"
        )
    );
    assert!(threadguard::model::file::load(&model).is_ok());
}

#[cfg(target_os = "linux")]
#[test]
fn import_into_a_full_stdout_says_the_labels_were_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (corpus, out) = spans_corpus(dir.path());
    let args = ["import", "--from", "toxic-spans", &corpus, "--out", &out];
    let (code, stderr) = run_into_a_full_stdout(&args);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "threadguard: error: the labels CSV was written to {out} (1 rows), but the report \
             could not be written to standard output: {FULL}\n"
        )
    );
}

#[cfg(target_os = "linux")]
#[test]
fn reports_into_a_full_stdout_name_it() {
    let labels = "tests/fixtures/train/small_labels.csv";
    let commands: [&[&str]; 5] = [
        &["model", "show"],
        &["eval", labels],
        &["agreement", labels],
        &["parse", "seeds/"],
        &["score", "seeds/", "--format", "table"],
    ];
    for args in commands {
        let (code, stderr) = run_into_a_full_stdout(args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert_eq!(
            stderr,
            format!("threadguard: error: <stdout>: {FULL}\n"),
            "{args:?}"
        );
    }
}
