//! The small built-in lexicon that de-obfuscation resolves masks, leetspeak and stretched
//! letters against.
//!
//! It holds abusive and profane words (insults, slurs, threats, swear words) because those
//! are what people disguise, plus common English words with doubled letters so that
//! "goooood" collapses to "good" rather than "god". It is a decoding aid only: whether a
//! word is abusive in context is learned by the model, not decided here.

use rustc_hash::FxHashSet;
use std::sync::LazyLock;

/// Abusive and profane words, most frequent first: when a mask fits several words, the
/// earlier one wins. All lowercase ASCII, at least three letters.
pub const ABUSIVE_WORDS: &[&str] = &[
    "fuck",
    "fucking",
    "fucked",
    "fucker",
    "fuckers",
    "fucks",
    "fuckin",
    "motherfucker",
    "shit",
    "shitty",
    "shits",
    "bullshit",
    "shithole",
    "ass",
    "asses",
    "asshole",
    "assholes",
    "arse",
    "arsehole",
    "bitch",
    "bitches",
    "bitchy",
    "bastard",
    "bastards",
    "damn",
    "dick",
    "dicks",
    "dickhead",
    "cock",
    "cunt",
    "cunts",
    "piss",
    "pissed",
    "crap",
    "crappy",
    "whore",
    "whores",
    "slut",
    "sluts",
    "idiot",
    "idiots",
    "idiotic",
    "moron",
    "morons",
    "moronic",
    "stupid",
    "dumb",
    "dumbass",
    "retard",
    "retards",
    "retarded",
    "imbecile",
    "imbeciles",
    "cretin",
    "cretins",
    "scum",
    "scumbag",
    "scumbags",
    "filth",
    "filthy",
    "loser",
    "losers",
    "clown",
    "clowns",
    "bozo",
    "bozos",
    "jerk",
    "jerks",
    "prick",
    "pricks",
    "twat",
    "wanker",
    "wankers",
    "douche",
    "douchebag",
    "pussy",
    "trash",
    "garbage",
    "vermin",
    "traitor",
    "traitors",
    "liar",
    "liars",
    "hypocrite",
    "hypocrites",
    "coward",
    "cowards",
    "sheeple",
    "nazi",
    "nazis",
    "fascist",
    "fascists",
    "libtard",
    "libtards",
    "faggot",
    "faggots",
    "fag",
    "fags",
    "nigger",
    "niggers",
    "nigga",
    "kike",
    "kikes",
    "spic",
    "chink",
    "tranny",
    "dyke",
    "wetback",
    "raghead",
    "towelhead",
    "hell",
    "kill",
    "killed",
    "hang",
    "shoot",
    "rape",
    "stfu",
    "gtfo",
    "wtf",
];

/// Common words with doubled letters, consulted only when collapsing stretched letters.
const DOUBLED_WORDS: &[&str] = &[
    "good",
    "cool",
    "too",
    "see",
    "need",
    "feel",
    "soon",
    "look",
    "book",
    "food",
    "mood",
    "fool",
    "pool",
    "tool",
    "zoo",
    "boo",
    "moon",
    "noon",
    "sleep",
    "free",
    "speech",
    "agree",
    "tell",
    "still",
    "will",
    "shall",
    "call",
    "fall",
    "full",
    "pull",
    "bull",
    "dull",
    "hello",
    "off",
    "stuff",
    "staff",
    "less",
    "miss",
    "boss",
    "class",
    "pass",
    "cross",
    "loss",
    "mass",
    "press",
    "stress",
    "happen",
    "apple",
    "little",
    "really",
    "pretty",
    "sorry",
    "better",
    "letter",
    "matter",
    "sell",
    "small",
    "tall",
    "wall",
    "sheep",
    "sweet",
    "street",
    "week",
    "deep",
    "keep",
    "seem",
    "seen",
    "been",
    "feet",
    "meet",
    "three",
    "tree",
    "green",
    "queen",
    "speed",
    "indeed",
    "guess",
    "add",
    "odd",
    "egg",
    "ill",
    "all",
    "err",
    "wee",
    "bee",
    "ooh",
    "hmm",
    "shh",
    "brr",
    "coffee",
    "goodness",
    "yeah",
    "woo",
    "whoo",
    "boom",
    "doom",
    "gross",
    "kiss",
    "yell",
    "well",
    "bully",
    "silly",
    "hilarious",
    "ridiculous",
    "horrible",
    "terrible",
    "wooow",
];

/// Lookup structures over the word lists, built once.
struct Lexicon {
    abusive: FxHashSet<&'static str>,
    known: FxHashSet<&'static str>,
    /// Abusive words grouped by length (index = length), in priority order.
    by_len: Vec<Vec<&'static str>>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let abusive: FxHashSet<&'static str> = ABUSIVE_WORDS.iter().copied().collect();
    let mut known = abusive.clone();
    known.extend(DOUBLED_WORDS.iter().copied());
    let max_len = ABUSIVE_WORDS.iter().map(|w| w.len()).max().unwrap_or(0);
    let mut by_len = vec![Vec::new(); max_len + 1];
    for w in ABUSIVE_WORDS {
        by_len[w.len()].push(*w);
    }
    Lexicon {
        abusive,
        known,
        by_len,
    }
});

