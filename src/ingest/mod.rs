//! Ingestion: turns files (page dumps, CSV/JSONL exports, directories, stdin) into
//! [`Thread`]s. One reader per format; the format is chosen by extension and content
//! unless forced with [`InputFormat`].
//!
//! Readers stream: CSV and JSONL inputs are handed to the caller in chunks of at most
//! [`CHUNK_COMMENTS`] comments (one chunk per run of rows with the same `thread_id`),
//! so memory does not grow with the size of the input.

pub(crate) mod csv_watch;
pub mod decode;
pub mod forum;
pub mod page;
pub mod tabular;

use crate::error::{Error, Location, Result};
use crate::thread::Thread;
use std::fmt;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// The most comments handed to the caller in one chunk when streaming an export.
pub const CHUNK_COMMENTS: usize = 1024;

/// File extensions read when walking a directory.
pub const SUPPORTED_EXTENSIONS: &[&str] = &["txt", "text", "csv", "jsonl", "ndjson"];

/// Input formats threadguard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Choose by extension and content.
    Auto,
    /// Blog page dump: title, article, reader comments separated by two blank lines.
    Blog,
    /// Forum page dump: comments with `<author> <Day>, MM/DD/YYYY - HH:MM Permalink` headers.
    Forum,
    /// A page with an article and no comment section.
    Article,
    /// CSV export with a `text` column.
    Csv,
    /// JSON Lines export with a `text` key.
    Jsonl,
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            InputFormat::Auto => "auto",
            InputFormat::Blog => "blog",
            InputFormat::Forum => "forum",
            InputFormat::Article => "article",
            InputFormat::Csv => "csv",
            InputFormat::Jsonl => "jsonl",
        };
        f.write_str(name)
    }
}

/// A problem that did not stop reading, reported to the user as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the problem is.
    pub location: Location,
    /// What happened, in one line.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Receives what readers produce: thread chunks and warnings.
pub trait Sink {
    /// Takes one thread (or one chunk of a long export thread).
    fn thread(&mut self, thread: Thread) -> Result<()>;
    /// Takes a warning.
    fn warning(&mut self, warning: Warning);
}

/// A [`Sink`] that collects everything in memory, merging chunks of the same thread.
#[derive(Debug, Default)]
pub struct Collected {
    /// Threads in input order.
    pub threads: Vec<Thread>,
    /// Warnings in the order they were raised.
    pub warnings: Vec<Warning>,
    /// The earlier chunks of each thread, and which threads got several.
    parts: crate::thread::ThreadParts,
}

impl Collected {
    /// Sets the depths of every thread put together from chunks over the whole thread (a
    /// reply's parent may be in an earlier chunk); call once, after the last chunk.
    pub fn finish_depths(&mut self) {
        self.parts
            .set_merged_depths(&mut self.threads, |t| &mut t.comments);
    }
}

impl Sink for Collected {
    fn thread(&mut self, thread: Thread) -> Result<()> {
        let earlier = self.parts.earlier(&thread, self.threads.len());
        match earlier.and_then(|i| self.threads.get_mut(i)) {
            Some(existing) => existing.comments.extend(thread.comments),
            None => self.threads.push(thread),
        }
        Ok(())
    }

    fn warning(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }
}

/// Reads every path (files, directories, `-` for stdin) into memory.
pub fn read_all(paths: &[PathBuf], format: InputFormat) -> Result<Collected> {
    let mut collected = Collected::default();
    read_paths(paths, format, &mut collected)?;
    collected.finish_depths();
    Ok(collected)
}

/// Streams every path into `sink`. Fails when a path is missing, a file is malformed,
/// or nothing at all could be read. Every path is checked (and directories walked)
/// before the first is read, so a typo in the last path fails at once.
pub fn read_paths(paths: &[PathBuf], format: InputFormat, sink: &mut dyn Sink) -> Result<()> {
    let mut counting = CountingSink {
        inner: sink,
        threads: 0,
    };
    read_plan(plan_inputs(paths)?, format, &mut counting)?;
    if counting.threads == 0 {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Usage(format!(
            "nothing to read in {}: every input was empty",
            names.join(", ")
        )));
    }
    Ok(())
}

