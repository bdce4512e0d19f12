//! Blog page dumps (and article-only pages): a title line, the article's paragraphs, then
//! reader comments.
//!
//! The rules, in order:
//! 1. Lines are grouped into *paragraphs* (runs of non-blank lines) and paragraphs into
//!    *blocks*: two or more blank lines end a block, one blank line separates paragraphs.
//! 2. Leading blocks of only short lines (a site name, "Subscribe") are the masthead and
//!    are skipped; the first block with real prose holds the title (its first line) and
//!    the article.
//! 3. Every later block holds comments. Inside a block, a short name-like paragraph
//!    (at most three words and 32 characters, no sentence punctuation, followed by
//!    another paragraph) such as "chris chuba" is the author line of the comment that
//!    follows it, and so also ends the comment before it.
//! 4. The first comment may follow the article after a single blank line. Such a page
//!    gives no layout signal, so we use the article's typography: when the article's
//!    paragraphs separate sentences with a non-breaking space (as the publishing
//!    software does) and the block ends with paragraphs that separate sentences with
//!    plain spaces only, those trailing paragraphs are split off as the first comment.
//!    Without that signal the first comment stays part of the article.

use crate::thread::{Comment, Thread, positional_id};

/// A paragraph: its text (lines joined with `\n`) and the blank lines before it.
#[derive(Debug, Clone)]
struct Paragraph {
    text: String,
    blank_lines_before: usize,
}

/// Parses a blog page dump into a thread.
pub fn parse(source: &str, thread_id: &str, text: &str) -> Thread {
    let blocks = blocks(text);
    let Some(article_at) = article_block_index(&blocks) else {
        return empty_thread(source, thread_id);
    };
    let (title, mut article) = split_title(&blocks[article_at]);
    let glued = split_glued_comment(&mut article);
    let mut comment_blocks: Vec<Vec<String>> = Vec::new();
    if !glued.is_empty() {
        comment_blocks.push(glued);
    }
    comment_blocks.extend(blocks[article_at + 1..].iter().cloned());
    let comments = comment_blocks
        .iter()
        .flat_map(|block| split_by_author_lines(block))
        .enumerate()
        .map(|(i, (author, text))| Comment {
            id: positional_id(thread_id, i),
            author,
            text,
            ..Comment::default()
        })
        .collect();
    Thread {
        id: thread_id.to_string(),
        source: source.to_string(),
        title,
        body: non_empty(article.join("\n\n")),
        comments,
    }
}

/// Parses a page as an article without comments: title line and body.
pub fn parse_article(source: &str, thread_id: &str, text: &str) -> Thread {
    let blocks = blocks(text);
    let Some(article_at) = article_block_index(&blocks) else {
        return empty_thread(source, thread_id);
    };
    let (title, first) = split_title(&blocks[article_at]);
    let mut body = first;
    for block in &blocks[article_at + 1..] {
        body.extend(block.iter().cloned());
    }
    Thread {
        id: thread_id.to_string(),
        source: source.to_string(),
        title,
        body: non_empty(body.join("\n\n")),
        comments: Vec::new(),
    }
}

fn empty_thread(source: &str, thread_id: &str) -> Thread {
    Thread {
        id: thread_id.to_string(),
        source: source.to_string(),
        ..Thread::default()
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// Splits text into paragraphs, remembering how many blank lines preceded each.
fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    let mut blanks = 0;
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !lines.is_empty() {
                out.push(Paragraph {
                    text: lines.join("\n"),
                    blank_lines_before: blanks,
                });
                lines.clear();
                blanks = 0;
            }
            blanks += 1;
        } else {
            lines.push(line);
        }
    }
    if !lines.is_empty() {
        out.push(Paragraph {
            text: lines.join("\n"),
            blank_lines_before: blanks,
        });
    }
    out
}

/// Groups paragraphs into blocks: two or more blank lines start a new block.
fn blocks(text: &str) -> Vec<Vec<String>> {
    let mut blocks: Vec<Vec<String>> = Vec::new();
    for paragraph in paragraphs(text) {
        match blocks.last_mut() {
            Some(block) if paragraph.blank_lines_before < 2 => block.push(paragraph.text),
            _ => blocks.push(vec![paragraph.text]),
        }
    }
    blocks
}

/// The first block that is not masthead (at most two paragraphs of short lines without
/// sentence punctuation); the first block when all are.
fn article_block_index(blocks: &[Vec<String>]) -> Option<usize> {
    if blocks.is_empty() {
        return None;
    }
    let is_masthead = |block: &Vec<String>| {
        block.len() <= 2
            && block.iter().all(|p| {
                p.lines().count() <= 3
                    && p.lines()
                        .all(|l| l.chars().count() <= 60 && !l.contains(['.', '!', '?']))
            })
    };
    Some(blocks.iter().position(|b| !is_masthead(b)).unwrap_or(0))
}

/// The block's first line is the title; the rest is the article's paragraphs.
fn split_title(block: &[String]) -> (Option<String>, Vec<String>) {
    let Some(first) = block.first() else {
        return (None, Vec::new());
    };
    let mut lines = first.splitn(2, '\n');
    let title = lines
        .next()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let mut rest: Vec<String> = lines
        .next()
        .map(|r| vec![r.to_string()])
        .unwrap_or_default();
    rest.extend(block[1..].iter().cloned());
    (title, rest)
}

