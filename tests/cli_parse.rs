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

/// Writes `contents` to a file named `name` in a fresh directory, runs `parse` on it and
/// checks that it fails with every one of `messages` on stderr.
fn parse_fails_with(name: &str, contents: impl AsRef<[u8]>, messages: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    let mut failed = threadguard().arg("parse").arg(&path).assert().failure();
    for message in messages {
        failed = failed.stderr(predicate::str::contains(*message));
    }
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
    parse_fails_with(
        "notext.csv",
        "id,body\n1,hello\n",
        &["notext.csv:1: no \"text\" column (columns: id, body)"],
    );
}

#[test]
fn malformed_csv_row_is_an_error_with_its_line() {
    parse_fails_with(
        "ragged.csv",
        "id,text\n1,fine\n2,too,many\n",
        &["ragged.csv:3: malformed CSV row: 3 fields where the header has 2"],
    );
}

#[test]
fn malformed_jsonl_line_is_an_error_with_its_line() {
    parse_fails_with(
        "broken.jsonl",
        "{\"text\":\"ok\"}\n{\"text\": 5}\n",
        &["broken.jsonl:2: \"text\" must be a string"],
    );
}

#[test]
fn empty_file_warns_and_fails_when_nothing_else_was_read() {
    parse_fails_with(
        "empty.txt",
        "",
        &[
            "empty.txt: empty file, nothing to read",
            "error: nothing to read",
        ],
    );
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
    let stdout = threadguard()
        .arg("parse")
        .arg(&path)
        .args(["--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<&[u8]> = stdout
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

// ---------- hostile and odd input ----------

/// `parse --format csv` of `path` (an input file), which must succeed.
fn parsed(path: &Path) -> Vec<csv::StringRecord> {
    let out = threadguard()
        .arg("parse")
        .arg(path)
        .args(["--format", "csv"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    csv_rows(&out.stdout)
}

/// The columns that do not depend on where the file is: comment id onwards.
fn contents(rows: &[csv::StringRecord]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().skip(1).map(str::to_string).collect())
        .collect()
}

#[test]
fn a_file_of_only_whitespace_is_an_error_when_it_is_the_only_input() {
    for (name, content) in [
        ("blank.txt", " \t\n\n  \r\n"),
        ("blank.csv", "\n\n"),
        ("blank.jsonl", "  \n"),
    ] {
        let empty = format!("{name}: empty file");
        parse_fails_with(name, content, &[&empty, "error: nothing to read"]);
    }
}

/// `text` as UTF-16 with a byte order mark, little or big endian.
fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        let pair = if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}

#[test]
fn utf16_with_a_byte_order_mark_reads_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    for source in [
        "seeds/000_06244f27de9ea2b7.txt",
        "seeds/003_6ee2c4430c52994c.txt",
        "tests/fixtures/ingest/export.csv",
        "tests/fixtures/ingest/export.jsonl",
    ] {
        let source = Path::new(source);
        let text = std::fs::read_to_string(source).unwrap();
        let expected = contents(&parsed(source));
        assert!(!expected.is_empty());
        for little_endian in [true, false] {
            let sub = dir.path().join(if little_endian { "le" } else { "be" });
            std::fs::create_dir_all(&sub).unwrap();
            let path = sub.join(source.file_name().unwrap());
            std::fs::write(&path, utf16(&text, little_endian)).unwrap();
            assert_eq!(
                contents(&parsed(&path)),
                expected,
                "{} as UTF-16 (little endian: {little_endian})",
                source.display()
            );
        }
    }
}

#[test]
fn crlf_line_ends_read_like_lf() {
    let dir = tempfile::tempdir().unwrap();
    for source in [
        "seeds/000_06244f27de9ea2b7.txt",
        "seeds/001_629c7064ccbf7d65.txt",
        "seeds/003_6ee2c4430c52994c.txt",
        "tests/fixtures/ingest/export.jsonl",
    ] {
        let source = Path::new(source);
        let text = std::fs::read_to_string(source).unwrap();
        let path = dir.path().join(source.file_name().unwrap());
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
        assert_eq!(
            contents(&parsed(&path)),
            contents(&parsed(source)),
            "{}",
            source.display()
        );
    }
    // A CSV export: rows end in CRLF; a quoted field keeps its line break as written
    // (a CSV field is data), here a CRLF.
    let path = dir.path().join("windows.csv");
    std::fs::write(
        &path,
        "id,parent_id,text\r\na1,,first\r\na2,a1,\"two\r\nlines\"\r\n\r\na3,,last\r\n",
    )
    .unwrap();
    let rows = parsed(&path);
    let texts: Vec<&str> = rows.iter().map(|r| &r[7]).collect();
    assert_eq!(texts, ["first", "two\r\nlines", "last"]);
    assert_eq!(&rows[1][6], "1", "a2 replies to a1");
}

#[test]
fn nul_bytes_are_kept_as_characters_in_pages_and_csv_and_refused_raw_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("nul.txt");
    std::fs::write(
        &page,
        "Title\n\nThe article. It has\0 a NUL.\n\n\nA comment with \0 inside.\n",
    )
    .unwrap();
    let rows = parsed(&page);
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][7], "A comment with \0 inside.");

    let csv = dir.path().join("nul.csv");
    std::fs::write(&csv, "id,text\nn\0x,a\0b\n").unwrap();
    let rows = parsed(&csv);
    assert_eq!((&rows[0][1], &rows[0][7]), ("n\0x", "a\0b"));

    let jsonl = dir.path().join("nul.jsonl");
    std::fs::write(&jsonl, "{\"text\":\"escaped \\u0000 is fine\"}\n").unwrap();
    assert_eq!(&parsed(&jsonl)[0][7], "escaped \0 is fine");
    std::fs::write(&jsonl, "{\"text\":\"ok\"}\n{\"text\":\"raw \0 is not\"}\n").unwrap();
    threadguard()
        .arg("parse")
        .arg(&jsonl)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("nul.jsonl:2: invalid JSON")
                .and(predicate::str::contains("at column 14"))
                .and(predicate::str::contains("line 1").not()),
        );
}

