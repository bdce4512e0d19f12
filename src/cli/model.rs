//! `threadguard model show`: the model card.

use super::load_model;
use super::train::metrics_line;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands of `threadguard model`.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Print a model's card: provenance, settings, held-out metrics, top features.
    Show(ShowArgs),
}

/// Flags of `threadguard model show`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  threadguard model show                  # the built-in model
  threadguard model show models/mine.tgm --top 30")]
pub struct ShowArgs {
    /// Model file [default: the model built into threadguard].
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Top features listed per label.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

/// Runs `threadguard model ...`.
pub fn run(command: ModelCommand) -> anyhow::Result<ExitCode> {
    let ModelCommand::Show(args) = command;
    let model = load_model(args.path.as_deref())?;
    let name = args
        .path
        .as_ref()
        .map_or("built-in default model".to_string(), |p| {
            p.display().to_string()
        });
    let p = &model.provenance;
    outln!("model: {name}")?;
    outln!(
        "format version {} · trained {} with threadguard {}",
        threadguard::model::file::format_version_of(&model),
        p.created_at,
        p.threadguard_version
    )?;
    outln!(
        "vocabulary: {} features · config {}",
        model.vocabulary.len(),
        serde_json::to_string(model.vocabulary.config())?
    )?;
    outln!(
        "settings: {}",
        serde_json::Value::Object(p.settings.clone())
    )?;
    outln!("inputs:")?;
    for input in &p.inputs {
        outln!(
            "  {} · {} rows · sha256 {}",
            input.path,
            input.rows,
            input.sha256
        )?;
    }
    for note in &p.notes {
        outln!("note: {note}")?;
    }
    for (l, label) in model.labels.iter().enumerate() {
        outln!(
            "\n{} · threshold {:.3} · bias {:+.3} · {} weights · trained on {} rows ({} positive)",
            label.name,
            label.threshold,
            label.bias,
            label.weights.len(),
            label.trained_rows,
            label.trained_positives
        )?;
        if let Some(m) = &label.held_out {
            outln!("  held out: {}", metrics_line(m))?;
        }
        for (feature, weight) in model.top_features(l, args.top) {
            outln!("  {weight:+.3}  {feature}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
