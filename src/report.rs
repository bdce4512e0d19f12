//! Output: tables for people, CSV and JSON Lines for programs.

use crate::thread::{Comment, Thread};
use serde::Serialize;
use std::io::{self, Write};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Human-readable table (the default on a terminal).
    Table,
    /// CSV, one row per comment (the default when piped).
    Csv,
    /// JSON Lines, one object per comment.
    Jsonl,
}

impl OutputFormat {
    /// The format to use when none was asked for: a table on a terminal, CSV otherwise.
    pub fn default_for(stdout_is_terminal: bool) -> Self {
        if stdout_is_terminal {
            OutputFormat::Table
        } else {
            OutputFormat::Csv
        }
    }
}

/// One parsed comment as a flat row (the `parse` command's CSV and JSONL output).
#[derive(Debug, Serialize)]
pub struct ParsedRow<'a> {
    /// Thread id.
    pub thread_id: &'a str,
    /// Comment id.
    pub comment_id: &'a str,
    /// Parent comment id, when linked.
    pub parent_id: Option<&'a str>,
    /// Author.
    pub author: Option<&'a str>,
    /// Replied-to author name.
    pub parent_author: Option<&'a str>,
    /// Timestamp.
    pub timestamp: Option<&'a str>,
    /// Nesting depth.
    pub depth: usize,
    /// Comment text.
    pub text: &'a str,
}

impl<'a> ParsedRow<'a> {
    /// Flattens a comment of a thread.
    pub fn new(thread: &'a Thread, c: &'a Comment) -> Self {
        Self {
            thread_id: &thread.id,
            comment_id: &c.id,
            parent_id: c.parent_id.as_deref(),
            author: c.author.as_deref(),
            parent_author: c.parent_author.as_deref(),
            timestamp: c.timestamp.as_deref(),
            depth: c.depth,
            text: &c.text,
        }
    }
}

/// Writes parsed threads in the given format.
pub fn write_parsed(
    out: &mut dyn Write,
    threads: &[Thread],
    format: OutputFormat,
    width: usize,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => write_parsed_table(out, threads, width),
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            for thread in threads {
                for c in &thread.comments {
                    writer
                        .serialize(ParsedRow::new(thread, c))
                        .map_err(io::Error::other)?;
                }
            }
            writer.flush()
        }
        OutputFormat::Jsonl => {
            for thread in threads {
                for c in &thread.comments {
                    serde_json::to_writer(&mut *out, &ParsedRow::new(thread, c))?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()
        }
    }
}

/// The table view: each thread's title, then its comments indented by depth.
fn write_parsed_table(out: &mut dyn Write, threads: &[Thread], width: usize) -> io::Result<()> {
    for thread in threads {
        let title = thread.title.as_deref().unwrap_or("(untitled)");
        writeln!(
            out,
            "{} — {}",
            thread.id,
            truncate(title, width.saturating_sub(thread.id.len() + 3))
        )?;
        writeln!(
            out,
            "  {} comment{} · {}",
            thread.comments.len(),
            plural(thread.comments.len()),
            thread.source
        )?;
        for c in &thread.comments {
            let indent = "  ".repeat(c.depth + 1);
            writeln!(out, "{indent}{}", comment_heading(c))?;
            let room = width.saturating_sub(indent.len() + 2).max(20);
            writeln!(out, "{indent}  {}", truncate(&one_line(&c.text), room))?;
        }
        writeln!(out)?;
    }
    out.flush()
}

/// "author → replied-to · timestamp · id", leaving out what is unknown.
pub fn comment_heading(c: &Comment) -> String {
    let mut heading = c
        .author
        .clone()
        .unwrap_or_else(|| "(anonymous)".to_string());
    if let Some(p) = &c.parent_author {
        heading.push_str(" → ");
        heading.push_str(p);
    }
    if let Some(t) = &c.timestamp {
        heading.push_str(" · ");
        heading.push_str(&t.replace('T', " "));
    }
    heading.push_str(" · ");
    heading.push_str(&c.id);
    heading
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Collapses whitespace so a comment fits on one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `text` to at most `max` characters, ending with "…" when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
