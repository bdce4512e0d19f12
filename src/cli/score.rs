//! `threadguard score`: probabilities and flags for every comment of every input.

use super::{load_model, print_warning, terminal_width, use_color};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use threadguard::ingest::{self, InputFormat, Sink, Warning};
use threadguard::model::Scorer;
use threadguard::report::{
    self, LabelSet, OutputFormat, ScoreWriter, ScoredThread, TableStyle, TableThreads,
};
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
    /// For each flagged comment, show the words its score rests on (each word's share of
    /// the log-odds) and the features that pushed it up most.
    #[arg(long)]
    pub explain: bool,
    /// How many features `--explain` lists per label (the highlighted words are not capped).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub explain_top: usize,
    /// Force an input format instead of choosing by extension and content.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Worker threads, 1 to 1024 [default: all cores, at most 1024].
    #[arg(long, short = 'j', value_name = "N", value_parser = super::parse_jobs)]
    pub jobs: Option<usize>,
}

/// Where scored threads go: straight out (CSV/JSONL) or kept for the table, the parts
/// of each thread put together.
enum Destination<W: Write> {
    Stream(ScoreWriter<W>),
    Table(TableThreads),
}

/// Writes one scored thread to standard output.
fn write_scored<W: Write>(
    writer: &mut ScoreWriter<W>,
    scored: &ScoredThread,
) -> threadguard::Result<()> {
    writer.write(scored).map_err(super::stdout_error)
}

impl<W: Write> Destination<W> {
    /// Writes or keeps one scored thread.
    fn take(&mut self, scored: ScoredThread) -> threadguard::Result<()> {
        match self {
            Destination::Stream(writer) => write_scored(writer, &scored),
            Destination::Table(threads) => {
                threads.push(scored);
                Ok(())
            }
        }
    }

    /// Writes or keeps a batch of scored threads; returns what was written, to be freed
    /// by the caller's choice of thread.
    fn take_all(&mut self, batch: Vec<ScoredThread>) -> threadguard::Result<Vec<ScoredThread>> {
        match self {
            Destination::Stream(writer) => {
                for scored in &batch {
                    write_scored(writer, scored)?;
                }
                Ok(batch)
            }
            Destination::Table(threads) => {
                batch.into_iter().for_each(|scored| threads.push(scored));
                Ok(Vec::new())
            }
        }
    }
}

/// What `score` writes, for making the destination where it is used.
struct Output {
    format: OutputFormat,
    labels: LabelSet,
    flagged_only: bool,
    explain: bool,
}

impl Output {
    fn destination<W: Write>(&self, out: W) -> Destination<W> {
        match self.format {
            OutputFormat::Table => Destination::Table(TableThreads::default()),
            format => Destination::Stream(ScoreWriter::new(
                out,
                format,
                self.labels.clone(),
                self.flagged_only,
                self.explain,
            )),
        }
    }
}

/// With one job: scores each thread chunk as it is read, on the reading thread.
struct InlineSink<'m, W: Write> {
    scorer: Scorer<'m>,
    explain: Option<usize>,
    destination: Destination<W>,
}

impl<W: Write> Sink for InlineSink<'_, W> {
    fn thread(&mut self, thread: Thread) -> threadguard::Result<()> {
        let scored = self.scorer.score_thread(thread, self.explain);
        self.destination.take(scored)
    }

    fn warning(&mut self, warning: Warning) {
        print_warning(&warning);
    }
}

/// Comments per batch handed to a worker: large enough that handing over costs little,
/// small enough that a few batches in flight per worker keep memory low.
const BATCH_COMMENTS: usize = 2048;

/// A numbered batch of thread chunks, numbered in input order.
type Batch<T> = (u64, Vec<T>);

