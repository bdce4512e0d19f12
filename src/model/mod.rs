//! The model stage: a multi-label logistic model over the stored vocabulary, its file
//! format, training (see [`train`]) and scoring.
//!
//! Scoring needs no linear-algebra library: it is a sparse dot product between a
//! comment's TF-IDF vector and each label's weights, through a sigmoid.

pub mod file;
pub mod train;

use crate::error::clip;
use crate::features::{DenseValues, Extractor, QuadTable, SparseVec, Vocabulary};
use crate::metrics::LabelMetrics;
use serde::{Deserialize, Serialize};

/// The default model, trained by `scripts/train-default.sh` and embedded in the binary.
pub const DEFAULT_MODEL_BYTES: &[u8] = include_bytes!("../../models/default.tgm");

/// Loads the embedded default model.
pub fn default_model() -> crate::Result<Model> {
    file::from_embedded_bytes(
        std::path::Path::new("<embedded default model>"),
        DEFAULT_MODEL_BYTES,
    )
}

/// The largest magnitude a weight, bias or idf value of a loaded model may have: far
/// beyond what training produces (single digits), and small enough that no sum of them
/// overflows an `f32`.
pub const MAX_PARAMETER: f32 = 1e6;

/// A trained multi-label model: vocabulary, one logistic model per label, provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// The learned vocabulary with idf weights and the feature settings.
    pub vocabulary: Vocabulary,
    /// One logistic model per label.
    pub labels: Vec<LabelModel>,
    /// Where the model came from and how well it did.
    pub provenance: Provenance,
    /// Weights laid out for scoring: `table[feature * labels + label]`. Built on load.
    #[serde(skip)]
    table: Vec<f32>,
    /// What scoring reads per feature, together, by slot (see
    /// [`Vocabulary::slot_order`]): `rows[slot * (labels + 1)]` is the feature's idf and
    /// the `labels` values after it its weights. Built on load.
    #[serde(skip)]
    rows: Vec<f32>,
    /// The same for models of at most [`QUAD_LABELS`] labels, one 16-byte row per slot
    /// (idf, the weights, zeros after them), so that scoring adds a feature to the sums
    /// with one vector operation. Built on load; such models leave `rows` empty.
    #[serde(skip)]
    quads: QuadTable,
}

/// The most labels a model can have for [`Model::quads`].
const QUAD_LABELS: usize = 3;

/// One label's logistic model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabelModel {
    /// The label's name, as in the labels CSV.
    pub name: String,
    /// Intercept.
    pub bias: f32,
    /// Decision threshold on the probability, chosen on held-out data.
    pub threshold: f32,
    /// (feature index, weight) for the label's selected features.
    pub weights: Vec<(u32, f32)>,
    /// Metrics on held-out data, when the model was evaluated.
    pub held_out: Option<LabelMetrics>,
    /// Rows the final model was trained on, and positives among them.
    pub trained_rows: usize,
    /// Positive rows the final model was trained on.
    pub trained_positives: usize,
}

/// Provenance recorded in the model file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// When the model was trained (RFC 3339).
    pub created_at: String,
    /// The threadguard version that trained it.
    pub threadguard_version: String,
    /// The labels CSVs it was trained on.
    pub inputs: Vec<InputFile>,
    /// Training settings (L2 strength, split, seed...).
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Free-form notes (for example, how the inputs were made).
    pub notes: Vec<String>,
}

/// One training input file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputFile {
    /// Path as given on the command line.
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Labeled rows used from it.
    pub rows: usize,
}

/// How strong a word's share of a score must be, relative to the strongest word's, to be
/// highlighted. Chosen on the toxic-spans posts of one `scripts/eval-shared.sh` fold
/// (`scripts/eval-explanations.py`): 0.3, 0.5 and 0.7 gave span F1 0.59, 0.61 and 0.60.
pub const HIGHLIGHT_SHARE: f32 = 0.5;

/// A word a label's score rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    /// Byte offset of the word (a token) in the comment text.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The word's share of the positive contributions to the log-odds: each feature's
    /// contribution split evenly over the places it came from, and each place's part
    /// over the words it covers.
    pub contribution: f32,
}

/// Why a comment is flagged for one label (empty when it is not flagged for it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelExplanation {
    /// The words that carry the score, strongest first: each word whose share is at least
    /// [`HIGHLIGHT_SHARE`] of the strongest word's.
    pub highlights: Vec<Highlight>,
    /// The features that pushed the score up most, strongest first.
    pub features: Vec<Contribution>,
}

