//! Ingestion on the seeds and on exports, through the library.

use std::path::{Path, PathBuf};
use threadguard::ingest::{self, InputFormat};
use threadguard::thread::Thread;

fn read(path: &str) -> Vec<Thread> {
    ingest::read_all(&[PathBuf::from(path)], InputFormat::Auto)
        .unwrap_or_else(|e| panic!("reading {path}: {e}"))
        .threads
}

fn seed(prefix: &str) -> Thread {
    let dir = Path::new("seeds");
    let file = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed {prefix}"));
    let mut threads = read(file.to_str().unwrap());
    assert_eq!(threads.len(), 1);
    threads.remove(0)
}

#[test]
fn blog_seed_has_twenty_comments_six_with_authors() {
    let thread = seed("000_");
    assert_eq!(
        thread.title.as_deref(),
        Some("Rex Tillerson Meets With Foreign Minister Lavrov And President Putin")
    );
    assert_eq!(thread.comments.len(), 20);
    let authors: Vec<&str> = thread
        .comments
        .iter()
        .filter_map(|c| c.author.as_deref())
        .collect();
    assert_eq!(
        authors,
        [
            "888mladen .",
            "888mladen .",
            "888mladen .",
            "chris chuba",
            "jim crowland",
            "Jonathan Cohen"
        ]
    );
    // The first comment is split off the article by the typography rule.
    assert!(
        thread.comments[0]
            .text
            .starts_with("Thing is that the Cold War")
    );
    assert!(
        thread
            .body
            .as_deref()
            .unwrap()
            .ends_with("same trash heap of history.")
    );
    assert!(
        thread.comments[19]
            .text
            .starts_with("I think they made a secret deal.")
    );
    assert_eq!(
        thread.comments[9].text,
        "Under statement. Call spade a spade."
    );
    let ids: Vec<&str> = thread.comments.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids[0], "000_06244f27de9ea2b7-c1");
    assert_eq!(ids[19], "000_06244f27de9ea2b7-c20");
}

#[test]
fn article_only_seed_has_no_comments() {
    let thread = seed("001_");
    assert_eq!(
        thread.title.as_deref(),
        Some("Progress Seen in Tillerson Talks with Lavrov and Putin")
    );
    assert!(thread.comments.is_empty());
    assert!(thread.body.as_deref().unwrap().contains("Idlib"));
}

#[test]
fn forum_seed_authors_replies_parents_and_timestamps() {
    let thread = seed("003_");
    assert!(
        thread
            .title
            .as_deref()
            .unwrap()
            .starts_with("Tillerson, Lavrov Discuss")
    );
    let got: Vec<(&str, Option<&str>, &str)> = thread
        .comments
        .iter()
        .map(|c| {
            (
                c.author.as_deref().unwrap(),
                c.parent_author.as_deref(),
                c.timestamp.as_deref().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("Mr 9x19", Some("peopledontwanttruth"), "2017-08-06T17:33"),
        ("AurorusBorealus", Some("attila404"), "2017-08-06T18:05"),
        ("BOPOH", Some("historian40"), "2017-08-06T18:11"),
        ("Storm-Clouds", None, "2017-08-06T16:30"),
        ("uhland62", Some("chunga"), "2017-08-06T21:34"),
        ("Father ¢hristmas", None, "2017-08-06T16:44"),
        ("Fartboxbuffet", None, "2017-08-06T17:21"),
        ("Blanco Diablo", None, "2017-08-06T17:41"),
        ("uhland62", Some("Blanco Diablo"), "2017-08-06T21:29"),
        ("johnnycanuck", None, "2017-08-06T18:09"),
        ("AurorusBorealus", None, "2017-08-06T18:25"),
        (
            "AurorusBorealus",
            Some("AurorusBorealus"),
            "2017-08-06T18:39",
        ),
    ];
    assert_eq!(got, expected);
    let c = &thread.comments;
    // Replies to authors on the page are linked; the self-reply goes to the earlier post.
    assert_eq!(c[8].parent_id.as_deref(), Some(c[7].id.as_str()));
    assert_eq!(c[11].parent_id.as_deref(), Some(c[10].id.as_str()));
    assert_eq!(c[11].depth, 1);
    // Replies to authors not on the page keep the name but have no parent id.
    assert_eq!(c[0].parent_id, None);
    assert_eq!(c[0].depth, 1);
    assert_eq!(c[3].depth, 0);
    assert_eq!(
        c[5].extra.get("verified").map(String::as_str),
        Some("false")
    );
    // Footers are not part of the text.
    assert!(c.iter().all(|c| !c.text.contains("In reply to by")));
    assert!(c[3].text.starts_with("Kabuki for the sheeple"));
}

#[test]
fn directory_reads_every_page_in_name_order() {
    let threads = read("seeds");
    let ids: Vec<&str> = threads.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "000_06244f27de9ea2b7",
            "001_629c7064ccbf7d65",
            "003_6ee2c4430c52994c"
        ]
    );
    let counts: Vec<usize> = threads.iter().map(|t| t.comments.len()).collect();
    assert_eq!(counts, [20, 0, 12]);
}

