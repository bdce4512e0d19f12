//! Importers of the public corpora, on small hand-made fixtures in their formats.

use std::fs;
use std::path::{Path, PathBuf};
use threadguard::import::{
    Corpus, ImportStats, ImportedRow, OffensivePolicy, import, write_labels,
};
use threadguard::labels::{Decision, LabelWriter, default_labels, read_labeled};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn davidson(policy: OffensivePolicy) -> (Vec<ImportedRow>, ImportStats) {
    import(
        Corpus::Davidson { offensive: policy },
        &fixture("davidson.csv"),
    )
    .unwrap()
}

/// (id, abusive, conspiratorial) of each row.
fn summary(rows: &[ImportedRow]) -> Vec<(String, Option<bool>, Option<bool>)> {
    rows.iter()
        .map(|r| {
            (
                r.decision.id.clone(),
                r.decision.values[0],
                r.decision.values[1],
            )
        })
        .collect()
}

fn counts(stats: &ImportStats, label: &str) -> (usize, usize) {
    let (_, c) = stats.labels.iter().find(|(l, _)| l == label).unwrap();
    (c.positive, c.negative)
}

fn error_text(result: threadguard::Result<impl std::fmt::Debug>) -> String {
    result.expect_err("expected an error").to_string()
}

const Y: Option<bool> = Some(true);
const N: Option<bool> = Some(false);
const E: Option<bool> = None;

#[test]
fn davidson_drop_policy_is_the_default() {
    assert_eq!(OffensivePolicy::default(), OffensivePolicy::Drop);
    let (rows, stats) = davidson(OffensivePolicy::Drop);
    let expected = vec![
        ("davidson:0".to_string(), N, E),
        ("davidson:2".to_string(), Y, E),
        ("davidson:5".to_string(), N, E),
    ];
    assert_eq!(summary(&rows), expected);
    assert_eq!((stats.rows_in, stats.rows_out), (6, 3));
    assert_eq!(counts(&stats, "abusive"), (1, 2));
    assert_eq!(counts(&stats, "conspiratorial"), (0, 0));
    assert_eq!(stats.dropped.values().sum::<usize>(), 3);
}

#[test]
fn davidson_rows_have_the_import_fields_and_decoded_text() {
    let (rows, _) = davidson(OffensivePolicy::Drop);
    let first = &rows[0].decision;
    assert_eq!(
        first.text,
        "RT @someone: lovely day at the beach & the pier"
    );
    assert_eq!(first.annotator, "davidson");
    assert_eq!(first.source, "import:davidson:davidson.csv");
    assert!(first.thread_id.is_empty() && first.parent_id.is_empty() && first.author.is_empty());
    assert!(first.labeled_at.is_empty());
    assert_eq!(
        rows[1].decision.text,
        "those people are vermin \u{2014} get them out"
    );
    assert_eq!(rows[2].decision.text, "quoted \"words\" <3");
    assert!(rows.iter().all(|r| r.spans.is_none()));
}

#[test]
fn davidson_other_policies() {
    let (rows, stats) = davidson(OffensivePolicy::Positive);
    assert_eq!(rows.len(), 6);
    assert_eq!(counts(&stats, "abusive"), (4, 2));
    let (_, stats) = davidson(OffensivePolicy::Negative);
    assert_eq!(counts(&stats, "abusive"), (1, 5));
    // votes: row 1 (3 offensive votes) dropped, row 3 (1 hate vote) → 1,
    // row 4 (1 neither vote) → 0.
    let (rows, stats) = davidson(OffensivePolicy::Votes);
    let ids: Vec<(String, Option<bool>, Option<bool>)> = summary(&rows);
    assert_eq!(
        ids,
        vec![
            ("davidson:0".to_string(), N, E),
            ("davidson:2".to_string(), Y, E),
            ("davidson:3".to_string(), Y, E),
            ("davidson:4".to_string(), N, E),
            ("davidson:5".to_string(), N, E),
        ]
    );
    assert_eq!(stats.dropped.values().sum::<usize>(), 1);
    assert_eq!(rows[2].decision.text, "you stupid hag \u{1F602}");
}

#[test]
fn davidson_unnamed_id_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labeled_data.csv");
    fs::write(
        &path,
        ",count,hate_speech,offensive_language,neither,class,tweet\n7,3,3,0,0,0,x\n",
    )
    .unwrap();
    let (rows, _) = import(
        Corpus::Davidson {
            offensive: OffensivePolicy::Drop,
        },
        &path,
    )
    .unwrap();
    assert_eq!(rows[0].decision.id, "davidson:7");
    assert_eq!(rows[0].decision.source, "import:davidson:labeled_data.csv");
}

