//! Inter-annotator agreement on a labels file: per label and per annotator pair, the
//! items both labeled, percent agreement, Cohen's kappa and the disagreements.
//!
//! Each annotator's decision on a comment is their latest row for its id (see
//! [`crate::labels`]: corrections replace, undo removes). Rows without an id cannot be
//! matched across annotators and are left out; so are empty label cells.
//!
//! Cohen's kappa for a pair is `(p_o - p_e) / (1 - p_e)`, with `p_o` the observed
//! agreement and `p_e` the agreement expected from each annotator's own rate of 1s. When
//! `p_e` = 1 (both annotators gave every shared item the same single value) kappa is
//! undefined and reported as such; percent agreement is then 100%.

use crate::error::Result;
use crate::labels::{Decision, LabelLog, LoadWarning};
use crate::report::terminal_safe;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Characters of comment text shown for a disagreement.
pub const SNIPPET_CHARS: usize = 80;

/// The 2x2 table of two annotators' values on the items both labeled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PairCounts {
    /// Both said 1.
    pub both_yes: usize,
    /// The first said 1, the second 0.
    pub yes_no: usize,
    /// The first said 0, the second 1.
    pub no_yes: usize,
    /// Both said 0.
    pub both_no: usize,
}

impl PairCounts {
    /// Adds one item on which the first annotator said `a` and the second `b`.
    pub fn add(&mut self, a: bool, b: bool) {
        match (a, b) {
            (true, true) => self.both_yes += 1,
            (true, false) => self.yes_no += 1,
            (false, true) => self.no_yes += 1,
            (false, false) => self.both_no += 1,
        }
    }

    /// Items both annotators labeled.
    pub fn n(&self) -> usize {
        self.both_yes + self.yes_no + self.no_yes + self.both_no
    }

    /// Items on which they agree.
    pub fn agreed(&self) -> usize {
        self.both_yes + self.both_no
    }

    /// Observed agreement in [0, 1] (None when there are no items).
    pub fn observed(&self) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| self.agreed() as f64 / n as f64)
    }

    /// Agreement expected by chance from the two annotators' marginals (None when empty).
    pub fn expected(&self) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| self.chance_products() as f64 / (n as f64 * n as f64))
    }

    /// Cohen's kappa, None when there are no items or when chance agreement is 1.
    ///
    /// Computed exactly from counts: `(n * agreed - m) / (n² - m)` with
    /// `m = a₁·b₁ + a₀·b₀` (the sum of the marginal products), so the degenerate case is
    /// the exact test `n² = m`, with no floating-point tolerance.
    pub fn kappa(&self) -> Option<f64> {
        let n = self.n() as u128;
        let m = self.chance_products();
        let denominator = n * n - m;
        if n == 0 || denominator == 0 {
            return None;
        }
        let numerator = (n * self.agreed() as u128) as f64 - m as f64;
        Some(numerator / denominator as f64)
    }

    /// `a₁·b₁ + a₀·b₀`: the products of the annotators' marginal counts.
    fn chance_products(&self) -> u128 {
        let a_yes = (self.both_yes + self.yes_no) as u128;
        let a_no = (self.no_yes + self.both_no) as u128;
        let b_yes = (self.both_yes + self.no_yes) as u128;
        let b_no = (self.yes_no + self.both_no) as u128;
        a_yes * b_yes + a_no * b_no
    }
}

/// One item two annotators labeled differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The comment id.
    pub id: String,
    /// The start of the comment text, on one line.
    pub snippet: String,
    /// The first annotator's value.
    pub value_a: bool,
    /// The second annotator's value.
    pub value_b: bool,
}

/// Agreement between two annotators on one label.
#[derive(Debug, Clone, PartialEq)]
pub struct PairAgreement {
    /// The first annotator (alphabetically).
    pub annotator_a: String,
    /// The second annotator.
    pub annotator_b: String,
    /// Their 2x2 table.
    pub counts: PairCounts,
    /// The items they disagree on, by id.
    pub disagreements: Vec<Disagreement>,
}

impl PairAgreement {
    /// Percent agreement in [0, 100] (None when they share no item).
    pub fn percent_agreement(&self) -> Option<f64> {
        self.counts.observed().map(|p| p * 100.0)
    }

    /// Cohen's kappa (see [`PairCounts::kappa`]).
    pub fn kappa(&self) -> Option<f64> {
        self.counts.kappa()
    }
}

/// Agreement on one label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelAgreement {
    /// The label.
    pub label: String,
    /// Comments (ids) with at least one value for this label.
    pub items: usize,
    /// Comments labeled by two or more annotators.
    pub multi_annotated: usize,
    /// Every annotator pair sharing at least one item, ordered by names.
    pub pairs: Vec<PairAgreement>,
}