impl LabelExplanation {
    /// Whether there is nothing to show (the comment is not flagged for the label).
    pub fn is_empty(&self) -> bool {
        self.highlights.is_empty() && self.features.is_empty()
    }
}

/// The words (token byte ranges `tokens`, in text order) that carry the positive
/// `contributions`, strongest first (see [`LabelExplanation::highlights`]).
fn highlight_words(contributions: &[Contribution], tokens: &[(usize, usize)]) -> Vec<Highlight> {
    let mut share = vec![0.0f32; tokens.len()];
    for c in contributions.iter().filter(|c| c.contribution > 0.0) {
        let per_span = c.contribution / c.spans.len().max(1) as f32;
        for &(start, end) in &c.spans {
            let covered = covered_tokens(tokens, start, end);
            let part = per_span / covered.len().max(1) as f32;
            for k in covered {
                share[k] += part;
            }
        }
    }
    let strongest = share.iter().copied().fold(0.0f32, f32::max);
    if strongest <= 0.0 {
        return Vec::new();
    }
    let picked = tokens
        .iter()
        .zip(&share)
        .filter(|&(_, &v)| v >= HIGHLIGHT_SHARE * strongest)
        .map(|(&(start, end), &contribution)| Highlight {
            start,
            end,
            contribution,
        });
    // A character whose normal form splits words ("stupid½idiot": "½" is "1⁄2") leaves
    // two tokens sharing its bytes; highlighted together, they are one stretch of text.
    let mut words: Vec<Highlight> = Vec::new();
    for h in picked {
        match words.last_mut() {
            Some(last) if h.start < last.end => {
                last.end = last.end.max(h.end);
                last.contribution += h.contribution;
            }
            _ => words.push(h),
        }
    }
    words.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
    words
}

/// Indices of the tokens a feature's byte range `start..end` came from: those inside it,
/// or, when none is (a range inside one token), those it overlaps. Token starts and ends
/// are each in text order, though neighbours can share a character's bytes.
fn covered_tokens(tokens: &[(usize, usize)], start: usize, end: usize) -> Vec<usize> {
    let first = tokens.partition_point(|&(_, e)| e <= start);
    let last = first + tokens[first..].partition_point(|&(s, _)| s < end);
    let inside: Vec<usize> = (first..last)
        .filter(|&k| start <= tokens[k].0 && tokens[k].1 <= end)
        .collect();
    if inside.is_empty() {
        (first..last).collect()
    } else {
        inside
    }
}

/// One feature's share of a score, for explanations.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// Readable feature name (`w:idiot`, `c: idi`, `d:caps_share`).
    pub feature: String,
    /// Weight times feature value: its push on the log-odds.
    pub contribution: f32,
    /// Byte ranges in the comment text the feature came from.
    pub spans: Vec<(usize, usize)>,
}

impl Model {
    /// Assembles a model and prepares it for scoring.
    pub fn new(
        vocabulary: Vocabulary,
        labels: Vec<LabelModel>,
        provenance: Provenance,
    ) -> Result<Self, String> {
        let mut model = Model {
            vocabulary,
            labels,
            provenance,
            table: Vec::new(),
            rows: Vec::new(),
            quads: QuadTable::default(),
        };
        model.prepare()?;
        Ok(model)
    }

