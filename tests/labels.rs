//! The labels CSV: appending, latest-wins, undo, resume, crash safety and errors.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use threadguard::agreement::agreement_for_file;
use threadguard::labels::{
    Decision, LabelLog, LabelWriter, UNDO_SOURCE, default_labels, read_labeled,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/labels")
        .join(name)
}

fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn decision(id: &str, annotator: &str, text: &str, values: [Option<bool>; 2]) -> Decision {
    Decision {
        id: id.to_string(),
        thread_id: "t1".to_string(),
        parent_id: String::new(),
        author: "someone".to_string(),
        text: text.to_string(),
        values: values.to_vec(),
        annotator: annotator.to_string(),
        labeled_at: "2024-05-01T10:00:00Z".to_string(),
        source: "label".to_string(),
    }
}

fn write_all(path: &Path, decisions: &[Decision]) {
    let mut writer = LabelWriter::open(path, &default_labels()).expect("open writer");
    for d in decisions {
        writer.append(d).expect("append");
    }
}

/// Appends `bytes` to the file as they are, as a crash mid-row would leave it.
fn append_raw(path: &Path, bytes: &[u8]) {
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

fn error_text(result: threadguard::Result<impl std::fmt::Debug>) -> String {
    result.expect_err("expected an error").to_string()
}

const Y: Option<bool> = Some(true);
const N: Option<bool> = Some(false);
const E: Option<bool> = None;

#[test]
fn append_creates_header_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let rows = vec![
        decision("c1", "ann", "hello", [Y, N]),
        decision("c2", "ann", "bye", [N, E]),
    ];
    write_all(&path, &rows);
    let content = fs::read_to_string(&path).unwrap();
    assert!(content.starts_with(
        "id,thread_id,parent_id,author,text,abusive,conspiratorial,annotator,labeled_at,source\n"
    ));
    let set = read_labeled(&path, &default_labels()).unwrap();
    let got: Vec<Decision> = set.items.iter().map(|i| i.decision.clone()).collect();
    assert_eq!(got, rows);
    assert_eq!(set.items[0].line, 2);
    assert!(set.warnings.is_empty());
}

#[test]
fn empty_existing_file_gets_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    fs::write(&path, "").unwrap();
    write_all(&path, &[decision("c1", "ann", "x", [Y, Y])]);
    let content = fs::read_to_string(&path).unwrap();
    assert_eq!(content.lines().count(), 2);
    assert_eq!(
        read_labeled(&path, &default_labels()).unwrap().items.len(),
        1
    );
}

#[test]
fn quoted_fields_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let nasty = [
        "commas, everywhere, here",
        "a \"quoted\" word and a lone \" quote",
        "two\nlines\r\nand windows lines",
        "\"starts with a quote",
        "  leading and trailing spaces  ",
        "unicode: héllo wörld 😀",
        "",
    ];
    let rows: Vec<Decision> = nasty
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut d = decision(&format!("c{i}"), "ann, with comma", t, [Y, N]);
            d.author = "\"quoted\" author".to_string();
            d
        })
        .collect();
    write_all(&path, &rows);
    let set = read_labeled(&path, &default_labels()).unwrap();
    let got: Vec<Decision> = set.items.iter().map(|i| i.decision.clone()).collect();
    assert_eq!(got, rows);
    assert!(set.warnings.is_empty());
}

#[test]
fn latest_decision_wins_per_id_and_annotator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    write_all(
        &path,
        &[
            decision("c1", "ann", "x", [Y, N]),
            decision("c1", "bob", "x", [N, N]),
            decision("c2", "ann", "y", [N, N]),
            decision("c1", "ann", "x", [N, Y]), // correction by ann
        ],
    );
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.rows_read, 4);
    assert_eq!(set.superseded, 1);
    let ann_c1: Vec<_> = set
        .items
        .iter()
        .filter(|i| i.decision.id == "c1" && i.decision.annotator == "ann")
        .collect();
    assert_eq!(ann_c1.len(), 1);
    assert_eq!(ann_c1[0].decision.values, vec![N, Y]);
    assert_eq!(ann_c1[0].line, 5);
    // Items are in file order of their winning rows.
    let order: Vec<(&str, &str)> = set
        .items
        .iter()
        .map(|i| (i.decision.id.as_str(), i.decision.annotator.as_str()))
        .collect();
    assert_eq!(order, vec![("c1", "bob"), ("c2", "ann"), ("c1", "ann")]);
}

#[test]
fn rows_without_id_are_separate_items_and_missing_annotator_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    fs::write(&path, "text,abusive,conspiratorial\nsame,1,0\nsame,0,0\n").unwrap();
    let log = LabelLog::read(&path, &default_labels()).unwrap();
    assert_eq!(log.latest.len(), 2);
    assert_eq!(log.superseded, 0);
    assert!(
        log.latest
            .iter()
            .all(|i| i.decision.annotator.is_empty() && i.decision.id.is_empty())
    );
    assert!(
        log.decided().is_empty(),
        "rows without id cannot be resumed"
    );
    assert_eq!(log.labeled_count(), 2);
}