/// Agreement on every label of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementReport {
    /// The labels file.
    pub file: PathBuf,
    /// One entry per label, in the order asked for.
    pub labels: Vec<LabelAgreement>,
    /// Rows skipped while reading (cut rows).
    pub warnings: Vec<LoadWarning>,
}

/// Reads `path` (latest decision per id and annotator) and measures agreement on `labels`.
pub fn agreement_for_file(path: &Path, labels: &[String]) -> Result<AgreementReport> {
    Ok(agreement(&LabelLog::read(path, labels)?))
}

/// Measures agreement on every label of a loaded log.
pub fn agreement(log: &LabelLog) -> AgreementReport {
    let labels = (0..log.labels.len())
        .map(|k| label_agreement(log, k))
        .collect();
    AgreementReport {
        file: log.file.clone(),
        labels,
        warnings: log.warnings.clone(),
    }
}

/// The values of label `k`: id → annotator → decision, for decisions with a value.
type ByItem<'a> = BTreeMap<&'a str, BTreeMap<&'a str, (bool, &'a Decision)>>;

/// Agreement on label number `k` of the log.
fn label_agreement(log: &LabelLog, k: usize) -> LabelAgreement {
    let mut by_item: ByItem<'_> = BTreeMap::new();
    for item in &log.latest {
        let d = &item.decision;
        if let (false, Some(Some(value))) = (d.id.is_empty(), d.values.get(k)) {
            by_item
                .entry(&d.id)
                .or_default()
                .insert(&d.annotator, (*value, d));
        }
    }
    let mut pairs: BTreeMap<(&str, &str), PairAgreement> = BTreeMap::new();
    for (id, annotators) in &by_item {
        add_pairs(&mut pairs, id, annotators);
    }
    LabelAgreement {
        label: log.labels.get(k).cloned().unwrap_or_default(),
        items: by_item.len(),
        multi_annotated: by_item.values().filter(|a| a.len() >= 2).count(),
        pairs: pairs.into_values().collect(),
    }
}

/// Adds one item to the table of every pair of annotators who labeled it.
fn add_pairs<'a>(
    pairs: &mut BTreeMap<(&'a str, &'a str), PairAgreement>,
    id: &str,
    annotators: &BTreeMap<&'a str, (bool, &'a Decision)>,
) {
    let list: Vec<(&str, &(bool, &Decision))> = annotators.iter().map(|(a, v)| (*a, v)).collect();
    for (i, &(a, &(value_a, decision))) in list.iter().enumerate() {
        for &(b, &(value_b, _)) in &list[i + 1..] {
            let pair = pairs.entry((a, b)).or_insert_with(|| PairAgreement {
                annotator_a: a.to_string(),
                annotator_b: b.to_string(),
                counts: PairCounts::default(),
                disagreements: Vec::new(),
            });
            pair.counts.add(value_a, value_b);
            if value_a != value_b {
                let snippet = snippet(&decision.text, SNIPPET_CHARS);
                pair.disagreements.push(Disagreement {
                    id: id.to_string(),
                    snippet,
                    value_a,
                    value_b,
                });
            }
        }
    }
}

/// The first `max` characters of `text` on one line, with `…` when cut.
pub fn snippet(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

impl AgreementReport {
    /// The report as text, listing at most `max_disagreements` disagreements per pair.
    pub fn render(&self, max_disagreements: usize) -> String {
        // Names, ids, texts and warnings come from the file: escaped like the table
        // views, so that no cell can break a line or drive the terminal.
        let mut out = format!(
            "Agreement in {} (latest decision per id and annotator)\n",
            terminal_safe(&self.file.display().to_string())
        );
        for warning in &self.warnings {
            out.push_str(&format!(
                "warning: {}\n",
                terminal_safe(&warning.to_string())
            ));
        }
        for label in &self.labels {
            render_label(&mut out, label, max_disagreements);
        }
        out
    }
}

impl fmt::Display for AgreementReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(usize::MAX))
    }
}

/// Appends one label's section to `out`.
fn render_label(out: &mut String, label: &LabelAgreement, max_disagreements: usize) {
    out.push_str(&format!(
        "\n{}: {} comments labeled, {} by two or more annotators\n",
        label.label, label.items, label.multi_annotated
    ));
    if label.pairs.is_empty() {
        out.push_str("  no comment labeled by two annotators\n");
    }
    for pair in &label.pairs {
        render_pair(out, pair, max_disagreements);
    }
}

