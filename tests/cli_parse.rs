//! `threadguard parse` end to end, including every kind of bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn threadguard() -> Command {
    Command::cargo_bin("threadguard").unwrap()
}

fn csv_rows(output: &[u8]) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_reader(output);
    reader.records().map(|r| r.unwrap()).collect()
}

#[test]
fn parse_seeds_as_csv_gives_the_seed_counts() {
    let out = threadguard()
        .args(["parse", "seeds/", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "thread_id",
            "comment_id",
            "parent_id",
            "author",
            "parent_author",
            "timestamp",
            "depth",
            "text"
        ]
    );
    let rows = csv_rows(&out.stdout);
    let count = |prefix: &str| rows.iter().filter(|r| r[0].starts_with(prefix)).count();
    assert_eq!((count("000_"), count("001_"), count("003_")), (20, 0, 12));
    let forum_with_time = rows
        .iter()
        .filter(|r| r[0].starts_with("003_") && !r[5].is_empty())
        .count();
    assert_eq!(forum_with_time, 12);
    let replies = rows
        .iter()
        .filter(|r| r[0].starts_with("003_") && !r[4].is_empty())
        .count();
    assert_eq!(replies, 6);
}

#[test]
fn parse_table_shows_titles_and_indented_authors() {
    threadguard()
        .args([
            "parse",
            "seeds/003_6ee2c4430c52994c.txt",
            "--format",
            "table",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Tillerson, Lavrov Discuss"))
        .stdout(predicate::str::contains(
            "    uhland62 → Blanco Diablo · 2017-08-06 21:29",
        ));
}

#[test]
fn parse_reads_stdin() {
    threadguard()
        .args(["parse", "-", "--format", "jsonl"])
        .write_stdin("{\"id\":\"q\",\"text\":\"from stdin\"}\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"comment_id\":\"q\""));
}

#[test]
fn missing_file_is_an_error_naming_it() {
    threadguard()
        .args(["parse", "no/such/file.txt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no/such/file.txt"))
        .stderr(predicate::str::contains("No such file"));
}

#[test]
fn directory_with_nothing_readable_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("image.png"), b"\x89PNG").unwrap();
    threadguard()
        .arg("parse")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("no readable files"));
}

#[test]
fn invalid_utf8_is_decoded_with_a_warning_naming_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, b"text\nfine\nbro\xffken\n").unwrap();
    let out = threadguard()
        .arg("parse")
        .arg(&path)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.csv:3: invalid UTF-8 at byte offset 13"),
        "{stderr}"
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(&rows[1][7], "bro\u{fffd}ken");
}

#[test]
fn csv_without_text_column_is_an_error_listing_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notext.csv");
    std::fs::write(&path, "id,body\n1,hello\n").unwrap();
    threadguard()
        .arg("parse")
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "notext.csv:1: no \"text\" column (columns: id, body)",
        ));
}

#[test]
fn malformed_csv_row_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    std::fs::write(&path, "id,text\n1,fine\n2,too,many\n").unwrap();
    threadguard()
        .arg("parse")
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "ragged.csv:3: malformed CSV row: 3 fields where the header has 2",
        ));
}

#[test]
fn malformed_jsonl_line_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.jsonl");
    std::fs::write(&path, "{\"text\":\"ok\"}\n{\"text\": 5}\n").unwrap();
    threadguard()
        .arg("parse")
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "broken.jsonl:2: \"text\" must be a string",
        ));
}

#[test]
fn empty_file_warns_and_fails_when_nothing_else_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.txt");
    std::fs::write(&path, "").unwrap();
    threadguard()
        .arg("parse")
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "empty.txt: empty file, nothing to read",
        ))
        .stderr(predicate::str::contains("nothing to read"));
}

#[test]
fn empty_file_beside_good_input_only_warns() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "  \n\n").unwrap();
    threadguard()
        .arg("parse")
        .arg(&empty)
        .arg(Path::new("tests/fixtures/ingest/export.jsonl"))
        .args(["--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("empty file"));
}

#[test]
fn fifty_megabyte_single_comment_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.txt");
    let mut page = String::from("Title\n\nAn article paragraph. It has sentences.\n\n\n");
    let word = "longwinded ";
    page.push_str(&word.repeat(50 * 1024 * 1024 / word.len()));
    std::fs::write(&path, &page).unwrap();
    let out = threadguard()
        .arg("parse")
        .arg(&path)
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&[u8]> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].len() > 50_000_000);
}

#[test]
fn help_has_examples() {
    threadguard()
        .args(["parse", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}
