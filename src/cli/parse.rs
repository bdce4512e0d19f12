//! `threadguard parse`: print the threads and comments found in the inputs.

use super::{read_inputs, terminal_width};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use threadguard::ingest::InputFormat;
use threadguard::report::{self, OutputFormat};

/// Flags of `threadguard parse`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  threadguard parse seeds/                      # every page in a directory, as a table
  threadguard parse seeds/ --format csv > comments.csv
  threadguard parse export.jsonl --format jsonl
  cat page.txt | threadguard parse - --input-format forum")]
pub struct ParseArgs {
    /// Files or directories to read; `-` reads standard input.
    #[arg(required = true, value_name = "PATH|-")]
    pub paths: Vec<PathBuf>,
    /// Output format [default: table on a terminal, csv otherwise].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Force an input format instead of choosing by extension and content.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
}

/// Runs `threadguard parse`.
pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let threads = read_inputs(&args.paths, args.input_format)?;
    let stdout = std::io::stdout();
    let format = args
        .format
        .unwrap_or_else(|| OutputFormat::default_for(stdout.is_terminal()));
    let mut out = std::io::BufWriter::new(stdout.lock());
    report::write_parsed(&mut out, &threads, format, terminal_width())
        .map_err(super::stdout_error)?;
    Ok(ExitCode::SUCCESS)
}
