//! `threadguard eval`: a model's metrics on labeled CSVs, at its thresholds.

use super::load_model;
use super::train::metrics_line;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use threadguard::model::{self, train};

/// Flags of `threadguard eval`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  threadguard eval data/seed_labels.csv
  threadguard eval data/my_labels.csv --model models/mine.tgm --labels abusive")]
pub struct EvalArgs {
    /// Labels CSV files.
    #[arg(required = true, value_name = "LABELS_CSV")]
    pub inputs: Vec<PathBuf>,
    /// Model file [default: the model built into threadguard].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Labels to evaluate, comma separated [default: the model's labels].
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
}

/// Runs `threadguard eval`.
pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let model = load_model(args.model.as_deref())?;
    let labels = if args.labels.is_empty() {
        model.label_names()
    } else {
        args.labels.clone()
    };
    let (examples, inputs, warnings) = train::read_examples(&args.inputs, &labels)?;
    for w in &warnings {
        super::warn(w);
    }
    let rows: usize = inputs.iter().map(|i| i.rows).sum();
    outln!(
        "{rows} labeled rows from {}",
        args.inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    let mut evaluated = 0;
    for (name, metrics) in model::evaluate(&model, &examples, &labels) {
        outln!("{name}")?;
        let Some(m) = metrics else {
            outln!("  not evaluated: the model has no such label, or no row is labeled for it")?;
            continue;
        };
        evaluated += 1;
        outln!("  {}", metrics_line(&m))?;
        let c = m.confusion;
        outln!(
            "  confusion at threshold {:.3}:   predicted +   predicted -",
            m.threshold
        )?;
        outln!(
            "    actual +                    {:>11}   {:>11}",
            c.true_positives,
            c.false_negatives
        )?;
        outln!(
            "    actual -                    {:>11}   {:>11}",
            c.false_positives,
            c.true_negatives
        )?;
    }
    if evaluated == 0 {
        anyhow::bail!(
            "nothing evaluated: no row of the inputs is labeled for {} among the model's labels ({})",
            labels.join(", "),
            model.label_names().join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