#[test]
fn csv_export_columns_ids_parents_and_extras() {
    let threads = read("tests/fixtures/ingest/export.csv");
    assert_eq!(threads.len(), 2);
    let t1 = &threads[0];
    assert_eq!(t1.id, "t1");
    assert_eq!(t1.comments.len(), 2);
    assert_eq!(t1.comments[0].text, "First comment, with a comma");
    assert_eq!(t1.comments[1].parent_id.as_deref(), Some("a1"));
    assert_eq!(t1.comments[1].depth, 1);
    assert_eq!(t1.comments[1].text, "A reply\nover two lines");
    assert_eq!(
        t1.comments[0].extra.get("score").map(String::as_str),
        Some("3")
    );
    assert_eq!(threads[1].comments[0].text, "Another thread \"quoted\"");
    assert_eq!(threads[1].comments[0].timestamp, None);
}

#[test]
fn jsonl_export_with_blank_lines_and_typed_values() {
    let threads = read("tests/fixtures/ingest/export.jsonl");
    assert_eq!(threads.len(), 1);
    let c = &threads[0].comments;
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].author.as_deref(), Some("dora"));
    assert_eq!(c[0].extra.get("likes").map(String::as_str), Some("4"));
    assert_eq!(c[1].extra.get("flagged").map(String::as_str), Some("true"));
    assert_eq!(c[1].parent_id.as_deref(), Some("x1"));
}

#[test]
fn exports_without_ids_get_positional_ids_per_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.csv");
    std::fs::write(&path, "text\nfirst\nsecond\n").unwrap();
    let threads = read(path.to_str().unwrap());
    assert_eq!(threads[0].id, "plain");
    let ids: Vec<&str> = threads[0].comments.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["plain-c1", "plain-c2"]);
}

#[test]
fn forced_format_overrides_detection() {
    let threads = ingest::read_all(
        &[PathBuf::from("seeds/000_06244f27de9ea2b7.txt")],
        InputFormat::Article,
    )
    .unwrap()
    .threads;
    assert!(threads[0].comments.is_empty());
    assert!(threads[0].body.as_deref().unwrap().contains("secret deal"));
}

#[test]
fn large_export_streams_in_bounded_chunks() {
    struct MaxChunk(usize, usize);
    impl ingest::Sink for MaxChunk {
        fn thread(&mut self, t: Thread) -> threadguard::Result<()> {
            self.0 = self.0.max(t.comments.len());
            self.1 += t.comments.len();
            Ok(())
        }
        fn warning(&mut self, _: ingest::Warning) {}
    }
    let mut csv = String::from("thread_id,text\n");
    for i in 0..5000 {
        csv.push_str(&format!("t,comment {i}\n"));
    }
    let mut sink = MaxChunk(0, 0);
    ingest::read_bytes(
        Path::new("big.csv"),
        "big",
        csv.as_bytes(),
        InputFormat::Csv,
        &mut sink,
    )
    .unwrap();
    assert_eq!(sink.1, 5000);
    assert!(sink.0 <= ingest::CHUNK_COMMENTS);
}

