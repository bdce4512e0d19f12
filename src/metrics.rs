//! Classification metrics on held-out predictions: precision, recall, F1, ROC-AUC, PR-AUC,
//! confusion matrices, and decision-threshold selection.

use serde::{Deserialize, Serialize};

/// Counts of a binary decision against the truth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Flagged and positive.
    pub true_positives: usize,
    /// Flagged but negative.
    pub false_positives: usize,
    /// Not flagged but positive.
    pub false_negatives: usize,
    /// Not flagged and negative.
    pub true_negatives: usize,
}

impl Confusion {
    /// Counts decisions `score >= threshold` against `truth`.
    pub fn at(scores: &[f64], truth: &[bool], threshold: f64) -> Self {
        let mut c = Confusion::default();
        for (&s, &t) in scores.iter().zip(truth) {
            match (s >= threshold, t) {
                (true, true) => c.true_positives += 1,
                (true, false) => c.false_positives += 1,
                (false, true) => c.false_negatives += 1,
                (false, false) => c.true_negatives += 1,
            }
        }
        c
    }

    /// Precision (1 when nothing was flagged).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
            1.0,
        )
    }

    /// Recall (0 when there are no positives).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
            0.0,
        )
    }

    /// F1, the harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        f1(
            self.true_positives,
            self.false_positives,
            self.false_negatives,
        )
    }
}

fn ratio(num: usize, den: usize, empty: f64) -> f64 {
    if den == 0 {
        empty
    } else {
        num as f64 / den as f64
    }
}

fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    let den = 2 * tp + fp + fn_;
    if den == 0 {
        0.0
    } else {
        2.0 * tp as f64 / den as f64
    }
}

/// Metrics of one label on one evaluation set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LabelMetrics {
    /// Rows evaluated.
    pub rows: usize,
    /// Positive rows among them.
    pub positives: usize,
    /// The decision threshold used for the threshold metrics.
    pub threshold: f64,
    /// Precision at the threshold.
    pub precision: f64,
    /// Recall at the threshold.
    pub recall: f64,
    /// F1 at the threshold.
    pub f1: f64,
    /// Area under the ROC curve (NaN when only one class is present).
    pub roc_auc: f64,
    /// Area under the precision-recall curve, as average precision.
    pub pr_auc: f64,
    /// Confusion matrix at the threshold.
    pub confusion: Confusion,
}

impl LabelMetrics {
    /// Evaluates scores against the truth at a threshold.
    pub fn evaluate(scores: &[f64], truth: &[bool], threshold: f64) -> Self {
        let confusion = Confusion::at(scores, truth, threshold);
        LabelMetrics {
            rows: scores.len(),
            positives: truth.iter().filter(|&&t| t).count(),
            threshold,
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            roc_auc: roc_auc(scores, truth),
            pr_auc: average_precision(scores, truth),
            confusion,
        }
    }
}

/// Indices of `scores` sorted by descending score.
fn descending(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order
}

/// ROC-AUC as the Mann-Whitney statistic, with tied scores counted half. NaN when only
/// one class is present.
pub fn roc_auc(scores: &[f64], truth: &[bool]) -> f64 {
    let positives = truth.iter().filter(|&&t| t).count();
    let negatives = truth.len() - positives;
    if positives == 0 || negatives == 0 {
        return f64::NAN;
    }
    let order = descending(scores);
    // Walk groups of tied scores from the top, counting negatives ranked below positives.
    let mut negatives_below = negatives as f64;
    let mut sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        let (mut pos, mut neg) = (0.0, 0.0);
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            if truth[order[j]] {
                pos += 1.0
            } else {
                neg += 1.0
            }
            j += 1;
        }
        negatives_below -= neg;
        sum += pos * (negatives_below + neg / 2.0);
        i = j;
    }
    sum / (positives as f64 * negatives as f64)
}

/// PR-AUC as average precision: the mean of the precision at each positive's rank, with
/// tied scores taken together (as scikit-learn computes it).
pub fn average_precision(scores: &[f64], truth: &[bool]) -> f64 {
    let positives = truth.iter().filter(|&&t| t).count();
    if positives == 0 {
        return f64::NAN;
    }
    let order = descending(scores);
    let (mut tp, mut fp, mut sum, mut last_recall) = (0usize, 0usize, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            if truth[order[j]] {
                tp += 1
            } else {
                fp += 1
            }
            j += 1;
        }
        let recall = tp as f64 / positives as f64;
        let precision = tp as f64 / (tp + fp) as f64;
        sum += (recall - last_recall) * precision;
        last_recall = recall;
        i = j;
    }
    sum
}