/// One input to read: standard input, or a file with the thread id it gets unless it
/// names its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`), thread id `stdin`.
    Stdin,
    /// A file and its default thread id.
    File {
        /// The file.
        path: PathBuf,
        /// Its default thread id.
        thread_id: String,
    },
}

impl Input {
    /// Reads this input into `sink`.
    pub fn read(&self, format: InputFormat, sink: &mut dyn Sink) -> Result<()> {
        match self {
            Input::Stdin => read_stdin(format, sink),
            Input::File { path, thread_id } => read_file(path, thread_id, format, sink),
        }
    }
}

/// The inputs of a command line, and what is worth a warning about them.
#[derive(Debug, Default)]
pub struct Plan {
    /// The inputs to read, in order.
    pub inputs: Vec<Input>,
    /// Files named twice (read once) and different files that get the same thread id.
    pub warnings: Vec<Warning>,
}

/// The inputs named by `paths`, in order, directories walked: a file named on its own
/// gets its stem as thread id, a file found under a directory its path from there
/// (see [`thread_id_under`]). A file's id depends on it and its argument alone, so the
/// same command gives the same ids whatever else it reads (labels files key on them).
/// A file reached a second time (named twice, through a hard link, or inside a directory
/// also given) is read once, with a warning; different files that get the same id (`a/x.csv`
/// and `b/x.csv` named on their own) are read, with a warning that their comments share
/// ids. Fails on a missing path or a directory without readable files.
pub fn plan_inputs(paths: &[PathBuf]) -> Result<Plan> {
    let mut plan = Plan::default();
    let mut seen_files: std::collections::HashMap<(Option<(u64, u64)>, PathBuf), PathBuf> =
        std::collections::HashMap::new();
    let mut ids: std::collections::HashMap<String, PathBuf> = std::collections::HashMap::new();
    for path in paths {
        if path.as_os_str() == "-" {
            if !plan.inputs.contains(&Input::Stdin) {
                note_id(&mut plan, &mut ids, "stdin", path);
            }
            plan.inputs.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        let files = if meta.is_dir() {
            let files = supported_files(path)?;
            if files.is_empty() {
                return Err(Error::input(
                    Location::file(path),
                    format!(
                        "no readable files in this directory (looked for .{})",
                        SUPPORTED_EXTENSIONS.join(", .")
                    ),
                ));
            }
            files
                .into_iter()
                .map(|file| {
                    let id = thread_id_under(path, &file);
                    (file, id)
                })
                .collect()
        } else {
            vec![(path.clone(), file_thread_id(path))]
        };
        for (file, thread_id) in files {
            let key = file_key(&file);
            if let Some(first) = seen_files.get(&key) {
                plan.warnings.push(Warning {
                    location: Location::file(&file),
                    message: format!("the same file as {}: read once", display(first)),
                });
                continue;
            }
            seen_files.insert(key, file.clone());
            note_id(&mut plan, &mut ids, &thread_id, &file);
            plan.inputs.push(Input::File {
                path: file,
                thread_id,
            });
        }
    }
    Ok(plan)
}

/// Records that `file` gets thread id `id`, warning when an earlier input has it.
fn note_id(
    plan: &mut Plan,
    ids: &mut std::collections::HashMap<String, PathBuf>,
    id: &str,
    file: &Path,
) {
    match ids.get(id) {
        Some(first) => plan.warnings.push(Warning {
            location: Location::file(file),
            message: format!(
                "gets thread id `{}` like {}, so their comments share ids; pass their \
                 directory instead (its files are named by their path under it) or rename one",
                crate::error::clip(id),
                display(first)
            ),
        }),
        None => {
            ids.insert(id.to_string(), file.to_path_buf());
        }
    }
}

/// What tells a file apart: its [`crate::fsutil::file_identity`] where the platform has
/// one (hard links and every spelling of a path agree), else its resolved path.
fn file_key(file: &Path) -> (Option<(u64, u64)>, PathBuf) {
    match std::fs::metadata(file)
        .ok()
        .as_ref()
        .and_then(crate::fsutil::file_identity)
    {
        Some(identity) => (Some(identity), PathBuf::new()),
        None => (
            None,
            std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf()),
        ),
    }
}