/// Appends one pair's lines to `out`.
fn render_pair(out: &mut String, pair: &PairAgreement, max_disagreements: usize) {
    let c = &pair.counts;
    let percent = pair
        .percent_agreement()
        .map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"));
    let kappa = pair.kappa().map_or_else(
        || "undefined (both gave every item the same value)".to_string(),
        |k| format!("{k:.3}"),
    );
    let (a, b) = (
        terminal_safe(&pair.annotator_a),
        terminal_safe(&pair.annotator_b),
    );
    out.push_str(&format!(
        "  {} vs {}: {} items, {} agreement, kappa {}\n",
        a,
        b,
        c.n(),
        percent,
        kappa
    ));
    out.push_str(&format!(
        "    both 1: {}, {} 1 / {} 0: {}, {} 0 / {} 1: {}, both 0: {}\n",
        c.both_yes, a, b, c.yes_no, a, b, c.no_yes, c.both_no
    ));
    if pair.disagreements.is_empty() {
        return;
    }
    out.push_str(&format!(
        "    disagreements ({}):\n",
        pair.disagreements.len()
    ));
    for d in pair.disagreements.iter().take(max_disagreements) {
        out.push_str(&format!(
            "      {}  {}={} {}={}  \"{}\"\n",
            terminal_safe(&d.id),
            a,
            u8::from(d.value_a),
            b,
            u8::from(d.value_b),
            terminal_safe(&d.snippet)
        ));
    }
    let hidden = pair.disagreements.len().saturating_sub(max_disagreements);
    if hidden > 0 {
        out.push_str(&format!("      ... and {hidden} more\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(both_yes: usize, yes_no: usize, no_yes: usize, both_no: usize) -> PairCounts {
        PairCounts {
            both_yes,
            yes_no,
            no_yes,
            both_no,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn kappa_of_a_hand_computed_table() {
        //            B=1  B=0
        //   A=1       20    5   (A says 1 on 25 of 50)
        //   A=0       10   15   (B says 1 on 30 of 50)
        // p_o = (20 + 15) / 50 = 0.7
        // p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5
        // kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
        let t = table(20, 5, 10, 15);
        assert_eq!(t.n(), 50);
        assert!(close(t.observed().unwrap_or_default(), 0.7));
        assert!(close(t.expected().unwrap_or_default(), 0.5));
        assert!(close(t.kappa().unwrap_or_default(), 0.4));
    }

    #[test]
    fn kappa_of_a_second_table() {
        //            B=1  B=0
        //   A=1        4    1   A: 5 of 10 say 1
        //   A=0        2    3   B: 6 of 10 say 1
        // p_o = 7/10; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4
        // Exact form: (n*agreed - m)/(n^2 - m) = (70 - 50)/(100 - 50) = 0.4
        assert!(close(table(4, 1, 2, 3).kappa().unwrap_or_default(), 0.4));
        // Perfect agreement with both values used: kappa 1.
        assert!(close(table(3, 0, 0, 2).kappa().unwrap_or_default(), 1.0));
        // Systematic disagreement: p_o = 0, p_e = 0.5 → kappa = -1.
        assert!(close(table(0, 2, 2, 0).kappa().unwrap_or_default(), -1.0));
    }

    #[test]
    fn degenerate_kappa_is_undefined() {
        // Both always 0: p_o = p_e = 1.
        let t = table(0, 0, 0, 7);
        assert_eq!(t.kappa(), None);
        assert!(close(t.observed().unwrap_or_default(), 1.0));
        assert_eq!(table(0, 0, 0, 0).kappa(), None);
        assert_eq!(table(0, 0, 0, 0).observed(), None);
        // One annotator constant, the other not: p_e < 1, kappa defined (= 0 here).
        //   A always 1; B 1 on 2 of 4. p_o = 0.5, p_e = 1*0.5 + 0*0.5 = 0.5 → 0.
        assert!(close(table(2, 2, 0, 0).kappa().unwrap_or_default(), 0.0));
    }

    #[test]
    fn the_rendered_report_escapes_what_came_from_the_file() {
        let pair = PairAgreement {
            annotator_a: "ann\x1b[31m".to_string(),
            annotator_b: "bob\rX".to_string(),
            counts: table(0, 1, 0, 0),
            disagreements: vec![Disagreement {
                id: "c\x1b]0;t\x07".to_string(),
                snippet: snippet("hi \x1b[2J there", SNIPPET_CHARS),
                value_a: true,
                value_b: false,
            }],
        };
        let report = AgreementReport {
            file: PathBuf::from("lab\x1bels.csv"),
            labels: vec![LabelAgreement {
                label: "abusive".to_string(),
                items: 1,
                multi_annotated: 1,
                pairs: vec![pair],
            }],
            warnings: Vec::new(),
        };
        let text = report.render(10);
        assert!(
            !text.contains('\x1b') && !text.contains('\r') && !text.contains('\x07'),
            "{text}"
        );
        assert!(text.contains("ann\\x1b[31m vs bob\\rX"), "{text}");
        assert!(text.contains("lab\\x1bels.csv"), "{text}");
        assert!(text.contains("hi \\x1b[2J there"), "{text}");
    }

    #[test]
    fn snippet_cuts_on_characters() {
        assert_eq!(snippet("a  b\nc", 10), "a b c");
        assert_eq!(snippet("héllo wörld", 5), "héllo…");
    }
}
