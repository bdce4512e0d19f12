//! Command-line definitions (clap derive) and dispatch. Each subcommand lives in its own
//! file and only translates flags into library calls and results into output.

/// `println!` that returns the write's error instead of panicking, so that a closed stdout
/// (`threadguard model show | head`) ends the command quietly (see `is_broken_pipe`), and
/// any other failure names standard output (see `stdout_error`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*).map_err($crate::cli::stdout_error)
    }};
}

/// `print!` as [`outln!`] is `println!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*).map_err($crate::cli::stdout_error)
    }};
}

mod agreement;
mod eval;
mod import;
mod label;
mod model;
mod parse;
mod score;
mod train;

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
    /// Score every comment for each label, flag those over the thresholds, worst first.
    Score(score::ScoreArgs),
    /// Parse comment pages or exports and print the threads and comments found.
    Parse(parse::ParseArgs),
    /// Train a model from labels CSVs, with held-out metrics.
    Train(train::TrainArgs),
    /// Evaluate a model on labels CSVs at its thresholds.
    Eval(eval::EvalArgs),
    /// Inspect model files.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Convert a public labeled corpus into a labels CSV.
    Import(import::ImportArgs),
    /// Inter-annotator agreement (Cohen's kappa) in a labels CSV.
    Agreement(agreement::AgreementArgs),
    /// Label comments in the terminal, appending each decision to a labels CSV.
    Label(label::LabelArgs),
}

/// Runs the CLI and maps errors to a one-line message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(args) => score::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Model(command) => model::run(command),
        Command::Import(args) => import::run(args),
        Command::Agreement(args) => agreement::run(args),
        Command::Label(args) => label::run(args),
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

/// Joins an error and its causes into one safe line (see [`safe_line`]), skipping causes
/// already in the message.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    safe_line(&line)
}

/// `text` safe to print as one line of stderr: every control character (from an input
/// cell or a file name) escaped, `\r`, `\n`, `\x1b`..., so that no input can break the
/// line or drive the terminal.
pub fn safe_line(text: &str) -> String {
    threadguard::report::terminal_safe(text).into_owned()
}

/// Prints a warning to stderr, on one safe line (see [`safe_line`]).
pub fn warn(message: impl std::fmt::Display) {
    eprintln!("threadguard: warning: {}", safe_line(&message.to_string()));
}

/// A failed write to standard output, named as such: `<stdout>: No space left on device`.
pub fn stdout_error(err: std::io::Error) -> threadguard::Error {
    threadguard::Error::io("<stdout>", err)
}

/// A report that could not be written to standard output after the command's work was
/// saved: the error says what was saved where (`saved`), so that nobody redoes it. The
/// write's error stays in the chain, so a closed pipe still ends quietly.
pub fn unreported(err: threadguard::Error, saved: std::fmt::Arguments) -> anyhow::Error {
    let context = format!("{saved}, but the report could not be written to standard output");
    match err {
        // The context names standard output already: keep `<stdout>: ` out of the line.
        threadguard::Error::Io { source, .. } => anyhow::Error::new(source).context(context),
        other => anyhow::Error::new(other).context(context),
    }
}

/// Whether the error is a closed stdout (`threadguard ... | head`): not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints a reader warning to stderr, on one safe line.
pub fn print_warning(warning: &threadguard::ingest::Warning) {
    warn(warning);
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
    sink.0.finish_depths();
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

/// Loads the model at `path`, or the one built into the binary.
pub fn load_model(
    path: Option<&std::path::Path>,
) -> threadguard::Result<threadguard::model::Model> {
    match path {
        Some(path) => threadguard::model::file::load(path),
        None => threadguard::model::default_model(),
    }
}

/// Whether to color terminal output (off when `NO_COLOR` is set).
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The most worker threads `--jobs` accepts: beyond this, threads only cost memory (and
/// thousands fail to start).
pub const MAX_JOBS: usize = 1024;

/// Parses a `--jobs` value: a whole number from 1 to [`MAX_JOBS`].
pub fn parse_jobs(value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|jobs| (1..=MAX_JOBS).contains(jobs))
        .ok_or_else(|| format!("must be a whole number from 1 to {MAX_JOBS}"))
}

/// Sizes the global worker pool: `jobs` threads (a `--jobs` value, which [`parse_jobs`]
/// has bounded), or rayon's default (every core) for `None`. A thread that cannot be
/// started is an error, not a panic later.
pub fn set_jobs(jobs: Option<usize>) -> anyhow::Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build_global()
        .map_err(|e| anyhow::anyhow!("cannot start the worker threads: {e}; try a smaller --jobs"))
}

/// A progress bar on stderr for long steps, one per step; hidden when stderr is not a
/// terminal.
/// With `THREADGUARD_TIMINGS` set, each step's duration is printed to stderr.
pub struct Bar(std::sync::Mutex<Option<(indicatif::ProgressBar, String, std::time::Instant)>>);

impl Bar {
    /// A new, idle bar.
    pub fn new() -> Self {
        Bar(std::sync::Mutex::new(None))
    }

    fn with(
        &self,
        f: impl FnOnce(&mut Option<(indicatif::ProgressBar, String, std::time::Instant)>),
    ) {
        let mut guard = match self.0.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard);
    }
}

impl threadguard::model::train::Progress for Bar {
    fn start(&self, step: &str, total: Option<u64>) {
        use std::io::IsTerminal;
        let bar = match total {
            _ if !std::io::stderr().is_terminal() => indicatif::ProgressBar::hidden(),
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        };
        let template = match total {
            Some(_) => "{msg:36} [{bar:30}] {pos}/{len} {elapsed}",
            None => "{spinner} {msg:36} {elapsed}",
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(step.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        self.with(|slot| {
            if let Some(old) = slot.replace((bar, step.to_string(), std::time::Instant::now())) {
                finish_step(old);
            }
        });
    }

    fn advance(&self, n: u64) {
        self.with(|slot| {
            if let Some((bar, _, _)) = slot {
                bar.inc(n);
            }
        });
    }

    fn finish(&self) {
        self.with(|slot| {
            if let Some(old) = slot.take() {
                finish_step(old);
            }
        });
    }
}

fn finish_step((bar, step, started): (indicatif::ProgressBar, String, std::time::Instant)) {
    bar.finish_and_clear();
    if std::env::var_os("THREADGUARD_TIMINGS").is_some() {
        eprintln!("{step}: {:.2}s", started.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_whole_numbers_from_one_to_the_maximum() {
        assert_eq!(parse_jobs("1"), Ok(1));
        assert_eq!(parse_jobs("1024"), Ok(MAX_JOBS));
        for bad in [
            "0",
            "1025",
            "20000",
            "18446744073709551616",
            "-1",
            "2.5",
            "",
        ] {
            assert!(parse_jobs(bad).is_err(), "{bad:?}");
        }
    }
}