#[test]
fn undo_removes_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    write_all(
        &path,
        &[
            decision("c1", "ann", "x", [Y, N]),
            decision("c2", "ann", "y", [N, N]),
            Decision::undo("c1", "ann", 2),
        ],
    );
    let raw = fs::read_to_string(&path).unwrap();
    assert!(raw.lines().last().unwrap().starts_with("c1,,,,,,,ann,"));
    assert!(raw.lines().last().unwrap().ends_with(",undo"));

    let log = LabelLog::read(&path, &default_labels()).unwrap();
    assert_eq!(log.labeled_count(), 1);
    let decided = log.decided();
    assert!(!decided.contains(&("c1".to_string(), "ann".to_string())));
    assert!(decided.contains(&("c2".to_string(), "ann".to_string())));
    assert!(!log.latest_for_annotator("ann").contains_key("c1"));

    let set = log.labeled();
    assert_eq!(set.items.len(), 1);
    assert_eq!(set.items[0].decision.id, "c2");
    assert_eq!(set.skipped_unlabeled, 1);

    // Relabeling after an undo brings the item back.
    write_all(&path, &[decision("c1", "ann", "x", [N, Y])]);
    let log = LabelLog::read(&path, &default_labels()).unwrap();
    assert_eq!(log.latest_for_annotator("ann")["c1"].values, vec![N, Y]);
    assert_eq!(log.labeled_count(), 2);
}

#[test]
fn resume_set_and_latest_per_annotator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let mut skip = decision("c3", "ann", "z", [E, E]);
    skip.source = "skip".to_string();
    write_all(
        &path,
        &[
            decision("c1", "ann", "x", [Y, N]),
            decision("c2", "bob", "y", [N, N]),
            skip,
            decision("c1", "ann", "x", [Y, Y]),
        ],
    );
    let log = LabelLog::read(&path, &default_labels()).unwrap();
    let decided = log.decided();
    let mut pairs: Vec<(String, String)> = decided.into_iter().collect();
    pairs.sort();
    let expected = [("c1", "ann"), ("c2", "bob"), ("c3", "ann")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(i, a)| (i.to_string(), a.to_string()))
        .collect();
    assert_eq!(pairs, expected, "skips count as decided, corrections once");
    assert_eq!(log.labeled_count(), 2, "a skip carries no label");
    let ann = log.latest_for_annotator("ann");
    assert_eq!(ann.len(), 2);
    assert_eq!(ann["c1"].values, vec![Y, Y]);
    assert!(log.latest_for_annotator("nobody").is_empty());
}

#[test]
fn missing_file_is_an_empty_log_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.csv");
    let log = LabelLog::read_if_exists(&path, &default_labels()).unwrap();
    assert!(log.latest.is_empty());
    assert!(error_text(LabelLog::read(&path, &default_labels())).contains("nope.csv"));
}

#[test]
fn reads_any_column_order_extra_columns_and_label_subsets() {
    let path = fixture("shuffled.csv");
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items.len(), 2);
    assert_eq!(
        set.skipped_unlabeled, 1,
        "c3 has no abusive/conspiratorial value"
    );
    assert_eq!(
        set.items[0].decision.text,
        "They staged the whole thing, wake up"
    );
    assert_eq!(set.items[0].decision.values, vec![N, Y]);
    assert_eq!(set.items[1].decision.values, vec![Y, E]);
    assert!(
        set.items[0].decision.thread_id.is_empty(),
        "absent columns are empty"
    );

    // A reader asking for one label, or a newer label, works on the same file.
    let only = read_labeled(&path, &labels(&["sarcastic"])).unwrap();
    let ids: Vec<&str> = only.items.iter().map(|i| i.decision.id.as_str()).collect();
    assert_eq!(ids, vec!["c2", "c3"]);
    let abusive = read_labeled(&path, &labels(&["abusive"])).unwrap();
    assert_eq!(abusive.items.len(), 2);
}

#[test]
fn missing_label_column_names_file_and_lists_columns() {
    let msg = error_text(read_labeled(
        &fixture("missing_label.csv"),
        &default_labels(),
    ));
    assert!(msg.contains("missing_label.csv"), "{msg}");
    assert!(msg.contains("`conspiratorial`"), "{msg}");
    assert!(msg.contains("columns present: `id`, `thread_id`"), "{msg}");
    assert!(msg.contains("`abusive`, `annotator`"), "{msg}");
}

#[test]
fn missing_text_column_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    fs::write(&path, "id,abusive,conspiratorial\nc1,1,0\n").unwrap();
    let msg = error_text(read_labeled(&path, &default_labels()));
    assert!(msg.contains("missing column `text`"), "{msg}");
}

#[test]
fn bad_value_names_file_line_column_and_value() {
    let msg = error_text(read_labeled(&fixture("bad_value.csv"), &default_labels()));
    // Row c2 starts on physical line 4: header, then c1 spans lines 2-3.
    assert!(msg.contains("bad_value.csv:4"), "{msg}");
    assert!(msg.contains("`abusive`"), "{msg}");
    assert!(msg.contains("`yes`"), "{msg}");
}

#[test]
fn too_many_fields_mid_file_is_an_error() {
    let msg = error_text(read_labeled(
        &fixture("too_many_fields.csv"),
        &default_labels(),
    ));
    assert!(msg.contains("too_many_fields.csv:3"), "{msg}");
    assert!(msg.contains("5 fields but the header has 4"), "{msg}");
}