#[test]
fn invalid_utf8_in_pages_and_jsonl_is_replaced_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.txt");
    std::fs::write(
        &page,
        b"Title\n\nArticle text. More.\n\n\nbad \xc3\x28 byte\n",
    )
    .unwrap();
    let out = threadguard()
        .arg("parse")
        .arg(&page)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.txt:6: invalid UTF-8 at byte offset 33"),
        "{stderr}"
    );
    assert_eq!(&csv_rows(&out.stdout)[0][7], "bad \u{fffd}( byte");

    let jsonl = dir.path().join("bad.jsonl");
    std::fs::write(&jsonl, b"{\"text\":\"ok\"}\n{\"text\":\"x\xff\"}\n").unwrap();
    let out = threadguard()
        .arg("parse")
        .arg(&jsonl)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.jsonl:2: invalid UTF-8"), "{stderr}");
    assert_eq!(&csv_rows(&out.stdout)[1][7], "x\u{fffd}");
}

#[test]
fn an_unterminated_quote_in_a_csv_is_an_error_with_its_line() {
    parse_fails_with(
        "open.csv",
        "id,text,author\n1,fine,a\n2,\"never closed,b\n3,more,c\n",
        &["open.csv:3: malformed CSV row: 2 fields where the header has 3"],
    );
}

#[test]
fn duplicated_ids_are_both_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dups.csv");
    std::fs::write(
        &path,
        "id,parent_id,text\nx,,first x\nx,,second x\ny,x,reply to x\n",
    )
    .unwrap();
    let rows = parsed(&path);
    let got: Vec<(&str, &str, &str)> = rows.iter().map(|r| (&r[1], &r[6], &r[7])).collect();
    assert_eq!(
        got,
        [
            ("x", "0", "first x"),
            ("x", "0", "second x"),
            ("y", "1", "reply to x")
        ]
    );
    let out = threadguard()
        .arg("score")
        .arg(&path)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(csv_rows(&out.stdout).len(), 3, "every comment is scored");
}