/// A path for a message.
fn display(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

/// Counts threads passing through, to tell "nothing could be read" apart.
struct CountingSink<'a> {
    inner: &'a mut dyn Sink,
    threads: usize,
}

impl Sink for CountingSink<'_> {
    fn thread(&mut self, thread: Thread) -> Result<()> {
        self.threads += 1;
        self.inner.thread(thread)
    }

    fn warning(&mut self, warning: Warning) {
        self.inner.warning(warning);
    }
}

/// Reads one path: a file, a directory (walked), or `-` for stdin.
pub fn read_path(path: &Path, format: InputFormat, sink: &mut dyn Sink) -> Result<()> {
    read_plan(
        plan_inputs(std::slice::from_ref(&path.to_path_buf()))?,
        format,
        sink,
    )
}

/// Hands `plan`'s warnings to `sink`, then reads its inputs in order.
fn read_plan(plan: Plan, format: InputFormat, sink: &mut dyn Sink) -> Result<()> {
    for warning in plan.warnings {
        sink.warning(warning);
    }
    for input in &plan.inputs {
        input.read(format, sink)?;
    }
    Ok(())
}

/// Reads standard input, thread id `stdin`.
fn read_stdin(format: InputFormat, sink: &mut dyn Sink) -> Result<()> {
    let stdin = std::io::stdin();
    let input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    read_stream(Path::new("-"), "stdin", input, format, sink)
}

/// The default thread id of `file`, found under `dir`: its stem when it sits directly in
/// `dir`, as for a file named on the command line; deeper, its path from `dir` without
/// the extension, joined with `/` (`sub1/a` for `dir/sub1/a.csv`), so that same-named
/// files in different subdirectories do not share thread and comment ids.
fn thread_id_under(dir: &Path, file: &Path) -> String {
    let Ok(relative) = file.strip_prefix(dir) else {
        return file_thread_id(file);
    };
    let mut parts: Vec<String> = relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.push(file_thread_id(file));
    parts.join("/")
}

/// The default thread id of a file named on its own: its stem.
fn file_thread_id(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".to_string())
}

/// Lists supported files under `dir` (recursively, hidden entries skipped), sorted.
pub fn supported_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| Error::io(&current, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&current, e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if file_type.is_dir() {
                pending.push(path);
            } else if has_supported_extension(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn has_supported_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SUPPORTED_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads one file; `thread_id` names its thread unless the file names its own.
fn read_file(path: &Path, thread_id: &str, format: InputFormat, sink: &mut dyn Sink) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let input = std::io::BufReader::with_capacity(1 << 16, file);
    read_stream(path, thread_id, input, format, sink)
}

/// The most bytes read ahead of a stream to choose its format.
const HEAD_LIMIT: usize = 1 << 16;

/// The UTF-8 byte-order mark.
const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Reads one input from a stream. CSV and JSONL exports are streamed row by row, so
/// memory does not grow with their size; page dumps (and UTF-16 or blank inputs) are
/// read whole.
fn read_stream(
    path: &Path,
    default_thread_id: &str,
    mut input: impl BufRead,
    format: InputFormat,
    sink: &mut dyn Sink,
) -> Result<()> {
    let head = read_head(&mut input).map_err(|e| Error::io(path, e))?;
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let blank = head.iter().all(u8::is_ascii_whitespace);
    let bom = if head.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let streamed = match format {
        InputFormat::Auto => detect_export(path, &head[bom..]),
        InputFormat::Csv | InputFormat::Jsonl => Some(format),
        _ => None,
    };
    // The head is read again, then the rest of the stream.
    let mut input = std::io::Cursor::new(head).chain(input);
    match streamed {
        Some(export) if !utf16 && !blank => {
            input.consume(bom);
            let start = bom as u64;
            if export == InputFormat::Csv {
                tabular::read_csv_at(path, default_thread_id, input, start, sink)
            } else {
                tabular::read_jsonl_at(path, default_thread_id, input, start, sink)
            }
        }
        _ => {
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(path, e))?;
            read_bytes(path, default_thread_id, &bytes, format, sink)
        }
    }
}

