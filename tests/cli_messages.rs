//! Error and warning lines are one line each and safe on a terminal, whatever the input:
//! control characters from cells and file names are escaped and a huge cell is quoted cut
//! short.

use std::path::Path;
use std::process::{Command, Output};

/// Runs threadguard in `dir` with `args`.
fn threadguard_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin("threadguard"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("threadguard runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn control_characters_of_a_cell_are_escaped_in_the_error_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = "id,count,hate_speech,offensive_language,neither,class,tweet\n\
                  0,3,0,0,3,\"2\r\n\x1b[31mred\",hi\n";
    std::fs::write(dir.path().join("d.csv"), corpus).expect("corpus written");
    let out = threadguard_in(
        dir.path(),
        &["import", "--from", "davidson", "d.csv", "--out", "o.csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "threadguard: error: d.csv:2: column `class`: expected a whole number, \
         found `2\\r\\n\\x1b[31mred`\n"
    );
}

#[test]
fn a_huge_cell_is_quoted_cut_short_in_the_error_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spans = format!("[{}", "1,".repeat(500_000));
    let corpus = format!("spans,text\n\"{spans}\",hi\n");
    std::fs::write(dir.path().join("t.csv"), corpus).expect("corpus written");
    let out = threadguard_in(
        dir.path(),
        &["import", "--from", "toxic-spans", "t.csv", "--out", "o.csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    let quoted = &spans[..80];
    assert_eq!(
        stderr(&out),
        format!(
            "threadguard: error: t.csv:2: column `spans`: expected a JSON list of character \
             offsets, found `{quoted}…`\n"
        )
    );
}

#[test]
fn a_file_name_with_a_newline_stays_on_one_warning_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).expect("input dir");
    std::fs::write(inputs.join("bad\nname.csv"), "").expect("empty input");
    std::fs::write(inputs.join("good.csv"), "text\nhello\n").expect("input");
    let out = threadguard_in(dir.path(), &["score", "in", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "threadguard: warning: in/bad\\nname.csv: empty file, nothing to read\n"
    );
}
