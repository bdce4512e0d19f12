//! The comment model every stage shares: a [`Thread`] (one article page or one export
//! thread) holding its [`Comment`]s in reading order.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One reader comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Comment {
    /// Stable id: the input's own id when it has one, otherwise `<thread_id>-c<position>`.
    pub id: String,
    /// Id of the comment this one replies to, when it is known and present.
    pub parent_id: Option<String>,
    /// Display name of the author, when the page shows one.
    pub author: Option<String>,
    /// Name of the replied-to author, when only the name is known (forum "In reply to by").
    pub parent_author: Option<String>,
    /// Timestamp as ISO 8601 (`YYYY-MM-DDTHH:MM` for page dumps, the input's text for exports).
    pub timestamp: Option<String>,
    /// Nesting depth: 0 for a top-level comment, parent depth + 1 for a reply.
    pub depth: usize,
    /// The comment's text, paragraphs separated by blank lines.
    pub text: String,
    /// Columns or keys of CSV/JSONL input that threadguard does not interpret, carried through.
    pub extra: BTreeMap<String, String>,
}

/// One comment thread: an article and the reader comments under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Thread {
    /// Stable id: the `thread_id` column for exports that have one; otherwise the file's
    /// stem, or for a file in a subdirectory of a directory argument its path from there
    /// without the extension (`sub1/a`).
    pub id: String,
    /// Path of the file the thread was read from (`-` for stdin).
    pub source: String,
    /// Article title, when the input has one.
    pub title: Option<String>,
    /// Article text, when the input has one.
    pub body: Option<String>,
    /// Comments in reading order.
    pub comments: Vec<Comment>,
}

impl Thread {
    /// Finds a comment by id.
    pub fn comment(&self, id: &str) -> Option<&Comment> {
        self.comments.iter().find(|c| c.id == id)
    }
}

/// Builds the positional id of the `index`-th (0-based) comment of a thread.
pub fn positional_id(thread_id: &str, index: usize) -> String {
    format!("{thread_id}-c{}", index + 1)
}

/// Where the earlier parts of threads that arrive in parts are (exports are read in
/// chunks of at most [`CHUNK_COMMENTS`](crate::ingest::CHUNK_COMMENTS) comments, one per run
/// of rows of a thread), by source and thread id, and which threads got several parts.
/// Looking parts up here, not by scanning every thread so far, keeps many small threads
/// linear (a scan made 100,000 one-comment threads take 30 s).
#[derive(Debug, Default)]
pub struct ThreadParts {
    positions: std::collections::HashMap<(String, String), usize>,
    merged: std::collections::BTreeSet<usize>,
}

impl ThreadParts {
    /// The position of an earlier part of `thread` among the `count` threads kept so
    /// far, or `None` after noting that `thread` is kept next, at `count`.
    pub fn earlier(&mut self, thread: &Thread, count: usize) -> Option<usize> {
        let key = (thread.source.clone(), thread.id.clone());
        match self.positions.get(&key) {
            Some(&i) => {
                self.merged.insert(i);
                Some(i)
            }
            None => {
                self.positions.insert(key, count);
                None
            }
        }
    }

    /// Sets, over the whole thread, the depths of every thread of `threads` put together
    /// from parts (each part only knew the parents within it); `comments` picks a kept
    /// thread's comments. Once, after the last part: per part, a thread of a million
    /// comments would be walked a thousand times.
    pub fn set_merged_depths<T>(
        &mut self,
        threads: &mut [T],
        comments: impl Fn(&mut T) -> &mut Vec<Comment>,
    ) {
        for i in std::mem::take(&mut self.merged) {
            if let Some(thread) = threads.get_mut(i) {
                set_depths(comments(thread));
            }
        }
    }
}

/// Sets every comment's depth from the parent links: 0 for a top-level comment, the
/// parent's depth + 1 for a reply whose parent is in `comments`, and 1 for a reply whose
/// parent is not (a dangling `parent_id`, or only a `parent_author`). A parent cycle is
/// cut where it is found: the comment that closes it counts as a reply to a missing parent.
pub fn set_depths(comments: &mut [Comment]) {
    if comments
        .iter()
        .all(|c| c.parent_id.is_none() && c.parent_author.is_none())
    {
        // No replies (a flat export): everything is top-level.
        comments.iter_mut().for_each(|c| c.depth = 0);
        return;
    }
    let index: std::collections::HashMap<&str, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let parent: Vec<Option<usize>> = comments
        .iter()
        .map(|c| c.parent_id.as_deref().and_then(|p| index.get(p).copied()))
        .collect();
    let is_reply: Vec<bool> = comments
        .iter()
        .map(|c| c.parent_id.is_some() || c.parent_author.is_some())
        .collect();
    let mut depth: Vec<Option<usize>> = vec![None; comments.len()];
    let mut on_chain = vec![false; comments.len()];
    for start in 0..comments.len() {
        let mut chain: Vec<usize> = Vec::new();
        let mut current = start;
        let mut above = loop {
            if let Some(known) = depth[current] {
                break known;
            }
            if on_chain[current] {
                // A cycle: the last comment on the chain points back into it.
                let closing = chain.pop().unwrap_or(current);
                on_chain[closing] = false;
                depth[closing] = Some(1);
                break 1;
            }
            match parent[current] {
                Some(p) => {
                    on_chain[current] = true;
                    chain.push(current);
                    current = p;
                }
                None => {
                    let root = usize::from(is_reply[current]);
                    depth[current] = Some(root);
                    break root;
                }
            }
        };
        while let Some(node) = chain.pop() {
            above += 1;
            depth[node] = Some(above);
            on_chain[node] = false;
        }
    }
    for (comment, d) in comments.iter_mut().zip(depth) {
        comment.depth = d.unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: &str, parent: Option<&str>) -> Comment {
        Comment {
            id: id.into(),
            parent_id: parent.map(Into::into),
            ..Comment::default()
        }
    }

    #[test]
    fn depths_follow_parents_in_any_order() {
        let mut c = vec![
            comment("c", Some("b")),
            comment("a", None),
            comment("b", Some("a")),
        ];
        set_depths(&mut c);
        assert_eq!(c.iter().map(|c| c.depth).collect::<Vec<_>>(), vec![2, 0, 1]);
    }

    #[test]
    fn dangling_parent_is_depth_one_and_cycles_terminate() {
        let mut c = vec![
            comment("a", Some("zz")),
            comment("x", Some("y")),
            comment("y", Some("x")),
        ];
        set_depths(&mut c);
        assert_eq!(c[0].depth, 1);
        assert!(c[1].depth >= 1 && c[2].depth >= 1);
        assert_eq!((c[1].depth as i64 - c[2].depth as i64).abs(), 1);
    }
}
