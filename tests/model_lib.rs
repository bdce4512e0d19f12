//! The model through the library: training is deterministic, the model file round-trips,
//! and scores are probabilities.

use std::path::{Path, PathBuf};
use threadguard::model::{file, train};

fn fixture_model() -> threadguard::model::Model {
    let paths = [PathBuf::from("tests/fixtures/train/small_labels.csv")];
    let (model, _, warnings) =
        train::train(&paths, &train::TrainOptions::default(), &train::NoProgress).unwrap();
    assert!(warnings.is_empty());
    model
}

#[test]
fn training_is_deterministic() {
    let a = fixture_model();
    let b = fixture_model();
    for (la, lb) in a.labels.iter().zip(&b.labels) {
        assert_eq!(la.weights, lb.weights);
        assert_eq!(la.bias, lb.bias);
        assert_eq!(la.threshold, lb.threshold);
    }
    assert_eq!(a.vocabulary.names(), b.vocabulary.names());
}

#[test]
fn model_file_round_trips_and_scores_identically() {
    let model = fixture_model();
    let bytes = file::to_bytes(&model).unwrap();
    let loaded = file::from_bytes(Path::new("m.tgm"), &bytes).unwrap();
    let (mut a, mut b) = (model.scorer(), loaded.scorer());
    let (mut pa, mut pb) = (Vec::new(), Vec::new());
    for text in [
        "The mayor is a complete idiot.",
        "wake up, it is all staged theater",
        "",
    ] {
        a.score(text, &mut pa);
        b.score(text, &mut pb);
        assert_eq!(pa, pb);
        assert!(pa.iter().all(|p| (0.0..=1.0).contains(p)));
    }
}

#[test]
fn the_embedded_default_model_loads_and_scores_the_seeds() {
    let model = threadguard::model::default_model().expect("the default model is embedded");
    assert_eq!(model.label_names(), ["abusive", "conspiratorial"]);
    let threads = threadguard::ingest::read_all(
        &[PathBuf::from("seeds")],
        threadguard::ingest::InputFormat::Auto,
    )
    .unwrap()
    .threads;
    let scorer = threadguard::model::ThreadScorer::new(&model);
    let scored: Vec<_> = threads.into_iter().map(|t| scorer.score(t, None)).collect();
    let comments: usize = scored.iter().map(|s| s.scores.len()).sum();
    assert_eq!(comments, 32);
    assert!(
        scored
            .iter()
            .flat_map(|s| &s.scores)
            .flatten()
            .all(|p| (0.0..=1.0).contains(p))
    );
}

#[test]
fn sequential_and_parallel_thread_scoring_agree() {
    let model = threadguard::model::default_model().expect("the default model is embedded");
    let mut threads = threadguard::ingest::read_all(
        &[PathBuf::from("seeds")],
        threadguard::ingest::InputFormat::Auto,
    )
    .unwrap()
    .threads;
    threads.push(threadguard::thread::Thread::default());
    let pool = threadguard::model::ThreadScorer::new(&model);
    let mut scorer = model.scorer();
    for explain in [None, Some(3)] {
        for thread in &threads {
            let one = scorer.score_thread(thread.clone(), explain);
            let many = pool.score(thread.clone(), explain);
            assert_eq!(one.scores.len(), thread.comments.len());
            let one_scores: Vec<&[f32]> = one.scores.iter().collect();
            let many_scores: Vec<&[f32]> = many.scores.iter().collect();
            assert_eq!(one_scores, many_scores, "thread {}", thread.id);
            assert_eq!(one.explanations, many.explanations, "thread {}", thread.id);
        }
    }
}

#[test]
fn one_pass_scoring_equals_scoring_the_normalized_vector() {
    let model = threadguard::model::default_model().unwrap();
    let threads = threadguard::ingest::read_all(
        &[PathBuf::from("seeds")],
        threadguard::ingest::InputFormat::Auto,
    )
    .unwrap()
    .threads;
    let mut scorer = model.scorer();
    let mut fast = Vec::new();
    let texts = threads
        .iter()
        .flat_map(|t| t.comments.iter().map(|c| c.text.as_str()));
    for text in texts.chain(["", "!!!", "YOU ARE A CLOWN", "i d i o t s all of you"]) {
        scorer.score(text, &mut fast);
        let reference = scorer.score_via_vector(text);
        for (a, b) in fast.iter().zip(&reference) {
            assert!((a - b).abs() < 1e-5, "{text:?}: {a} vs {b}");
        }
    }
}