#[test]
fn single_row_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.csv");
    fs::write(&path, "text,abusive,conspiratorial\nhi,1,\n").unwrap();
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items.len(), 1);
    assert_eq!(set.items[0].decision.values, vec![Y, E]);

    // Header only, and an empty file: no items, no error.
    fs::write(&path, "text,abusive,conspiratorial\n").unwrap();
    assert!(
        read_labeled(&path, &default_labels())
            .unwrap()
            .items
            .is_empty()
    );
    fs::write(&path, "").unwrap();
    assert!(
        read_labeled(&path, &default_labels())
            .unwrap()
            .items
            .is_empty()
    );

    // One whole row without the final newline, as hand-made files often end: kept.
    fs::write(&path, "text,abusive,conspiratorial\nhi,1,0").unwrap();
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items.len(), 1);
    assert_eq!(set.items[0].decision.values, vec![Y, N]);
    assert!(set.warnings.is_empty());
    // Cut short of its last field, or inside a quote, it is skipped with a warning.
    // Cut inside a character of an earlier field: skipped too (see
    // `a_character_cut_at_the_end_of_the_file_is_dropped_before_appending` for the last).
    fs::write(
        &path,
        b"text,abusive,conspiratorial\ncaf\xc3\xa9,1,0\ncaf\xc3",
    )
    .unwrap();
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items.len(), 1);
    assert_eq!(set.warnings.len(), 1);
    for cut in ["hi,1", "\"hi,1,0"] {
        fs::write(&path, format!("text,abusive,conspiratorial\n{cut}")).unwrap();
        let set = read_labeled(&path, &default_labels()).unwrap();
        assert!(set.items.is_empty(), "{cut}");
        assert_eq!(set.warnings.len(), 1, "{cut}");
    }
}

#[test]
fn byte_order_mark_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.csv");
    fs::write(&path, "\u{feff}text,abusive,conspiratorial\nhi,1,0\n").unwrap();
    assert_eq!(
        read_labeled(&path, &default_labels()).unwrap().items.len(),
        1
    );
}

#[test]
fn cut_last_row_fixture_is_reported_and_skipped() {
    let path = fixture("cut_last_row.csv");
    let set = read_labeled(&path, &default_labels()).unwrap();
    let ids: Vec<&str> = set.items.iter().map(|i| i.decision.id.as_str()).collect();
    assert_eq!(ids, vec!["c1", "c2"]);
    assert_eq!(set.warnings.len(), 1);
    assert_eq!(set.warnings[0].location.line, Some(4));
    assert!(set.warnings[0].location.file.ends_with("cut_last_row.csv"));
    assert!(
        set.warnings[0]
            .to_string()
            .contains("cut_last_row.csv:4: skipped a partial row")
    );
}

/// Rows whose text exercises quotes, newlines and multi-byte characters, so cuts land
/// inside open quotes and inside UTF-8 sequences.
fn tricky_rows() -> Vec<Decision> {
    vec![
        decision("c1", "ann", "plain text", [Y, N]),
        decision("c2", "ann", "with, comma and \"quotes\"", [N, N]),
        decision("c3", "bob", "line one\nline \"two\", ünïcödé 😀", [Y, Y]),
    ]
}

/// Writes `rows`, then returns the file's bytes and where the last row starts.
fn written(path: &Path, rows: &[Decision]) -> (Vec<u8>, usize) {
    write_all(path, &rows[..rows.len() - 1]);
    let before = fs::metadata(path).unwrap().len() as usize;
    write_all(path, &rows[rows.len() - 1..]);
    (fs::read(path).unwrap(), before)
}

#[test]
fn every_cut_of_the_last_row_keeps_earlier_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let rows = tricky_rows();
    let (full, start) = written(&path, &rows);
    let earlier: Vec<Decision> = rows[..rows.len() - 1].to_vec();
    let last = &rows[rows.len() - 1];
    let mut kept = 0;
    // Every cut strictly inside the last row, the final newline excluded: the row is
    // skipped with a warning, or (cut inside its last column, `source`) kept with its
    // labels intact, as it is once a writer has added the newline.
    for cut in start + 1..full.len() {
        fs::write(&path, &full[..cut]).unwrap();
        let set = read_labeled(&path, &default_labels())
            .unwrap_or_else(|e| panic!("cut at byte {cut}: {e}"));
        let got: Vec<Decision> = set.items.iter().map(|i| i.decision.clone()).collect();
        assert_eq!(got[..earlier.len()], earlier[..], "cut at byte {cut}");
        if set.warnings.is_empty() {
            kept += 1;
            let row = &got[earlier.len()];
            assert_eq!(
                (&row.id, &row.text, &row.values),
                (&last.id, &last.text, &last.values)
            );
            assert!(last.source.starts_with(&row.source), "cut at byte {cut}");
        } else {
            assert_eq!(got.len(), earlier.len(), "cut at byte {cut}");
            assert_eq!(set.warnings[0].location.line, Some(4), "cut at byte {cut}");
        }
    }
    assert!(kept > 0 && kept <= last.source.len() + 1, "kept {kept}");
}

#[test]
fn appending_after_every_cut_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let rows = tricky_rows();
    let (full, start) = written(&path, &rows);
    let last = &rows[rows.len() - 1];
    let after = [
        decision("c4", "ann", "after the crash, \"fine\"", [N, Y]),
        decision("c5", "bob", "more", [Y, E]),
    ];
    let (mut skipped, mut kept) = (0, 0);
    for cut in start + 1..full.len() {
        fs::write(&path, &full[..cut]).unwrap();
        write_all(&path, &after);
        let set = read_labeled(&path, &default_labels())
            .unwrap_or_else(|e| panic!("cut at byte {cut}: {e}"));
        let got: Vec<Decision> = set.items.iter().map(|i| i.decision.clone()).collect();
        // The cut row is skipped with a warning, or (when only its last column, `source`,
        // was cut) kept with its labels intact.
        let (head, tail) = got.split_at(got.len() - 2);
        assert_eq!(tail, &after[..], "cut at byte {cut}");
        match set.warnings.len() {
            1 => {
                assert_eq!(head, &rows[..2], "cut at byte {cut}");
                skipped += 1;
            }
            0 => {
                kept += 1;
                assert_eq!(&head[..2], &rows[..2], "cut at byte {cut}");
                let kept = &head[2];
                assert_eq!(
                    (&kept.id, &kept.text, &kept.values),
                    (&last.id, &last.text, &last.values)
                );
                assert!(last.source.starts_with(&kept.source), "cut at byte {cut}");
            }
            n => panic!("cut at byte {cut}: {n} warnings"),
        }
    }
    assert!(skipped > 50 && kept > 0, "skipped {skipped}, kept {kept}");
}

