//! `threadguard score --format table`: the view for people on a terminal. Comments are
//! untrusted: the table must not pass on what a terminal would act on. CSV and JSONL
//! output is data and keeps every character.

use assert_cmd::Command;

/// Runs `threadguard score - --format FORMAT` on `input` with one job and a fixed width.
fn score_stdin(input: &str, format: &str) -> Vec<u8> {
    let out = Command::cargo_bin("threadguard")
        .unwrap()
        .args(["score", "-", "--jobs", "1", "--format", format])
        .env("COLUMNS", "100")
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A CSV export whose author, id, title and text carry terminal escapes, a bell, a
/// newline, a C1 control and bidi overrides.
const HOSTILE: &str = "id,thread_id,title,author,text\n\
    \"1\x1b[31m\",\"t\u{202e}\",\"title\x1b]0;pwned\x07\",\"evil\nname\x1b[2J\",\"hi \x1b]0;pwned\x07 \u{9b}6n \u{2066}x\u{2069} \x7f\"\n";

#[test]
fn table_shows_control_characters_of_comments_harmlessly() {
    let table = String::from_utf8(score_stdin(HOSTILE, "table")).unwrap();
    let acted_on: Vec<char> = table
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(acted_on.is_empty(), "{acted_on:?} in:\n{table}");
    assert!(
        table.contains("t\\u{202e} — title\\x1b]0;pwned\\x07"),
        "{table}"
    );
    assert!(
        table.contains("evil\\nname\\x1b[2J · 1\\x1b[31m"),
        "the author stays on one line:\n{table}"
    );
    assert!(
        table.contains("hi \\x1b]0;pwned\\x07 \\x9b6n \\u{2066}x\\u{2069} \\x7f"),
        "{table}"
    );
}

#[test]
fn csv_and_jsonl_keep_control_characters_as_data() {
    let csv = String::from_utf8(score_stdin(HOSTILE, "csv")).unwrap();
    assert!(csv.contains("\"evil\nname\x1b[2J\""), "{csv:?}");
    assert!(csv.contains("hi \x1b]0;pwned\x07 \u{9b}6n"), "{csv:?}");
    let jsonl = String::from_utf8(score_stdin(HOSTILE, "jsonl")).unwrap();
    assert!(
        jsonl.contains(r#""author":"evil\nname\u001b[2J""#),
        "{jsonl}"
    );
}

/// A CSV export of one reply chain `n` comments long: each comment replies to the last.
fn reply_chain(n: usize) -> String {
    let mut csv = String::from("id,parent_id,text\n");
    for i in 0..n {
        let parent = if i == 0 {
            String::new()
        } else {
            format!("c{}", i - 1)
        };
        csv.push_str(&format!("c{i},{parent},hi\n"));
    }
    csv
}

/// The number of spaces a line starts with.
fn leading_spaces(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

#[test]
fn table_indentation_is_capped_and_deep_replies_show_their_depth() {
    let comments = 1000;
    let table = String::from_utf8(score_stdin(&reply_chain(comments), "table")).unwrap();
    // Nine levels of two spaces, then the four before a comment's text.
    let deepest = table.lines().map(leading_spaces).max().unwrap_or(0);
    assert!(deepest <= 2 * 9 + 4, "indented {deepest} spaces");
    assert!(
        table.contains("[depth 999] (anonymous) · c999 · "),
        "{table}"
    );
    assert!(
        !table.contains("[depth 8]"),
        "depth 8 is still shown by indentation"
    );
    assert!(
        table.len() < 200 * comments,
        "{} bytes for {comments} comments",
        table.len()
    );
}
