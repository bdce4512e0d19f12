//! Training: labels CSVs in, a [`Model`] with honest held-out metrics out.
//!
//! Rows are split by group (thread, else comment id) so no thread or comment is on both
//! sides:
//! - 64% *fit* and 16% *calibration*: an evaluation model is fit on the first, its
//!   decision threshold chosen on the second;
//! - 20% *test*: the evaluation model is scored there at that threshold; these are the
//!   held-out metrics recorded in the model;
//! - the shipped model is then refit on every row with the same settings and threshold.
//!
//! One binary `linfa-logistic` model is trained per label, on the rows labeled for it
//! and on the features chi-squared selected for it. Class imbalance is handled by
//! weighting the minority class up to balance (at most 10x): class weights, given to
//! linfa-logistic as sample weights, where a weight of k counts as k copies of a row.

use super::{InputFile, LabelModel, Model, Provenance};
use crate::error::{Error, Location, Result};
use crate::features::{Extractor, FeatureConfig, Vocabulary};
use crate::labels;
use crate::metrics::{LabelMetrics, ThresholdRule, choose_threshold};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use std::path::PathBuf;

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Labels to train, as columns of the labels CSVs.
    pub labels: Vec<String>,
    /// Feature extraction and vocabulary settings.
    pub features: FeatureConfig,
    /// L2 regularization strength (alpha; the loss sums over rows).
    pub l2: f64,
    /// Share of groups held out for testing.
    pub test_fraction: f64,
    /// Seed of the group split.
    pub seed: u64,
    /// How each label's threshold is chosen on calibration data.
    pub threshold_rule: ThresholdRule,
    /// L-BFGS iteration limit.
    pub max_iterations: u64,
    /// L-BFGS iteration limit of the final refit on every row, which starts from the
    /// evaluation model's weights and so needs far fewer steps.
    pub refit_iterations: u64,
    /// L-BFGS stops when the gradient norm falls below this.
    pub gradient_tolerance: f32,
    /// Weigh the minority class up to balance the classes (at most 10x).
    pub balance: bool,
    /// Weight per input file index (each of its rows counts this many times); missing
    /// files weigh 1.
    pub weights: Vec<(usize, usize)>,
    /// When set, thresholds are chosen on the calibration rows of these input files only
    /// (the data most like what will be scored), instead of all calibration rows.
    pub calibrate_on: Option<Vec<usize>>,
    /// When above 0, each block's [`FeatureConfig::norm_floor`] is set to this quantile of
    /// the training texts' block norms (texts without features of the block left out).
    pub norm_floor_quantile: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            labels: labels::default_labels(),
            features: FeatureConfig {
                top_k: 5_000,
                ..FeatureConfig::default()
            },
            l2: 1.0,
            test_fraction: 0.2,
            seed: 42,
            threshold_rule: ThresholdRule::BestF1,
            max_iterations: 100,
            refit_iterations: 30,
            gradient_tolerance: 1e-3,
            balance: true,
            weights: Vec::new(),
            calibrate_on: None,
            norm_floor_quantile: 0.0,
        }
    }
}

/// One labeled text.
#[derive(Debug, Clone)]
pub struct Example {
    /// The comment text.
    pub text: String,
    /// One value per trained label (None = not labeled for it).
    pub values: Vec<Option<bool>>,
    /// Rows of one group stay on one side of every split.
    pub group: String,
    /// Index of the input file the row came from.
    pub source: usize,
    /// How many times the row counts in fitting (an input file's weight).
    pub weight: usize,
}

/// What training measured, per label.
#[derive(Debug, Clone)]
pub struct LabelReport {
    /// Label name.
    pub name: String,
    /// Labeled rows (all splits).
    pub rows: usize,
    /// Positive rows (all splits).
    pub positives: usize,
    /// Held-out metrics of the evaluation model.
    pub held_out: LabelMetrics,
    /// The final model's strongest positive features.
    pub top_features: Vec<(String, f32)>,
    /// Why the threshold is not what the rule asked for, when it is not: the calibration
    /// rows hold one class, or `--target-precision` is out of their reach.
    pub threshold_note: Option<String>,
}