/// With several jobs: gathers thread chunks into batches and sends them to the scoring
/// workers. At most `permits` batches are in flight (read but not yet written), which
/// bounds memory whatever the input size.
///
/// A permit is a batch the writer is done with, handed back to be dropped here: most of
/// its memory (the comments' strings) was allocated on this thread, and the system
/// allocator frees fastest, and without taking the locks the other threads' allocations
/// need, on the allocating thread, where it reuses the memory for the next batches.
struct BatchingSink {
    batch: Vec<Thread>,
    comments: usize,
    next: u64,
    work: std::sync::mpsc::SyncSender<Batch<Thread>>,
    permits: std::sync::mpsc::Receiver<Vec<ScoredThread>>,
}

impl BatchingSink {
    fn send(&mut self) -> threadguard::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        self.comments = 0;
        // Only when the writer stopped early: its own error says why, and is reported.
        let closed = || threadguard::Error::Usage("the output stopped early".to_string());
        let written = self.permits.recv().map_err(|_| closed())?;
        drop(written);
        self.work.send((self.next, batch)).map_err(|_| closed())?;
        self.next += 1;
        Ok(())
    }
}

impl Sink for BatchingSink {
    fn thread(&mut self, thread: Thread) -> threadguard::Result<()> {
        self.comments += thread.comments.len();
        self.batch.push(thread);
        if self.comments >= BATCH_COMMENTS {
            self.send()?;
        }
        Ok(())
    }

    fn warning(&mut self, warning: Warning) {
        print_warning(&warning);
    }
}

/// A scored batch, or why it could not be scored.
type Scored = (u64, Result<Vec<ScoredThread>, String>);

/// Scores batches from `work` until it closes, sending the results to `done`.
fn work_loop(
    model: &threadguard::model::Model,
    explain: Option<usize>,
    work: &std::sync::Mutex<std::sync::mpsc::Receiver<Batch<Thread>>>,
    done: std::sync::mpsc::Sender<Scored>,
) {
    let mut scorer = model.scorer();
    loop {
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok((n, batch)) = next else { return };
        // A bug that panics here must not leave the writer waiting for this batch.
        let scored = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            batch
                .into_iter()
                .map(|t| scorer.score_thread(t, explain))
                .collect()
        }))
        .map_err(|_| "internal error: a scoring worker failed".to_string());
        let failed = scored.is_err();
        if done.send((n, scored)).is_err() || failed {
            return;
        }
    }
}

/// Writes scored batches in input order as they arrive, handing each written batch back
/// as a permit (see [`BatchingSink`]). Returns the kept threads (for the table) or the
/// first write error.
fn write_loop(
    output: &Output,
    done: std::sync::mpsc::Receiver<Scored>,
    permits: std::sync::mpsc::SyncSender<Vec<ScoredThread>>,
) -> threadguard::Result<Vec<ScoredThread>> {
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut destination = output.destination(out);
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 0u64;
    for (n, batch) in done {
        waiting.insert(n, batch.map_err(threadguard::Error::Usage)?);
        while let Some(batch) = waiting.remove(&next) {
            let written = destination.take_all(batch)?;
            next += 1;
            // The reader may have finished and dropped its end: then the batch is
            // dropped here.
            let _ = permits.try_send(written);
        }
    }
    if !waiting.is_empty() {
        return Err(threadguard::Error::Usage(
            "internal error: scored batches went missing".to_string(),
        ));
    }
    match destination {
        Destination::Stream(mut writer) => {
            writer.finish().map_err(super::stdout_error)?;
            Ok(Vec::new())
        }
        Destination::Table(threads) => Ok(threads.into_threads()),
    }
}