    /// Validates the label names (as `train` does) and the weights against the
    /// vocabulary, and builds the scoring table.
    ///
    /// Weights, biases and idf values must lie within ±[`MAX_PARAMETER`]: a file that
    /// passes its checksum can still hold values no training produces, and sums of such
    /// values overflow to infinities and NaN probabilities.
    pub fn prepare(&mut self) -> Result<(), String> {
        let n_labels = self.labels.len();
        if n_labels == 0 {
            return Err("model has no labels".to_string());
        }
        // The names become columns and keys of score's output: one `train` refuses would
        // lose or garble scores there (`text`, a name given twice, one with a comma).
        crate::labels::check_label_names(&self.label_names()).map_err(|bad| {
            format!(
                "label {:?}: {}; not a name `threadguard train` accepts",
                clip(&bad.name),
                bad.problem
            )
        })?;
        let in_range = |v: f32| v.is_finite() && v.abs() <= MAX_PARAMETER;
        if let Some(k) = self.vocabulary.idf().iter().position(|&v| !in_range(v)) {
            return Err(format!("the idf of feature {k} is out of range"));
        }
        for label in &self.labels {
            if let Some(&(feature, _)) = label.weights.iter().find(|(_, w)| !in_range(*w)) {
                return Err(format!(
                    "label {:?} has an out-of-range weight for feature {feature}",
                    clip(&label.name)
                ));
            }
        }
        let n_features = self.vocabulary.len();
        let mut table = vec![0.0f32; n_features * n_labels];
        for (l, label) in self.labels.iter().enumerate() {
            for &(feature, weight) in &label.weights {
                let slot = (feature as usize)
                    .checked_mul(n_labels)
                    .map(|s| s + l)
                    .filter(|_| (feature as usize) < n_features)
                    .ok_or_else(|| format!("label {:?} has a weight for feature {feature}, beyond the vocabulary of {n_features}", clip(&label.name)))?;
                table[slot] = weight;
            }
            if !(0.0..=1.0).contains(&label.threshold) || !in_range(label.bias) {
                return Err(format!(
                    "label {:?} has an invalid threshold or bias",
                    clip(&label.name)
                ));
            }
        }
        self.table = table;
        self.lay_out_rows(n_labels <= QUAD_LABELS);
        Ok(())
    }

    /// Builds the scoring rows by slot from `table`: [`Model::quads`] if `quads`, else
    /// [`Model::rows`].
    fn lay_out_rows(&mut self, quads_wanted: bool) {
        let n_labels = self.labels.len();
        let table = &self.table;
        let idf = self.vocabulary.idf();
        let mut rows = Vec::new();
        let mut quads = Vec::new();
        for &feature in self.vocabulary.slot_order() {
            let feature = feature as usize;
            let idf = idf.get(feature).copied().unwrap_or(0.0);
            let start = feature * n_labels;
            let weights = table.get(start..start + n_labels).unwrap_or(&[]);
            if quads_wanted {
                let mut quad = [0.0; 4];
                quad[0] = idf;
                for (q, &w) in quad[1..].iter_mut().zip(weights) {
                    *q = w;
                }
                quads.push(quad);
            } else {
                rows.push(idf);
                rows.extend_from_slice(weights);
            }
        }
        self.rows = rows;
        self.quads = QuadTable::new(quads);
    }

    /// Label names in score order.
    pub fn label_names(&self) -> Vec<String> {
        self.labels.iter().map(|l| l.name.clone()).collect()
    }

    /// A scorer holding the per-thread scratch state (stem cache, buffers).
    pub fn scorer(&self) -> Scorer<'_> {
        Scorer {
            model: self,
            extractor: Extractor::new(),
            features: SparseVec::new(),
            logits: vec![0.0; 2 * self.labels.len()],
        }
    }

    /// The label's features with the largest positive weights, with their weights.
    pub fn top_features(&self, label: usize, n: usize) -> Vec<(String, f32)> {
        let Some(l) = self.labels.get(label) else {
            return Vec::new();
        };
        let mut weights: Vec<&(u32, f32)> = l.weights.iter().filter(|(_, w)| *w > 0.0).collect();
        weights.sort_by(|a, b| b.1.total_cmp(&a.1));
        weights
            .into_iter()
            .take(n)
            .map(|&(f, w)| (self.vocabulary.name(f).unwrap_or("?").to_string(), w))
            .collect()
    }
}

/// Scores comments with a model. Reuse one scorer per thread of work: it caches stems.
pub struct Scorer<'m> {
    model: &'m Model,
    extractor: Extractor,
    features: SparseVec,
    /// Per-label sums: the character-n-gram block, then the word block.
    logits: Vec<f32>,
}

