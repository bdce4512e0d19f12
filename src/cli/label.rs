//! `threadguard label`: label comments in the terminal (or from a script with `--batch`),
//! appending each decision to a labels CSV at once.

use super::{load_model, read_inputs};
use anyhow::bail;
use clap::Args;
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threadguard::error::clip;
use threadguard::ingest::InputFormat;
use threadguard::label::batch::Applied;
use threadguard::label::{self, Counts, Order, Recorder, Session, SessionOptions};
use threadguard::labels::LabelLog;
use threadguard::thread::Thread;

/// Flags of `threadguard label`.
#[derive(Debug, Args)]
#[command(
    after_help = "Keys: a/c toggle abusive/conspiratorial, Enter or Space accept (none \
marked = clean), s skip, u undo, ? help, q quit, Ctrl-L redraw. Every decision is saved as \
it is made; run the same command again to resume where you left off. A batch `skip` never \
erases labels already given.

Batch mode (--batch) reads one decision per line from standard input:
  <comment_id>,<labels>   labels joined by `;`, empty for clean, or `skip` or `undo`
(blank lines, a lone `#` and lines starting with `# ` are comments; an id may start
with `#`) and prints `ok <line> <decision>` for each once it is synced to disk.

Examples:
  threadguard label seeds/ --out data/labels.csv
  threadguard label comments.csv --out data/labels.csv --annotator ana --order thread
  threadguard label seeds/ --out data/labels.csv --order random --seed 7 --limit 200
  printf 'a1,abusive\\na2,\\na3,skip\\n' | threadguard label comments.csv --out labels.csv --batch"
)]
pub struct LabelArgs {
    /// Files or directories with the comments to label; `-` reads standard input.
    #[arg(required = true, value_name = "PATH|-")]
    pub paths: Vec<PathBuf>,
    /// The labels CSV to append decisions to (created when missing).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Who is labeling [default: $USER, else `annotator`].
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,
    /// Labels to decide, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "abusive,conspiratorial")]
    pub labels: Vec<String>,
    /// Order of the comments: closest to a threshold first, reading order, or shuffled.
    #[arg(long, value_enum, default_value_t = Order::Uncertain)]
    pub order: Order,
    /// Seed of `--order random`.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,
    /// Model for the probabilities shown and the uncertain order [default: the model built
    /// into threadguard].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Offer at most N comments in this session.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Read decisions from standard input instead of the keyboard (for scripts);
    /// `--order`, `--seed`, `--limit` and `--model` are not used then.
    #[arg(long)]
    pub batch: bool,
    /// Force an input format instead of choosing by extension and content.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
}