#[test]
fn a_million_one_character_comments_stream_and_score() {
    // Through the library (the test profile is unoptimized): the CSV is streamed into
    // chunks and every comment is scored, with the small fixture model.
    struct Scoring<'m> {
        scorer: threadguard::model::Scorer<'m>,
        probs: Vec<f32>,
        comments: usize,
        largest_chunk: usize,
        in_range: bool,
    }
    impl ingest::Sink for Scoring<'_> {
        fn thread(&mut self, t: Thread) -> threadguard::Result<()> {
            self.largest_chunk = self.largest_chunk.max(t.comments.len());
            for c in &t.comments {
                self.scorer.score(&c.text, &mut self.probs);
                self.in_range &= self.probs.iter().all(|p| (0.0..=1.0).contains(p));
                self.comments += 1;
            }
            Ok(())
        }
        fn warning(&mut self, w: ingest::Warning) {
            panic!("unexpected warning: {w}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.csv");
    let letters = b"ab!?xyz. 1";
    let mut csv = b"text\n".to_vec();
    for i in 0..1_000_000 {
        csv.push(letters[i % letters.len()]);
        csv.push(b'\n');
    }
    std::fs::write(&path, &csv).unwrap();
    let model = threadguard::model::file::load(Path::new("tests/fixtures/model/v1.tgm")).unwrap();
    let mut sink = Scoring {
        scorer: model.scorer(),
        probs: Vec::new(),
        comments: 0,
        largest_chunk: 0,
        in_range: true,
    };
    ingest::read_paths(&[path], InputFormat::Auto, &mut sink).unwrap();
    // A one-character comment of a space is still a comment (an empty CSV line is not).
    assert_eq!(sink.comments, 1_000_000);
    assert!(sink.largest_chunk <= ingest::CHUNK_COMMENTS);
    assert!(sink.in_range);
}

#[test]
fn a_fifty_megabyte_comment_in_a_csv_or_jsonl_export_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let body = "longwinded \"quoted\", ".repeat(50 * 1024 * 1024 / 22);
    let csv = dir.path().join("big.csv");
    let mut bytes = b"id,text\nsmall,hi\nbig,\"".to_vec();
    bytes.extend_from_slice(body.replace('"', "\"\"").as_bytes());
    bytes.extend_from_slice(b"\"\nafter,bye\n");
    std::fs::write(&csv, &bytes).unwrap();
    let jsonl = dir.path().join("big.jsonl");
    let line = serde_json::json!({"id": "big", "text": body}).to_string();
    std::fs::write(
        &jsonl,
        format!("{{\"id\":\"small\",\"text\":\"hi\"}}\n{line}\n"),
    )
    .unwrap();
    for path in [&csv, &jsonl] {
        let threads = read(path.to_str().unwrap());
        let comments = &threads[0].comments;
        assert_eq!(comments[1].id, "big");
        assert_eq!(comments[1].text.len(), body.len(), "{}", path.display());
        assert!(comments[1].text == body);
    }
}

#[test]
fn a_forum_page_with_thousands_of_replies_links_each_to_the_latest_earlier_post() {
    let mut page = String::from("A big thread\n\nThe article.\n\n");
    let n = 6000;
    for i in 0..n {
        let (hour, minute) = (i / 60 % 24, i % 60);
        let day = 1 + i / 1440;
        let author = format!("user{}", i % 300);
        if i >= 300 {
            let replied = format!("user{}", (i * 7) % 300);
            page.push_str(&format!(
                "{author} {replied} Sun, 08/{day:02}/2017 - {hour:02}:{minute:02} Permalink\n\
                 Reply number {i}.\n\nIn reply to by {replied}\n\n"
            ));
        } else {
            page.push_str(&format!(
                "{author} Sun, 08/{day:02}/2017 - {hour:02}:{minute:02} Permalink\nPost {i}.\n\n"
            ));
        }
    }
    let mut collected = ingest::Collected::default();
    ingest::read_bytes(
        Path::new("big.txt"),
        "big",
        page.as_bytes(),
        InputFormat::Forum,
        &mut collected,
    )
    .unwrap();
    let comments = &collected.threads[0].comments;
    assert_eq!(comments.len(), n);
    for (i, c) in comments.iter().enumerate().skip(300) {
        // user k posts at positions k, k+300, k+600...; the latest one before i.
        let k = (i * 7) % 300;
        let latest = k + (i - 1 - k) / 300 * 300;
        assert_eq!(
            c.parent_id.as_deref(),
            Some(comments[latest].id.as_str()),
            "{i}"
        );
    }
}