// ---------- damaged, foreign and old model files ----------

fn error_text(result: threadguard::Result<threadguard::model::Model>) -> String {
    match result {
        Ok(_) => panic!("expected the model file to be refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_model_file_cut_at_every_tenth_of_its_length_is_refused_clearly() {
    let bytes = std::fs::read("tests/fixtures/model/v1.tgm").unwrap();
    let path = Path::new("cut.tgm");
    for tenth in 0..10 {
        let cut = &bytes[..bytes.len() * tenth / 10];
        let msg = error_text(file::from_bytes(path, cut));
        assert!(msg.starts_with("cut.tgm: "), "{msg}");
        assert!(
            msg.contains("not a threadguard model file") || msg.contains("corrupt or cut short"),
            "cut at {tenth}/10: {msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");
    }
    // Only the final newline missing: the body is whole, so the file loads.
    assert!(file::from_bytes(path, &bytes[..bytes.len() - 1]).is_ok());
}

#[test]
fn a_changed_byte_in_the_body_fails_the_checksum() {
    let mut bytes = std::fs::read("tests/fixtures/model/v1.tgm").unwrap();
    let body_start = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    // A digit inside the body changed to another digit: still valid JSON, same length.
    let at = body_start
        + bytes[body_start..]
            .iter()
            .position(u8::is_ascii_digit)
            .unwrap();
    bytes[at] = if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    let msg = error_text(file::from_bytes(Path::new("m.tgm"), &bytes));
    assert!(msg.contains("corrupt or cut short"), "{msg}");
    assert!(msg.contains("checksum does not match"), "{msg}");
}

#[test]
fn a_model_file_saved_by_format_version_1_still_loads() {
    // tests/fixtures/model/v1.tgm was written by `threadguard train` with format version 1.
    // A change to the body that old files cannot be read with must raise
    // OLDEST_FORMAT_VERSION; this build then refuses the file with a clear message instead.
    let loaded = file::load(Path::new("tests/fixtures/model/v1.tgm"));
    if file::OLDEST_FORMAT_VERSION <= 1 {
        let model = loaded.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(model.label_names(), ["abusive", "conspiratorial"]);
        let mut scorer = model.scorer();
        let mut probs = Vec::new();
        scorer.score("You are a total idiot", &mut probs);
        assert!(probs.iter().all(|p| (0.0..=1.0).contains(p)), "{probs:?}");
    } else {
        let msg = error_text(loaded);
        assert!(msg.contains("format version 1 is not supported"), "{msg}");
    }
}

/// A writer on a disk with `room` bytes left.
struct FullDisk<'a> {
    inner: &'a mut dyn std::io::Write,
    room: usize,
}

impl std::io::Write for FullDisk<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        let n = self.inner.write(&buf[..buf.len().min(self.room)])?;
        self.room -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[test]
fn saving_a_model_on_a_full_disk_fails_and_keeps_the_old_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.tgm");
    std::fs::copy("tests/fixtures/model/v1.tgm", &path).unwrap();
    let old = std::fs::read(&path).unwrap();
    let new = file::to_bytes(&fixture_model()).unwrap();
    // The bytes `file::save` writes, through a disk that fills up part way.
    for tenth in 0..10 {
        let room = new.len() * tenth / 10;
        let result = threadguard::fsutil::write_atomic(&path, |w| {
            std::io::Write::write_all(&mut FullDisk { inner: w, room }, &new)
        });
        let msg = result.expect_err("a full disk fails the save").to_string();
        assert!(msg.contains("model.tgm"), "{msg}");
        assert_eq!(std::fs::read(&path).unwrap(), old, "room {room}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temp file left"
        );
    }
    assert!(file::load(&path).is_ok());
}