#[test]
fn a_parent_cycle_in_an_export_ends_with_finite_depths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cycle.csv");
    // a -> b -> c -> a, a self-reply, and a reply hanging off the cycle.
    std::fs::write(
        &path,
        "id,parent_id,text\na,c,one\nb,a,two\nc,b,three\nself,self,me\nd,b,four\n",
    )
    .unwrap();
    let rows = parsed(&path);
    let depths: Vec<(&str, usize)> = rows
        .iter()
        .map(|r| (&r[1], r[6].parse::<usize>().unwrap()))
        .collect();
    assert_eq!(depths.len(), 5);
    assert!(
        depths.iter().all(|&(_, d)| (1..=4).contains(&d)),
        "{depths:?}"
    );
    assert_eq!(depths[3], ("self", 1));
    let jsonl = dir.path().join("cycle.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\":\"p\",\"parent_id\":\"q\",\"text\":\"p\"}\n{\"id\":\"q\",\"parent_id\":\"p\",\"text\":\"q\"}\n",
    )
    .unwrap();
    assert_eq!(parsed(&jsonl).len(), 2);
    threadguard()
        .arg("score")
        .arg(&path)
        .args(["--format", "table"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
}

#[test]
fn parse_table_shows_control_characters_harmlessly() {
    let out = threadguard()
        .args(["parse", "-", "--format", "table"])
        .write_stdin("id,author,text\n1,\"evil\nname\x1b[2J\",\"hi \x1b]0;pwned\x07 \u{202e}\"\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        !table
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "{table:?}"
    );
    assert!(table.contains("evil\\nname\\x1b[2J · 1"), "{table}");
    assert!(table.contains("hi \\x1b]0;pwned\\x07 \\u{202e}"), "{table}");
}

#[test]
fn parse_table_indentation_is_capped_and_deep_replies_show_their_depth() {
    let mut csv = String::from("id,parent_id,text\n");
    for i in 0..1000 {
        let parent = if i == 0 {
            String::new()
        } else {
            format!("c{}", i - 1)
        };
        csv.push_str(&format!("c{i},{parent},hi\n"));
    }
    let out = threadguard()
        .args(["parse", "-", "--format", "table"])
        .write_stdin(csv)
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let deepest = table
        .lines()
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .max()
        .unwrap_or(0);
    assert!(deepest <= 2 * 9 + 2, "indented {deepest} spaces");
    assert!(table.contains("[depth 999] (anonymous) · c999"), "{table}");
    assert!(table.len() < 200_000, "{} bytes", table.len());
}

// ---------- the format chosen by content (stdin, files without a known extension) ----------

/// `parse - --format csv` with `stdin`: the exit status, the rows and stderr.
fn parse_stdin(stdin: impl Into<Vec<u8>>) -> (bool, Vec<csv::StringRecord>, String) {
    let out = threadguard()
        .args(["parse", "-", "--format", "csv"])
        .write_stdin(stdin.into())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), csv_rows(&out.stdout), stderr)
}

#[test]
fn a_jsonl_first_line_longer_than_the_detection_head_is_still_jsonl() {
    let long = "x".repeat(70_000);
    let input = format!("{{\"id\":\"a\",\"text\":\"{long}\"}}\n{{\"id\":\"b\",\"text\":\"s\"}}\n");
    let (ok, rows, stderr) = parse_stdin(input);
    assert!(ok, "{stderr}");
    let got: Vec<(&str, usize)> = rows.iter().map(|r| (&r[1], r[7].len())).collect();
    assert_eq!(got, [("a", 70_000), ("b", 1)]);
}