#[test]
fn a_forum_header_naming_no_one_gives_no_author() {
    // Found by fuzzing: the author was Some(""), which a CSV cannot tell from no author.
    let page = "Title\n\n(not verified) Sun, 08/06/2017 - 16:44 Permalink\nWho am I?\n";
    let mut collected = ingest::Collected::default();
    ingest::read_bytes(
        Path::new("anon.txt"),
        "anon",
        page.as_bytes(),
        InputFormat::Forum,
        &mut collected,
    )
    .unwrap();
    let c = &collected.threads[0].comments[0];
    assert_eq!(c.author, None);
    assert_eq!(c.text, "Who am I?");
    assert_eq!(c.extra.get("verified").map(String::as_str), Some("false"));
}

/// (thread id, comment id, parent id) of every comment read from `path`.
fn ids(path: &str) -> Vec<(String, String, Option<String>)> {
    read(path)
        .iter()
        .flat_map(|t| {
            t.comments
                .iter()
                .map(|c| (t.id.clone(), c.id.clone(), c.parent_id.clone()))
        })
        .collect()
}

#[test]
fn same_named_files_in_subdirectories_get_their_own_ids() {
    let own = |thread: &str, comment: &str, parent: Option<&str>| {
        (
            thread.to_string(),
            comment.to_string(),
            parent.map(str::to_string),
        )
    };
    assert_eq!(
        ids("tests/fixtures/nested"),
        [
            own("a", "a-c1", None),
            own("a", "a-c2", None),
            own("sub1/a", "sub1/a-c1", None),
            own("sub2/a", "sub2/a-c1", None),
            own("sub2/deep/a", "sub2/deep/a-c1", None),
            own("sub2/deep/a", "sub2/deep/a-c2", Some("sub2/deep/a-c1")),
        ]
    );
    // Relative to the directory argument, and a file named on its own keeps its stem.
    assert_eq!(
        ids("tests/fixtures/nested/sub2/"),
        [
            own("a", "a-c1", None),
            own("deep/a", "deep/a-c1", None),
            own("deep/a", "deep/a-c2", Some("deep/a-c1")),
        ]
    );
    assert_eq!(
        ids("tests/fixtures/nested/sub1/a.csv"),
        [own("a", "a-c1", None)]
    );
}

/// The (thread id, file) of each input that `paths` name, and the plan's warnings.
fn planned(paths: &[&str]) -> (Vec<(String, String)>, Vec<String>) {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let plan = ingest::plan_inputs(&paths).unwrap();
    let inputs = plan
        .inputs
        .into_iter()
        .map(|input| match input {
            ingest::Input::File { path, thread_id } => (thread_id, path.display().to_string()),
            ingest::Input::Stdin => ("stdin".to_string(), "-".to_string()),
        })
        .collect();
    (
        inputs,
        plan.warnings.iter().map(|w| w.to_string()).collect(),
    )
}

