//! Command-line definitions (clap derive) and dispatch. Each subcommand lives in its own
//! file and only translates flags into library calls and results into output.

mod parse;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// threadguard: score reader-comment threads for abusive and conspiratorial comments.
#[derive(Debug, Parser)]
#[command(name = "threadguard", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse comment pages or exports and print the threads and comments found.
    Parse(parse::ParseArgs),
}

/// Runs the CLI and maps errors to a one-line message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => parse::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("threadguard: error: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// Joins an error and its causes into one line, skipping causes already in the message.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line.replace('\n', " ")
}

/// Whether the error is a closed stdout (`threadguard ... | head`): not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints reader warnings to stderr, one line each.
pub fn report_warnings(warnings: &[threadguard::ingest::Warning]) {
    for warning in warnings {
        eprintln!("threadguard: warning: {warning}");
    }
}

/// The terminal's width in columns: `COLUMNS`, else the terminal's own, else 100.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| crossterm::terminal::size().ok().map(|(w, _)| usize::from(w)))
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}
