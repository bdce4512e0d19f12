//! A reader that stops early (`threadguard model show | head`) is not an error: the
//! commands that print reports end quietly with success instead of panicking.

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