#[test]
fn a_files_id_does_not_depend_on_the_other_inputs_and_shared_ids_are_warned_about() {
    let n = "tests/fixtures/nested";
    let (alone, warnings) = planned(&[&format!("{n}/sub1/a.csv")]);
    assert_eq!(alone[0].0, "a");
    assert!(warnings.is_empty());
    // Beside another `a`, it keeps its id (labels files key on it), with a warning.
    let (both, warnings) = planned(&[&format!("{n}/sub1/a.csv"), &format!("{n}/sub2/a.csv")]);
    let ids: Vec<&str> = both.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["a", "a"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("sub2/a.csv") && warnings[0].contains("gets thread id `a` like"),
        "{warnings:?}"
    );
    // A file named `stdin.csv` beside standard input shares its id: warned too.
    let dir = tempfile::tempdir().unwrap();
    let stdin_csv = dir.path().join("stdin.csv");
    std::fs::write(&stdin_csv, "id,text\n1,hi\n").unwrap();
    let (_, warnings) = planned(&["-", &stdin_csv.display().to_string()]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

#[test]
fn a_file_reached_twice_is_read_once() {
    let n = "tests/fixtures/nested";
    // Named twice under two spellings, and inside a directory also given.
    let (inputs, warnings) = planned(&[&format!("{n}/a.csv"), &format!("{n}/../nested/a.csv"), n]);
    let files: Vec<&str> = inputs.iter().map(|(_, f)| f.as_str()).collect();
    assert_eq!(
        files,
        [
            format!("{n}/a.csv"),
            format!("{n}/sub1/a.csv"),
            format!("{n}/sub2/a.csv"),
            format!("{n}/sub2/deep/a.txt"),
        ]
    );
    assert_eq!(
        warnings.iter().filter(|w| w.contains("read once")).count(),
        2,
        "{warnings:?}"
    );
    // A hard link is the same file.
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = (dir.path().join("x.csv"), dir.path().join("y.csv"));
    std::fs::write(&x, "id,text\n1,hi\n").unwrap();
    if std::fs::hard_link(&x, &y).is_ok() {
        let (inputs, warnings) = planned(&[&x.display().to_string(), &y.display().to_string()]);
        assert_eq!(inputs.len(), 1);
        assert!(warnings[0].contains("read once"), "{warnings:?}");
    }
    // A missing path fails before anything is read.
    let paths = [
        PathBuf::from(n),
        PathBuf::from("tests/fixtures/no-such-file.csv"),
    ];
    assert!(ingest::plan_inputs(&paths).is_err());
}

/// What reading `bytes` as a streamed CSV export reports: the warnings, then the error.
fn csv_reports(bytes: &[u8]) -> Vec<String> {
    let mut collected = ingest::Collected::default();
    let result = ingest::tabular::read_csv(Path::new("p.csv"), "p", bytes, &mut collected);
    let mut reports: Vec<String> = collected.warnings.iter().map(|w| w.to_string()).collect();
    reports.extend(result.err().map(|e| e.to_string()));
    reports
}

#[test]
fn csv_errors_name_the_line_the_record_starts_on_whatever_the_line_ends() {
    let bad = "p.csv:4: malformed CSV row: 3 fields where the header has 2";
    for (input, expected) in [
        ("id,text\n1,a\n2,b\n3,c,d\n", bad),
        ("id,text\r\n1,a\r\n2,b\r\n3,c,d\r\n", bad),
        ("id,text\r1,a\r2,b\r3,c,d\r", bad),
        ("id,text\n1,a\n\n\n3,c,d\n", "p.csv:5: malformed"),
        (
            "id,text\r\n1,\"a\r\nb\"\r\n\r\n3,c,d\r\n",
            "p.csv:5: malformed",
        ),
        ("\r\n\r\nid,body\r\n1,a\r\n", "p.csv:3: no \"text\" column"),
    ] {
        let reports = csv_reports(input.as_bytes());
        assert_eq!(reports.len(), 1, "{input:?}: {reports:?}");
        assert!(reports[0].starts_with(expected), "{input:?}: {reports:?}");
    }
}

#[test]
fn invalid_utf8_in_a_csv_is_reported_at_its_line_and_byte_offset_in_the_file() {
    for (input, line, offset) in [
        (&b"id,text\n1,a\n2,b\n3,c\xff\n"[..], 4, 19),
        (b"id,text\r\n1,a\r\n2,b\r\n3,c\xff\r\n", 4, 22),
        (b"id,text\r1,a\r2,b\r3,c\xff\r", 4, 19),
        // Inside a quoted field, after a line break and a doubled quote.
        (b"id,text\n1,\"a\r\nb\"\"c\xc3\"\n", 3, 18),
        // In the header's second column; a sequence cut short by a delimiter.
        (b"id,te\xffxt\n1,a\n", 1, 5),
        (b"text,x,y\na\xc3\xa9,b\xe2\x82,c\n", 2, 14),
    ] {
        let expected =
            format!("p.csv:{line}: invalid UTF-8 at byte offset {offset} (invalid sequences");
        let reports = csv_reports(input);
        assert!(
            reports.len() <= 2 && reports[0].starts_with(&expected),
            "{input:?}: {reports:?}"
        );
    }
}

#[test]
fn byte_offsets_count_a_byte_order_mark() {
    // Read as files are: the mark is skipped, and counted.
    let mut collected = ingest::Collected::default();
    for file in ["bom_invalid.csv", "bom_invalid.jsonl"] {
        let path = PathBuf::from("tests/fixtures/bad_input").join(file);
        ingest::read_path(&path, InputFormat::Auto, &mut collected).unwrap();
    }
    let warnings: Vec<String> = collected.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "tests/fixtures/bad_input/bom_invalid.csv:4: invalid UTF-8 at byte offset 22 (invalid sequences replaced with U+FFFD)",
            "tests/fixtures/bad_input/bom_invalid.jsonl:2: invalid UTF-8 at byte offset 26 (invalid sequences replaced with U+FFFD)",
        ]
    );
}

