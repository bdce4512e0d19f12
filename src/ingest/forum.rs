//! Forum page dumps: the article, then comments that each start with a header line
//!
//! ```text
//! <author> [<replied-to name>] [(not verified)] <Day>, MM/DD/YYYY - HH:MM Permalink
//! ```
//!
//! and may end with a footer `In reply to by <name>`. Names contain spaces and symbols,
//! so the footer is what separates the author from the replied-to name: when the header's
//! names end with the footer's name, the rest is the author. A reply is linked to the
//! latest comment by the replied-to author posted no later than it (by timestamp, else by
//! position); `parent_author` is kept either way.

use super::{Sink, Warning};
use crate::error::Location;
use crate::thread::{Comment, Thread, positional_id};
use chrono::NaiveDateTime;
use regex::Regex;
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<names>.+?)\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s+(?P<date>\d{1,2}/\d{1,2}/\d{4})\s+-\s+(?P<time>\d{1,2}:\d{2})\s+Permalink\s*$",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^In reply to by\s+(?P<name>.+?)\s*$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

const NOT_VERIFIED: &str = "(not verified)";

/// Whether the text has at least one forum comment header line.
pub fn has_comment_headers(text: &str) -> bool {
    text.lines().any(|line| HEADER.is_match(line.trim()))
}

/// A comment header, parsed.
struct Header {
    names: String,
    verified: bool,
    timestamp: Option<String>,
}

fn parse_header(line: &str) -> Option<(Header, Option<String>)> {
    let caps = HEADER.captures(line.trim())?;
    let mut names = caps["names"].trim().to_string();
    let verified = match names.strip_suffix(NOT_VERIFIED) {
        Some(rest) => {
            names = rest.trim_end().to_string();
            false
        }
        None => true,
    };
    let raw = format!("{} {}", &caps["date"], &caps["time"]);
    let parsed = NaiveDateTime::parse_from_str(&raw, "%m/%d/%Y %H:%M").ok();
    let problem = parsed
        .is_none()
        .then(|| format!("unparseable timestamp {raw:?}"));
    let timestamp = parsed.map(|t| t.format("%Y-%m-%dT%H:%M").to_string());
    Some((
        Header {
            names,
            verified,
            timestamp,
        },
        problem,
    ))
}

/// Parses a forum page dump into a thread.
pub fn parse(source: &str, thread_id: &str, text: &str, sink: &mut dyn Sink) -> Thread {
    let lines: Vec<&str> = text.split('\n').collect();
    let header_at: Vec<usize> = (0..lines.len())
        .filter(|&i| HEADER.is_match(lines[i].trim()))
        .collect();
    let article_end = header_at.first().copied().unwrap_or(lines.len());
    let (title, body) = title_and_body(&lines[..article_end]);
    let mut comments = Vec::with_capacity(header_at.len());
    for (n, &start) in header_at.iter().enumerate() {
        let end = header_at.get(n + 1).copied().unwrap_or(lines.len());
        let Some((header, problem)) = parse_header(lines[start]) else {
            continue;
        };
        if let Some(problem) = problem {
            sink.warning(Warning {
                location: Location::line(Path::new(source), start as u64 + 1),
                message: problem,
            });
        }
        comments.push(build_comment(
            positional_id(thread_id, n),
            header,
            &lines[start + 1..end],
        ));
    }
    link_parents(&mut comments);
    Thread {
        id: thread_id.to_string(),
        source: source.to_string(),
        title,
        body,
        comments,
    }
}

/// The first non-blank line is the title; the rest, trimmed, is the article.
fn title_and_body(lines: &[&str]) -> (Option<String>, Option<String>) {
    let mut rest = lines.iter().skip_while(|l| l.trim().is_empty());
    let title = rest.next().map(|t| t.trim().to_string());
    let body = rest
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string();
    (title, (!body.is_empty()).then_some(body))
}

/// Builds a comment from its header and the lines up to the next header.
fn build_comment(id: String, header: Header, body_lines: &[&str]) -> Comment {
    let mut body: Vec<&str> = body_lines.to_vec();
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }
    let replied_to = body
        .last()
        .and_then(|l| FOOTER.captures(l.trim()))
        .map(|c| c["name"].to_string());
    if replied_to.is_some() {
        body.pop();
    }
    let author = match &replied_to {
        Some(name) => header
            .names
            .strip_suffix(name.as_str())
            .map(str::trim_end)
            .filter(|a| !a.is_empty())
            .unwrap_or(&header.names)
            .to_string(),
        None => header.names.clone(),
    };
    let mut comment = Comment {
        id,
        // A header of only "(not verified)" names no one.
        author: Some(author).filter(|a| !a.is_empty()),
        parent_author: replied_to,
        timestamp: header.timestamp,
        text: body.join("\n").trim().to_string(),
        ..Comment::default()
    };
    if !header.verified {
        comment
            .extra
            .insert("verified".to_string(), "false".to_string());
    }
    comment
}

/// Links each reply to the latest earlier comment by its replied-to author, then sets depths.
fn link_parents(comments: &mut [Comment]) {
    // Comments by author, so a page with many comments is not scanned once per reply.
    let mut by_author: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, c) in comments.iter().enumerate() {
        if let Some(author) = c.author.as_deref() {
            by_author.entry(author).or_default().push(j);
        }
    }
    let parents: Vec<Option<usize>> = (0..comments.len())
        .map(|i| {
            let wanted = comments[i].parent_author.as_deref()?;
            by_author
                .get(wanted)?
                .iter()
                .copied()
                .filter(|&j| j != i && posted_before(&comments[j], j, &comments[i], i))
                .max_by(|&a, &b| order_key(&comments[a], a).cmp(&order_key(&comments[b], b)))
        })
        .collect();
    for (i, parent) in parents.into_iter().enumerate() {
        comments[i].parent_id = parent.map(|j| comments[j].id.clone());
    }
    crate::thread::set_depths(comments);
}

/// Whether comment `a` (at position `ia`) was posted no later than `b` (at `ib`).
fn posted_before(a: &Comment, ia: usize, b: &Comment, ib: usize) -> bool {
    match (&a.timestamp, &b.timestamp) {
        (Some(ta), Some(tb)) if ta != tb => ta < tb,
        _ => ia < ib,
    }
}

fn order_key(c: &Comment, position: usize) -> (Option<&str>, usize) {
    (c.timestamp.as_deref(), position)
}