#[test]
fn a_model_with_an_intact_checksum_but_absurd_weights_is_refused() {
    // Found while fuzzing: weights of ±3e38 overflowed to NaN probabilities (which the
    // CSV report printed as 0.0000).
    let path = Path::new("tests/fixtures/fuzz/model_file/huge-weights.tgm");
    let msg = error_text(file::load(path));
    assert!(
        msg.contains("huge-weights.tgm: label \"abusive\" has an out-of-range weight"),
        "{msg}"
    );
}

/// The fixture model with character n-grams weighted per word.
fn by_word_model() -> threadguard::model::Model {
    let paths = [PathBuf::from("tests/fixtures/train/small_labels.csv")];
    let mut options = train::TrainOptions::default();
    options.features.char_by_word = true;
    let (model, _, _) = train::train(&paths, &options, &train::NoProgress).unwrap();
    assert!(model.vocabulary.config().char_by_word);
    model
}

#[test]
fn per_word_weighting_scores_like_its_feature_vector_and_is_saved_as_version_2() {
    let model = by_word_model();
    let bytes = file::to_bytes(&model).unwrap();
    assert!(bytes.starts_with(b"{\"format\":\"threadguard-model\",\"format_version\":2,"));
    let loaded = file::from_bytes(Path::new("m.tgm"), &bytes).unwrap();
    assert!(loaded.vocabulary.config().char_by_word);
    let (mut fast, mut reference) = (loaded.scorer(), loaded.scorer());
    let mut probs = Vec::new();
    let long = "y".repeat(80);
    let texts = [
        "The mayor is a complete idiot.".to_string(),
        "wake up, it is all staged theater, staged I say, STAGED".to_string(),
        "idiot idiot idiots idiotic @bob 42 https://example.com".to_string(),
        format!("{long} and {long} again"),
        String::new(),
        "thanks for the thoughtful reply ".repeat(50),
    ];
    for text in texts.iter().chain(texts.iter()) {
        fast.score(text, &mut probs);
        let want = reference.score_via_vector(text);
        assert_eq!(probs.len(), want.len());
        for (p, w) in probs.iter().zip(&want) {
            assert!((p - w).abs() < 1e-5, "{text:?}: {probs:?} vs {want:?}");
        }
    }
    // A version-1 file is the same model without the setting: the same bytes as before.
    let plain = fixture_model();
    assert!(
        file::to_bytes(&plain)
            .unwrap()
            .starts_with(b"{\"format\":\"threadguard-model\",\"format_version\":1,")
    );
}

#[test]
fn a_version_1_header_over_per_word_settings_is_refused() {
    let bytes = file::to_bytes(&by_word_model()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let edited = text.replacen("\"format_version\":2", "\"format_version\":1", 1);
    let msg = error_text(file::from_bytes(Path::new("m.tgm"), edited.as_bytes()));
    assert!(
        msg.contains("says format version 1 but its settings need version 2"),
        "{msg}"
    );
}

#[test]
fn a_model_whose_label_names_train_refuses_is_refused_naming_the_file() {
    // Such names lost or garbled scores in score's CSV and JSONL output: a `text` score
    // under the comment's own `text` key, two `abusive` columns.
    let trained = fixture_model();
    let cases = [
        (
            ["text", "conspiratorial"],
            "label \"text\": a column name of threadguard's own output",
        ),
        (["abusive", "abusive"], "label \"abusive\": given twice"),
        (["", "conspiratorial"], "label \"\": an empty name"),
        (["a,b", "conspiratorial"], "label \"a,b\": has a comma"),
    ];
    for (names, want) in cases {
        let mut model = trained.clone();
        for (label, name) in model.labels.iter_mut().zip(names) {
            label.name = name.to_string();
        }
        let bytes = file::to_bytes(&model).unwrap();
        let msg = error_text(file::from_bytes(Path::new("named.tgm"), &bytes));
        assert!(msg.starts_with(&format!("named.tgm: {want}")), "{msg}");
    }
}