#[test]
fn invalid_utf8_in_a_page_with_cr_line_ends_names_its_line() {
    let mut collected = ingest::Collected::default();
    ingest::read_bytes(
        Path::new("cr.txt"),
        "cr",
        b"Title\r\rArticle text. More.\r\r\rbad \xff byte\r",
        InputFormat::Auto,
        &mut collected,
    )
    .unwrap();
    assert_eq!(
        collected.warnings[0].to_string(),
        "cr.txt:6: invalid UTF-8 at byte offset 33 (1 invalid sequence replaced with U+FFFD)"
    );
}

#[test]
fn numeric_jsonl_values_keep_the_text_they_were_written_with() {
    let mut collected = ingest::Collected::default();
    let lines = concat!(
        "{\"id\":123456789012345678901,\"text\":\"a\",\"score\":1e2}\n",
        "{\"id\":123456789012345678902,\"text\":\"b\",\"score\":1.50}\n",
        "{\"id\":-0,\"text\":\"c\",\"score\":-7}\n",
        "{\"id\":18446744073709551615,\"text\":\"d\",\"score\":0.5}\n",
    );
    ingest::read_bytes(
        Path::new("n.jsonl"),
        "n",
        lines.as_bytes(),
        InputFormat::Auto,
        &mut collected,
    )
    .unwrap();
    let got: Vec<(&str, &str)> = collected.threads[0]
        .comments
        .iter()
        .map(|c| (c.id.as_str(), c.extra["score"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("123456789012345678901", "1e2"),
            ("123456789012345678902", "1.50"),
            ("-0", "-7"),
            ("18446744073709551615", "0.5"),
        ]
    );
}

#[test]
fn chunks_of_one_thread_are_put_together_with_depths_over_the_whole_thread() {
    // 3,000 replies in a chain cross two chunk boundaries (chunks hold 1,024 comments), and
    // 2,000 one-comment threads follow: each stays its own thread, in input order.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    let mut csv = String::from("thread_id,id,parent_id,text\n");
    for i in 0..3000 {
        let parent = if i == 0 {
            String::new()
        } else {
            format!("c{}", i - 1)
        };
        csv.push_str(&format!("chain,c{i},{parent},reply {i}\n"));
    }
    for i in 0..2000 {
        csv.push_str(&format!("t{i},s{i},,alone {i}\n"));
    }
    std::fs::write(&path, csv).unwrap();
    let collected = ingest::read_all(&[path], InputFormat::Auto).unwrap();
    assert_eq!(collected.threads.len(), 2001);
    let chain = &collected.threads[0];
    assert_eq!(chain.comments.len(), 3000);
    let depths: Vec<usize> = chain.comments.iter().map(|c| c.depth).collect();
    assert_eq!(depths, (0..3000).collect::<Vec<_>>());
    assert_eq!(collected.threads[1].id, "t0");
    assert_eq!(collected.threads[2000].id, "t1999");
}

#[test]
fn a_page_whose_title_has_a_field_named_text_is_read_as_a_page() {
    let page = std::fs::read_to_string("seeds/003_6ee2c4430c52994c.txt").unwrap();
    let (_, body) = page.split_once('\n').unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.txt");
    std::fs::write(&path, format!("Text, lies and videotape\n{body}")).unwrap();
    let threads = read(path.to_str().unwrap());
    let original = seed("003_");
    assert_eq!(threads.len(), 1);
    assert_eq!(
        threads[0].title.as_deref(),
        Some("Text, lies and videotape")
    );
    assert_eq!(threads[0].comments.len(), original.comments.len());
}
