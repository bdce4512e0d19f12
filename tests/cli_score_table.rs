//! `threadguard score --format table`: the view for people on a terminal. Comments are
//! untrusted: the table must not pass on what a terminal would act on. CSV and JSONL
//! output is data and keeps every character.

use assert_cmd::Command;

/// Runs `threadguard score - --format FORMAT` on `input` with one job and a fixed width.
fn score_stdin(input: &str, format: &str) -> Vec<u8> {
    score_stdin_jobs(input, format, "1")
}

/// Runs `threadguard score - --format FORMAT --jobs JOBS` on `input` with a fixed width.
fn score_stdin_jobs(input: &str, format: &str, jobs: &str) -> Vec<u8> {
    Command::cargo_bin("threadguard")
        .unwrap()
        .args(["score", "-", "--jobs", jobs, "--format", format])
        .env("COLUMNS", "100")
        .write_stdin(input.to_string())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
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

/// `rows` CSV rows (no header) that go round the threads `{thread}0`..`{thread}{threads-1}`,
/// comment `{id}{i}` replying to the previous comment of its thread, from a few varied
/// texts.
fn interleaved(rows: usize, threads: usize, thread: &str, id: &str) -> String {
    let texts = [
        "You are a complete idiot and everyone here knows it.",
        "The ceasefire talks resume on Monday, according to both ministries.",
        "They are hiding the truth, the whole outbreak was planned years ago!!!",
        "SHUT UP, nobody asked for your stupid opinion",
        "Thanks for the clear summary.",
    ];
    let mut csv = String::new();
    for i in 0..rows {
        let parent = i
            .checked_sub(threads)
            .map(|p| format!("{id}{p}"))
            .unwrap_or_default();
        let text = texts[i % texts.len()];
        csv.push_str(&format!(
            "{id}{i},{thread}{},{parent},\"{text} {i}\"\n",
            i % threads
        ));
    }
    csv
}

/// Per thread id, in order of first appearance, the summary line the table should show
/// ("N comments · A abusive · C conspiratorial"), from the CSV output of the same input.
fn expected_summaries(csv_output: &[u8]) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_reader(csv_output);
    let mut counts: Vec<(String, [usize; 3])> = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let thread = record[0].to_string();
        let flags = &record[6];
        let index = match counts.iter().position(|(t, _)| *t == thread) {
            Some(i) => i,
            None => {
                counts.push((thread, [0; 3]));
                counts.len() - 1
            }
        };
        let n = &mut counts[index].1;
        n[0] += 1;
        n[1] += usize::from(flags.split(';').any(|f| f == "abusive"));
        n[2] += usize::from(flags.split(';').any(|f| f == "conspiratorial"));
    }
    counts
        .into_iter()
        .map(|(t, [n, a, c])| {
            let s = if n == 1 { "" } else { "s" };
            (
                t,
                format!("  {n} comment{s} · {a} abusive · {c} conspiratorial"),
            )
        })
        .collect()
}

#[test]
fn table_shows_each_thread_once_whatever_its_chunks() {
    // One thread longer than a chunk, then rows that alternate between seven threads:
    // both reach the table in parts.
    let input = format!(
        "id,thread_id,parent_id,text\n{}{}",
        interleaved(2_500, 1, "t", "c"),
        interleaved(700, 7, "u", "d")
    );
    let summaries = expected_summaries(&score_stdin(&input, "csv"));
    assert_eq!(summaries.len(), 8);
    for jobs in ["1", "2"] {
        let table = String::from_utf8(score_stdin_jobs(&input, "table", jobs)).unwrap();
        let lines: Vec<&str> = table.lines().collect();
        for (thread, summary) in &summaries {
            let heading = format!("{thread} — (untitled)");
            let at: Vec<usize> = (0..lines.len()).filter(|&i| lines[i] == heading).collect();
            assert_eq!(at.len(), 1, "{thread} shown {} times", at.len());
            assert_eq!(lines.get(at[0] + 1), Some(&summary.as_str()), "{thread}");
        }
        let last = lines.last().copied().unwrap_or("");
        assert!(last.starts_with("8 threads, 3200 comments: "), "{last}");
        // In input order within a thread, and depths over the whole thread: the reply
        // chain of t0 goes on past the chunk boundary at 1024 comments.
        let first = table.find(" · c0 · ").unwrap();
        let later = table.find(" · c1023 · ").unwrap();
        assert!(first < later);
        assert!(
            table.contains("[depth 2499] (anonymous) · c2499 · "),
            "{jobs} jobs"
        );
        assert!(
            table.contains("[depth 99] (anonymous) · d699 · "),
            "{jobs} jobs"
        );
    }
}