/// The logistic function.
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Scorer<'_> {
    /// Probabilities per label, in the model's label order.
    ///
    /// One pass over the comment's features: each feature's tf-idf weight is multiplied
    /// into every label's sum and into the squared norm together, and the L2
    /// normalization is applied to the sums at the end, which equals scoring the
    /// normalized vector of [`Extractor::extract`].
    pub fn score(&mut self, text: &str, probabilities: &mut Vec<f32>) {
        let model = self.model;
        if model.vocabulary.config().char_by_word && model.quads.is_empty() {
            // Sums per word need the quad layout (at most QUAD_LABELS labels).
            let p = self.score_via_vector(text);
            probabilities.clear();
            probabilities.extend(p);
            return;
        }
        let n_labels = model.labels.len();
        let Scorer {
            extractor, logits, ..
        } = self;
        // Two sums per label (`logits` holds 2 x labels): character and word n-grams are
        // normalized apart when the vocabulary says so (every slot is in block 0 otherwise).
        let (norm2, dense) = if !model.quads.is_empty() {
            sparse_sums_quads(extractor, text, model, logits)
        } else {
            sparse_sums_any(extractor, text, model, logits)
        };
        let table = &model.table;
        let scale = model.vocabulary.config().norm_scale(norm2);
        let (sums, words) = logits.split_at_mut(n_labels);
        for ((z, &w), label) in sums.iter_mut().zip(words.iter()).zip(&model.labels) {
            *z = label.bias + *z * scale[0] + w * scale[1];
        }
        for (index, value) in dense {
            let Some(index) = index.filter(|_| value != 0.0) else {
                continue;
            };
            let start = index as usize * n_labels;
            if let Some(row) = table.get(start..start + n_labels) {
                for (z, w) in sums.iter_mut().zip(row) {
                    *z += value * w;
                }
            }
        }
        probabilities.clear();
        probabilities.extend(sums.iter().map(|&z| sigmoid(z)));
    }

    /// Probabilities through the explicit feature vector: the reference that
    /// [`Scorer::score`] must match (used by tests).
    pub fn score_via_vector(&mut self, text: &str) -> Vec<f32> {
        let model = self.model;
        let n_labels = model.labels.len();
        self.extractor
            .extract_into(text, &model.vocabulary, &mut self.features);
        let mut logits: Vec<f32> = model.labels.iter().map(|l| l.bias).collect();
        for (&index, &value) in self.features.indices.iter().zip(&self.features.values) {
            let start = index as usize * n_labels;
            for (z, w) in logits.iter_mut().zip(&model.table[start..start + n_labels]) {
                *z += w * value;
            }
        }
        logits.into_iter().map(sigmoid).collect()
    }

    /// Scores every comment of a thread, in order; with `explain`, also lists the top
    /// features of each label that a comment is flagged for. The sequential counterpart of
    /// [`ThreadScorer::score`], with the same result.
    pub fn score_thread(
        &mut self,
        thread: crate::thread::Thread,
        explain: Option<usize>,
    ) -> crate::report::ScoredThread {
        let n_labels = self.model.labels.len();
        let mut scores = crate::report::Scores::with_capacity(thread.comments.len(), n_labels);
        let mut probabilities = Vec::with_capacity(n_labels);
        let mut explanations = Vec::new();
        for c in &thread.comments {
            self.score(&c.text, &mut probabilities);
            scores.push(&probabilities);
            if let Some(top) = explain {
                explanations.push(self.explain_flagged(&c.text, &probabilities, top));
            }
        }
        crate::report::ScoredThread {
            thread,
            scores,
            explanations,
        }
    }

    /// One comment's probabilities and, with `explain`, per label the top features if the
    /// comment is flagged for it (empty otherwise).
    fn score_comment(
        &mut self,
        text: &str,
        explain: Option<usize>,
    ) -> (Vec<f32>, Vec<LabelExplanation>) {
        let mut probabilities = Vec::with_capacity(self.model.labels.len());
        self.score(text, &mut probabilities);
        let explanations = match explain {
            Some(top) => self.explain_flagged(text, &probabilities, top),
            None => Vec::new(),
        };
        (probabilities, explanations)
    }

    /// Per label, the top features of `text` if its probability is at the label's threshold
    /// or over (empty otherwise).
    fn explain_flagged(
        &mut self,
        text: &str,
        probabilities: &[f32],
        top: usize,
    ) -> Vec<LabelExplanation> {
        let model = self.model;
        model
            .labels
            .iter()
            .zip(probabilities)
            .enumerate()
            .map(|(l, (label, &p))| {
                if p >= label.threshold {
                    self.explain(text, l, top)
                } else {
                    LabelExplanation::default()
                }
            })
            .collect()
    }

    /// Why `text` scores as it does for `label`: the words its score rests on, and the
    /// `top` features that pushed it up most, with the text spans they came from.
    pub fn explain(&mut self, text: &str, label: usize, top: usize) -> LabelExplanation {
        let model = self.model;
        let n_labels = model.labels.len();
        let explained = self
            .extractor
            .explain_scoring(text, &model.vocabulary, Some(&model.quads));
        let mut contributions: Vec<Contribution> = explained
            .features
            .indices
            .iter()
            .zip(&explained.features.values)
            .enumerate()
            .filter_map(|(k, (&index, &value))| {
                let weight = model.table.get(index as usize * n_labels + label)?;
                let contribution = weight * value;
                (contribution > 0.0).then(|| Contribution {
                    feature: model.vocabulary.name(index).unwrap_or("?").to_string(),
                    contribution,
                    spans: explained.spans.get(k).cloned().unwrap_or_default(),
                })
            })
            .collect();
        let tokens: Vec<(usize, usize)> = self
            .extractor
            .tokens()
            .iter()
            .map(|t| (t.start, t.end))
            .collect();
        let highlights = highlight_words(&contributions, &tokens);
        contributions.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        contributions.truncate(top);
        LabelExplanation {
            highlights,
            features: contributions,
        }
    }
}