#[test]
fn a_malformed_first_json_line_is_an_error_naming_it_not_a_page() {
    let (ok, rows, stderr) =
        parse_stdin("{\"id\":\"1\",\"text\":\"hi\",}\n{\"id\":\"2\",\"text\":\"b\"}\n");
    assert!(!ok, "must fail, got rows {rows:?}");
    assert!(stderr.contains("-:1: invalid JSON"), "{stderr}");
}

#[test]
fn a_csv_of_only_the_text_column_is_read_from_stdin() {
    let (ok, rows, stderr) = parse_stdin("text\nhello\nworld\n");
    assert!(ok, "{stderr}");
    let texts: Vec<&str> = rows.iter().map(|r| &r[7]).collect();
    assert_eq!(texts, ["hello", "world"]);
    // A page whose first line is one other word stays a page.
    let (ok, rows, stderr) = parse_stdin("Texts\n\nThe article. It ends.\n\n\nA comment.\n");
    assert!(ok, "{stderr}");
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][7], "A comment.");
}

#[test]
fn an_unterminated_quote_in_the_last_column_is_an_error_naming_its_line() {
    // The csv crate takes the end of the file for the closing quote: the quoted field
    // swallowed the rest of the file as one comment.
    for (file, expected) in [
        (
            "tests/fixtures/bad_input/unterminated_last.csv",
            "unterminated_last.csv:2: unterminated quoted field",
        ),
        (
            "tests/fixtures/bad_input/unterminated_last_crlf.csv",
            "unterminated_last_crlf.csv:4: unterminated quoted field",
        ),
    ] {
        threadguard()
            .args(["score", file, "--format", "csv"])
            .assert()
            .failure()
            .stderr(predicate::str::contains(expected));
    }
    let (ok, rows, stderr) = parse_stdin("text\n\"open\nmore\n");
    assert!(!ok, "must fail, got rows {rows:?}");
    assert!(
        stderr.contains("-:2: unterminated quoted field"),
        "{stderr}"
    );
}

#[test]
fn the_seeds_and_the_labeled_files_of_data_read_as_comment_inputs() {
    // scripts/spark-score.sh builds its input this way: every labels CSV at the top of
    // data/ must stay readable as a comment export (data/by-id/ holds ids only).
    let mut files: Vec<_> = std::fs::read_dir("data")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    let out = threadguard()
        .arg("parse")
        .arg("seeds/")
        .args(&files)
        .args(["--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(csv_rows(&out).len() > 2000);
}

#[test]
fn train_help_states_the_feature_defaults_training_uses() {
    let help = threadguard()
        .args(["train", "--help"])
        .output()
        .unwrap()
        .stdout;
    let help = String::from_utf8(help)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let f = threadguard::model::train::TrainOptions::default().features;
    for stated in [
        format!("[default: {};", f.top_k),
        format!(
            "[default: {}-{}]",
            f.word_ngram_range.0, f.word_ngram_range.1
        ),
        format!(
            "[default: {}-{}]",
            f.char_ngram_range.0, f.char_ngram_range.1
        ),
        format!("[default: {:.1}, none dropped]", f.max_df),
        format!("[default: {}]", f.min_df),
    ] {
        assert!(help.contains(&stated), "{stated} not in: {help}");
    }
}

#[test]
fn eval_says_n_a_for_figures_its_rows_cannot_define() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one_class.csv");
    // No abusive row; nothing flagged conspiratorial (plain, calm texts).
    std::fs::write(
        &path,
        "text,abusive,conspiratorial\nThanks for the update.,0,0\nThe game starts at noon.,0,1\n",
    )
    .unwrap();
    let out = threadguard().arg("eval").arg(&path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("  n ")).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("recall n/a") && lines[0].contains("ROC-AUC n/a"),
        "{stdout}"
    );
    assert!(
        lines[1].contains("precision n/a") && lines[1].contains("ROC-AUC 1.000"),
        "{stdout}"
    );
    assert!(!stdout.contains("NaN"), "{stdout}");
}
