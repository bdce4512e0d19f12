//! `threadguard import`: convert a public corpus into a labels CSV.

use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use threadguard::import::{self, Corpus, OffensivePolicy};

/// The corpora `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CorpusName {
    /// Davidson et al. 2017 tweets (labeled_data.csv): abusive only.
    Davidson,
    /// PsyCoMark Reddit comments (train.csv): conspiratorial only, merged per id.
    Psycomark,
    /// SemEval-2021 toxic spans (tsd_train.csv, tsd_trial.csv): posts with marked spans as
    /// abusive, and each post's sentences without a span, joined, as not abusive.
    ToxicSpans,
}

/// What to do with Davidson's "offensive language" class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OffensiveChoice {
    /// Offensive counts as abusive.
    Positive,
    /// Offensive counts as not abusive.
    Negative,
    /// Offensive rows are left out.
    Drop,
    /// Decided from the annotators' votes (hate votes: abusive; neither votes: not).
    Votes,
}

/// Flags of `threadguard import`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  threadguard import --from davidson ../shared/data/davidson/labeled_data.csv --out target/corpora/davidson.csv
  threadguard import --from psycomark ../shared/data/psycomark/train.csv --out target/corpora/psycomark.csv
  threadguard import --from toxic-spans ../shared/data/toxic_spans/tsd_train.csv --out target/corpora/toxic_spans.csv

The mapping of each corpus to the labels abusive and conspiratorial is documented in
the README; a label the corpus says nothing about is left empty.")]
pub struct ImportArgs {
    /// Which corpus the file belongs to.
    #[arg(long, value_enum)]
    pub from: CorpusName,
    /// The corpus file.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// The labels CSV to write (replaced atomically).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Davidson only: what the "offensive language" class becomes.
    #[arg(long, value_enum, default_value_t = OffensiveChoice::Drop)]
    pub davidson_offensive: OffensiveChoice,
}

/// Runs `threadguard import`.
pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let offensive = match args.davidson_offensive {
        OffensiveChoice::Positive => OffensivePolicy::Positive,
        OffensiveChoice::Negative => OffensivePolicy::Negative,
        OffensiveChoice::Drop => OffensivePolicy::Drop,
        OffensiveChoice::Votes => OffensivePolicy::Votes,
    };
    let corpus = match args.from {
        CorpusName::Davidson => Corpus::Davidson { offensive },
        CorpusName::Psycomark => Corpus::Psycomark,
        CorpusName::ToxicSpans => Corpus::ToxicSpans,
    };
    super::train::refuse_overwriting_an_input(&args.out, std::slice::from_ref(&args.input))?;
    threadguard::fsutil::check_writable(&args.out)?;
    let (rows, stats) = import::import(corpus, &args.input)?;
    import::write_labels(&args.out, &rows)?;
    // `print!` would panic on a full or closed stdout.
    out!("{stats}")
        .and_then(|()| outln!("wrote {} rows to {}", rows.len(), args.out.display()))
        .map_err(|e| {
            let saved = format_args!(
                "the labels CSV was written to {} ({} rows)",
                args.out.display(),
                rows.len()
            );
            super::unreported(e, saved)
        })?;
    Ok(ExitCode::SUCCESS)
}
