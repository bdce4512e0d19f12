//! `threadguard score`: probabilities and flags for every comment of every input.

use super::{load_model, print_warning, terminal_width, use_color};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use threadguard::ingest::{self, InputFormat, Sink, Warning};
use threadguard::model::ThreadScorer;
use threadguard::report::{self, LabelSet, OutputFormat, ScoreWriter, ScoredThread, TableStyle};
use threadguard::thread::Thread;

/// Flags of `threadguard score`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  threadguard score seeds/                         # table of threads, worst first
  threadguard score seeds/ --flagged-only --explain
  threadguard score comments.csv --format csv > scores.csv
  threadguard score --format jsonl - < comments.jsonl   # a stdin-to-stdout filter
  threadguard score seeds/ --model models/mine.tgm")]
pub struct ScoreArgs {
    /// Files or directories to score; `-` reads standard input.
    #[arg(required = true, value_name = "PATH|-")]
    pub paths: Vec<PathBuf>,
    /// Model file [default: the model built into threadguard].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Output format [default: table on a terminal, csv otherwise].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Only output comments flagged for at least one label.
    #[arg(long)]
    pub flagged_only: bool,
    /// For each flagged comment, show the words and n-grams that pushed its score up most.
    #[arg(long)]
    pub explain: bool,
    /// How many features `--explain` lists per label.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub explain_top: usize,
    /// Force an input format instead of choosing by extension and content.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// Where scored threads go: straight out (CSV/JSONL) or kept for the table.
enum Destination<W: Write> {
    Stream(ScoreWriter<W>),
    Table(Vec<ScoredThread>),
}

/// Comments gathered before scoring a batch of chunks in parallel.
const BATCH_COMMENTS: usize = 8192;

/// Scores thread chunks as they are read, a batch at a time on every core, and hands
/// them on in input order.
struct ScoringSink<'m, W: Write> {
    scorer: ThreadScorer<'m>,
    explain: Option<usize>,
    destination: Destination<W>,
    pending: Vec<Thread>,
    pending_comments: usize,
}

impl<W: Write> ScoringSink<'_, W> {
    /// Scores the pending chunks in parallel and writes or keeps them, in order.
    fn flush(&mut self) -> threadguard::Result<()> {
        use rayon::prelude::*;
        let batch = std::mem::take(&mut self.pending);
        self.pending_comments = 0;
        let (scorer, explain) = (&self.scorer, self.explain);
        let scored: Vec<ScoredThread> = batch
            .into_par_iter()
            .map(|t| scorer.score(t, explain))
            .collect();
        match &mut self.destination {
            Destination::Stream(writer) => {
                for s in &scored {
                    writer
                        .write(s)
                        .map_err(|e| threadguard::Error::io("<stdout>", e))?;
                }
            }
            Destination::Table(threads) => threads.extend(scored),
        }
        Ok(())
    }
}

impl<W: Write> Sink for ScoringSink<'_, W> {
    fn thread(&mut self, thread: Thread) -> threadguard::Result<()> {
        self.pending_comments += thread.comments.len();
        self.pending.push(thread);
        if self.pending_comments >= BATCH_COMMENTS {
            self.flush()?;
        }
        Ok(())
    }

    fn warning(&mut self, warning: Warning) {
        print_warning(&warning);
    }
}

/// Runs `threadguard score`.
pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    if let Some(jobs) = args.jobs {
        super::set_jobs(jobs)?;
    }
    let model = load_model(args.model.as_deref())?;
    let labels = LabelSet::of(&model);
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let format = args
        .format
        .unwrap_or_else(|| OutputFormat::default_for(terminal));
    let destination = match format {
        OutputFormat::Table => Destination::Table(Vec::new()),
        _ => {
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            Destination::Stream(ScoreWriter::new(
                out,
                format,
                labels.clone(),
                args.flagged_only,
                args.explain,
            ))
        }
    };
    let explain = args.explain.then_some(args.explain_top);
    let mut sink = ScoringSink {
        scorer: ThreadScorer::new(&model),
        explain,
        destination,
        pending: Vec::new(),
        pending_comments: 0,
    };
    if args.paths.iter().all(|p| p.as_os_str() == "-") {
        // A stdin filter given no comments writes none and succeeds, like any Unix
        // filter: under Spark's `rdd.pipe` an empty partition is normal, not an error.
        for path in &args.paths {
            ingest::read_path(path, args.input_format, &mut sink)?;
        }
    } else {
        ingest::read_paths(&args.paths, args.input_format, &mut sink)?;
    }
    sink.flush()?;
    match sink.destination {
        Destination::Stream(mut writer) => writer.finish()?,
        Destination::Table(mut threads) => {
            report::sort_worst_first(&mut threads, &labels);
            let style = TableStyle {
                width: terminal_width(),
                color: terminal && use_color(),
                flagged_only: args.flagged_only,
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            report::write_scored_table(&mut out, &threads, &labels, style)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