/// Reads the start of a stream, enough to choose its format: up to the end of its first
/// non-blank line, [`HEAD_LIMIT`] bytes or the end of the stream, whichever comes first.
/// A pipe may hand over a line in pieces; this waits for the whole line.
fn read_head(input: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut in_line = false;
    loop {
        let buf = input.fill_buf()?;
        let take = buf.len().min(HEAD_LIMIT - head.len());
        let mut line_end = None;
        for (i, &b) in buf[..take].iter().enumerate() {
            if !in_line {
                in_line = !b.is_ascii_whitespace();
            } else if b == b'\n' || b == b'\r' {
                line_end = Some(i + 1);
                break;
            }
        }
        let take = line_end.unwrap_or(take);
        head.extend_from_slice(&buf[..take]);
        input.consume(take);
        if take == 0 || line_end.is_some() || head.len() == HEAD_LIMIT {
            return Ok(head);
        }
    }
}

/// The export format of an input, from its extension or its first non-blank line; `None`
/// for anything else (page dumps). A line that opens a JSON object is taken for JSON Lines
/// even when it is not valid JSON (the JSONL reader then names the line and the problem;
/// see [`starts_like_a_json_object`]); a CSV header needs a `text` column (see
/// [`tabular::looks_like_csv_header`]).
fn detect_export(path: &Path, head: &[u8]) -> Option<InputFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => return Some(InputFormat::Csv),
        Some("jsonl") | Some("ndjson") => return Some(InputFormat::Jsonl),
        _ => {}
    }
    let text = String::from_utf8_lossy(head);
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if starts_like_a_json_object(first_line) {
        return Some(InputFormat::Jsonl);
    }
    tabular::looks_like_csv_header(first_line).then_some(InputFormat::Csv)
}

/// Whether a first line reads as the start of a JSON object: `{` and then a quoted key
/// (or `}`), even if the line is cut or malformed further on, so that a broken export is an
/// error naming its line rather than a page; a page line such as `{Update} Council votes`
/// is not one.
fn starts_like_a_json_object(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('{') else {
        return false;
    };
    let rest = rest.trim_start();
    rest.is_empty() || rest.starts_with('"') || rest.starts_with('}')
}

/// Reads the bytes of one input. `default_thread_id` names the thread of a page dump
/// and of exports without a `thread_id` column.
pub fn read_bytes(
    path: &Path,
    default_thread_id: &str,
    bytes: &[u8],
    format: InputFormat,
    sink: &mut dyn Sink,
) -> Result<()> {
    let text = decode::decode_raw(path, bytes, sink);
    if text.trim().is_empty() {
        sink.warning(Warning {
            location: Location::file(path),
            message: "empty file, nothing to read".to_string(),
        });
        return Ok(());
    }
    let page = decode::unix_newlines(std::borrow::Cow::Borrowed(text.as_ref()));
    let format = match format {
        InputFormat::Auto => detect(path, &page),
        forced => forced,
    };
    let source = path.display().to_string();
    // Export fields are data, kept byte for byte as the streaming readers keep them;
    // page dumps get `\n` line ends.
    let text = match format {
        InputFormat::Csv | InputFormat::Jsonl => text.as_ref(),
        _ => page.as_ref(),
    };
    match format {
        InputFormat::Csv => tabular::read_csv(path, default_thread_id, text.as_bytes(), sink),
        InputFormat::Jsonl => tabular::read_jsonl(path, default_thread_id, text.as_bytes(), sink),
        InputFormat::Forum => {
            let thread = forum::parse(&source, default_thread_id, text, sink);
            sink.thread(thread)
        }
        InputFormat::Article => sink.thread(page::parse_article(&source, default_thread_id, text)),
        InputFormat::Blog | InputFormat::Auto => {
            sink.thread(page::parse(&source, default_thread_id, text))
        }
    }
}