/// Receives progress of long steps (a progress bar in the CLI, nothing in tests).
pub trait Progress: Sync {
    /// A step starts; `total` units of work when known.
    fn start(&self, step: &str, total: Option<u64>);
    /// `n` more units done.
    fn advance(&self, n: u64);
    /// The step ended.
    fn finish(&self);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// Reads labels CSVs into examples, recording each file's checksum and row count.
pub fn read_examples(
    paths: &[PathBuf],
    label_names: &[String],
) -> Result<(Vec<Example>, Vec<InputFile>, Vec<labels::LoadWarning>)> {
    let mut examples = Vec::new();
    let mut inputs = Vec::new();
    let mut warnings = Vec::new();
    for path in paths {
        // One read: the recorded sha256 is of exactly the bytes trained on.
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let set = labels::LabelLog::from_bytes(path, &bytes, label_names)?.labeled();
        let before = examples.len();
        for item in set.items {
            let d = item.decision;
            let group = if !d.thread_id.is_empty() {
                format!("t:{}", d.thread_id)
            } else if !d.id.is_empty() {
                format!("c:{}", d.id)
            } else {
                format!("r:{}:{}", path.display(), item.line)
            };
            examples.push(Example {
                text: d.text,
                values: d.values,
                group,
                source: inputs.len(),
                weight: 1,
            });
        }
        warnings.extend(set.warnings);
        if examples.len() == before {
            // Reading on is right (other inputs may hold the labels), silence is not.
            warnings.push(labels::LoadWarning {
                location: crate::error::Location::file(path),
                message: format!(
                    "no row labeled for {}; nothing of it is used",
                    label_names.join(", ")
                ),
            });
        }
        inputs.push(InputFile {
            path: path.display().to_string(),
            sha256: super::file::sha256_hex(&bytes),
            rows: examples.len() - before,
        });
    }
    Ok((examples, inputs, warnings))
}

/// Which split a group falls in, by a stable hash of (seed, salt, group): SHA-256, so the
/// split is the same on every platform and Rust release (std's hasher promises neither).
fn in_fraction(group: &str, seed: u64, salt: &str, fraction: f64) -> bool {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update((salt.len() as u64).to_le_bytes());
    hasher.update(salt.as_bytes());
    hasher.update(group.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_le_bytes(first) % 1_000_000) as f64 / 1_000_000.0 < fraction
}

/// Checks every label has rows of both classes.
fn check_classes(examples: &[Example], names: &[String], files: &[PathBuf]) -> Result<()> {
    let where_ = files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if examples.is_empty() {
        return Err(Error::input(
            Location::file(&where_),
            "no labeled rows to train on",
        ));
    }
    for (l, name) in names.iter().enumerate() {
        let (pos, neg) = class_counts(examples, l);
        if pos == 0 || neg == 0 {
            return Err(Error::input(
                Location::file(&where_),
                format!(
                    "label {name:?} has a single class ({pos} positive, {neg} negative rows): a classifier needs both"
                ),
            ));
        }
    }
    Ok(())
}

fn class_counts(examples: &[Example], label: usize) -> (usize, usize) {
    examples
        .iter()
        .fold((0, 0), |(p, n), e| match e.values[label] {
            Some(true) => (p + 1, n),
            Some(false) => (p, n + 1),
            None => (p, n),
        })
}

/// Trains a model on labels CSVs.
pub fn train(
    paths: &[PathBuf],
    options: &TrainOptions,
    progress: &dyn Progress,
) -> Result<(Model, Vec<LabelReport>, Vec<labels::LoadWarning>)> {
    progress.start("reading labels", None);
    let (mut examples, inputs, warnings) = read_examples(paths, &options.labels)?;
    for example in &mut examples {
        if let Some(&(_, w)) = options
            .weights
            .iter()
            .find(|(file, _)| *file == example.source)
        {
            example.weight = w;
        }
    }
    progress.finish();
    let (mut model, reports) = train_examples(&examples, paths, options, progress)?;
    record_input_roles(&mut model.provenance.settings, &inputs, options);
    model.provenance.inputs = inputs;
    Ok((model, reports, warnings))
}

/// Records in the settings which input files weighed more than 1 and which chose the
/// thresholds, by path, so a model card says how its inputs were mixed.
fn record_input_roles(
    settings: &mut serde_json::Map<String, serde_json::Value>,
    inputs: &[InputFile],
    options: &TrainOptions,
) {
    let path = |index: usize| inputs.get(index).map(|input| input.path.clone());
    let weights: serde_json::Map<String, serde_json::Value> = options
        .weights
        .iter()
        .filter_map(|&(file, weight)| Some((path(file)?, weight.into())))
        .collect();
    if !weights.is_empty() {
        settings.insert("weights".into(), weights.into());
    }
    if let Some(files) = &options.calibrate_on {
        let paths: Vec<serde_json::Value> = files
            .iter()
            .filter_map(|&f| path(f))
            .map(Into::into)
            .collect();
        settings.insert("calibrate_on".into(), paths.into());
    }
}

/// A label's threshold from its calibration scores, by `rule`, and a note when the rule
/// could not be followed: 0.5 when the rows hold one class (or none), the best-F1 threshold
/// when a target precision is out of reach.
fn calibrate(scores: &[f64], truth: &[bool], rule: ThresholdRule) -> (f64, Option<String>) {
    let positives = truth.iter().filter(|&&t| t).count();
    if positives == 0 || positives == truth.len() {
        let note = format!(
            "its {} calibration rows do not hold both classes; the threshold is 0.5",
            truth.len()
        );
        return (0.5, Some(note));
    }
    let threshold = choose_threshold(scores, truth, rule);
    let note = match rule {
        ThresholdRule::TargetPrecision(target) => {
            let reached = LabelMetrics::evaluate(scores, truth, threshold).precision;
            (reached < target).then(|| {
                format!(
                    "precision {target} is out of reach on its {} calibration rows; the threshold \
                     is the best-F1 one ({threshold:.3}, precision {reached:.3} there)",
                    truth.len()
                )
            })
        }
        ThresholdRule::BestF1 => None,
    };
    (threshold, note)
}

/// Trains a model on examples already in memory (see [`train`]).
pub fn train_examples(
    examples: &[Example],
    paths: &[PathBuf],
    options: &TrainOptions,
    progress: &dyn Progress,
) -> Result<(Model, Vec<LabelReport>)> {
    check_classes(examples, &options.labels, paths)?;
    let splits = Splits::new(examples, options);

    // One vocabulary, chosen on the training rows only, and every row's features.
    let (vocabulary, vectors) =
        vocabulary_and_vectors(examples, &splits.train(), options, progress)?;
    let values: Vec<&[Option<bool>]> = examples.iter().map(|e| e.values.as_slice()).collect();
    let weights: Vec<usize> = examples.iter().map(|e| e.weight.max(1)).collect();

    // The evaluation model: fit, choose thresholds on calibration, measure on test.
    let evaluation = fit_labels(
        &values,
        &weights,
        &vectors,
        &vocabulary,
        &splits.fit,
        options,
        None,
        progress,
        "evaluation model",
    )?;
    let calibration_rows: Vec<usize> = splits
        .calibration
        .iter()
        .copied()
        .filter(|&i| {
            options
                .calibrate_on
                .as_ref()
                .is_none_or(|files| files.contains(&examples[i].source))
        })
        .collect();
    let dense: Vec<Vec<f32>> = evaluation
        .iter()
        .map(|m| dense_weights(m, vocabulary.len()))
        .collect();
    let calibration_scores = score_vectors(&evaluation, &dense, &vectors, &calibration_rows);
    let test_scores = score_vectors(&evaluation, &dense, &vectors, &splits.test);
    let mut thresholds = Vec::new();
    let mut held_out = Vec::new();
    let mut threshold_notes = Vec::new();
    for l in 0..options.labels.len() {
        let (scores, truth) = labeled_scores(examples, &calibration_rows, &calibration_scores, l);
        let (threshold, note) = calibrate(&scores, &truth, options.threshold_rule);
        threshold_notes.push(note);
        thresholds.push(threshold.clamp(0.0, 1.0) as f32);
        let (scores, truth) = labeled_scores(examples, &splits.test, &test_scores, l);
        held_out.push(LabelMetrics::evaluate(&scores, &truth, threshold));
    }

    // The shipped model: every row, warm-started from the evaluation model.
    let all: Vec<usize> = (0..examples.len()).collect();
    let warm: Vec<&LabelModel> = evaluation.iter().collect();
    let fitted = fit_labels(
        &values,
        &weights,
        &vectors,
        &vocabulary,
        &all,
        options,
        Some(&warm),
        progress,
        "final model",
    )?;
    let mut labels = fitted;
    for ((label, &t), metrics) in labels.iter_mut().zip(&thresholds).zip(&held_out) {
        label.threshold = t;
        label.held_out = Some(*metrics);
    }
    let provenance = provenance(options, examples.len(), &splits);
    let model = Model::new(vocabulary, labels, provenance)
        .map_err(|m| Error::Usage(format!("training produced an invalid model: {m}")))?;
    let reports = (0..options.labels.len())
        .map(|l| {
            let (positives, negatives) = class_counts(examples, l);
            LabelReport {
                name: options.labels[l].clone(),
                rows: positives + negatives,
                positives,
                held_out: held_out[l],
                top_features: model.top_features(l, 15),
                threshold_note: threshold_notes[l].clone(),
            }
        })
        .collect();
    Ok((model, reports))
}

/// Row indices of the three splits.
struct Splits {
    fit: Vec<usize>,
    calibration: Vec<usize>,
    test: Vec<usize>,
}

impl Splits {
    fn new(examples: &[Example], options: &TrainOptions) -> Self {
        let mut splits = Splits {
            fit: Vec::new(),
            calibration: Vec::new(),
            test: Vec::new(),
        };
        for (i, e) in examples.iter().enumerate() {
            if in_fraction(&e.group, options.seed, "test", options.test_fraction) {
                splits.test.push(i);
            } else if in_fraction(&e.group, options.seed, "calibration", 0.2) {
                splits.calibration.push(i);
            } else {
                splits.fit.push(i);
            }
        }
        splits
    }

