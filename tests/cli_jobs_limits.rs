//! `--jobs` of `score` and `train` out of range, and worker threads the system will not
//! start: clear errors, never a panic or an abort.

use assert_cmd::Command;
use predicates::prelude::*;

fn threadguard() -> Command {
    Command::cargo_bin("threadguard").unwrap()
}

/// Values that once panicked (thread spawn), aborted (allocation) or overflowed.
const TOO_MANY: &[&str] = &[
    "0",
    "1025",
    "20000",
    "10000000000",
    "18446744073709551615",
    "18446744073709551616",
];

#[test]
fn score_refuses_jobs_out_of_range() {
    for jobs in TOO_MANY {
        threadguard()
            .args(["score", "seeds/", "--format", "csv", "--jobs", jobs])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(
                "must be a whole number from 1 to 1024",
            ))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn train_refuses_jobs_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.tgm");
    for jobs in TOO_MANY {
        threadguard()
            .args([
                "train",
                "tests/fixtures/train/small_labels.csv",
                "--jobs",
                jobs,
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "must be a whole number from 1 to 1024",
            ))
            .stderr(predicate::str::contains("panicked").not());
        assert!(!out.exists(), "--jobs {jobs} wrote a model");
    }
}

/// A stack size no system can map (1 PiB): every thread spawn fails, as it would when
/// the system is out of threads or memory.
#[cfg(target_os = "linux")]
const UNMAPPABLE_STACK: &str = "1125899906842624";

#[cfg(target_os = "linux")]
#[test]
fn score_reports_a_thread_it_cannot_start() {
    let out = threadguard()
        .env("RUST_MIN_STACK", UNMAPPABLE_STACK)
        .args(["score", "seeds/", "--format", "csv", "--jobs", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("threadguard: error: cannot start scoring thread 1 of 2: "),
        "{stderr}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn train_reports_threads_it_cannot_start() {
    let dir = tempfile::tempdir().unwrap();
    for jobs in [&["--jobs", "2"][..], &[]] {
        let out = threadguard()
            .env("RUST_MIN_STACK", UNMAPPABLE_STACK)
            .args(["train", "tests/fixtures/train/small_labels.csv"])
            .args(jobs)
            .arg("--out")
            .arg(dir.path().join("model.tgm"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{jobs:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{jobs:?}: {stderr}");
        assert!(
            stderr.starts_with("threadguard: error: cannot start the worker threads: "),
            "{jobs:?}: {stderr}"
        );
    }
}