/// The cuts of `full` that end inside a multi-byte character of its last row, after
/// `start`: the lengths at which the file ends with 1 to 3 bytes of a cut character.
fn cuts_inside_characters(full: &[u8], start: usize) -> Vec<usize> {
    (start + 1..full.len())
        .filter(|&cut| std::str::from_utf8(&full[start..cut]).is_err())
        .collect()
}

/// A crash that cuts the last cell (`source`) inside a multi-byte character: the
/// character's bytes are dropped on reading and before appending, so the file reads the
/// same before and after a session opens it, stays UTF-8, and the new rows read back.
#[test]
fn a_character_cut_at_the_end_of_the_file_is_dropped_before_appending() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let mut last = decision("c2", "ann", "hello", [Y, N]);
    last.source = "import:café€😀".to_string();
    let rows = [decision("c1", "bob", "first", [N, N]), last.clone()];
    let (full, start) = written(&path, &rows);
    let after = [
        decision("c3", "ann", "after the crash", [N, Y]),
        decision("c4", "bob", "more", [Y, E]),
    ];
    let cuts = cuts_inside_characters(&full, start);
    assert_eq!(
        cuts.len(),
        1 + 2 + 3,
        "é, € and 😀 cut after each of their bytes"
    );
    for cut in cuts {
        fs::write(&path, &full[..cut]).unwrap();
        let before = LabelLog::read(&path, &default_labels())
            .unwrap_or_else(|e| panic!("cut at byte {cut}: {e}"));
        assert!(before.warnings.is_empty(), "cut at byte {cut}");
        let before: Vec<Decision> = before.latest.into_iter().map(|i| i.decision).collect();
        assert_eq!(before[0], rows[0]);
        // Kept with its labels, its source cut before the cut character.
        let kept = &before[1];
        assert_eq!((&kept.id, &kept.values), (&last.id, &last.values));
        assert!(last.source.starts_with(&kept.source), "cut at byte {cut}");

        write_all(&path, &after);
        let bytes = fs::read(&path).unwrap();
        assert!(std::str::from_utf8(&bytes).is_ok(), "cut at byte {cut}");
        let log = LabelLog::read(&path, &default_labels())
            .unwrap_or_else(|e| panic!("cut at byte {cut}: {e}"));
        assert!(log.warnings.is_empty(), "cut at byte {cut}");
        let got: Vec<Decision> = log.latest.iter().map(|i| i.decision.clone()).collect();
        assert_eq!(got[..2], before[..], "cut at byte {cut}");
        assert_eq!(got[2..], after[..], "cut at byte {cut}");
    }
}

/// The same with a quoted last cell (its source has a comma): the cut row ends inside a
/// quote, so the character's bytes go before the quote is closed.
#[test]
fn a_character_cut_inside_a_quoted_last_cell_is_dropped_before_appending() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let mut last = decision("c2", "ann", "hello", [Y, N]);
    last.source = "import:a, ü€".to_string();
    let rows = [decision("c1", "bob", "first", [N, N]), last];
    let (full, start) = written(&path, &rows);
    let after = [decision("c3", "ann", "after the crash", [N, Y])];
    let cuts = cuts_inside_characters(&full, start);
    assert_eq!(cuts.len(), 3);
    for cut in cuts {
        fs::write(&path, &full[..cut]).unwrap();
        write_all(&path, &after);
        let bytes = fs::read(&path).unwrap();
        assert!(std::str::from_utf8(&bytes).is_ok(), "cut at byte {cut}");
        let log = LabelLog::read(&path, &default_labels())
            .unwrap_or_else(|e| panic!("cut at byte {cut}: {e}"));
        let ids: Vec<&str> = log.latest.iter().map(|i| i.decision.id.as_str()).collect();
        assert_eq!(ids, ["c1", "c2", "c3"], "cut at byte {cut}");
        assert_eq!(log.latest[2].decision, after[0]);
    }
}

/// A session cuts a cut character off only while it is still the end of the file: when
/// another session appended between reading the file and opening it, the open fails and
/// leaves the other session's bytes alone.
#[test]
fn a_cut_character_is_not_cut_off_once_another_session_appended() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    write_all(&path, &[decision("c1", "ann", "first", [Y, N])]);
    append_raw(&path, b"c2,t1,,x,hi,1,0,ann,,caf\xc3");
    let other_row = b"\nc3,t1,,x,other,1,0,bob,,label\n";
    let result = LabelWriter::open_with(&path, &default_labels(), |mut file| {
        file.write_all(other_row).unwrap();
        Box::new(file)
    });
    let msg = error_text(result);
    assert!(
        msg.contains("labels.csv: the labels file changed while this session was opening it"),
        "{msg}"
    );
    assert!(fs::read(&path).unwrap().ends_with(other_row));
}

#[test]
fn two_crashes_in_a_row_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    write_all(&path, &[decision("c1", "ann", "first", [Y, N])]);
    // Crash 1: half a row, inside an open quote.
    append_raw(&path, b"c2,t1,,x,\"half a te");
    // Restart: the writer repairs the row; crash 2 cuts the next row too.
    drop(LabelWriter::open(&path, &default_labels()).unwrap());
    append_raw(&path, b"c3,t1,,x,no quo");
    write_all(&path, &[decision("c4", "ann", "last", [N, N])]);
    let set = read_labeled(&path, &default_labels()).unwrap();
    let ids: Vec<&str> = set.items.iter().map(|i| i.decision.id.as_str()).collect();
    assert_eq!(ids, vec!["c1", "c4"]);
    let lines: Vec<Option<u64>> = set.warnings.iter().map(|w| w.location.line).collect();
    assert_eq!(lines, vec![Some(3), Some(4)]);
}