/// Picks a format from the extension, then from the content: an export (see
/// [`detect_export`]), else a forum page when it has comment headers, else a blog page.
pub fn detect(path: &Path, text: &str) -> InputFormat {
    let head = &text.as_bytes()[..text.len().min(1 << 16)];
    match detect_export(path, head) {
        Some(export) => export,
        None if forum::has_comment_headers(text) => InputFormat::Forum,
        None => InputFormat::Blog,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    #[test]
    fn a_first_line_in_braces_is_jsonl_only_when_it_opens_an_object() {
        let guess = |head: &str| detect_export(Path::new("-"), head.as_bytes());
        assert_eq!(guess("{Update} Council votes\n\nBody."), None);
        assert_eq!(
            guess("{\"id\":\"1\",\"text\":\"hi\",}\n"),
            Some(InputFormat::Jsonl)
        );
        assert_eq!(guess("{ \"id\": 1 }\n"), Some(InputFormat::Jsonl));
        assert_eq!(guess("{}\n"), Some(InputFormat::Jsonl));
    }

    #[test]
    fn a_first_line_with_a_field_text_in_a_title_is_no_csv_header() {
        let guess = |head: &str| detect_export(Path::new("-"), head.as_bytes());
        assert_eq!(guess("id, text \n1,hi\n"), Some(InputFormat::Csv));
        assert_eq!(guess("text\nhi\n"), Some(InputFormat::Csv));
        // A page titled so: the reader would refuse it as an export with no `text`.
        assert_eq!(guess("Text, lies and videotape\n\nBody.\n"), None);
        assert_eq!(guess("TEXT\nhi\n"), None);
        // An export with the column in capitals: the reader names the problem.
        assert_eq!(guess("id,TEXT\n1,hi\n"), Some(InputFormat::Csv));
    }

    /// A pipe that hands over its first four bytes alone, then the rest as asked, and
    /// counts what it has handed over.
    struct Trickle {
        data: Vec<u8>,
        given: Rc<Cell<usize>>,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let at = self.given.get();
            let limit = if at < 4 { 4 - at } else { buf.len() };
            let n = limit.min(buf.len()).min(self.data.len() - at);
            buf[..n].copy_from_slice(&self.data[at..at + n]);
            self.given.set(at + n);
            Ok(n)
        }
    }

    /// Records how much of the input had been read when the first chunk arrived.
    struct FirstChunk {
        given: Rc<Cell<usize>>,
        read_before_first: Option<usize>,
        comments: usize,
    }

    impl Sink for FirstChunk {
        fn thread(&mut self, thread: Thread) -> Result<()> {
            self.read_before_first.get_or_insert(self.given.get());
            self.comments += thread.comments.len();
            Ok(())
        }

        fn warning(&mut self, _: Warning) {}
    }

    #[test]
    fn a_first_line_cut_by_the_first_read_still_streams() {
        let mut data = Vec::new();
        for i in 0..5000 {
            data.extend_from_slice(format!("{{\"text\":\"comment {i}\"}}\n").as_bytes());
        }
        let total = data.len();
        let given = Rc::new(Cell::new(0));
        let pipe = Trickle {
            data,
            given: Rc::clone(&given),
        };
        let input = std::io::BufReader::with_capacity(1 << 16, pipe);
        let mut sink = FirstChunk {
            given,
            read_before_first: None,
            comments: 0,
        };
        read_stream(Path::new("-"), "stdin", input, InputFormat::Auto, &mut sink).unwrap();
        assert_eq!(sink.comments, 5000);
        let read = sink.read_before_first.unwrap();
        assert!(
            read < total,
            "read all {total} bytes before the first chunk"
        );
    }

    #[test]
    fn the_head_is_the_first_non_blank_line() {
        let pipe = Trickle {
            data: b"\n \n{\"text\":\"a\"}\r\nmore".to_vec(),
            given: Rc::new(Cell::new(0)),
        };
        let mut input = std::io::BufReader::with_capacity(3, pipe);
        assert_eq!(read_head(&mut input).unwrap(), b"\n \n{\"text\":\"a\"}\r");
        let long = vec![b'x'; HEAD_LIMIT + 10];
        assert_eq!(read_head(&mut long.as_slice()).unwrap().len(), HEAD_LIMIT);
    }
}
