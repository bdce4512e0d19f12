//! `threadguard score --format jsonl -` as a stdin-to-stdout filter, the way Spark's
//! `rdd.pipe` runs it on every partition: stdout carries nothing but JSON Lines, an
//! empty partition is not an error, and scoring a split input part by part gives the
//! same lines as scoring it whole.

use assert_cmd::Command;

fn score_jsonl(stdin: &[u8]) -> std::process::Output {
    Command::cargo_bin("threadguard")
        .unwrap()
        .args(["score", "--format", "jsonl", "-"])
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap()
}

/// Eight comments of two threads, with ids, as JSON Lines.
fn comments() -> Vec<String> {
    let texts = [
        "You are a complete idiot and everyone here knows it.",
        "The ceasefire talks resume on Monday, according to both ministries.",
        "They are hiding the truth, the whole outbreak was planned years ago.",
        "Thanks for the clear summary of the negotiations.",
        "Shut up, nobody asked for your stupid opinion.",
        "Wake up, the media is controlled by the same people who run the banks.",
        "I disagree with the author, but the numbers in the second table are right.",
        "What a pathetic little troll you are.",
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            serde_json::json!({"id": format!("c{i}"), "thread_id": format!("t{}", i / 4), "text": text})
                .to_string()
        })
        .collect()
}

fn lines(stdout: &[u8]) -> Vec<String> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn stdout_is_only_json_lines_even_when_there_are_warnings() {
    // Invalid UTF-8 in one comment makes a warning; it must go to stderr, not stdout.
    let mut input = comments().join("\n").into_bytes();
    input.extend_from_slice(b"\n{\"id\":\"bad\",\"thread_id\":\"t9\",\"text\":\"caf\xff ok\"}\n");
    let out = score_jsonl(&input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning"),
        "expected a warning, got {stderr:?}"
    );
    let lines = lines(&out.stdout);
    assert_eq!(lines.len(), 9);
    let keys = [
        "abusive",
        "author",
        "comment_id",
        "conspiratorial",
        "flags",
        "parent_id",
        "text",
        "thread_id",
    ];
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON on stdout: {line:?}: {e}"));
        let object = value.as_object().expect("each line is a JSON object");
        let mut found: Vec<&str> = object.keys().map(String::as_str).collect();
        found.sort_unstable();
        assert_eq!(found, keys);
    }
    assert!(lines[8].contains("\"comment_id\":\"bad\""));
    assert!(lines[8].contains("caf\u{FFFD} ok"));
}

#[test]
fn an_empty_or_blank_stdin_writes_nothing_and_succeeds() {
    for input in [&b""[..], b"\n\n"] {
        let out = score_jsonl(input);
        assert!(
            out.status.success(),
            "input {input:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.is_empty(),
            "input {input:?} wrote {:?}",
            out.stdout
        );
    }
}

#[test]
fn scoring_part_by_part_gives_the_lines_of_scoring_whole() {
    let all = comments();
    let whole = lines(&score_jsonl(all.join("\n").as_bytes()).stdout);
    assert_eq!(whole.len(), all.len());
    // Split inside a thread, as Spark's partitions may be.
    let mut parts = Vec::new();
    for part in [&all[..3], &all[3..6], &all[6..]] {
        let out = score_jsonl(part.join("\n").as_bytes());
        assert!(out.status.success());
        parts.extend(lines(&out.stdout));
    }
    assert_eq!(parts, whole);
}