#[test]
fn writer_keeps_an_existing_header_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let header = "source,labeled_at,annotator,conspiratorial,abusive,text,author,parent_id,thread_id,id,spans,extra_label\n";
    fs::write(&path, header).unwrap();
    let d = decision("c1", "ann", "hi, there", [Y, N]);
    write_all(&path, std::slice::from_ref(&d));
    let raw = fs::read_to_string(&path).unwrap();
    assert_eq!(
        raw.lines().nth(1),
        Some("label,2024-05-01T10:00:00Z,ann,0,1,\"hi, there\",someone,,t1,c1,,")
    );
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items[0].decision, d);
}

#[test]
fn writer_refuses_a_header_missing_session_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let old = "id,thread_id,parent_id,author,text,abusive,annotator,labeled_at,source\nc1,,,,x,1,ann,,label\n";
    fs::write(&path, old).unwrap();
    let msg = error_text(LabelWriter::open(&path, &default_labels()));
    assert!(msg.contains("missing column `conspiratorial`"), "{msg}");
    assert!(msg.contains("columns present: `id`"), "{msg}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        old,
        "the file is untouched"
    );
    // A session using only the labels the file has is fine.
    assert!(LabelWriter::open(&path, &labels(&["abusive"])).is_ok());
}

#[test]
fn writer_rejects_mismatched_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let mut writer = LabelWriter::open(&path, &default_labels()).unwrap();
    let mut d = decision("c1", "ann", "x", [Y, N]);
    d.values.push(Y);
    assert!(error_text(writer.append(&d)).contains("3 label values"));
    let mut d = decision("c1", "ann", "x", [Y, N]);
    d.labeled_at = "yesterday".to_string();
    assert!(error_text(writer.append(&d)).contains("RFC 3339"));
    let rows = fs::read_to_string(&path).unwrap();
    assert_eq!(rows.lines().count(), 1, "nothing written");
}

#[test]
fn bad_label_lists_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    assert!(LabelWriter::open(&path, &labels(&[])).is_err());
    assert!(LabelWriter::open(&path, &labels(&["text"])).is_err());
    assert!(LabelWriter::open(&path, &labels(&["abusive", "abusive"])).is_err());
    assert!(!path.exists());
}

#[test]
fn undo_constructor_is_stamped() {
    let d = Decision::undo("c9", "ann", 2);
    assert_eq!(d.source, UNDO_SOURCE);
    assert!(d.is_undo() && !d.has_label());
    assert!(chrono::DateTime::parse_from_rfc3339(&d.labeled_at).is_ok());
}

#[test]
fn windows_line_endings_and_blank_lines_keep_true_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crlf.csv");
    let content =
        "text,abusive,conspiratorial\r\n\"two\r\nlines\",1,0\r\n\r\nok,0,0\r\nbad,2,0\r\n";
    fs::write(&path, content).unwrap();
    let msg = error_text(read_labeled(&path, &default_labels()));
    assert!(msg.contains("crlf.csv:6:"), "{msg}");
    assert!(msg.contains("`2`"), "{msg}");

    fs::write(
        &path,
        "text,abusive,conspiratorial\r\n\r\nok,0,0\r\nalso ok,1,1\r\n",
    )
    .unwrap();
    let set = read_labeled(&path, &default_labels()).unwrap();
    let lines: Vec<u64> = set.items.iter().map(|i| i.line).collect();
    assert_eq!(lines, vec![3, 4]);

    // Ending between `\r` and `\n`, a hand-made file's whole last row is kept.
    fs::write(&path, "text,abusive,conspiratorial\r\nok,0,0\r\nlast,1,1\r").unwrap();
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items.len(), 2);
    assert_eq!(set.items[1].line, 3);
    assert!(set.warnings.is_empty());
    assert!(
        LabelWriter::open(&path, &default_labels()).is_err(),
        "a file without the standard columns is not appended to"
    );
    let header =
        "id,thread_id,parent_id,author,text,abusive,conspiratorial,annotator,labeled_at,source";
    fs::write(
        &path,
        format!("{header}\r\nc1,,,,ok,0,0,ann,,label\r\nc2,,,,last,1,1,ann,,label\r"),
    )
    .unwrap();
    write_all(&path, &[decision("c3", "ann", "new", [Y, N])]);
    let set = read_labeled(&path, &default_labels()).unwrap();
    let ids: Vec<&str> = set.items.iter().map(|i| i.decision.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["c1", "c2", "c3"],
        "only the newline was missing: the row is whole"
    );
    assert!(set.warnings.is_empty());
}

