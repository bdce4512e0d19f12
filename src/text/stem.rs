//! Snowball English stemming behind a cache.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use std::fmt;

/// Default number of distinct words a [`StemCache`] remembers before it starts over.
pub const DEFAULT_STEM_CACHE_LIMIT: usize = 500_000;

/// Words longer than this many bytes are returned unstemmed and not cached (they are
/// almost always junk such as glued-together text, and would only bloat the cache).
const MAX_STEM_LEN: usize = 48;

/// Snowball English stemmer with a word -> stem cache.
///
/// Comment vocabularies are Zipfian, so after a few hundred comments nearly every lookup is a
/// cache hit: one hash of the word and a slice of the stem arena. Stems live in one shared
/// arena `String`; when the cache reaches its limit it is cleared and refilled, which bounds
/// memory on adversarial input.
pub struct StemCache {
    stemmer: Stemmer,
    index: FxHashMap<Box<str>, (usize, usize)>,
    arena: String,
    limit: usize,
}

impl StemCache {
    /// A cache holding up to [`DEFAULT_STEM_CACHE_LIMIT`] words.
    pub fn new() -> Self {
        Self::with_limit(DEFAULT_STEM_CACHE_LIMIT)
    }

    /// A cache holding up to `limit` words (at least one).
    pub fn with_limit(limit: usize) -> Self {
        Self {
            stemmer: Stemmer::create(Algorithm::English),
            index: FxHashMap::default(),
            arena: String::new(),
            limit: limit.max(1),
        }
    }

    /// The Snowball English stem of `word` (expected lowercase).
    pub fn stem<'a>(&'a mut self, word: &'a str) -> &'a str {
        if word.len() > MAX_STEM_LEN {
            return word;
        }
        if let Some(&(a, b)) = self.index.get(word) {
            return &self.arena[a..b];
        }
        if self.index.len() >= self.limit {
            self.clear();
        }
        let a = self.arena.len();
        self.arena.push_str(&self.stemmer.stem(word));
        let b = self.arena.len();
        self.index.insert(word.into(), (a, b));
        &self.arena[a..b]
    }

    /// Number of cached words.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Forgets every cached word.
    pub fn clear(&mut self) {
        self.index.clear();
        self.arena.clear();
    }
}

impl Default for StemCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for StemCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StemCache")
            .field("len", &self.index.len())
            .field("limit", &self.limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_english_words() {
        let mut c = StemCache::new();
        assert_eq!(c.stem("idiots"), "idiot");
        assert_eq!(c.stem("running"), "run");
        assert_eq!(c.stem("conspiracies"), "conspiraci");
        assert_eq!(c.stem("conspiracy"), "conspiraci");
        assert_eq!(c.len(), 4);
        assert_eq!(c.stem("idiots"), "idiot");
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn limit_clears_and_keeps_working() {
        let mut c = StemCache::with_limit(2);
        for w in ["cats", "dogs", "birds", "cats"] {
            let s = c.stem(w).to_string();
            assert_eq!(s, &w[..w.len() - 1]);
        }
        assert!(c.len() <= 2);
    }

    #[test]
    fn long_words_pass_through() {
        let mut c = StemCache::new();
        let long = "a".repeat(100);
        assert_eq!(c.stem(&long), long);
        assert!(c.is_empty());
    }
}