/// The sparse part of scoring for a model of at most [`QUAD_LABELS`] labels: sets
/// `logits[..labels]` to each label's sum of tf-idf weight times label weight over the
/// character n-gram block and `logits[labels..2 * labels]` over the word block (see
/// [`Vocabulary::block_of_slot`]), and returns each block's sum of squared tf-idf weights
/// (for the L2 normalization) and the dense signals.
///
/// A block's sums are one `[f32; 4]`: the squared norm, then the labels' sums. A feature
/// with tf-idf weight `w` and row `[idf, w0, w1, w2]` adds `w * [w, w0, w1, w2]` to it,
/// lane by lane: the same products and additions, in the same order, as
/// [`sparse_sums_any`], so both give the same bits; the compiler does the four lanes in
/// one vector operation.
///
/// [`Vocabulary::block_of_slot`]: crate::features::Vocabulary::block_of_slot
#[inline]
fn sparse_sums_quads(
    extractor: &mut Extractor,
    text: &str,
    model: &Model,
    logits: &mut [f32],
) -> ([f32; 2], DenseValues) {
    let n_labels = model.labels.len();
    let quads = &model.quads;
    let vocabulary = &model.vocabulary;
    let (mut chars, mut words) = ([0.0f32; 4], [0.0f32; 4]);
    let (by_word, dense) =
        extractor.for_each_quad_tf(text, vocabulary, quads, |block, &quad, tf| {
            let weight = tf * quad[0];
            let products = [
                weight * weight,
                weight * quad[1],
                weight * quad[2],
                weight * quad[3],
            ];
            // The extractor feeds each block from its own loop, where `block` is fixed.
            if block == 0 {
                chars = add4(chars, products);
            } else {
                words = add4(words, products);
            }
        });
    if let Some(sums) = by_word {
        chars = sums;
    }
    for l in 0..n_labels {
        for (block, sums) in [(0, &chars), (1, &words)] {
            if let (Some(out), Some(&z)) = (logits.get_mut(block * n_labels + l), sums.get(l + 1)) {
                *out = z;
            }
        }
    }
    ([chars[0], words[0]], dense)
}

/// Lane-wise `a + b`, which the compiler does in one vector operation.
#[inline(always)]
fn add4(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]
}

/// [`sparse_sums_quads`] for any number of labels.
fn sparse_sums_any(
    extractor: &mut Extractor,
    text: &str,
    model: &Model,
    logits: &mut [f32],
) -> ([f32; 2], DenseValues) {
    let n_labels = model.labels.len();
    let rows = &model.rows;
    let vocabulary = &model.vocabulary;
    logits.iter_mut().for_each(|z| *z = 0.0);
    let mut norm2 = [0.0f32; 2];
    let dense = extractor.for_each_slot_tf(text, vocabulary, |block, slot, tf| {
        let start = slot as usize * (n_labels + 1);
        let Some(row) = rows.get(start..start + n_labels + 1) else {
            return;
        };
        let weight = tf * row[0];
        norm2[block] += weight * weight;
        let sums = logits
            .get_mut(block * n_labels..(block + 1) * n_labels)
            .unwrap_or_default();
        for (z, w) in sums.iter_mut().zip(&row[1..]) {
            *z += weight * w;
        }
    });
    (norm2, dense)
}

/// Scores whole threads on every core, one [`Scorer`] per worker so stem caches stay warm.
/// Output keeps the input order.
pub struct ThreadScorer<'m> {
    scorers: Vec<std::sync::Mutex<Scorer<'m>>>,
}