#[test]
fn agreement_on_a_file_uses_latest_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let d = |id: &str, who: &str, a: Option<bool>, c: Option<bool>| {
        decision(id, who, &format!("text of {id}"), [a, c])
    };
    write_all(
        &path,
        &[
            d("c1", "ann", Y, Y),
            d("c1", "bob", Y, N),
            d("c1", "carol", Y, E),
            d("c2", "ann", Y, E),
            d("c2", "bob", N, E),
            d("c3", "ann", N, E),
            d("c3", "bob", N, E),
            d("c4", "ann", Y, E),
            d("c4", "bob", Y, E),
            d("c4", "ann", N, E), // correction: ann now says 0
            d("c5", "ann", Y, E),
            d("c5", "bob", Y, E),
            Decision::undo("c5", "bob", 2), // bob withdraws: c5 not shared
            d("c6", "ann", N, E),
            d("c6", "bob", N, E),
            d("", "bob", Y, Y), // no id: cannot be paired
        ],
    );
    let report = agreement_for_file(&path, &default_labels()).unwrap();
    let abusive = &report.labels[0];
    assert_eq!(abusive.label, "abusive");
    assert_eq!(abusive.items, 6);
    assert_eq!(abusive.multi_annotated, 5);
    let names: Vec<(&str, &str)> = abusive
        .pairs
        .iter()
        .map(|p| (p.annotator_a.as_str(), p.annotator_b.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![("ann", "bob"), ("ann", "carol"), ("bob", "carol")]
    );
    // ann vs bob on c1, c2, c3, c4, c6:
    //            bob=1 bob=0
    //   ann=1      1     1      (c1; c2)
    //   ann=0      1     2      (c4; c3, c6)
    // p_o = 3/5 = 0.6; both say 1 on 2 of 5: p_e = 0.4*0.4 + 0.6*0.6 = 0.52
    // kappa = (0.6 - 0.52) / (1 - 0.52) = 0.08 / 0.48 = 1/6
    let pair = &abusive.pairs[0];
    assert_eq!(pair.counts.n(), 5);
    assert!((pair.percent_agreement().unwrap() - 60.0).abs() < 1e-9);
    assert!((pair.kappa().unwrap() - 1.0 / 6.0).abs() < 1e-12);
    let disagreements: Vec<(&str, bool, bool)> = pair
        .disagreements
        .iter()
        .map(|x| (x.id.as_str(), x.value_a, x.value_b))
        .collect();
    assert_eq!(
        disagreements,
        vec![("c2", true, false), ("c4", false, true)]
    );
    assert_eq!(pair.disagreements[0].snippet, "text of c2");
    // ann vs carol share only c1, both 1: chance agreement is 1, kappa undefined.
    assert_eq!(abusive.pairs[1].counts.n(), 1);
    assert_eq!(abusive.pairs[1].kappa(), None);

    // conspiratorial: only c1 shared, ann 1 vs bob 0: p_o = 0, p_e = 0, kappa = 0.
    let consp = &report.labels[1];
    assert_eq!((consp.items, consp.multi_annotated), (1, 1));
    assert_eq!(consp.pairs.len(), 1);
    assert_eq!(consp.pairs[0].kappa(), Some(0.0));

    let text = report.to_string();
    assert!(
        text.contains("abusive: 6 comments labeled, 5 by two or more annotators"),
        "{text}"
    );
    assert!(
        text.contains("ann vs bob: 5 items, 60.0% agreement, kappa 0.167"),
        "{text}"
    );
    assert!(text.contains("c2  ann=1 bob=0  \"text of c2\""), "{text}");
    assert!(text.contains("kappa undefined"), "{text}");
    let short = report.render(1);
    assert!(short.contains("... and 1 more"), "{short}");
}

#[test]
fn rows_are_never_appended_to_a_labels_file_that_was_replaced_or_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let mut writer = LabelWriter::open(&path, &default_labels()).unwrap();
    writer
        .append(&decision("c1", "ann", "first", [Y, N]))
        .unwrap();
    // A checkout, an editor or a sync tool replaces the file with a copy.
    let copy = dir.path().join("copy.csv");
    fs::copy(&path, &copy).unwrap();
    fs::rename(&copy, &path).unwrap();
    let msg = error_text(writer.append(&decision("c2", "ann", "second", [N, Y])));
    assert!(
        msg.contains("labels.csv") && msg.contains("was replaced"),
        "{msg}"
    );
    assert!(msg.contains("the row was not saved"), "{msg}");
    // Opened again, the new file takes rows; removed, it refuses them.
    let mut writer = LabelWriter::open(&path, &default_labels()).unwrap();
    writer
        .append(&decision("c2", "ann", "second", [N, Y]))
        .unwrap();
    let log = LabelLog::read(&path, &default_labels()).unwrap();
    assert_eq!(log.rows_read, 2);
    fs::remove_file(&path).unwrap();
    let msg = error_text(writer.append(&decision("c3", "ann", "third", [N, N])));
    assert!(msg.contains("was removed"), "{msg}");
    assert!(!path.exists(), "nothing recreated it");
}

#[cfg(unix)]
#[test]
fn an_empty_read_only_labels_file_is_refused_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    fs::write(&path, b"").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    if fs::OpenOptions::new().append(true).open(&path).is_ok() {
        return; // Root writes to read-only files: nothing to test.
    }
    let msg = error_text(LabelWriter::open(&path, &default_labels()));
    assert!(msg.contains("labels.csv"), "{msg}");
    assert_eq!(fs::read(&path).unwrap(), b"", "left as it was");
    let mode = fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
}

// ---------- a full disk, simulated with an injected writer ----------

/// A file on a disk with `room` bytes left: writes fill the room (so a row can be cut
/// part way, as on a real disk) and then fail with "no space".
#[derive(Debug)]
struct FullDisk {
    file: fs::File,
    room: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        let n = buf.len().min(self.room);
        let n = self.file.write(&buf[..n])?;
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl threadguard::labels::AppendTarget for FullDisk {
    fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }
    fn size(&self) -> std::io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
    fn truncate(&mut self, size: u64) -> std::io::Result<()> {
        self.file.set_len(size)
    }
}