/// How the decision threshold is chosen on held-out scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ThresholdRule {
    /// Maximize F1.
    BestF1,
    /// Highest recall among thresholds reaching this precision (best F1 if none does).
    TargetPrecision(f64),
}

/// Chooses a threshold on held-out scores. Candidates are midpoints between distinct
/// consecutive scores, so the threshold generalizes rather than sitting on one example.
pub fn choose_threshold(scores: &[f64], truth: &[bool], rule: ThresholdRule) -> f64 {
    let order = descending(scores);
    let positives = truth.iter().filter(|&&t| t).count();
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut best_f1 = (f64::NEG_INFINITY, 0.5);
    let mut best_recall_at_precision: Option<(f64, f64)> = None;
    let mut i = 0;
    while i < order.len() {
        let score = scores[order[i]];
        while i < order.len() && scores[order[i]] == score {
            if truth[order[i]] {
                tp += 1
            } else {
                fp += 1
            }
            i += 1;
        }
        let next = order.get(i).map_or(0.0, |&k| scores[k]);
        let threshold = (score + next) / 2.0;
        let candidate_f1 = f1(tp, fp, positives - tp);
        if candidate_f1 > best_f1.0 {
            best_f1 = (candidate_f1, threshold);
        }
        if let ThresholdRule::TargetPrecision(target) = rule {
            let precision = tp as f64 / (tp + fp) as f64;
            let recall = ratio(tp, positives, 0.0);
            if precision >= target && best_recall_at_precision.is_none_or(|(r, _)| recall > r) {
                best_recall_at_precision = Some((recall, threshold));
            }
        }
    }
    match (rule, best_recall_at_precision) {
        (ThresholdRule::TargetPrecision(_), Some((_, t))) => t,
        _ => best_f1.1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_auc_matches_hand_computed_values() {
        // Pairs (pos, neg): 0.9>0.8, 0.9>0.1, 0.4<0.8, 0.4>0.1 => 3 of 4.
        assert!((roc_auc(&[0.9, 0.8, 0.4, 0.1], &[true, false, true, false]) - 0.75).abs() < 1e-12);
        // A tie between a positive and a negative counts half.
        assert!((roc_auc(&[0.5, 0.5], &[true, false]) - 0.5).abs() < 1e-12);
        assert!(roc_auc(&[0.1, 0.2], &[true, true]).is_nan());
    }

    #[test]
    fn average_precision_matches_hand_computed_value() {
        // Ranks: pos (P=1, R=.5), neg, pos (P=2/3, R=1) => .5*1 + .5*2/3.
        let ap = average_precision(&[0.9, 0.8, 0.7], &[true, false, true]);
        assert!((ap - (0.5 + 0.5 * 2.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn confusion_and_f1() {
        let c = Confusion::at(&[0.9, 0.6, 0.4, 0.2], &[true, false, true, false], 0.5);
        assert_eq!(
            (
                c.true_positives,
                c.false_positives,
                c.false_negatives,
                c.true_negatives
            ),
            (1, 1, 1, 1)
        );
        assert!((c.f1() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn best_f1_threshold_separates_perfectly_separable_scores() {
        let scores = [0.95, 0.9, 0.3, 0.2, 0.1];
        let truth = [true, true, false, false, false];
        let t = choose_threshold(&scores, &truth, ThresholdRule::BestF1);
        assert!(t > 0.3 && t < 0.9, "{t}");
        assert_eq!(Confusion::at(&scores, &truth, t).f1(), 1.0);
    }

    #[test]
    fn target_precision_trades_recall_for_precision() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5];
        let truth = [true, true, false, true, false];
        let strict = choose_threshold(&scores, &truth, ThresholdRule::TargetPrecision(1.0));
        let c = Confusion::at(&scores, &truth, strict);
        assert_eq!(c.precision(), 1.0);
        assert_eq!(c.true_positives, 2);
    }
}
