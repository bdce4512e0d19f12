//! `threadguard train`: labels CSVs in, a model file with held-out metrics out.

use super::Bar;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use threadguard::fsutil::same_file;
use threadguard::metrics::{LabelMetrics, ThresholdRule};
use threadguard::model::{file, train};

/// Flags of `threadguard train`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  threadguard train data/my_labels.csv --out models/mine.tgm
  threadguard train data/*.csv --labels abusive --target-precision 0.9
  threadguard score seeds/ --model models/mine.tgm

The labels CSV has a `text` column and one 0/1 column per label (empty = not labeled);
other columns are ignored, and the latest row per (id, annotator) wins.")]
pub struct TrainArgs {
    /// Labels CSV files.
    #[arg(required = true, value_name = "LABELS_CSV")]
    pub inputs: Vec<PathBuf>,
    /// Labels to train, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "abusive,conspiratorial")]
    pub labels: Vec<String>,
    /// Where to write the model.
    #[arg(long, default_value = "models/model.tgm", value_name = "PATH")]
    pub out: PathBuf,
    /// L2 regularization strength (larger = simpler model).
    #[arg(long, default_value_t = 1.0)]
    pub l2: f64,
    /// Choose each threshold for this held-out precision (highest recall reaching it)
    /// instead of the best F1.
    #[arg(long, value_name = "P")]
    pub target_precision: Option<f64>,
    /// Share of threads/comments held out for the reported metrics.
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION")]
    pub test_fraction: f64,
    /// Features kept per label (top K by chi-squared) [default: 5000; the shipped model
    /// uses 20000].
    #[arg(long, value_name = "K")]
    pub top_k: Option<usize>,
    /// Word n-gram lengths over stems, as MIN-MAX (0-0 turns them off) [default: 1-2].
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_range)]
    pub word_ngrams: Option<(usize, usize)>,
    /// Character n-gram lengths inside words, as MIN-MAX (0-0 turns them off)
    /// [default: 2-5].
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_range)]
    pub char_ngrams: Option<(usize, usize)>,
    /// Drop features present in more than this share of documents (function words)
    /// [default: 1.0, none dropped].
    #[arg(long, value_name = "SHARE")]
    pub max_df: Option<f64>,
    /// Minimum number of documents a feature must appear in [default: 2].
    #[arg(long, value_name = "N")]
    pub min_df: Option<usize>,
    /// Leave word n-grams made only of function words ("it was", "of the") out of the
    /// vocabulary.
    #[arg(long)]
    pub stop_words: bool,
    /// Normalize character and word n-grams together, as older models did, instead of
    /// as two blocks of unit norm each.
    #[arg(long)]
    pub no_block_norm: bool,
    /// Damp short texts: divide each block of n-grams by at least this quantile (0 to 1)
    /// of the training texts' norms instead of by its own norm, so a few words do not
    /// weigh as much as a whole comment [default: 0, plain L2 normalization].
    #[arg(long, value_name = "Q")]
    pub norm_floor: Option<f64>,
    /// Weigh character n-grams per word (each distinct word's n-grams once, times
    /// 1 + ln of its count), which scores faster.
    #[arg(long)]
    pub char_by_word: bool,
    /// L-BFGS iteration limit per fit (at least 1: zero would ship untrained weights).
    #[arg(long, default_value_t = 100, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_iter: u64,
    /// L-BFGS iteration limit of the final refit on all rows (warm-started from the
    /// evaluation model; 0 keeps the evaluation model's weights).
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub refit_iter: u64,
    /// Seed of the held-out split.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Do not weight the minority class up to balance the classes.
    #[arg(long)]
    pub no_balance: bool,
    /// Count every row of an input file W times in fitting (repeatable), e.g. to weigh
    /// in-domain labels over public corpora: `--weight data/own_labels.csv=4`.
    #[arg(long, value_name = "FILE=W")]
    pub weight: Vec<String>,
    /// Choose the thresholds on the held-out calibration rows of these input files only
    /// (the data most like what you will score) [default: all inputs].
    #[arg(long, value_name = "FILE")]
    pub calibrate_on: Vec<PathBuf>,
    /// A note recorded in the model's provenance (repeatable), e.g. how inputs were made.
    #[arg(long, value_name = "TEXT")]
    pub note: Vec<String>,
    /// Worker threads, 1 to 1024 [default: all cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = super::parse_jobs)]
    pub jobs: Option<usize>,
}

/// Runs `threadguard train`.
pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    super::set_jobs(args.jobs)?;
    let options = options(&args)?;
    refuse_overwriting_an_input(&args.out, &args.inputs)?;
    threadguard::fsutil::check_writable(&args.out)?;
    let started = std::time::Instant::now();
    let (mut model, reports, warnings) = train::train(&args.inputs, &options, &Bar::new())?;
    for warning in &warnings {
        super::warn(warning);
    }
    model.provenance.notes.extend(args.note.iter().cloned());
    file::save(&model, &args.out)?;
    for report in &reports {
        if let Some(note) = &report.threshold_note {
            super::warn(format_args!("{}: {note}", report.name));
        }
    }
    print_report(&reports, &args.out, &model, started).map_err(|e| {
        super::unreported(
            e,
            format_args!("the model was saved at {}", args.out.display()),
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The training report on standard output: each label's held-out metrics and top
/// features, then the model written.
fn print_report(
    reports: &[train::LabelReport],
    out: &std::path::Path,
    model: &threadguard::model::Model,
    started: std::time::Instant,
) -> threadguard::Result<()> {
    for report in reports {
        outln!("{}", report.name)?;
        outln!("  rows {} · positives {}", report.rows, report.positives)?;
        outln!("  held out: {}", metrics_line(&report.held_out))?;
        let top: Vec<String> = report
            .top_features
            .iter()
            .take(10)
            .map(|(f, w)| format!("{f} {w:+.2}"))
            .collect();
        outln!("  top features: {}", top.join(", "))?;
    }
    outln!(
        "wrote {} ({} features) in {:.1}s",
        out.display(),
        model.vocabulary.len(),
        started.elapsed().as_secs_f64()
    )
}

/// Precision, recall, F1, ROC-AUC and PR-AUC on one line. A figure the rows cannot
/// define is `n/a`: precision when nothing was flagged, recall when no row is
/// positive, F1 when neither, the areas when the rows hold one class only.
pub fn metrics_line(m: &LabelMetrics) -> String {
    let c = &m.confusion;
    let flagged = c.true_positives + c.false_positives;
    let precision = defined(flagged > 0, m.precision);
    let recall = defined(m.positives > 0, m.recall);
    let f1 = defined(m.positives > 0 || flagged > 0, m.f1);
    let one_class = m.positives == 0 || m.positives == m.rows;
    let (roc, pr) = (
        defined(!one_class && m.roc_auc.is_finite(), m.roc_auc),
        defined(!one_class && m.pr_auc.is_finite(), m.pr_auc),
    );
    format!(
        "n {} ({} pos) · threshold {:.3} · precision {precision} · recall {recall} · F1 {f1} · ROC-AUC {roc} · PR-AUC {pr}",
        m.rows, m.positives, m.threshold
    )
}

/// `value` with 3 decimals, or `n/a` when it is not defined.
fn defined(is_defined: bool, value: f64) -> String {
    if is_defined {
        format!("{value:.3}")
    } else {
        "n/a".to_string()
    }
}

fn options(args: &TrainArgs) -> anyhow::Result<train::TrainOptions> {
    if args.labels.is_empty() || args.labels.iter().any(|l| l.trim().is_empty()) {
        anyhow::bail!("--labels needs at least one non-empty label name");
    }
    check_label_names(&args.labels)?;
    if !(0.05..=0.5).contains(&args.test_fraction) {
        anyhow::bail!("--test-fraction must be between 0.05 and 0.5");
    }
    if !(args.l2.is_finite() && args.l2 > 0.0) {
        anyhow::bail!("--l2 must be a positive number");
    }
    let threshold_rule = match args.target_precision {
        Some(p) if (0.0..=1.0).contains(&p) => ThresholdRule::TargetPrecision(p),
        Some(_) => anyhow::bail!("--target-precision must be between 0 and 1"),
        None => ThresholdRule::BestF1,
    };
    let mut options = train::TrainOptions {
        labels: args.labels.iter().map(|l| l.trim().to_string()).collect(),
        l2: args.l2,
        test_fraction: args.test_fraction,
        seed: args.seed,
        threshold_rule,
        balance: !args.no_balance,
        max_iterations: args.max_iter,
        refit_iterations: args.refit_iter,
        ..train::TrainOptions::default()
    };
    for spec in &args.weight {
        let (file, weight) = spec
            .rsplit_once('=')
            .ok_or_else(|| anyhow::anyhow!("--weight {spec:?}: expected FILE=W"))?;
        let weight: usize = weight
            .parse()
            .ok()
            .filter(|w| (1..=100).contains(w))
            .ok_or_else(|| {
                anyhow::anyhow!("--weight {spec:?}: W must be a whole number from 1 to 100")
            })?;
        let index = input_index(&args.inputs, std::path::Path::new(file), "--weight")?;
        if options.weights.iter().any(|&(i, _)| i == index) {
            anyhow::bail!("--weight {file}: given twice; give each input one weight");
        }
        options.weights.push((index, weight));
    }
    if !args.calibrate_on.is_empty() {
        let files = args
            .calibrate_on
            .iter()
            .map(|f| input_index(&args.inputs, f, "--calibrate-on"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        options.calibrate_on = Some(files);
    }
    if args.top_k == Some(0) {
        anyhow::bail!("--top-k must be at least 1");
    }
    if let Some(k) = args.top_k {
        options.features.top_k = k;
    }
    if let Some(range) = args.word_ngrams {
        options.features.word_ngram_range = range;
    }
    if let Some(range) = args.char_ngrams {
        options.features.char_ngram_range = range;
    }
    if let Some(share) = args.max_df {
        options.features.max_df = share;
    }
    if let Some(n) = args.min_df {
        options.features.min_df = n;
    }
    if let Some(q) = args.norm_floor {
        if !(0.0..=1.0).contains(&q) {
            anyhow::bail!("--norm-floor must be from 0 to 1, got {q}");
        }
        options.norm_floor_quantile = q;
    }
    options.features.stop_words = args.stop_words;
    options.features.block_norm = !args.no_block_norm;
    if args.char_by_word && args.no_block_norm {
        anyhow::bail!("--char-by-word needs the two blocks normalized apart; drop --no-block-norm");
    }
    options.features.char_by_word = args.char_by_word;
    if let Err(e) = options.features.validate() {
        anyhow::bail!("{e}");
    }
    Ok(options)
}

/// The position of `file` among the training inputs.
fn input_index(inputs: &[PathBuf], file: &std::path::Path, flag: &str) -> anyhow::Result<usize> {
    inputs
        .iter()
        .position(|p| p == file)
        .or_else(|| inputs.iter().position(|p| same_file(p, file)))
        .ok_or_else(|| anyhow::anyhow!("{flag} {}: not one of the training inputs", file.display()))
}

/// Fails when `out` is one of `inputs` (under any spelling): writing the output would
/// destroy that input.
pub fn refuse_overwriting_an_input(
    out: &std::path::Path,
    inputs: &[PathBuf],
) -> anyhow::Result<()> {
    match inputs.iter().find(|input| same_file(input, out)) {
        Some(input) => anyhow::bail!(
            "--out {}: is the input {}; writing there would destroy it",
            out.display(),
            input.display()
        ),
        None => Ok(()),
    }
}

/// Parses `MIN-MAX` (or a single `N`) into a length range.
fn parse_range(text: &str) -> Result<(usize, usize), String> {
    let (lo, hi) = text.split_once('-').unwrap_or((text, text));
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("expected MIN-MAX, found {text:?}"))
    };
    let (lo, hi) = (number(lo)?, number(hi)?);
    if lo > hi {
        return Err(format!("{text:?}: MIN is larger than MAX"));
    }
    Ok((lo, hi))
}

/// Fails for a label name that the labels CSV or `score`'s output cannot carry (see
/// [`threadguard::labels::check_label_names`]).
pub fn check_label_names(labels: &[String]) -> anyhow::Result<()> {
    let labels: Vec<String> = labels.iter().map(|l| l.trim().to_string()).collect();
    threadguard::labels::check_label_names(&labels)
        .map_err(|bad| anyhow::anyhow!("--labels {}: {}", bad.name, bad.problem))
}