impl<'m> ThreadScorer<'m> {
    /// A scorer pool sized for the current rayon thread pool.
    pub fn new(model: &'m Model) -> Self {
        let workers = rayon::current_num_threads().max(1) + 1;
        ThreadScorer {
            scorers: (0..workers)
                .map(|_| std::sync::Mutex::new(model.scorer()))
                .collect(),
        }
    }

    fn with_scorer<T>(&self, f: impl FnOnce(&mut Scorer<'m>) -> T) -> T {
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1) % self.scorers.len();
        let mut guard = match self.scorers[slot].lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Scores every comment of a thread; with `explain`, also lists the top features of
    /// each label that the comment is flagged for.
    pub fn score(
        &self,
        thread: crate::thread::Thread,
        explain: Option<usize>,
    ) -> crate::report::ScoredThread {
        use rayon::prelude::*;
        let results: Vec<(Vec<f32>, Vec<LabelExplanation>)> = thread
            .comments
            .par_iter()
            .with_min_len(64)
            .map(|c| self.with_scorer(|scorer| scorer.score_comment(&c.text, explain)))
            .collect();
        let (scores, explanations): (crate::report::Scores, Vec<_>) = results.into_iter().unzip();
        let explanations = if explain.is_some() {
            explanations
        } else {
            Vec::new()
        };
        crate::report::ScoredThread {
            thread,
            scores,
            explanations,
        }
    }
}

/// Evaluates a model on labeled examples at its own thresholds: per label, the metrics on
/// the examples labeled for it (`None` when no example is).
pub fn evaluate(
    model: &Model,
    examples: &[train::Example],
    label_names: &[String],
) -> Vec<(String, Option<LabelMetrics>)> {
    let scorer = ThreadScorer::new(model);
    let thread = crate::thread::Thread {
        comments: examples
            .iter()
            .map(|e| crate::thread::Comment {
                text: e.text.clone(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let scored = scorer.score(thread, None);
    label_names
        .iter()
        .enumerate()
        .map(|(column, name)| {
            let Some(l) = model.labels.iter().position(|m| &m.name == name) else {
                return (name.clone(), None);
            };
            let (scores, truth): (Vec<f64>, Vec<bool>) = examples
                .iter()
                .zip(&scored.scores)
                .filter_map(|(e, s)| e.values[column].map(|t| (f64::from(s[l]), t)))
                .unzip();
            let metrics = (!scores.is_empty()).then(|| {
                LabelMetrics::evaluate(&scores, &truth, f64::from(model.labels[l].threshold))
            });
            (name.clone(), metrics)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(contribution: f32, spans: &[(usize, usize)]) -> Contribution {
        Contribution {
            feature: "x".to_string(),
            contribution,
            spans: spans.to_vec(),
        }
    }

    #[test]
    fn highlights_sum_each_words_shares_and_keep_the_strong_ones() {
        // "you are an idiot idiot": tokens you, are, an, idiot, idiot.
        let tokens = [(0, 3), (4, 7), (8, 10), (11, 16), (17, 22)];
        let contributions = [
            // A character n-gram of both "idiot"s: half to each.
            feature(3.0, &[(11, 16), (17, 22)]),
            // A bigram over "you are": half to each word.
            feature(1.0, &[(0, 7)]),
            // A feature pulling the score down is no reason for it.
            feature(-5.0, &[(8, 10)]),
            // A dense signal without spans points at nothing.
            feature(9.0, &[]),
        ];
        let words = highlight_words(&contributions, &tokens);
        let found: Vec<(usize, usize, f32)> = words
            .iter()
            .map(|h| (h.start, h.end, h.contribution))
            .collect();
        // "you" and "are" get 0.5 each, under half of the strongest word's 1.5.
        assert_eq!(found, [(11, 16, 1.5), (17, 22, 1.5)]);

        // A word with exactly half the strongest share is kept; strongest first.
        let words = highlight_words(&[feature(2.0, &[(4, 7)]), feature(1.0, &[(0, 3)])], &tokens);
        let found: Vec<(usize, f32)> = words.iter().map(|h| (h.start, h.contribution)).collect();
        assert_eq!(found, [(4, 2.0), (0, 1.0)]);

        // Tokens sharing a character's bytes ("stupid½idiot"): each feature goes to the
        // token it came from, and the two highlighted tokens become one stretch.
        let shared = [(0, 3), (4, 12), (10, 17)];
        let words = highlight_words(
            &[feature(2.0, &[(4, 12)]), feature(1.5, &[(10, 17)])],
            &shared,
        );
        let found: Vec<(usize, usize, f32)> = words
            .iter()
            .map(|h| (h.start, h.end, h.contribution))
            .collect();
        assert_eq!(found, [(4, 17, 3.5)]);
        let words = highlight_words(&[feature(2.0, &[(4, 12)])], &shared);
        assert_eq!(words.len(), 1);
        assert_eq!((words[0].start, words[0].end), (4, 12));
        // A range inside one token (part of a word) goes to that token.
        let words = highlight_words(&[feature(1.0, &[(5, 7)])], &tokens);
        assert_eq!((words[0].start, words[0].end), (4, 7));

        assert!(highlight_words(&[feature(-1.0, &[(0, 3)])], &tokens).is_empty());
        assert!(highlight_words(&[], &tokens).is_empty());
        assert!(highlight_words(&contributions, &[]).is_empty());
    }

    /// Texts of every kind the seeds and test fixtures hold, plus edge cases.
    fn texts() -> Vec<String> {
        let mut texts: Vec<String> = crate::ingest::read_all(
            &[
                std::path::PathBuf::from("seeds"),
                std::path::PathBuf::from("tests/fixtures/ingest"),
            ],
            crate::ingest::InputFormat::Auto,
        )
        .map(|c| c.threads)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|t| t.comments.into_iter().map(|c| c.text))
        .collect();
        assert!(texts.len() > 30, "{} texts", texts.len());
        for extra in [
            "",
            "!!!",
            "YOU ARE A CLOWN",
            "i d i o t s all of you",
            "the the the the",
        ] {
            texts.push(extra.to_string());
        }
        texts.push("idiot ".repeat(100));
        texts
    }

    #[test]
    fn the_quad_layout_scores_the_same_bits_as_the_row_layout() {
        // A model counting character n-grams over the text (the row layout scores those
        // by the same sums; per-word weighting needs quads, below).
        let quads = match file::load(std::path::Path::new("tests/fixtures/model/v1.tgm")) {
            Ok(model) => model,
            Err(e) => panic!("{e}"),
        };
        assert!(!quads.vocabulary.config().char_by_word);
        assert!(!quads.quads.is_empty() && quads.rows.is_empty());
        let mut rows = quads.clone();
        rows.lay_out_rows(false);
        assert!(rows.quads.is_empty() && !rows.rows.is_empty());
        let (mut a, mut b) = (quads.scorer(), rows.scorer());
        let (mut pa, mut pb) = (Vec::new(), Vec::new());
        let bits = |p: &[f32]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for text in texts() {
            a.score(&text, &mut pa);
            b.score(&text, &mut pb);
            assert_eq!(bits(&pa), bits(&pb), "{text:?}");
        }
    }

    #[test]
    fn the_embedded_model_passes_the_full_checks() {
        // default_model() skips the checksum of these bytes; they must pass it.
        if let Err(e) = file::from_bytes(std::path::Path::new("default.tgm"), DEFAULT_MODEL_BYTES) {
            panic!("{e}");
        }
        // And a changed embedded body would still be caught by its size or parse.
        let mut cut = DEFAULT_MODEL_BYTES.to_vec();
        cut.truncate(cut.len() / 2);
        assert!(file::from_embedded_bytes(std::path::Path::new("cut"), &cut).is_err());
    }

    #[test]
    fn the_default_model_scores_like_its_feature_vectors() {
        let model = match default_model() {
            Ok(model) => model,
            Err(e) => panic!("{e}"),
        };
        // Per-word sums for the quad layout; the row layout falls back to the vector.
        let mut rows = model.clone();
        rows.lay_out_rows(false);
        let (mut fast, mut by_rows, mut reference) =
            (model.scorer(), rows.scorer(), model.scorer());
        let (mut p, mut q) = (Vec::new(), Vec::new());
        for text in texts() {
            fast.score(&text, &mut p);
            by_rows.score(&text, &mut q);
            let want = reference.score_via_vector(&text);
            for (got, want) in p.iter().chain(&q).zip(want.iter().chain(&want)) {
                assert!(
                    (got - want).abs() < 1e-5,
                    "{text:?}: {p:?} {q:?} vs {want:?}"
                );
            }
        }
    }
}