/// Reads every input and scores it on `jobs` worker threads: the calling thread reads,
/// the workers score batches, a writer thread writes them back in input order. A thread
/// that cannot be started is an error before anything is read or written.
fn score_in_parallel(
    args: &ScoreArgs,
    model: &threadguard::model::Model,
    output: &Output,
    jobs: usize,
) -> anyhow::Result<Vec<ScoredThread>> {
    use std::sync::mpsc;
    let in_flight = 2 * jobs + 2;
    let (permit_tx, permit_rx) = mpsc::sync_channel::<Vec<ScoredThread>>(in_flight);
    for _ in 0..in_flight {
        permit_tx.try_send(Vec::new())?;
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<Batch<Thread>>(in_flight);
    let work_rx = std::sync::Mutex::new(work_rx);
    let explain = args.explain.then_some(args.explain_top);
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<Scored>();
        for n in 0..jobs {
            let done = done_tx.clone();
            let work_rx = &work_rx;
            let started = std::thread::Builder::new()
                .spawn_scoped(scope, move || work_loop(model, explain, work_rx, done));
            // On failure, `work_tx` is dropped on return, so the started workers end.
            started.map_err(|e| spawn_error(&format!("scoring thread {} of {jobs}", n + 1), e))?;
        }
        drop(done_tx);
        let writer = std::thread::Builder::new()
            .spawn_scoped(scope, move || write_loop(output, done_rx, permit_tx))
            .map_err(|e| spawn_error("the output thread", e))?;
        let mut sink = BatchingSink {
            batch: Vec::new(),
            comments: 0,
            next: 0,
            work: work_tx,
            permits: permit_rx,
        };
        // What was read before an input error is still scored and written, as with one
        // job (the reader's error is reported after it).
        let read = read_inputs(args, &mut sink);
        let sent = sink.send();
        let read = read.and(sent);
        // Closing the work queue lets the workers, then the writer, finish.
        drop(sink);
        let written = writer
            .join()
            .map_err(|_| anyhow::anyhow!("the output writer thread panicked"))?;
        // A write error (say, a closed pipe) is what stopped the reader, if anything did.
        let threads = written?;
        read?;
        Ok(threads)
    })
}

/// The error for a thread the system would not start.
fn spawn_error(what: &str, error: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot start {what}: {error}; try a smaller --jobs")
}

/// Reads every input into `sink`. Only stdin given no comments writes none and succeeds,
/// like any Unix filter: under Spark's `rdd.pipe` an empty partition is normal, not an
/// error (named files that are all empty still are).
fn read_inputs(args: &ScoreArgs, sink: &mut dyn ingest::Sink) -> threadguard::Result<()> {
    if args.paths.iter().all(|p| p.as_os_str() == "-") {
        for path in &args.paths {
            ingest::read_path(path, args.input_format, sink)?;
        }
        Ok(())
    } else {
        ingest::read_paths(&args.paths, args.input_format, sink)
    }
}

/// The number of worker threads: `--jobs` (bounded by [`super::parse_jobs`]), or every
/// core (at most [`super::MAX_JOBS`]).
fn jobs(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(super::MAX_JOBS)
    })
}

/// Runs `threadguard score`.
pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let jobs = jobs(args.jobs);
    let model = load_model(args.model.as_deref())?;
    let labels = LabelSet::of(&model);
    let terminal = std::io::stdout().is_terminal();
    let output = Output {
        format: args
            .format
            .unwrap_or_else(|| OutputFormat::default_for(terminal)),
        labels: labels.clone(),
        flagged_only: args.flagged_only,
        explain: args.explain,
    };
    let mut threads = if jobs == 1 {
        let stdout = std::io::stdout();
        let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
        let mut sink = InlineSink {
            scorer: model.scorer(),
            explain: args.explain.then_some(args.explain_top),
            destination: output.destination(out),
        };
        read_inputs(&args, &mut sink)?;
        match sink.destination {
            Destination::Stream(mut writer) => {
                writer.finish()?;
                Vec::new()
            }
            Destination::Table(threads) => threads.into_threads(),
        }
    } else {
        score_in_parallel(&args, &model, &output, jobs)?
    };
    if output.format == OutputFormat::Table {
        report::sort_worst_first(&mut threads, &labels);
        let style = TableStyle {
            width: terminal_width(),
            color: terminal && use_color(),
            flagged_only: args.flagged_only,
        };
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        report::write_scored_table(&mut out, &threads, &labels, style)
            .map_err(super::stdout_error)?;
    }
    Ok(ExitCode::SUCCESS)
}