/// Function words: articles, auxiliaries, prepositions, conjunctions, determiners and
/// adverbs that say how a text is written rather than what it says. Word n-grams made only
/// of them are style (and length) signals that do not transfer between corpora, so a
/// vocabulary may leave them out ([`crate::features::FeatureConfig::stop_words`]).
/// Personal pronouns are deliberately absent: "you" and "they" carry meaning here
/// (address in insults, the hidden "they" of conspiracy talk).
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either", "else",
    "even", "ever", "every", "few", "for", "from", "further", "had", "has", "have", "having",
    "here", "how", "however", "if", "in", "into", "is", "it", "its", "itself", "just", "may",
    "might", "more", "most", "much", "must", "neither", "no", "nor", "not", "now", "of", "off",
    "on", "once", "only", "or", "other", "out", "over", "own", "per", "quite", "rather", "same",
    "shall", "should", "since", "so", "some", "such", "than", "that", "the", "then", "there",
    "these", "this", "those", "though", "through", "thus", "to", "too", "under", "until", "up",
    "upon", "very", "was", "were", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yet",
];

/// Whether `word` (lowercase) is in the built-in abusive/profane lexicon.
pub fn is_abusive_word(word: &str) -> bool {
    LEXICON.abusive.contains(word)
}

/// Whether `word` is in the abusive lexicon or the doubled-letter list.
pub(crate) fn is_known_word(word: &str) -> bool {
    LEXICON.known.contains(word)
}

/// One position of an obfuscated word pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pat {
    /// This exact character.
    Lit(char),
    /// Any one of these letters (leetspeak digit or look-alike symbol).
    OneOf(&'static [char]),
    /// A masked letter (`*`, `#`, `%`).
    Wild,
}

impl Pat {
    /// Whether the pattern element accepts the ASCII letter `b`.
    #[inline]
    fn accepts(self, b: u8) -> bool {
        let c = char::from(b);
        match self {
            Pat::Lit(l) => l == c,
            Pat::OneOf(set) => set.contains(&c),
            Pat::Wild => b.is_ascii_lowercase(),
        }
    }
}

/// Resolves an obfuscated pattern to a lexicon word.
///
/// First tries an exact-length match (each mask stands for one letter), then lets each run of
/// masks with letters on both sides stand for one or more letters ("f*k"), preferring the
/// candidate closest in length. Earlier lexicon words win ties.
pub(crate) fn resolve(pat: &[Pat]) -> Option<&'static str> {
    let lex = &*LEXICON;
    if let Some(words) = lex.by_len.get(pat.len()) {
        let hit = words
            .iter()
            .find(|w| w.bytes().zip(pat).all(|(b, p)| p.accepts(b)));
        if let Some(w) = hit {
            return Some(w);
        }
    }
    if !has_inner_wild(pat) {
        return None;
    }
    ABUSIVE_WORDS
        .iter()
        .filter(|w| matches_flexible(pat, w.as_bytes()))
        .min_by_key(|w| w.len().abs_diff(pat.len()))
        .copied()
}

/// Whether a mask run has non-mask elements on both sides.
fn has_inner_wild(pat: &[Pat]) -> bool {
    let first = pat.iter().position(|p| *p != Pat::Wild);
    let last = pat.iter().rposition(|p| *p != Pat::Wild);
    match (first, last) {
        (Some(a), Some(b)) => pat[a..b].contains(&Pat::Wild),
        _ => false,
    }
}

/// Matches with inner mask runs standing for one or more letters; edge masks stand for
/// exactly one letter each.
fn matches_flexible(pat: &[Pat], word: &[u8]) -> bool {
    let Some(first) = pat.iter().position(|p| *p != Pat::Wild) else {
        return false;
    };
    let last = pat.iter().rposition(|p| *p != Pat::Wild).unwrap_or(first);
    let tail = pat.len() - 1 - last;
    if word.len() < first + tail {
        return false;
    }
    let (head, rest) = word.split_at(first);
    let (middle, end) = rest.split_at(rest.len() - tail);
    head.iter().all(u8::is_ascii_lowercase)
        && end.iter().all(u8::is_ascii_lowercase)
        && match_runs(&pat[first..=last], middle)
}

/// Recursive matcher for a pattern without edge masks; mask runs take one or more letters.
fn match_runs(pat: &[Pat], word: &[u8]) -> bool {
    match pat.first() {
        None => word.is_empty(),
        Some(Pat::Wild) => {
            let run = pat.iter().take_while(|p| **p == Pat::Wild).count();
            let rest = &pat[run..];
            (1..=word.len()).any(|take| {
                word[..take].iter().all(u8::is_ascii_lowercase) && match_runs(rest, &word[take..])
            })
        }
        Some(p) => match word.split_first() {
            Some((b, tail)) => p.accepts(*b) && match_runs(&pat[1..], tail),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Vec<Pat> {
        s.chars()
            .map(|c| match c {
                '*' => Pat::Wild,
                c => crate::text::chars::leet_letters(c).map_or(Pat::Lit(c), Pat::OneOf),
            })
            .collect()
    }

    #[test]
    fn exact_masks() {
        assert_eq!(resolve(&pat("f*ck")), Some("fuck"));
        assert_eq!(resolve(&pat("f**k")), Some("fuck"));
        assert_eq!(resolve(&pat("f***")), Some("fuck"));
        assert_eq!(resolve(&pat("b*tch")), Some("bitch"));
        assert_eq!(resolve(&pat("a$$")), Some("ass"));
        assert_eq!(resolve(&pat("1d10t")), Some("idiot"));
    }

    #[test]
    fn flexible_masks() {
        assert_eq!(resolve(&pat("f*k")), Some("fuck"));
        assert_eq!(resolve(&pat("a*hole")), Some("asshole"));
        assert_eq!(resolve(&pat("ab*cd")), None);
    }

    #[test]
    fn lexicon_lists_are_lowercase_ascii() {
        for w in ABUSIVE_WORDS.iter().chain(DOUBLED_WORDS) {
            assert!(w.bytes().all(|b| b.is_ascii_lowercase()), "{w}");
            assert!(w.len() >= 3, "{w}");
        }
        assert!(is_abusive_word("idiot") && !is_abusive_word("good"));
        assert!(is_known_word("good"));
    }
}
