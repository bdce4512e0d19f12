//! `threadguard agreement`: inter-annotator agreement on a labels CSV.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `threadguard agreement`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  threadguard agreement data/labels.csv
  threadguard agreement data/labels.csv --labels abusive")]
pub struct AgreementArgs {
    /// The labels CSV (latest decision per comment and annotator).
    #[arg(value_name = "LABELS_CSV")]
    pub input: PathBuf,
    /// Labels to compare, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "abusive,conspiratorial")]
    pub labels: Vec<String>,
}

/// Runs `threadguard agreement`.
pub fn run(args: AgreementArgs) -> anyhow::Result<ExitCode> {
    let report = threadguard::agreement::agreement_for_file(&args.input, &args.labels)?;
    out!("{report}")?;
    if report.labels.iter().all(|l| l.items == 0) {
        anyhow::bail!(
            "{}: no comment is labeled for {}",
            args.input.display(),
            args.labels.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