#[test]
fn davidson_errors_name_file_and_line() {
    let corpus = Corpus::Davidson {
        offensive: OffensivePolicy::Drop,
    };
    let msg = error_text(import(corpus, &fixture("davidson_bad_class.csv")));
    assert!(msg.contains("davidson_bad_class.csv:3"), "{msg}");
    assert!(
        msg.contains("column `class`") && msg.contains("`7`"),
        "{msg}"
    );
    let msg = error_text(import(corpus, &fixture("davidson_missing_column.csv")));
    assert!(msg.contains("davidson_missing_column.csv"), "{msg}");
    assert!(
        msg.contains("missing column `class`; columns present: `id`, `count`"),
        "{msg}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    fs::write(
        &path,
        "id,count,hate_speech,offensive_language,neither,class,tweet\n1,3,1,1,0,0,x\n",
    )
    .unwrap();
    let msg = error_text(import(corpus, &path));
    assert!(
        msg.contains("d.csv:2") && msg.contains("do not add up to count 3"),
        "{msg}"
    );
    fs::write(
        &path,
        "id,count,hate_speech,offensive_language,neither,class,tweet\n1,three,1,1,1,0,x\n",
    )
    .unwrap();
    let msg = error_text(import(corpus, &path));
    assert!(
        msg.contains("d.csv:2") && msg.contains("column `count`"),
        "{msg}"
    );
    fs::write(
        &path,
        "id,count,hate_speech,offensive_language,neither,class,tweet\n1,3,1,1,1,0\n",
    )
    .unwrap();
    let msg = error_text(import(corpus, &path));
    assert!(msg.contains("d.csv:2"), "{msg}");
}

#[test]
fn psycomark_merges_votes_per_id() {
    let (rows, stats) = import(Corpus::Psycomark, &fixture("psycomark.csv")).unwrap();
    let expected = vec![
        ("psycomark:t1_a".to_string(), E, Y), // one annotator, duplicate row counted once
        ("psycomark:t1_b".to_string(), E, N),
        ("psycomark:t1_e".to_string(), E, Y), // 2 Yes vs 1 No
        ("psycomark:t1_f".to_string(), E, N), // Can't tell ignored
    ];
    assert_eq!(summary(&rows), expected);
    assert_eq!(
        rows[0].decision.text,
        "The elites planned it all.\n Wake up."
    );
    assert_eq!(rows[0].decision.annotator, "psycomark");
    assert_eq!(rows[0].decision.source, "import:psycomark:psycomark.csv");
    assert_eq!((stats.rows_in, stats.rows_out), (11, 4));
    assert_eq!(counts(&stats, "conspiratorial"), (2, 2));
    assert_eq!(counts(&stats, "abusive"), (0, 0));
    assert_eq!(stats.dropped.get("ids with only Can't tell"), Some(&1)); // t1_c
    assert_eq!(stats.dropped.get("ids with as many Yes as No"), Some(&1)); // t1_d
    assert_eq!(
        stats
            .notes
            .get("duplicate rows of one annotator (counted once)"),
        Some(&1)
    );
    assert_eq!(stats.notes.get("ids with more than one row"), Some(&4));
}

#[test]
fn psycomark_bad_vote_is_an_error() {
    let msg = error_text(import(
        Corpus::Psycomark,
        &fixture("psycomark_bad_vote.csv"),
    ));
    assert!(msg.contains("psycomark_bad_vote.csv:3"), "{msg}");
    assert!(msg.contains("`Maybe`"), "{msg}");
}

#[test]
fn toxic_spans_keeps_spans_and_drops_empty_ones() {
    let (rows, stats) = import(Corpus::ToxicSpans, &fixture("tsd_small.csv")).unwrap();
    let expected = vec![
        ("toxic-spans:tsd_small:0".to_string(), Y, E),
        ("toxic-spans:tsd_small:2".to_string(), Y, E),
    ];
    assert_eq!(summary(&rows), expected);
    assert_eq!(rows[0].spans, Some(vec![4, 5, 6, 7, 8]));
    assert_eq!(
        rows[1].decision.text,
        "Idiots, all of them, said \"nobody\""
    );
    assert_eq!((stats.rows_in, stats.rows_out), (3, 2));
    assert_eq!(stats.dropped.values().sum::<usize>(), 1);
    assert!(
        stats
            .to_string()
            .contains("abusive: 2 positive, 0 negative")
    );
}

