//! `threadguard score --jobs N` with several workers: the batches handed between the
//! reader, the workers and the writer (and back, as permits) must give exactly what one
//! job gives, in input order, for inputs of many batches.

use assert_cmd::Command;

/// A CSV export of `rows` comments over threads of 37 rows, from a few varied texts.
fn export(rows: usize) -> String {
    let texts = [
        "You are a complete idiot and everyone here knows it.",
        "The ceasefire talks resume on Monday, according to both ministries.",
        "They are hiding the truth, the whole outbreak was planned years ago!!!",
        "Thanks for the clear summary, \"quoted\" and all.",
        "SHUT UP, nobody asked for your stupid opinion, c l o w n",
        "Wake up, the media is controlled by the same people who run the banks.",
        "café naïve 1d10t sh1t @someone https://example.com",
    ];
    let mut csv = String::from("id,thread_id,text\n");
    for i in 0..rows {
        let text = texts[i % texts.len()].replace('"', "\"\"");
        csv.push_str(&format!("c{i},t{},\"{text} {i}\"\n", i / 37));
    }
    csv
}

fn score(path: &std::path::Path, format: &str, jobs: &str) -> Vec<u8> {
    Command::cargo_bin("threadguard")
        .unwrap()
        .args(["score", "--format", format, "--jobs", jobs])
        .arg(path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn several_jobs_write_what_one_job_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comments.csv");
    // About 12 batches of 2048 comments: more than the batches in flight at once, so
    // permits go round several times.
    std::fs::write(&path, export(25_000)).unwrap();
    for format in ["csv", "jsonl", "table"] {
        let one = score(&path, format, "1");
        assert!(one.len() > 25_000, "{format}: {} bytes", one.len());
        for jobs in ["2", "3"] {
            assert!(
                score(&path, format, jobs) == one,
                "{format} with {jobs} jobs"
            );
        }
    }
}

/// An input error stops the run with the same output whatever the jobs: the comments
/// read before it (here in a second file, after a whole first one) are written, then the
/// error is reported.
#[test]
fn several_jobs_write_what_one_job_writes_before_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("a.csv");
    std::fs::write(&good, export(1_500)).unwrap();
    let bad = dir.path().join("b.csv");
    let mut text = export(1_500);
    text.push_str("c-bad,t-bad,\"x\",extra\n");
    std::fs::write(&bad, text).unwrap();
    let run = |jobs: &str| {
        let out = Command::cargo_bin("threadguard")
            .unwrap()
            .args(["score", "--format", "csv", "--jobs", jobs])
            .args([&good, &bad])
            .assert()
            .failure()
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(stderr.contains("b.csv:1502:"), "{stderr}");
        out.stdout
    };
    let one = run("1");
    // The whole first file and the second file's first full chunk.
    let rows = one.iter().filter(|&&b| b == b'\n').count();
    assert!(rows > 1_500 + 1, "{rows} lines");
    for jobs in ["2", "3"] {
        assert!(run(jobs) == one, "{jobs} jobs");
    }
}