    /// Fit and calibration rows: everything the evaluation model may look at.
    fn train(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = self.fit.iter().chain(&self.calibration).copied().collect();
        rows.sort_unstable();
        rows
    }
}

/// Why training found no n-gram feature, and what to change.
fn no_ngrams_message(cfg: &FeatureConfig) -> String {
    if cfg.word_ngram_range.1 == 0 && cfg.char_ngram_range.1 == 0 {
        return "--word-ngrams 0-0 and --char-ngrams 0-0 leave no n-gram features; turn one on"
            .to_string();
    }
    format!(
        "no word or character n-gram was kept: none appears in at least {} training documents \
         (and in at most {:.0}% of them) while telling the labels apart (are the texts all \
         alike?); lower --min-df, raise --max-df or add varied labeled rows",
        cfg.min_df,
        cfg.max_df * 100.0
    )
}

/// A sparse feature vector: sorted indices and values.
type Vector = (Vec<u32>, Vec<f32>);

/// Builds the vocabulary on `rows` and extracts every example's feature vector with it.
fn vocabulary_and_vectors(
    examples: &[Example],
    rows: &[usize],
    options: &TrainOptions,
    progress: &dyn Progress,
) -> Result<(Vocabulary, Vec<Vector>)> {
    progress.start("vocabulary", None);
    let docs: Vec<&str> = rows.iter().map(|&i| examples[i].text.as_str()).collect();
    let values: Vec<Vec<Option<bool>>> = rows.iter().map(|&i| examples[i].values.clone()).collect();
    let (mut vocabulary, _) = Vocabulary::build(&docs, &values, &options.features)
        .map_err(|e| Error::Usage(format!("building the vocabulary failed: {e}")))?;
    if options.norm_floor_quantile > 0.0 {
        let floor = norm_floors(&docs, &vocabulary, options.norm_floor_quantile);
        vocabulary
            .set_norm_floor(floor)
            .map_err(|e| Error::Usage(format!("setting the norm floors failed: {e}")))?;
    }
    progress.finish();
    let n_grams = vocabulary
        .names()
        .iter()
        .filter(|n| !n.starts_with("d:"))
        .count();
    if n_grams == 0 {
        return Err(Error::Usage(no_ngrams_message(&options.features)));
    }
    progress.start("features", Some(examples.len() as u64));
    let vectors: Vec<Vector> = examples
        .par_chunks(256)
        .flat_map_iter(|chunk| {
            let mut extractor = Extractor::new();
            let out: Vec<Vector> = chunk
                .iter()
                .map(|e| {
                    let v = extractor.extract(&e.text, &vocabulary);
                    (v.indices, v.values)
                })
                .collect();
            progress.advance(chunk.len() as u64);
            out
        })
        .collect();
    progress.finish();
    Ok((vocabulary, vectors))
}

/// Per block, the `quantile` (in (0, 1]) of the non-zero block norms of `docs`.
fn norm_floors(docs: &[&str], vocabulary: &Vocabulary, quantile: f64) -> [f32; 2] {
    let norms: Vec<[f32; 2]> = docs
        .par_chunks(256)
        .flat_map_iter(|chunk| {
            let mut extractor = Extractor::new();
            chunk
                .iter()
                .map(|d| extractor.block_norms(d, vocabulary))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut floor = [0.0f32; 2];
    for (block, f) in floor.iter_mut().enumerate() {
        let mut block_norms: Vec<f32> = norms
            .iter()
            .map(|n| n[block])
            .filter(|&n| n > 0.0)
            .collect();
        block_norms.sort_unstable_by(f32::total_cmp);
        if let Some(last) = block_norms.len().checked_sub(1) {
            let at = ((last as f64) * quantile.clamp(0.0, 1.0)).round() as usize;
            *f = block_norms[at.min(last)];
        }
    }
    floor
}

/// Probabilities of every label for the given rows.
fn score_vectors(
    models: &[LabelModel],
    dense_weights: &[Vec<f32>],
    vectors: &[Vector],
    rows: &[usize],
) -> Vec<Vec<f32>> {
    rows.iter()
        .map(|&i| {
            let (indices, values) = &vectors[i];
            models
                .iter()
                .zip(dense_weights)
                .map(|(model, weights)| {
                    let dot: f32 = indices
                        .iter()
                        .zip(values)
                        .map(|(&f, &v)| weights[f as usize] * v)
                        .sum();
                    super::sigmoid(model.bias + dot)
                })
                .collect()
        })
        .collect()
}

/// Scores and truth of one label on the rows labeled for it.
fn labeled_scores(
    examples: &[Example],
    rows: &[usize],
    scores: &[Vec<f32>],
    label: usize,
) -> (Vec<f64>, Vec<bool>) {
    rows.iter()
        .zip(scores)
        .filter_map(|(&i, s)| examples[i].values[label].map(|t| (f64::from(s[label]), t)))
        .unzip()
}

fn provenance(options: &TrainOptions, rows: usize, splits: &Splits) -> Provenance {
    let (fit, calibration, test) = (
        splits.fit.len(),
        splits.calibration.len(),
        splits.test.len(),
    );
    let mut settings = serde_json::Map::new();
    settings.insert("l2".into(), options.l2.into());
    settings.insert("test_fraction".into(), options.test_fraction.into());
    settings.insert("seed".into(), options.seed.into());
    settings.insert(
        "threshold_rule".into(),
        format!("{:?}", options.threshold_rule).into(),
    );
    settings.insert("max_iterations".into(), options.max_iterations.into());
    settings.insert("refit_iterations".into(), options.refit_iterations.into());
    settings.insert("balance".into(), options.balance.into());
    settings.insert("rows".into(), rows.into());
    settings.insert("rows_fit".into(), fit.into());
    settings.insert("rows_calibration".into(), calibration.into());
    settings.insert("rows_test".into(), test.into());
    Provenance {
        created_at: labels::now_rfc3339(),
        threadguard_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: Vec::new(),
        settings,
        notes: Vec::new(),
    }
}

/// Fits one logistic model per label on `rows` (in parallel), optionally warm-started.
#[allow(clippy::too_many_arguments)]
fn fit_labels(
    values: &[&[Option<bool>]],
    weights: &[usize],
    vectors: &[Vector],
    vocabulary: &Vocabulary,
    rows: &[usize],
    options: &TrainOptions,
    warm: Option<&[&LabelModel]>,
    progress: &dyn Progress,
    what: &str,
) -> Result<Vec<LabelModel>> {
    progress.start(
        &format!("{what}: fitting {} labels", options.labels.len()),
        Some(options.labels.len() as u64),
    );
    let fitted: Vec<Result<LabelModel>> = options
        .labels
        .par_iter()
        .enumerate()
        .map(|(l, name)| {
            let task = LabelTask {
                name,
                label: l,
                values,
                weights,
                vectors,
                rows,
                selected: vocabulary.selected(l),
                options,
            };
            let result = fit_label(&task, warm.map(|w| w[l]));
            progress.advance(1);
            result
        })
        .collect();
    progress.finish();
    fitted.into_iter().collect()
}

/// A label's weights laid out over the whole vocabulary (0 for unselected features).
fn dense_weights(model: &LabelModel, n_features: usize) -> Vec<f32> {
    let mut dense = vec![0.0; n_features];
    for &(f, w) in &model.weights {
        if let Some(slot) = dense.get_mut(f as usize) {
            *slot = w;
        }
    }
    dense
}

/// What one label's fit needs.
struct LabelTask<'a> {
    name: &'a str,
    label: usize,
    values: &'a [&'a [Option<bool>]],
    weights: &'a [usize],
    vectors: &'a [Vector],
    rows: &'a [usize],
    selected: &'a [u32],
    options: &'a TrainOptions,
}

/// How many times each positive and each negative row counts so that the classes
/// balance: the minority class weighs up to the majority's weight (at most 10x).
fn class_balance(positives: usize, negatives: usize, balance: bool) -> (usize, usize) {
    if !balance || positives == 0 || negatives == 0 {
        return (1, 1);
    }
    let ratio =
        |major: usize, minor: usize| ((major as f64 / minor as f64).round() as usize).clamp(1, 10);
    if positives < negatives {
        (ratio(negatives, positives), 1)
    } else {
        (1, ratio(positives, negatives))
    }
}

/// Fits one label's logistic model on its selected features, in f32.
fn fit_label(task: &LabelTask<'_>, warm: Option<&LabelModel>) -> Result<LabelModel> {
    let (name, options) = (task.name, task.options);
    let mut column_of = std::collections::HashMap::with_capacity(task.selected.len());
    for (column, &feature) in task.selected.iter().enumerate() {
        column_of.insert(feature, column);
    }
    let rows: Vec<usize> = task
        .rows
        .iter()
        .copied()
        .filter(|&i| task.values[i][task.label].is_some())
        .collect();
    let truth: Vec<bool> = rows
        .iter()
        .map(|&i| task.values[i][task.label] == Some(true))
        .collect();
    let positives = truth.iter().filter(|&&t| t).count();
    let negatives = truth.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(Error::Usage(format!(
            "label {name:?} has a single class in a training split ({positives} positive, {negatives} negative rows); label more rows"
        )));
    }
    let weighted = |class: bool| -> usize {
        rows.iter()
            .zip(&truth)
            .filter(|(_, t)| **t == class)
            .map(|(&i, _)| task.weights[i])
            .sum()
    };
    let balance = class_balance(weighted(true), weighted(false), options.balance);
    let weight = |i: usize, t: bool| task.weights[i] * if t { balance.0 } else { balance.1 };
    // One row per example, its weight as a sample weight (the vendored linfa-logistic
    // honours them): copies of rows would cost memory and time in every pass. Row-major:
    // each cost and gradient is then one pass over the rows; column-major takes two.
    let mut x = Array2::<f32>::zeros((rows.len(), task.selected.len()));
    for (mut row, &i) in x.rows_mut().into_iter().zip(&rows) {
        let (indices, vals) = &task.vectors[i];
        for (feature, &v) in indices.iter().zip(vals) {
            if let Some(&c) = column_of.get(feature) {
                row[c] = v;
            }
        }
    }
    let sample_weights: Array1<f32> = rows
        .iter()
        .zip(&truth)
        .map(|(&i, &t)| weight(i, t) as f32)
        .collect();
    // linfa models the probability of its "positive" class, which is the more frequent
    // class by rows, not weights (the first seen on a tie), not `true`: orient weights
    // accordingly.
    let true_is_linfa_positive = match positives.cmp(&negatives) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => truth.first().copied().unwrap_or(true),
    };
    let sign: f32 = if true_is_linfa_positive { 1.0 } else { -1.0 };
    let mut params = LogisticRegression::default()
        .alpha(options.l2 as f32)
        .max_iterations(if warm.is_some() {
            options.refit_iterations
        } else {
            options.max_iterations
        })
        .gradient_tolerance(options.gradient_tolerance);
    if let Some(warm) = warm {
        let mut init = Array1::<f32>::zeros(task.selected.len() + 1);
        for &(f, w) in &warm.weights {
            if let Some(&c) = column_of.get(&f) {
                init[c] = sign * w;
            }
        }
        init[task.selected.len()] = sign * warm.bias;
        params = params.initial_params(init);
    }
    let dataset = Dataset::new(x, Array1::from(truth)).with_weights(sample_weights);
    let fitted = params
        .fit(&dataset)
        .map_err(|e| Error::Usage(format!("fitting label {name:?} failed: {e}")))?;
    debug_assert_eq!(fitted.labels().pos.class, true_is_linfa_positive);
    let weights = task
        .selected
        .iter()
        .zip(fitted.params().iter())
        .filter(|(_, w)| w.abs() > 1e-7)
        .map(|(&f, &w)| (f, sign * w))
        .collect();
    Ok(LabelModel {
        name: name.to_string(),
        bias: sign * fitted.intercept(),
        threshold: 0.5,
        weights,
        held_out: None,
        trained_rows: positives + negatives,
        trained_positives: positives,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_notes_when_the_rule_cannot_be_followed() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3];
        // The top score is a negative: no threshold is more than 50% precise.
        let mixed = [false, true, false, true, false, true];
        let (_, note) = calibrate(&scores, &mixed, ThresholdRule::BestF1);
        assert_eq!(note, None);
        let (_, note) = calibrate(&scores, &mixed, ThresholdRule::TargetPrecision(0.99));
        assert!(note.is_some_and(|n| n.contains("out of reach")));
        // A reachable target gives no note.
        let (threshold, note) = calibrate(&scores, &mixed, ThresholdRule::TargetPrecision(0.5));
        assert_eq!(note, None, "threshold {threshold}");
        let (threshold, note) = calibrate(&scores, &[true; 6], ThresholdRule::BestF1);
        assert_eq!(threshold, 0.5);
        assert!(note.is_some_and(|n| n.contains("both classes")));
        let (threshold, note) = calibrate(&[], &[], ThresholdRule::BestF1);
        assert_eq!(threshold, 0.5);
        assert!(note.is_some());
    }
}