#[test]
fn toxic_spans_bad_offsets_are_errors() {
    let msg = error_text(import(Corpus::ToxicSpans, &fixture("tsd_bad_spans.csv")));
    assert!(
        msg.contains("tsd_bad_spans.csv:3") && msg.contains("offset 99"),
        "{msg}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    fs::write(&path, "spans,text\n\"[1, oops]\",hello\n").unwrap();
    let msg = error_text(import(Corpus::ToxicSpans, &path));
    assert!(
        msg.contains("t.csv:2") && msg.contains("column `spans`"),
        "{msg}"
    );
    fs::write(&path, "text\nhello\n").unwrap();
    assert!(error_text(import(Corpus::ToxicSpans, &path)).contains("missing column `spans`"));
}

#[test]
fn written_imports_read_back_as_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("toxic.csv");
    let (rows, _) = import(Corpus::ToxicSpans, &fixture("tsd_small.csv")).unwrap();
    write_labels(&path, &rows).unwrap();
    let raw = fs::read_to_string(&path).unwrap();
    assert!(raw.starts_with(
        "id,thread_id,parent_id,author,text,abusive,conspiratorial,annotator,labeled_at,source,spans\n"
    ));
    assert!(
        raw.contains(",\"[4,5,6,7,8]\"\n") || raw.contains(",\"[4,5,6,7,8]\""),
        "{raw}"
    );
    let set = read_labeled(&path, &default_labels()).unwrap();
    let read: Vec<Decision> = set.items.iter().map(|i| i.decision.clone()).collect();
    let original: Vec<Decision> = rows.iter().map(|r| r.decision.clone()).collect();
    assert_eq!(read, original);

    // The labeling loop can append to an imported file.
    let mut writer = LabelWriter::open(&path, &default_labels()).unwrap();
    let mut d = original[0].clone();
    d.annotator = "moderator".to_string();
    writer.append(&d).unwrap();
    assert_eq!(
        read_labeled(&path, &default_labels()).unwrap().items.len(),
        3
    );

    // Without spans there is no spans column.
    let (rows, _) = import(Corpus::Psycomark, &fixture("psycomark.csv")).unwrap();
    write_labels(&path, &rows).unwrap();
    let raw = fs::read_to_string(&path).unwrap();
    assert!(raw.lines().next().unwrap().ends_with(",source"));
    assert_eq!(
        read_labeled(&path, &default_labels()).unwrap().items.len(),
        4
    );
}

#[test]
fn corpus_names() {
    let c = Corpus::from_name("davidson", OffensivePolicy::Votes).unwrap();
    assert_eq!(
        c,
        Corpus::Davidson {
            offensive: OffensivePolicy::Votes
        }
    );
    assert_eq!(
        Corpus::from_name("toxic-spans", OffensivePolicy::Drop)
            .unwrap()
            .name(),
        "toxic-spans"
    );
    assert!(Corpus::from_name("reddit", OffensivePolicy::Drop).is_err());
}

#[test]
fn a_corpus_file_cut_inside_a_quoted_field_is_an_error_naming_the_quote() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.csv");
    fs::write(
        &path,
        "id,subreddit,annotator,conspiracy,text\nt1,x,a1,Yes,\"whole\"\nt2,x,a1,Yes,\"cut in",
    )
    .unwrap();
    let message = error_text(import(Corpus::Psycomark, &path));
    assert!(message.contains("cut.csv:3"), "{message}");
    assert!(message.contains("unterminated quoted field"), "{message}");
}

#[test]
fn a_column_the_importer_reads_given_twice_is_an_error_naming_it() {
    // The first of the two was used; the labels reader refuses a repeated column too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.csv");
    let davidson = Corpus::Davidson {
        offensive: OffensivePolicy::Drop,
    };
    let cases = [
        (Corpus::ToxicSpans, "spans,text,text\n\"[0]\",a,b\n", "text"),
        (
            Corpus::Psycomark,
            "id,annotator,annotator,conspiracy,text\nt1,a1,a2,Yes,x\n",
            "annotator",
        ),
        (
            davidson,
            "id,id,count,hate_speech,offensive_language,neither,class,tweet\n1,2,3,3,0,0,0,x\n",
            "id",
        ),
    ];
    for (corpus, text, column) in cases {
        fs::write(&path, text).unwrap();
        let msg = error_text(import(corpus, &path));
        assert!(
            msg.ends_with(&format!(
                "dup.csv:1: column `{column}` appears twice in the header"
            )),
            "{msg}"
        );
    }
    // A repeated column the importer does not read is no problem.
    fs::write(&path, "spans,text,note,note\n\"[0]\",a,x,y\n").unwrap();
    assert!(import(Corpus::ToxicSpans, &path).is_ok());
}