/// Typography of a paragraph, used to find where the article ends (rule 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typography {
    /// Sentences separated with a non-breaking space: the publisher's article text.
    Publisher,
    /// Sentences separated with plain single spaces only: typed by a reader.
    Plain,
    /// Too short to tell.
    Unknown,
}

fn typography(paragraph: &str) -> Typography {
    if paragraph.contains(".\u{a0}") || paragraph.contains("\u{a0} ") {
        return Typography::Publisher;
    }
    let mut window = ['\0'; 3];
    let plain_break = paragraph.chars().any(|c| {
        window = [window[1], window[2], c];
        matches!(window[0], '.' | '?' | '!') && window[1] == ' ' && window[2].is_uppercase()
    });
    if plain_break {
        Typography::Plain
    } else {
        Typography::Unknown
    }
}

/// Removes the glued first comment from the end of the article's paragraphs (rule 4) and
/// returns its paragraphs (empty when the text gives no signal).
fn split_glued_comment(article: &mut Vec<String>) -> Vec<String> {
    let kinds: Vec<Typography> = article.iter().map(|p| typography(p)).collect();
    let publisher = kinds
        .iter()
        .filter(|k| **k == Typography::Publisher)
        .count();
    let Some(last_publisher) = kinds.iter().rposition(|k| *k == Typography::Publisher) else {
        return Vec::new();
    };
    let tail = &kinds[last_publisher + 1..];
    let tail_is_reader = tail.contains(&Typography::Plain);
    if publisher < 2 || !tail_is_reader {
        return Vec::new();
    }
    article.split_off(last_publisher + 1)
}

/// Whether a paragraph is an author line (rule 3): short and name-like.
fn is_author_line(paragraph: &str) -> bool {
    let line = paragraph.trim();
    if line.contains('\n') || line.is_empty() || line.chars().count() > 32 {
        return false;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() > 3 {
        return false;
    }
    // A detached trailing " ." is part of how some blogs render a display name.
    let core = line.strip_suffix(" .").unwrap_or(line);
    let sentence_punctuation = core
        .chars()
        .any(|c| matches!(c, '.' | '!' | '?' | ',' | ';' | ':' | '"' | '“' | '”'));
    !sentence_punctuation && core.chars().any(char::is_alphanumeric)
}

/// Splits a block of paragraphs into comments at author lines.
fn split_by_author_lines(block: &[String]) -> Vec<(Option<String>, String)> {
    let mut comments = Vec::new();
    let mut author: Option<String> = None;
    let mut body: Vec<&str> = Vec::new();
    for (i, paragraph) in block.iter().enumerate() {
        let followed_by_text = i + 1 < block.len();
        if followed_by_text && is_author_line(paragraph) {
            if !body.is_empty() {
                comments.push((author.take(), body.join("\n\n")));
                body.clear();
            }
            author = Some(paragraph.trim().to_string());
        } else {
            body.push(paragraph);
        }
    }
    if !body.is_empty() {
        comments.push((author, body.join("\n\n")));
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_lines_are_short_names() {
        assert!(is_author_line("888mladen ."));
        assert!(is_author_line("chris chuba"));
        assert!(is_author_line("Jonathan Cohen"));
        assert!(!is_author_line("Under statement. Call spade a spade."));
        assert!(!is_author_line("And the lexicon of a 3 year old."));
        assert!(!is_author_line(
            "Yet another thoughtful article from The Saker. Bravo"
        ));
    }

    #[test]
    fn blocks_split_on_two_blank_lines() {
        let text = "Title\n\nArticle one.\n\n\nComment one.\n\nStill one.\n\n\n\nComment two.";
        let b = blocks(text);
        assert_eq!(b.len(), 3);
        assert_eq!(
            b[1],
            vec!["Comment one.".to_string(), "Still one.".to_string()]
        );
    }

    #[test]
    fn masthead_is_skipped_and_article_only_page_has_no_comments() {
        let text = "Site Name\nSubscribe\n\n\nThe Title\n\nA long paragraph of article text. It goes on.\n\nMore text.";
        let thread = parse("x", "t", text);
        assert_eq!(thread.title.as_deref(), Some("The Title"));
        assert!(thread.comments.is_empty());
    }

    #[test]
    fn author_line_ends_previous_comment() {
        let text = "T\n\nArticle.\n\n\nFirst comment.\n\nsome name\n\nSecond comment.";
        let thread = parse("x", "t", text);
        assert_eq!(thread.comments.len(), 2);
        assert_eq!(thread.comments[0].author, None);
        assert_eq!(thread.comments[1].author.as_deref(), Some("some name"));
        assert_eq!(thread.comments[1].text, "Second comment.");
    }

    #[test]
    fn glued_first_comment_split_by_typography() {
        let text = "T\n\nOne.\u{a0} Two.\n\nThree.\u{a0} Four.\n\nReader says this. And that.\n\n\nNext comment.";
        let thread = parse("x", "t", text);
        assert_eq!(thread.comments.len(), 2);
        assert_eq!(thread.comments[0].text, "Reader says this. And that.");
    }

    #[test]
    fn no_typography_signal_keeps_article_whole() {
        let text = "T\n\nOne. Two.\n\nThree. Four.\n\n\nA comment.";
        let thread = parse("x", "t", text);
        assert_eq!(thread.comments.len(), 1);
        assert_eq!(thread.body.as_deref(), Some("One. Two.\n\nThree. Four."));
    }
}