#[test]
fn a_full_disk_fails_the_append_and_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let rows = tricky_rows();
    write_all(&path, &rows);
    let before = fs::read(&path).unwrap();
    let next = decision(
        "c4",
        "ann",
        "a row \"that\" does not fit,\non the disk",
        [Y, N],
    );
    // Room for nothing, for part of the row, and for all but its last byte.
    for room in [0, 1, 10, 30, 45] {
        let mut writer = LabelWriter::open_with(&path, &default_labels(), |file| {
            Box::new(FullDisk { file, room })
        })
        .unwrap();
        let msg = error_text(writer.append(&next));
        assert!(msg.contains("labels.csv"), "{msg}");
        assert!(msg.contains("the row was not saved"), "{msg}");
        assert_eq!(
            fs::read(&path).unwrap(),
            before,
            "room {room}: file changed"
        );
        // The writer is still usable once there is room (the truncation worked).
        let again = error_text(writer.append(&next));
        assert!(again.contains("the row was not saved"), "{again}");
        assert_eq!(
            fs::read(&path).unwrap(),
            before,
            "room {room}: file changed"
        );
    }
    // With room again, appending and reading work as usual.
    write_all(&path, std::slice::from_ref(&next));
    let set = read_labeled(&path, &default_labels()).unwrap();
    let got: Vec<Decision> = set.items.iter().map(|i| i.decision.clone()).collect();
    assert_eq!(got, [rows, vec![next]].concat());
    assert!(set.warnings.is_empty());
}

/// A disk that fails writes and also refuses to truncate (the worst case).
#[derive(Debug)]
struct BrokenDisk(fs::File);

impl Write for BrokenDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Half of the row reaches the file, then the device fails.
        self.0.write_all(&buf[..buf.len() / 2])?;
        Err(std::io::Error::other("I/O error"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl threadguard::labels::AppendTarget for BrokenDisk {
    fn sync(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn size(&self) -> std::io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
    fn truncate(&mut self, _: u64) -> std::io::Result<()> {
        Err(std::io::Error::other("read-only file system"))
    }
}

#[test]
fn a_failed_append_that_cannot_be_undone_stops_the_writer_and_earlier_rows_survive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let rows = tricky_rows();
    write_all(&path, &rows);
    let mut writer =
        LabelWriter::open_with(&path, &default_labels(), |f| Box::new(BrokenDisk(f))).unwrap();
    let next = decision("c4", "ann", "\"quoted, and cut", [Y, N]);
    let msg = error_text(writer.append(&next));
    assert!(msg.contains("cutting it off failed too"), "{msg}");
    let msg = error_text(writer.append(&next));
    assert!(msg.contains("no more rows are written"), "{msg}");
    // The half row is skipped with a warning; every earlier row is kept, and the next
    // session repairs the file and appends after it.
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items.len(), rows.len());
    assert_eq!(set.warnings.len(), 1);
    write_all(&path, &[decision("c5", "ann", "fine", [N, N])]);
    let set = read_labeled(&path, &default_labels()).unwrap();
    let ids: Vec<&str> = set.items.iter().map(|i| i.decision.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2", "c3", "c5"]);
}

// ---------- odd bytes and later label columns ----------

#[test]
fn invalid_utf8_in_a_labels_file_is_an_error_naming_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    fs::write(
        &path,
        b"id,text,abusive,conspiratorial\nc1,fine,1,0\nc2,bro\xffken,0,0\n",
    )
    .unwrap();
    let msg = error_text(read_labeled(&path, &default_labels()));
    assert!(msg.contains("labels.csv:3"), "{msg}");
    assert!(msg.contains("column `text` is not valid UTF-8"), "{msg}");
    // Only the start of a character at the very end of the file is a cut one: with a
    // newline after it, or a byte that cannot start a character, it is an error there too,
    // and a writer leaves it alone.
    for tail in [
        &b"caf\xc3\n"[..],
        b"caf\xff",
        b"caf\xa9",
        b"caf\xc3\xa9\xa9",
    ] {
        let mut bytes = b"id,text,abusive,source\nc1,fine,1,x\nc2,ok,0,".to_vec();
        bytes.extend_from_slice(tail);
        fs::write(&path, &bytes).unwrap();
        let msg = error_text(read_labeled(&path, &labels(&["abusive"])));
        assert!(
            msg.contains("labels.csv:3: column `source` is not valid UTF-8"),
            "{tail:?}: {msg}"
        );
        let header = "id,thread_id,parent_id,author,text,abusive,conspiratorial,annotator,labeled_at,source\n";
        let mut bytes = header.as_bytes().to_vec();
        bytes.extend_from_slice(b"c2,t,,a,ok,0,0,ann,,");
        bytes.extend_from_slice(tail);
        fs::write(&path, &bytes).unwrap();
        drop(LabelWriter::open(&path, &default_labels()).unwrap());
        assert!(fs::read(&path).unwrap().starts_with(&bytes), "{tail:?}");
    }
    fs::write(&path, b"id,te\xffxt,abusive\n").unwrap();
    let msg = error_text(read_labeled(&path, &labels(&["abusive"])));
    assert!(
        msg.contains("labels.csv:1: the header is not valid UTF-8"),
        "{msg}"
    );
}

#[test]
fn nul_bytes_in_a_labels_file_are_plain_characters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let text = "before\0after";
    write_all(&path, &[decision("c\0x", "ann", text, [Y, N])]);
    let set = read_labeled(&path, &default_labels()).unwrap();
    assert_eq!(set.items[0].decision.text, text);
    assert_eq!(set.items[0].decision.id, "c\0x");
}