/// Runs `threadguard label`.
pub fn run(mut args: LabelArgs) -> anyhow::Result<ExitCode> {
    args.labels = label_names(&args.labels)?;
    let annotator = annotator(args.annotator.as_deref())?;
    if args.limit == Some(0) {
        bail!("--limit must be at least 1");
    }
    let reads_stdin = args.paths.iter().any(|p| p == Path::new("-"));
    if args.batch {
        if reads_stdin {
            bail!("--batch reads decisions from standard input, so `-` cannot be an input too");
        }
        return run_batch(&args, &annotator);
    }
    if !has_terminal(reads_stdin) {
        bail!(
            "threadguard label needs a terminal (standard input and output are not one); \
             use --batch to read decisions from standard input"
        );
    }
    let threads = read_inputs(&args.paths, args.input_format)?;
    let model = load_model(args.model.as_deref())?;
    let options = SessionOptions {
        out: args.out.clone(),
        labels: args.labels.clone(),
        annotator,
        order: args.order,
        seed: args.seed,
        limit: args.limit,
    };
    if !check_comments(&threads) {
        outln!("nothing to label: the inputs have no comments")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut session = Session::start(&threads, Some(&model), &options)?;
    for warning in session.load_warnings() {
        super::warn(warning);
    }
    if session.queue().is_empty() {
        outln!(
            "nothing to label: {} already decided every comment of the inputs in {}",
            session.annotator(),
            session.path().display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let result = label::terminal::run(&mut session);
    let printed = print_summary(&session.counts(), session.path());
    // The session's own error, if any, says more than a failed summary.
    result?;
    printed?;
    Ok(ExitCode::SUCCESS)
}

/// Whether the inputs hold a comment to label; warns about comments that cannot be
/// labeled because an earlier comment has their id.
fn check_comments(threads: &[Thread]) -> bool {
    let duplicates = label::duplicate_ids(threads);
    if !duplicates.is_empty() {
        let shown: Vec<_> = duplicates.iter().take(5).map(|id| clip(id)).collect();
        let more = duplicates.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let (n, appear) = match duplicates.len() {
            1 => ("1 comment id".to_string(), "appears"),
            n => (format!("{n} comment ids"), "appear"),
        };
        super::warn(format_args!(
            "{n} {appear} more than once ({}{more}); \
             only the first comment of each id can be labeled, since the labels file \
             keys decisions by id: give the comments unique ids",
            shown.join(", ")
        ));
    }
    threads
        .iter()
        .flat_map(|t| &t.comments)
        .any(label::is_labelable)
}

/// The `--labels` names, trimmed ("abusive, conspiratorial" as train reads it), or an
/// error for a name the labels CSV or batch decisions could not carry.
fn label_names(labels: &[String]) -> anyhow::Result<Vec<String>> {
    let names: Vec<String> = labels.iter().map(|l| l.trim().to_string()).collect();
    if names.iter().any(String::is_empty) {
        bail!("--labels needs non-empty label names, comma separated");
    }
    super::train::check_label_names(&names)?;
    // Names with `;` are refused by the shared rule above.
    if let Some(name) = names.iter().find(|n| *n == "skip" || *n == "undo") {
        bail!("--labels {name}: `skip` and `undo` are batch decisions, not labels");
    }
    Ok(names)
}

/// Batch mode: decisions from standard input about the comments of the inputs.
fn run_batch(args: &LabelArgs, annotator: &str) -> anyhow::Result<ExitCode> {
    let threads = read_inputs(&args.paths, args.input_format)?;
    if !check_comments(&threads) {
        super::warn("the inputs have no comments to label");
    }
    let items = label::collect_items(&threads);
    let lock = label::AnnotatorLock::acquire(&args.out, annotator)?;
    let writer = label::open_writer(&args.out, &args.labels)?;
    let log = LabelLog::read_if_exists(&args.out, &args.labels)?;
    for warning in &log.warnings {
        super::warn(warning);
    }
    let labeled: HashSet<String> = log
        .latest_for_annotator(annotator)
        .into_iter()
        .filter(|(_, decision)| decision.has_label())
        .map(|(id, _)| id.to_string())
        .collect();
    let mut recorder = Recorder::locked(writer, lock);
    let stdin = std::io::stdin();
    let result = label::batch::run(
        &items,
        &args.labels,
        &mut recorder,
        labeled,
        stdin.lock(),
        "<stdin>",
        acknowledge,
    );
    let printed = print_summary(&recorder.counts(), &args.out);
    result?;
    printed?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `ok <line> <decision>` once a batch decision is on disk, flushed at once so a
/// script sees it even if the process is killed right after (with a warning on stderr
/// for a skip that kept earlier labels). A closed standard output is an error (not a
/// quiet exit): the decisions after it would go unacknowledged.
fn acknowledge(line: u64, decision: &str, applied: Applied) -> threadguard::Result<()> {
    if applied == Applied::KeptLabels {
        let id = decision
            .rsplit_once(',')
            .map_or(decision, |(id, _)| id.trim());
        let id = clip(id);
        let warning = format!(
            "warning: <stdin>:{line}: `{id}` keeps its labels: a skip never erases them \
             (send `{id},undo` to clear them); nothing written"
        );
        eprintln!("{}", super::safe_line(&warning));
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "ok {line} {decision}")
        .and_then(|()| out.flush())
        .map_err(|e| {
            threadguard::Error::Usage(format!(
                "cannot acknowledge decision on line {line} on standard output ({e}); \
                 it is saved, the lines after it are not"
            ))
        })
}

/// The annotator: the flag, else `$USER`, else `annotator`.
fn annotator(flag: Option<&str>) -> anyhow::Result<String> {
    if let Some(name) = flag {
        let name = name.trim();
        if name.is_empty() {
            bail!("--annotator must not be empty");
        }
        return Ok(name.to_string());
    }
    let user = std::env::var("USER").ok().filter(|u| !u.trim().is_empty());
    Ok(user.unwrap_or_else(|| "annotator".to_string()))
}

/// Whether there is a terminal to label in: stdout is one, and keys can be read from
/// stdin or, when stdin carries the input, from the controlling terminal.
fn has_terminal(reads_stdin: bool) -> bool {
    if !std::io::stdout().is_terminal() {
        return false;
    }
    if reads_stdin {
        return cfg!(unix) && std::fs::File::open("/dev/tty").is_ok();
    }
    std::io::stdin().is_terminal()
}

/// Prints what was written; if standard output fails, the error says the decisions are
/// saved.
fn print_summary(counts: &Counts, out: &Path) -> anyhow::Result<()> {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    outln!(
        "wrote {} to {}: {}, {}, {}",
        plural(counts.rows(), "row", "rows"),
        out.display(),
        plural(counts.accepted, "decision", "decisions"),
        plural(counts.skipped, "skip", "skips"),
        plural(counts.undone, "undo", "undos"),
    )
    .map_err(|e| {
        let saved = format_args!("the decisions were saved in {}", out.display());
        super::unreported(e, saved)
    })
}
