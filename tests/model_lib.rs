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