#[test]
fn a_label_column_added_later_keeps_old_and_new_rows_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let rows = tricky_rows();
    write_all(&path, &rows);
    // A later version adds a `sarcastic` label: new sessions write three label columns
    // into a new file, and old rows are copied in with the new cell empty.
    let three = labels(&["abusive", "conspiratorial", "sarcastic"]);
    let upgraded = dir.path().join("upgraded.csv");
    let mut writer = LabelWriter::open(&upgraded, &three).unwrap();
    for d in &rows {
        let mut d = d.clone();
        d.values.push(None);
        writer.append(&d).unwrap();
    }
    let mut new_row = decision("c9", "ann", "oh sure, great idea", [N, N]);
    new_row.values.push(Some(true));
    writer.append(&new_row).unwrap();
    drop(writer);
    // A reader of the old two labels reads every row of the new file...
    let old_reader = read_labeled(&upgraded, &default_labels()).unwrap();
    assert_eq!(old_reader.items.len(), 4);
    assert_eq!(old_reader.items[3].decision.values, [N, N]);
    // ...a writer of the old two labels appends to it, leaving the new column empty...
    write_all(&upgraded, &[decision("c10", "ann", "old binary", [Y, N])]);
    let raw = fs::read_to_string(&upgraded).unwrap();
    assert!(raw.lines().last().unwrap().contains(",1,0,,ann,"), "{raw}");
    // ...and the new reader sees the new label where it was given.
    let new_reader = read_labeled(&upgraded, &three).unwrap();
    assert_eq!(new_reader.items.len(), 5);
    assert_eq!(new_reader.items[3].decision.values, [N, N, Y]);
    assert_eq!(new_reader.items[4].decision.values, [Y, N, E]);
    // The old file, asked for the new label, is a clear error naming it.
    let msg = error_text(read_labeled(&path, &three));
    assert!(msg.contains("missing column `sarcastic`"), "{msg}");
}

/// A hand-typed last row with a quote inside an unquoted cell (`5" screen`) is a whole
/// row to the csv reader, not one cut by a crash: it is kept, and appending after it
/// (with or without its final newline) adds rows that read back.
#[test]
fn a_quote_inside_an_unquoted_last_cell_is_not_taken_for_a_cut_row() {
    let header =
        "id,thread_id,parent_id,author,text,abusive,conspiratorial,annotator,labeled_at,source";
    let row = "x1,t,,bob,a 5\" screen,0,0,ann,,hand";
    for ending in ["\n", ""] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.csv");
        fs::write(&path, format!("{header}\n{row}{ending}")).unwrap();
        let before = LabelLog::read(&path, &default_labels()).unwrap();
        assert!(before.warnings.is_empty(), "{:?}", before.warnings);
        assert_eq!(before.latest.len(), 1);
        write_all(
            &path,
            &[
                decision("a1", "ann", "one", [Y, N]),
                decision("a2", "ann", "two \"quoted\"", [N, N]),
            ],
        );
        let after = LabelLog::read(&path, &default_labels()).unwrap();
        assert!(after.warnings.is_empty(), "{:?}", after.warnings);
        let ids: Vec<&str> = after
            .latest
            .iter()
            .map(|l| l.decision.id.as_str())
            .collect();
        assert_eq!(ids, ["x1", "a1", "a2"], "ending {ending:?}");
        assert_eq!(after.latest[0].decision.text, "a 5\" screen");
        assert_eq!(after.latest[2].decision.text, "two \"quoted\"");
    }
}

/// An undo row cut by a crash inside its `source` cell (`undo` cut to `und`, `u` or
/// nothing) still undoes: the comment is offered again rather than left neither labeled
/// nor offered. A session's own rows never carry such a source.
#[test]
fn an_undo_row_cut_inside_its_source_still_undoes() {
    for keep in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.csv");
        write_all(
            &path,
            &[
                decision("a1", "ann", "hello", [Y, N]),
                Decision::undo("a1", "ann", 2),
            ],
        );
        let full = fs::read(&path).unwrap();
        // Drop "undo\n" but its first `keep` bytes.
        let cut = &full[..full.len() - 5 + keep];
        fs::write(&path, cut).unwrap();
        let log = LabelLog::read(&path, &default_labels()).unwrap();
        assert!(
            !log.decided()
                .contains(&("a1".to_string(), "ann".to_string())),
            "cut to {:?}",
            &"undo"[..keep]
        );
        assert!(log.labeled().items.is_empty());
    }
}

/// A skip row from a labeling session whose input path is `u` or `und` stays a skip.
#[test]
fn a_skip_from_an_input_named_like_the_start_of_undo_stays_a_skip() {
    let mut skip = decision("a1", "ann", "hello", [E, E]);
    skip.source = "./und".to_string();
    assert!(!skip.is_undo());
    skip.source = "und".to_string();
    assert!(skip.is_undo());
    skip.values = vec![Y, E];
    assert!(!skip.is_undo());
}

#[test]
fn label_names_are_checked_by_one_rule_for_train_and_model_files() {
    use threadguard::labels::check_label_names;
    assert_eq!(
        check_label_names(&labels(&["abusive", "sarcastic-2"])),
        Ok(())
    );
    for (list, bad, problem) in [
        (&["abusive", "abusive"][..], "abusive", "given twice"),
        (
            &["flags"][..],
            "flags",
            "a column name of threadguard's own output",
        ),
        (&["ok", ""][..], "", "an empty name"),
        (
            &[" padded"][..],
            " padded",
            "starts or ends with whitespace",
        ),
        (&["a,b"][..], "a,b", "has a comma"),
        (&["a;b"][..], "a;b", "has a `;`"),
        (&["a\nb"][..], "a\nb", "has a control character"),
    ] {
        let err = check_label_names(&labels(list)).unwrap_err();
        assert_eq!(err.name, bad);
        assert!(
            err.problem.starts_with(problem),
            "{list:?}: {}",
            err.problem
        );
    }
}
