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

/// Prints a reader warning to stderr, on one line.
pub fn print_warning(warning: &threadguard::ingest::Warning) {
    eprintln!("threadguard: warning: {warning}");
}

/// Reads every input into memory, printing warnings as they come.
pub fn read_inputs(
    paths: &[std::path::PathBuf],
    format: threadguard::ingest::InputFormat,
) -> threadguard::Result<Vec<threadguard::Thread>> {
    /// Collects threads and prints warnings at once, so they show even if reading fails.
    struct Printing(threadguard::ingest::Collected);
    impl threadguard::ingest::Sink for Printing {
        fn thread(&mut self, thread: threadguard::Thread) -> threadguard::Result<()> {
            self.0.thread(thread)
        }
        fn warning(&mut self, warning: threadguard::ingest::Warning) {
            print_warning(&warning);
        }
    }
    let mut sink = Printing(threadguard::ingest::Collected::default());
    threadguard::ingest::read_paths(paths, format, &mut sink)?;
    Ok(sink.0.threads)
}

/// The terminal's width in columns: `COLUMNS`, else the terminal's own, else 100.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| {
            crossterm::terminal::size()
                .ok()
                .map(|(w, _)| usize::from(w))
        })
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}
