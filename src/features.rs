//! The feature stage: word n-grams of stems, `char_wb` character n-grams and a few dense
//! signals, weighted by TF-IDF over a vocabulary learned at training time.
//!
//! Feature names are readable and stable: `w:idiot`, `w:deep state` (word n-grams of stems
//! joined by one space), `c: idi` (character n-grams of a normalized word padded with one
//! space on each side, like scikit-learn's `char_wb`), and `d:caps_share` (dense signals).
//!
//! # Fast lookup
//!
//! Scoring never builds feature-name strings. Each candidate n-gram is hashed to 64 bits
//! while it is generated and looked up in a map from hash to feature index (see
//! [`feature_hash`]). Word n-grams hash the bytes of their name with FNV-1a, a unigram's
//! state extended to its bigram, then a murmur3 finalizer. Character n-grams of up to 8
//! bytes are read from a sliding 8-byte window of the padded word, masked to length, and
//! mixed with a per-length seed; longer (multibyte) ones fall back to FNV-1a. The vocabulary
//! stores names for readability and rebuilds the map from them on load.
//!
//! Scoring looks word n-grams of two or more words up by a second key: the unigram hashes
//! of their words chained with a multiply-xor step ([`chain_key`]). A unigram hash is
//! cached per distinct word, so a bigram costs one step instead of hashing its bytes. That
//! index is also derived from the names on load (split at the spaces), so it needs nothing
//! from the model file; training and explanations keep using the name hash.
//!
//! Collisions: two vocabulary features with the same hash are rejected when the vocabulary
//! is built or loaded. An out-of-vocabulary n-gram can still collide with a vocabulary hash
//! and be counted as that feature; with 64-bit hashes, a vocabulary of `V` features and `M`
//! distinct n-grams the chance is about `V * M / 2^64` (around 1e-9 for `V = 10^5`,
//! `M = 10^8`), which is negligible next to the model's own error.
//!
//! # Weighting
//!
//! Sparse (word + char) features get TF-IDF with sublinear tf `1 + ln(tf)` (configurable)
//! and smooth idf `ln((1 + n) / (1 + df)) + 1`, and the sparse part is L2-normalized. Dense
//! signals, each scaled to [0, 1], are appended unnormalized at the end of the index space.

mod word_table;

use crate::text::{
    LOW_BYTES_MASK, StemCache, TokenKind, TokenSpan, Tokenizer, Tokens, is_abusive_word,
};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use word_table::WordTable;

/// Prefix of word n-gram feature names.
pub const WORD_PREFIX: &str = "w:";
/// Prefix of character n-gram feature names.
pub const CHAR_PREFIX: &str = "c:";
/// Prefix of dense feature names.
pub const DENSE_PREFIX: &str = "d:";

/// Longest word n-gram allowed in a [`FeatureConfig`].
pub const MAX_WORD_NGRAM: usize = 4;
/// Longest character n-gram allowed in a [`FeatureConfig`].
pub const MAX_CHAR_NGRAM: usize = 8;

/// Errors of the feature stage.
#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    /// A [`FeatureConfig`] value is out of range.
    #[error("invalid feature configuration: {0}")]
    Config(String),
    /// The label table does not match the documents.
    #[error("invalid training labels: {0}")]
    Labels(String),
    /// A vocabulary (usually a loaded one) is inconsistent.
    #[error("invalid vocabulary: {0}")]
    Vocabulary(String),
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// How features are generated and selected. Missing fields deserialize to the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureConfig {
    /// Word n-gram lengths `(min, max)` over stems; `(0, 0)` disables word features.
    pub word_ngram_range: (usize, usize),
    /// Character n-gram lengths `(min, max)` within padded words; `(0, 0)` disables them.
    pub char_ngram_range: (usize, usize),
    /// Features in fewer documents than this are dropped.
    pub min_df: usize,
    /// Features in more than this share of documents are dropped (1.0 keeps all).
    pub max_df: f64,
    /// Features kept per label, ranked by chi-squared on that label's labeled documents.
    pub top_k: usize,
    /// Use `1 + ln(tf)` instead of the raw count.
    pub sublinear_tf: bool,
    /// Stem words (Snowball English) before building word n-grams.
    pub stem: bool,
    /// Append the dense signals ([`DenseSignal`]).
    pub dense: bool,
    /// L2-normalize the character n-grams and the word n-grams separately (as a union of
    /// two TF-IDF vectorizers does), so the many character n-grams do not drown the words.
    /// Files without the field predate it and normalized the two together.
    #[serde(default)]
    pub block_norm: bool,
    /// Leave out of the vocabulary the word unigrams and bigrams made only of function
    /// words ([`crate::text::FUNCTION_WORDS`]). Only selection changes, not extraction.
    #[serde(default)]
    pub stop_words: bool,
    /// Floors under the L2 norms of the two blocks (character n-grams, then word n-grams;
    /// only the first without `block_norm`): a text whose block norm is below the floor
    /// is divided by the floor instead, so a short text's few n-grams are not blown up to
    /// a unit vector and weigh as much as a whole comment's. Learned at training from a
    /// quantile of the training texts' norms; `[0, 0]` (and files without the field) is
    /// plain L2 normalization.
    #[serde(default)]
    pub norm_floor: [f32; 2],
    /// Weigh character n-grams per word: each distinct word adds its n-grams times its term
    /// frequency in the text (`1 + ln(times it occurs)` with `sublinear_tf`, else the
    /// count), and the block is divided by the root of the sum of the words' own squared
    /// norms times those factors squared. A word's share of the score is then fixed,
    /// which lets scoring precompute it per word. Needs `block_norm`.
    #[serde(default)]
    pub char_by_word: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        Self {
            word_ngram_range: (1, 2),
            char_ngram_range: (2, 5),
            min_df: 2,
            max_df: 1.0,
            top_k: 20_000,
            sublinear_tf: true,
            stem: true,
            dense: true,
            block_norm: true,
            stop_words: false,
            norm_floor: [0.0; 2],
            char_by_word: false,
        }
    }
}

impl FeatureConfig {
    /// Checks that every value is in range.
    pub fn validate(&self) -> Result<(), FeatureError> {
        check_range("word_ngram_range", self.word_ngram_range, MAX_WORD_NGRAM)?;
        check_range("char_ngram_range", self.char_ngram_range, MAX_CHAR_NGRAM)?;
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(FeatureError::Config(format!(
                "max_df must be in (0, 1], got {}",
                self.max_df
            )));
        }
        if let Some(f) = self
            .norm_floor
            .iter()
            .find(|f| !(f.is_finite() && **f >= 0.0))
        {
            return Err(FeatureError::Config(format!(
                "norm_floor must be finite and not negative, got {f}"
            )));
        }
        if self.char_by_word && !self.block_norm {
            return Err(FeatureError::Config(
                "char_by_word needs block_norm".to_string(),
            ));
        }
        Ok(())
    }

    /// What each block's sum of squares is multiplied by to normalize it: one over the
    /// block's L2 norm, or over its [`norm_floor`](Self::norm_floor) when that is larger;
    /// 0 for an empty block.
    #[inline]
    pub fn norm_scale(&self, norm2: [f32; 2]) -> [f32; 2] {
        let mut scale = [0.0; 2];
        for ((s, n2), floor) in scale.iter_mut().zip(norm2).zip(self.norm_floor) {
            let norm = n2.sqrt().max(floor);
            if norm > 0.0 {
                *s = norm.recip();
            }
        }
        scale
    }
}

/// Checks an n-gram range: `(0, 0)` or `1 <= min <= max <= cap`.
fn check_range(name: &str, (lo, hi): (usize, usize), cap: usize) -> Result<(), FeatureError> {
    if (lo, hi) == (0, 0) || (1 <= lo && lo <= hi && hi <= cap) {
        return Ok(());
    }
    Err(FeatureError::Config(format!(
        "{name} must be (0, 0) or 1 <= min <= max <= {cap}, got ({lo}, {hi})"
    )))
}

// ---------------------------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------------------------

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Incremental FNV-1a state over the bytes of a feature name. Feeding a name in pieces gives
/// the same hash as feeding it whole, which is what lets scoring hash n-grams without
/// building their names.
#[derive(Debug, Clone, Copy)]
struct NameHash(u64);

impl NameHash {
    const fn new() -> Self {
        Self(FNV_OFFSET)
    }

    #[inline]
    const fn byte(self, b: u8) -> Self {
        Self((self.0 ^ b as u64).wrapping_mul(FNV_PRIME))
    }

    #[inline]
    const fn bytes(mut self, bytes: &[u8]) -> Self {
        let mut i = 0;
        while i < bytes.len() {
            self = self.byte(bytes[i]);
            i += 1;
        }
        self
    }

    /// The final 64-bit hash (murmur3 finalizer, so every bit depends on every byte).
    #[inline]
    const fn finish(self) -> u64 {
        let mut k = self.0;
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^ (k >> 33)
    }
}

const WORD_SEED: NameHash = NameHash::new().bytes(WORD_PREFIX.as_bytes());
const CHAR_SEED: NameHash = NameHash::new().bytes(CHAR_PREFIX.as_bytes());

/// Per-length seeds for packed character n-grams (index = byte length, 1..=8).
const PACKED_SEEDS: [u64; 9] = [
    0x9e37_79b9_7f4a_7c15,
    0xbf58_476d_1ce4_e5b9,
    0x94d0_49bb_1331_11eb,
    0xd6e8_feb8_6659_fd93,
    0xa076_1d64_78bd_642f,
    0xe703_7ed1_a0b4_28db,
    0x8ebc_6af0_9c88_c6e3,
    0x5899_65cc_7537_4cc3,
    0x1d8e_4e27_c47d_124f,
];

/// Chains the key of the word n-gram so far with the unigram hash of its next word (see
/// the module documentation). Not symmetric, so `a b` and `b a` get different keys.
#[inline]
const fn chain_key(key: u64, next: u64) -> u64 {
    (key ^ next.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The hash of the unigram feature of `stem` (`w:` and the stem).
fn unigram_hash(stem: &[u8]) -> u64 {
    WORD_SEED.bytes(stem).finish()
}

/// The chained key of the word n-gram named `name` (`w:` and stems joined by spaces), if
/// it has two or more words.
fn ngram_key(name: &str) -> Option<u64> {
    let stems = name.strip_prefix(WORD_PREFIX)?;
    if !stems.contains(' ') {
        return None;
    }
    stems
        .split(' ')
        .map(|stem| unigram_hash(stem.as_bytes()))
        .reduce(chain_key)
}

/// Hash of a character n-gram of `len <= 8` bytes packed little-endian into `packed`.
#[inline]
const fn packed_gram_hash(packed: u64, len: usize) -> u64 {
    NameHash(packed ^ PACKED_SEEDS[len]).finish()
}

/// Hash of the character n-gram `gram` (the feature name without its `c:` prefix): n-grams
/// of up to 8 bytes are packed into one `u64` and mixed; longer ones use FNV-1a.
#[inline]
fn char_gram_hash(gram: &[u8]) -> u64 {
    if gram.len() > 8 {
        return CHAR_SEED.bytes(gram).finish();
    }
    let mut buf = [0u8; 8];
    buf[..gram.len()].copy_from_slice(gram);
    packed_gram_hash(u64::from_le_bytes(buf), gram.len())
}

/// The 64-bit hash of a feature name, equal to the hash scoring computes for the same
/// n-gram without building its name.
pub fn feature_hash(name: &str) -> u64 {
    match name.strip_prefix(CHAR_PREFIX) {
        Some(gram) => char_gram_hash(gram.as_bytes()),
        None => NameHash::new().bytes(name.as_bytes()).finish(),
    }
}

/// Hasher for keys that are already well-mixed 64-bit hashes: passes them through.
#[derive(Debug, Default, Clone, Copy)]
struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Map from feature hash to feature index.
type FeatureIndex = HashMap<u64, u32, BuildHasherDefault<PrehashedHasher>>;

// ---------------------------------------------------------------------------------------------
// Dense signals
// ---------------------------------------------------------------------------------------------

/// Number of dense signals.
pub const DENSE_COUNT: usize = 7;

/// Dense per-comment signals, each scaled to [0, 1]. Comment length is deliberately not
/// one: in the public corpora conspiratorial posts are longer than the rest, and a length
/// feature became the strongest "conspiracy" signal while saying nothing about content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DenseSignal {
    /// `d:caps_share`: uppercase letters / letters.
    CapsShare,
    /// `d:punct_run`: longest run of `!`/`?`, `(run - 1) / 4` capped at 1.
    PunctRun,
    /// `d:second_person`: second-person address ("you are a", "you're a", "you idiot",
    /// "your kind", "people like you"), `matches / 3` capped at 1.
    SecondPerson,
    /// `d:obfuscated`: tokens the text stage de-obfuscated, `count / 3` capped at 1.
    Obfuscation,
    /// `d:insult_words`: words of the insult lexicon ("idiot", "scum", "clown"; not mere
    /// profanity), `count / 3` capped at 1.
    InsultWords,
    /// `d:conspiracy_frame`: phrases the labeling guidelines name as conspiratorial
    /// framing ("deep state", "false flag", "sheeple", "globalists", "wake up"),
    /// `count / 2` capped at 1.
    ConspiracyFrame,
    /// `d:group_slurs`: slurs and dehumanizing names for a group defined by religion,
    /// ethnicity, nationality, gender, sexuality or disability, which the labeling
    /// guidelines call abusive ("towelhead", "wetback", "porch monkey"), `count / 2`
    /// capped at 1.
    GroupSlurs,
}

impl DenseSignal {
    /// All signals in index order.
    pub const ALL: [DenseSignal; DENSE_COUNT] = [
        DenseSignal::CapsShare,
        DenseSignal::PunctRun,
        DenseSignal::SecondPerson,
        DenseSignal::Obfuscation,
        DenseSignal::InsultWords,
        DenseSignal::ConspiracyFrame,
        DenseSignal::GroupSlurs,
    ];

    /// The feature name (`d:...`).
    pub fn name(self) -> &'static str {
        match self {
            DenseSignal::CapsShare => "d:caps_share",
            DenseSignal::PunctRun => "d:punct_run",
            DenseSignal::SecondPerson => "d:second_person",
            DenseSignal::Obfuscation => "d:obfuscated",
            DenseSignal::InsultWords => "d:insult_words",
            DenseSignal::ConspiracyFrame => "d:conspiracy_frame",
            DenseSignal::GroupSlurs => "d:group_slurs",
        }
    }

    /// The signal with this feature name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Position in [`DenseSignal::ALL`].
    fn slot(self) -> usize {
        self as usize
    }
}

/// Spans of the original text behind dense signals, filled when explaining.
type DenseSpans = Vec<(DenseSignal, usize, usize)>;

/// A word of [`INSULT_WORDS`].
const CLASS_INSULT: u8 = 1;
/// The first word of a [`CONSPIRACY_FRAMES`] phrase.
const CLASS_FRAME_START: u8 = 2;
/// A word that can start a second-person address pattern (see [`second_person_at`]).
const CLASS_ADDRESS_START: u8 = 4;
/// The first word of a [`GROUP_SLURS`] entry.
const CLASS_SLUR_START: u8 = 8;

/// The word classes the dense signals look for, as `CLASS_*` bits. Computed once per
/// distinct word and cached while scoring.
fn word_classes(word: &str) -> u8 {
    let mut classes = 0;
    if is_insult_word(word) {
        classes |= CLASS_INSULT;
    }
    if FRAME_STARTS.contains_key(word) {
        classes |= CLASS_FRAME_START;
    }
    if SLUR_STARTS.contains_key(word) {
        classes |= CLASS_SLUR_START;
    }
    if [YOU, YOU_ARE, YOUR, LIKE_YOU_SUBJECTS]
        .iter()
        .any(|list| list.contains(&word))
    {
        classes |= CLASS_ADDRESS_START;
    }
    classes
}

/// Fills `classes` with the [`word_classes`] of every token.
fn token_classes(tokens: &Tokens, classes: &mut Vec<u8>) {
    classes.clear();
    classes.extend(tokens.iter().map(|t| word_classes(t.text)));
}

/// Computes all dense signals of `text` (already tokenized into `tokens`, whose
/// [`word_classes`] are `classes`).
fn dense_signals(
    text: &str,
    tokens: &Tokens,
    classes: &[u8],
    mut spans: Option<&mut DenseSpans>,
) -> [f32; DENSE_COUNT] {
    let mut v = [0.0f32; DENSE_COUNT];
    v[DenseSignal::CapsShare.slot()] = caps_share(text);
    let (run, run_at) = longest_punct_run(text);
    v[DenseSignal::PunctRun.slot()] = (run.saturating_sub(1) as f32 / 4.0).min(1.0);
    let mut address = 0usize;
    let mut obfuscated = 0usize;
    let mut insults = 0usize;
    let mut frames = 0usize;
    let mut slurs = 0usize;
    // Tokens before this one belong to the last slur counted ("sand nigger" is one slur,
    // not two).
    let mut slur_free_from = 0usize;
    for (i, span) in tokens.spans().iter().enumerate() {
        let class = classes.get(i).copied().unwrap_or(0);
        // Most tokens are neither in a class nor obfuscated: one test skips them.
        if class == 0 && !span.obfuscated {
            continue;
        }
        if class & CLASS_ADDRESS_START != 0
            && let Some(last) = second_person_at(tokens, i)
        {
            address += 1;
            push_span(&mut spans, DenseSignal::SecondPerson, tokens, i, last);
        }
        if span.obfuscated {
            obfuscated += 1;
            push_span(&mut spans, DenseSignal::Obfuscation, tokens, i, i);
        }
        if class & CLASS_INSULT != 0 {
            insults += 1;
            push_span(&mut spans, DenseSignal::InsultWords, tokens, i, i);
        }
        if class & CLASS_FRAME_START != 0
            && let Some(last) = conspiracy_frame_at(tokens, i)
        {
            frames += 1;
            push_span(&mut spans, DenseSignal::ConspiracyFrame, tokens, i, last);
        }
        if class & CLASS_SLUR_START != 0
            && i >= slur_free_from
            && let Some(last) = phrase_at(tokens, i, &SLUR_STARTS)
        {
            slurs += 1;
            slur_free_from = last + 1;
            push_span(&mut spans, DenseSignal::GroupSlurs, tokens, i, last);
        }
    }
    v[DenseSignal::SecondPerson.slot()] = (address as f32 / 3.0).min(1.0);
    v[DenseSignal::Obfuscation.slot()] = (obfuscated as f32 / 3.0).min(1.0);
    v[DenseSignal::InsultWords.slot()] = (insults as f32 / 3.0).min(1.0);
    v[DenseSignal::ConspiracyFrame.slot()] = (frames as f32 / 2.0).min(1.0);
    v[DenseSignal::GroupSlurs.slot()] = (slurs as f32 / 2.0).min(1.0);
    if let Some(spans) = spans {
        if run >= 2 {
            spans.push((DenseSignal::PunctRun, run_at, run_at + run));
        }
        shouted_words(text, tokens, spans);
    }
    v
}

/// Words that demean a person or a group when aimed at them: the guidelines' examples
/// and their kin. (The de-obfuscation lexicon is broader: it also holds profanity, which
/// the guidelines do not count as abuse, and violent verbs, which are often reported
/// rather than meant.)
const INSULT_WORDS: &[&str] = &[
    "idiot",
    "idiots",
    "idiotic",
    "moron",
    "morons",
    "moronic",
    "imbecile",
    "imbeciles",
    "cretin",
    "cretins",
    "clown",
    "clowns",
    "scum",
    "scumbag",
    "scumbags",
    "filth",
    "filthy",
    "bozo",
    "bozos",
    "buffoon",
    "buffoons",
    "fool",
    "fools",
    "halfwit",
    "halfwits",
    "dimwit",
    "dimwits",
    "nitwit",
    "lunatic",
    "lunatics",
    "nutter",
    "nutters",
    "nutjob",
    "retard",
    "retards",
    "retarded",
    "loser",
    "losers",
    "vermin",
    "parasite",
    "parasites",
    "subhuman",
    "dumbass",
    "jackass",
    "asshole",
    "assholes",
    "bastard",
    "bastards",
    "bitch",
    "bitches",
    "cunt",
    "cunts",
    "dickhead",
    "prick",
    "pricks",
    "twat",
    "whore",
    "whores",
    "slut",
    "sluts",
    "cocksucker",
    "cocksuckers",
    "degenerate",
    "degenerates",
    "pig",
    "pigs",
    "trash",
    "brainless",
    "traitor",
    "traitors",
    "coward",
    "cowards",
    "psychopath",
    "psychopaths",
    "sociopath",
];

/// [`INSULT_WORDS`] as a set.
static INSULTS: std::sync::LazyLock<FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| INSULT_WORDS.iter().copied().collect());

/// Whether a normalized word is an insult (see [`INSULT_WORDS`]).
fn is_insult_word(word: &str) -> bool {
    INSULTS.contains(word)
}

/// Conspiratorial framing named by the labeling guidelines, as normalized token
/// sequences: a hidden group running things, staged events, secret plans, and the
/// awakened-few framing.
const CONSPIRACY_FRAMES: &[&[&str]] = &[
    &["deep", "state"],
    &["false", "flag"],
    &["cover", "up"],
    &["coverup"],
    &["wake", "up"],
    &["sheeple"],
    &["globalist"],
    &["globalists"],
    &["cabal"],
    &["kabuki"],
    &["hoax"],
    &["staged"],
    &["psyop"],
    &["puppet"],
    &["puppets"],
    &["puppet", "masters"],
    &["pulling", "the", "strings"],
    &["pull", "the", "strings"],
    &["in", "bed", "together"],
    &["new", "world", "order"],
    &["shadow", "government"],
    &["great", "replacement"],
    &["population", "replacement"],
    &["secret", "deal"],
    &["secret", "plan"],
    &["secret", "plot"],
    &["hidden", "hand"],
    &["controlled", "opposition"],
    &["theater"],
    &["theatre"],
    &["do", "your", "research"],
    &["they", "want", "you", "to"],
    &["orchestrated"],
];

/// Phrases as normalized token sequences, by their first word.
type PhrasesByStart = FxHashMap<&'static str, Vec<&'static [&'static str]>>;

/// `phrases` by their first word, so that most tokens are rejected with one lookup and a
/// phrase's start finds its few candidates without a scan of the list.
fn phrases_by_start(phrases: &[&'static [&'static str]]) -> PhrasesByStart {
    let mut by_start = PhrasesByStart::default();
    for &phrase in phrases {
        if let Some(&first) = phrase.first() {
            by_start.entry(first).or_default().push(phrase);
        }
    }
    by_start
}

/// [`CONSPIRACY_FRAMES`] by their first word.
static FRAME_STARTS: std::sync::LazyLock<PhrasesByStart> =
    std::sync::LazyLock::new(|| phrases_by_start(CONSPIRACY_FRAMES));

/// If a conspiracy-framing phrase starts at token `i`, the index of its last token.
fn conspiracy_frame_at(tokens: &Tokens, i: usize) -> Option<usize> {
    phrase_at(tokens, i, &FRAME_STARTS)
}

/// If one of the phrases of `by_start` starts at token `i`, the index of the last token
/// of the longest one.
fn phrase_at(tokens: &Tokens, i: usize, by_start: &PhrasesByStart) -> Option<usize> {
    let candidates = by_start.get(tokens.get(i)?.text)?;
    candidates
        .iter()
        .filter(|phrase| {
            phrase
                .iter()
                .enumerate()
                .skip(1)
                .all(|(k, word)| tokens.get(i + k).is_some_and(|t| t.text == *word))
        })
        .map(|phrase| i + phrase.len() - 1)
        .max()
}

/// Slurs and dehumanizing names for groups defined by religion, ethnicity, nationality,
/// gender, sexuality or disability, as normalized token sequences (with their plurals
/// where those are common; tokens are not stemmed here). Words with a common innocent
/// use are left out ("coon", "cracker", "spook", "chink" in "a chink in the armour",
/// "redskins" the team, "honky" tonk, doo "wop", "tranny" the gearbox, "spastic" the
/// diagnosis, "mongrel" the dog, "sambo" the sport): the signal should mean what the
/// guidelines mean, and the n-gram features still see those words. Neither is "nigga",
/// whose everyday in-group use is not contempt, nor "subhuman", an insult word already.
const GROUP_SLURS: &[&[&str]] = &[
    &["nigger"],
    &["niggers"],
    &["sand", "nigger"],
    &["sand", "niggers"],
    &["sandnigger"],
    &["sandniggers"],
    &["darkie"],
    &["darkies"],
    &["jigaboo"],
    &["jigaboos"],
    &["pickaninny"],
    &["porch", "monkey"],
    &["porch", "monkeys"],
    &["jungle", "bunny"],
    &["jungle", "bunnies"],
    &["spic"],
    &["spics"],
    &["beaner"],
    &["beaners"],
    &["wetback"],
    &["wetbacks"],
    &["gook"],
    &["gooks"],
    &["zipperhead"],
    &["zipperheads"],
    &["kike"],
    &["kikes"],
    &["hymie"],
    &["yid"],
    &["yids"],
    &["raghead"],
    &["ragheads"],
    &["rag", "head"],
    &["rag", "heads"],
    &["towelhead"],
    &["towelheads"],
    &["towel", "head"],
    &["towel", "heads"],
    &["camel", "jockey"],
    &["camel", "jockeys"],
    &["muzzie"],
    &["muzzies"],
    &["paki"],
    &["pakis"],
    &["wog"],
    &["wogs"],
    &["dago"],
    &["dagos"],
    &["squaw"],
    &["squaws"],
    &["halfbreed"],
    &["halfbreeds"],
    &["honkies"],
    &["wigger"],
    &["wiggers"],
    &["golliwog"],
    &["gyppo"],
    &["pikey"],
    &["pikeys"],
    &["faggot"],
    &["faggots"],
    &["fag"],
    &["fags"],
    &["dyke"],
    &["dykes"],
    &["lesbo"],
    &["poofter"],
    &["poofters"],
    &["shemale"],
    &["shemales"],
    &["femoid"],
    &["femoids"],
    &["foid"],
    &["foids"],
    &["spaz"],
    &["mongoloid"],
    &["mongoloids"],
    &["subhumans"],
    &["untermensch"],
];

/// [`GROUP_SLURS`] by their first word.
static SLUR_STARTS: std::sync::LazyLock<PhrasesByStart> =
    std::sync::LazyLock::new(|| phrases_by_start(GROUP_SLURS));

/// Records the original span of tokens `first..=last` for a signal.
fn push_span(
    spans: &mut Option<&mut DenseSpans>,
    signal: DenseSignal,
    tokens: &Tokens,
    first: usize,
    last: usize,
) {
    if let (Some(spans), Some(a), Some(b)) = (
        spans.as_deref_mut(),
        tokens.spans().get(first),
        tokens.spans().get(last),
    ) {
        spans.push((signal, a.start, b.end));
    }
}

/// Share of uppercase letters among cased letters.
fn caps_share(text: &str) -> f32 {
    let (mut upper, mut lower) = (0usize, 0usize);
    // Most comments are all ASCII, which `is_ascii` checks a word at a time; the loop
    // below would look for the next non-ASCII byte one byte at a time.
    let mut rest = if text.is_ascii() {
        (upper, lower) = ascii_case_counts(text.as_bytes());
        ""
    } else {
        text
    };
    while !rest.is_empty() {
        // Runs of ASCII are counted a block at a time; other chars one by one.
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let (u, l) = ascii_case_counts(&rest.as_bytes()[..ascii]);
        upper += u;
        lower += l;
        rest = rest.get(ascii..).unwrap_or("");
        if let Some(c) = rest.chars().next() {
            upper += usize::from(c.is_uppercase());
            lower += usize::from(c.is_lowercase());
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        }
    }
    if upper + lower == 0 {
        0.0
    } else {
        upper as f32 / (upper + lower) as f32
    }
}

/// Uppercase and lowercase letters in ASCII bytes. Counts blocks of up to 255 bytes in
/// byte-wide counters, which the compiler turns into wide vector operations.
fn ascii_case_counts(bytes: &[u8]) -> (usize, usize) {
    let (mut upper, mut lower) = (0usize, 0usize);
    for block in bytes.chunks(255) {
        let (mut u, mut l) = (0u8, 0u8);
        for &b in block {
            u += u8::from(b.is_ascii_uppercase());
            l += u8::from(b.is_ascii_lowercase());
        }
        upper += usize::from(u);
        lower += usize::from(l);
    }
    (upper, lower)
}

/// Length and byte offset of the (first) longest run of `!`/`?`.
fn longest_punct_run(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let (mut best, mut best_at) = (0, 0);
    let mut i = 0;
    while let Some(found) = memchr::memchr2(b'!', b'?', bytes.get(i..).unwrap_or(&[])) {
        let start = i + found;
        let run = bytes[start..]
            .iter()
            .take_while(|&&b| matches!(b, b'!' | b'?'))
            .count();
        if run > best {
            best = run;
            best_at = start;
        }
        i = start + run;
    }
    (best, best_at)
}

/// Spans of words written in capitals (two or more letters), for explaining `caps_share`.
fn shouted_words(text: &str, tokens: &Tokens, spans: &mut DenseSpans) {
    for t in tokens.spans().iter().filter(|t| t.kind == TokenKind::Word) {
        let original = text.get(t.start..t.end).unwrap_or("");
        let letters = original.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 2 && !original.chars().any(char::is_lowercase) {
            spans.push((DenseSignal::CapsShare, t.start, t.end));
        }
    }
}

const YOU: &[&str] = &["you", "u", "ya", "yu"];
const ARE: &[&str] = &["are", "r", "re", "were"];
const YOU_ARE: &[&str] = &["you're", "youre", "ur", "yer", "you've", "youve"];
const YOUR: &[&str] = &["your", "ur", "yer", "yur"];
const DETERMINERS: &[&str] = &[
    "a",
    "an",
    "such",
    "so",
    "the",
    "just",
    "nothing",
    "one",
    "all",
    "being",
    "clearly",
    "obviously",
    "truly",
    "really",
    "totally",
    "completely",
    "no",
    "nothing",
    "been",
    "pathetic",
];
const YOU_NOUNS: &[&str] = &[
    "people",
    "lot",
    "guys",
    "sheep",
    "fools",
    "liberals",
    "conservatives",
    "leftists",
    "libs",
    "trumpers",
    "commies",
    "snowflakes",
    "lefties",
    "righties",
    "zionists",
    "globalists",
];
const YOUR_NOUNS: &[&str] = &[
    "kind",
    "type",
    "ilk",
    "lot",
    "people",
    "ignorance",
    "stupidity",
    "brain",
    "mother",
    "mom",
    "mama",
    "tribe",
    "breed",
];
const LIKE_YOU_SUBJECTS: &[&str] = &[
    "people", "someone", "idiots", "morons", "those", "clowns", "trolls", "folks",
];

/// If a second-person address pattern starts at token `i`, the index of its last token.
fn second_person_at(tokens: &Tokens, i: usize) -> Option<usize> {
    let t = |k: usize| tokens.get(k).map_or("", |t| t.text);
    let a = t(i);
    if !matches!(
        a.as_bytes().first(),
        Some(b'y' | b'u' | b'p' | b's' | b'i' | b'm' | b't' | b'c' | b'f')
    ) {
        return None;
    }
    let b = t(i + 1);
    let hit = if YOU.contains(&a) {
        if ARE.contains(&b) && DETERMINERS.contains(&t(i + 2)) {
            return Some(i + 2);
        }
        is_abusive_word(b) || YOU_NOUNS.contains(&b)
    } else {
        (YOU_ARE.contains(&a) && DETERMINERS.contains(&b))
            || (YOUR.contains(&a) && YOUR_NOUNS.contains(&b))
            || (LIKE_YOU_SUBJECTS.contains(&a) && b == "like" && t(i + 2) == "you")
    };
    match hit {
        true if b == "like" => Some(i + 2),
        true => Some(i + 1),
        false => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Sparse vectors and explanations
// ---------------------------------------------------------------------------------------------

/// A sparse feature vector: strictly increasing indices with their values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseVec {
    /// Feature indices, strictly increasing.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f32>,
}

impl SparseVec {
    /// An empty vector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes all entries, keeping the allocations.
    pub fn clear(&mut self) {
        self.indices.clear();
        self.values.clear();
    }

    /// Number of non-zero entries.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Iterates over `(index, value)` pairs in index order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (u32, f32)> + '_ {
        self.indices
            .iter()
            .copied()
            .zip(self.values.iter().copied())
    }

    /// The value at `index` (0 when absent).
    pub fn get(&self, index: u32) -> f32 {
        self.indices
            .binary_search(&index)
            .ok()
            .and_then(|k| self.values.get(k).copied())
            .unwrap_or(0.0)
    }

    /// Dot product with a dense weight vector; indices beyond `weights` count as 0.
    pub fn dot(&self, weights: &[f32]) -> f32 {
        self.iter()
            .map(|(i, v)| weights.get(i as usize).map_or(0.0, |w| w * v))
            .sum()
    }

    /// Euclidean norm.
    pub fn norm(&self) -> f32 {
        self.values.iter().map(|v| v * v).sum::<f32>().sqrt()
    }

    fn push(&mut self, index: u32, value: f32) {
        self.indices.push(index);
        self.values.push(value);
    }

    /// Restores index order if pushes were out of order (only with hand-edited vocabularies).
    fn sort_if_needed(&mut self) {
        if self.indices.windows(2).all(|w| w[0] < w[1]) {
            return;
        }
        let mut pairs: Vec<(u32, f32)> = self.iter().collect();
        pairs.sort_by_key(|p| p.0);
        pairs.dedup_by_key(|p| p.0);
        self.clear();
        for (i, v) in pairs {
            self.push(i, v);
        }
    }
}

/// A feature vector plus, for each of its entries, where in the original text it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Explanation {
    /// The same vector [`Extractor::extract`] returns.
    pub features: SparseVec,
    /// `spans[k]` lists the distinct byte ranges `(start, end)` of the original text behind
    /// entry `k` of `features`, sorted. Word n-grams span their words (a bigram covers both
    /// words and what lies between), character n-grams span the word they are in, dense
    /// signals span what triggered them (words in capitals, the longest `!?` run,
    /// second-person phrases, obfuscated words; nothing for length).
    pub spans: Vec<Vec<(usize, usize)>>,
}

/// Groups `(feature, start, end)` occurrences by the entries of `features`.
fn group_spans(
    features: &SparseVec,
    mut occurrences: Vec<(u32, usize, usize)>,
) -> Vec<Vec<(usize, usize)>> {
    occurrences.sort_unstable();
    occurrences.dedup();
    let mut spans = Vec::with_capacity(features.len());
    let mut rest = occurrences.as_slice();
    for &index in &features.indices {
        let skip = rest.iter().take_while(|o| o.0 < index).count();
        rest = &rest[skip..];
        let take = rest.iter().take_while(|o| o.0 == index).count();
        spans.push(rest[..take].iter().map(|o| (o.1, o.2)).collect());
        rest = &rest[take..];
    }
    spans
}

// ---------------------------------------------------------------------------------------------
// N-gram generation
// ---------------------------------------------------------------------------------------------

/// Receives the n-grams of a document.
trait Sink {
    /// A word n-gram over tokens `first..=last`.
    fn word(&mut self, hash: u64, first: usize, last: usize);
    /// A character n-gram `gram` (UTF-8 bytes) of padded token `token`.
    fn char_gram(&mut self, hash: u64, token: usize, gram: &[u8]);
}

/// A tokenized, stemmed document.
#[derive(Clone, Copy)]
struct Doc<'a> {
    tokens: &'a Tokens,
    stems: &'a str,
    ranges: &'a [(usize, usize)],
}

impl Doc<'_> {
    fn stem(&self, i: usize) -> &str {
        self.ranges
            .get(i)
            .and_then(|&(a, b)| self.stems.get(a..b))
            .unwrap_or("")
    }

    fn span(&self, first: usize, last: usize) -> (usize, usize) {
        let spans = self.tokens.spans();
        let start = spans.get(first).map_or(0, |s| s.start);
        (start, spans.get(last).map_or(start, |s| s.end))
    }

    /// The name of word n-gram `first..=last`.
    fn word_name(&self, first: usize, last: usize) -> String {
        let mut name = String::from(WORD_PREFIX);
        for k in first..=last {
            if k > first {
                name.push(' ');
            }
            name.push_str(self.stem(k));
        }
        name
    }
}

/// Scratch buffers for character n-grams.
#[derive(Debug, Default, Clone)]
struct CharScratch {
    padded: String,
    bounds: Vec<usize>,
}

/// Generates all sparse n-grams of `doc` into `sink`.
fn generate<S: Sink>(doc: Doc<'_>, cfg: &FeatureConfig, scratch: &mut CharScratch, sink: &mut S) {
    word_ngrams(doc, cfg.word_ngram_range, sink);
    char_ngrams(doc, cfg.char_ngram_range, scratch, sink);
}

/// Word n-grams over stems; each n-gram extends the hash state of the shorter one.
fn word_ngrams<S: Sink>(doc: Doc<'_>, (lo, hi): (usize, usize), sink: &mut S) {
    let n = doc.ranges.len();
    for i in 0..n {
        let mut h = WORD_SEED;
        for k in 0..hi.min(n - i) {
            if k > 0 {
                h = h.byte(b' ');
            }
            h = h.bytes(doc.stem(i + k).as_bytes());
            if k + 1 >= lo {
                sink.word(h.finish(), i, i + k);
            }
        }
    }
}

/// The feature name of a character n-gram.
fn char_name(gram: &[u8]) -> String {
    format!("{CHAR_PREFIX}{}", String::from_utf8_lossy(gram))
}

/// `char_wb` n-grams: for each word token, n-grams of `" " + word + " "` with exactly `n`
/// characters for each `n` in range (unlike scikit-learn, a padded word shorter than `n`
/// yields no `n`-gram rather than itself).
fn char_ngrams<S: Sink>(
    doc: Doc<'_>,
    (lo, hi): (usize, usize),
    scratch: &mut CharScratch,
    sink: &mut S,
) {
    if hi == 0 {
        return;
    }
    for (t, span) in doc.tokens.spans().iter().enumerate() {
        if span.kind == TokenKind::Word {
            word_char_ngrams(doc.tokens.text(span), t, (lo, hi), scratch, sink);
        }
    }
}

/// The `char_wb` n-grams of one word (token index `token`).
fn word_char_ngrams<S: Sink>(
    word: &str,
    token: usize,
    (lo, hi): (usize, usize),
    scratch: &mut CharScratch,
    sink: &mut S,
) {
    if hi == 0 {
        return;
    }
    let CharScratch { padded, bounds } = scratch;
    padded.clear();
    padded.push(' ');
    padded.push_str(word);
    padded.push(' ');
    if padded.is_ascii() {
        ascii_char_ngrams(padded.as_bytes(), token, (lo, hi), sink);
    } else {
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        unicode_char_ngrams(padded.as_bytes(), bounds, token, (lo, hi), sink);
    }
}

/// Character n-grams of an ASCII padded word from a sliding 8-byte window (`hi <= 8`).
#[inline]
fn ascii_char_ngrams<S: Sink>(p: &[u8], token: usize, (lo, hi): (usize, usize), sink: &mut S) {
    let mut window = 0u64;
    for (i, &b) in p.iter().take(8).enumerate() {
        window |= u64::from(b) << (8 * i);
    }
    for s in 0..p.len() {
        let longest = hi.min(p.len() - s).min(8);
        for n in lo..=longest {
            sink.char_gram(
                packed_gram_hash(window & LOW_BYTES_MASK[n], n),
                token,
                &p[s..s + n],
            );
        }
        window >>= 8;
        if let Some(&b) = p.get(s + 8) {
            window |= u64::from(b) << 56;
        }
    }
}

/// Character n-grams of a padded word with multibyte characters at boundaries `bounds`.
fn unicode_char_ngrams<S: Sink>(
    p: &[u8],
    bounds: &[usize],
    token: usize,
    (lo, hi): (usize, usize),
    sink: &mut S,
) {
    let chars = bounds.len().saturating_sub(1);
    for s in 0..chars {
        for n in lo..=hi.min(chars - s) {
            let gram = &p[bounds[s]..bounds[s + n]];
            sink.char_gram(char_gram_hash(gram), token, gram);
        }
    }
}

/// Per-document term counts over vocabulary slots (see [`Vocabulary::slot_order`]): a
/// dense counter array and the list of slots touched, in the order first seen. Walking
/// the list costs only the document's size. Draining clears everything for the next
/// document.
#[derive(Debug, Default, Clone)]
struct Hits {
    counts: Vec<u32>,
    /// `touched[..n]` are the slots seen, in order; one spare entry past the vocabulary
    /// size lets [`Hits::add_all`] store without a branch.
    touched: Vec<u32>,
    n: usize,
    /// `touched[..split]` were first seen before [`Hits::mark_split`] was last called:
    /// while scoring, the character n-grams (block 0), counted before the word n-grams.
    split: usize,
}

impl Hits {
    /// Prepares for a document over a vocabulary of `len` features. All counters are zero
    /// here: draining clears what a document set.
    fn reset(&mut self, len: usize) {
        if self.counts.len() < len {
            self.counts.resize(len, 0);
            self.touched.resize(len + 1, 0);
        }
    }

    #[inline]
    fn add(&mut self, slot: u32) {
        self.add_all(&[slot]);
    }

    /// Counts every slot of `slots`. The hot loop of feature counting: the store into
    /// `touched` happens every time and only a first sighting advances past it, which
    /// avoids a hard-to-predict branch.
    #[inline]
    fn add_all(&mut self, slots: &[u32]) {
        let mut n = self.n;
        let (counts, touched) = (&mut self.counts[..], &mut self.touched[..]);
        for &slot in slots {
            if let Some(c) = counts.get_mut(slot as usize) {
                let seen = *c;
                *c = seen + 1;
                if let Some(t) = touched.get_mut(n) {
                    *t = slot;
                }
                n += usize::from(seen == 0);
            }
        }
        self.n = n;
    }

    /// Marks the slots seen so far as the first part (see [`Hits::drain_parts`]).
    #[inline]
    fn mark_split(&mut self) {
        self.split = self.n;
    }

    /// Calls `f(slot, count)` for each touched slot in the order first seen, clearing as
    /// it goes.
    #[inline]
    fn drain(&mut self, mut f: impl FnMut(u32, u32)) {
        self.drain_parts(|_, slot, count| f(slot, count));
    }

    /// Like [`drain`](Self::drain), but `f(part, slot, count)` also learns whether the slot
    /// was first seen before the last [`mark_split`](Self::mark_split) (part 0) or after
    /// (part 1). Each part is its own loop, so a caller that treats the parts differently
    /// needs no per-slot branch for it.
    #[inline]
    fn drain_parts(&mut self, mut f: impl FnMut(usize, u32, u32)) {
        let (counts, parts) = self.take_parts();
        for (part, slots) in parts {
            for &slot in slots {
                if let Some(c) = counts.get_mut(slot as usize) {
                    f(part, slot, std::mem::take(c));
                }
            }
        }
    }

    /// Like [`drain_parts`](Self::drain_parts) for a caller with per-slot data `rows`
    /// (one per slot): `f(part, &rows[slot], count)`. Looking the row up here lets one
    /// bounds check cover both the counter and the row, which matters in the loop that
    /// scoring spends most of its sums in.
    #[inline]
    fn drain_rows<R>(&mut self, rows: &[R], mut f: impl FnMut(usize, &R, u32)) {
        let (counts, parts) = self.take_parts();
        let len = counts.len().min(rows.len());
        for (part, slots) in parts {
            for &slot in slots {
                let slot = slot as usize;
                if slot < len {
                    f(part, &rows[slot], std::mem::take(&mut counts[slot]));
                } else if let Some(c) = counts.get_mut(slot) {
                    // No row (never for a model's own vocabulary): clear all the same.
                    *c = 0;
                }
            }
        }
    }

    /// For draining: the counters, and the touched slots as (part, slots) for the parts
    /// before and after the last [`mark_split`](Self::mark_split). Forgets the touched
    /// list; the caller clears each counter it reads.
    #[inline]
    fn take_parts(&mut self) -> (&mut [u32], [(usize, &[u32]); 2]) {
        let n = std::mem::take(&mut self.n);
        let split = std::mem::take(&mut self.split);
        let touched = self.touched.get(..n).unwrap_or(&[]);
        let (first, second) = touched.split_at(split.min(touched.len()));
        (&mut self.counts[..], [(0, first), (1, second)])
    }
}

/// Collects matching indices and where they came from.
struct ExplainSink<'a> {
    vocab: &'a Vocabulary,
    doc: Doc<'a>,
    hits: &'a mut Hits,
    /// Whether character n-grams are counted into `hits` (not when weighed by word,
    /// where they come from [`Extractor::char_block_by_word`]).
    count_chars: bool,
    occurrences: Vec<(u32, usize, usize)>,
}

impl ExplainSink<'_> {
    fn hit(&mut self, hash: u64, first: usize, last: usize, count: bool) {
        if let Some(slot) = self.vocab.lookup_slot(hash) {
            if count {
                self.hits.add(slot);
            }
            let feature = self.vocab.feature_of_slot(slot);
            let (start, end) = self.doc.span(first, last);
            self.occurrences.push((feature, start, end));
        }
    }
}

impl Sink for ExplainSink<'_> {
    fn word(&mut self, hash: u64, first: usize, last: usize) {
        self.hit(hash, first, last, true);
    }

    fn char_gram(&mut self, hash: u64, token: usize, _: &[u8]) {
        self.hit(hash, token, token, self.count_chars);
    }
}

/// Collects every n-gram hash.
struct HashSink<'a>(&'a mut Vec<u64>);

impl Sink for HashSink<'_> {
    fn word(&mut self, hash: u64, _: usize, _: usize) {
        self.0.push(hash);
    }

    fn char_gram(&mut self, hash: u64, _: usize, _: &[u8]) {
        self.0.push(hash);
    }
}

/// Counts every n-gram by name (slow; for inspection and tests).
struct NameCountSink<'a> {
    doc: Doc<'a>,
    counts: FxHashMap<String, u32>,
}

impl Sink for NameCountSink<'_> {
    fn word(&mut self, _: u64, first: usize, last: usize) {
        *self
            .counts
            .entry(self.doc.word_name(first, last))
            .or_default() += 1;
    }

    fn char_gram(&mut self, _: u64, _: usize, gram: &[u8]) {
        *self.counts.entry(char_name(gram)).or_default() += 1;
    }
}

/// Records names for wanted hashes not yet named.
struct NamingSink<'a> {
    doc: Doc<'a>,
    wanted: &'a FxHashSet<u64>,
    names: &'a mut FxHashMap<u64, String>,
}

impl Sink for NamingSink<'_> {
    fn word(&mut self, hash: u64, first: usize, last: usize) {
        if self.wanted.contains(&hash) && !self.names.contains_key(&hash) {
            self.names.insert(hash, self.doc.word_name(first, last));
        }
    }

    fn char_gram(&mut self, hash: u64, _: usize, gram: &[u8]) {
        if self.wanted.contains(&hash) && !self.names.contains_key(&hash) {
            self.names.insert(hash, char_name(gram));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Extractor
// ---------------------------------------------------------------------------------------------

/// Collects the vocabulary slots of one word's character n-grams.
struct CollectSink<'a> {
    vocab: &'a Vocabulary,
    out: &'a mut Vec<u32>,
}

impl Sink for CollectSink<'_> {
    fn word(&mut self, _: u64, _: usize, _: usize) {}

    #[inline]
    fn char_gram(&mut self, hash: u64, _: usize, _: &[u8]) {
        if let Some(slot) = self.vocab.lookup_slot(hash) {
            self.out.push(slot);
        }
    }
}

/// Long words (see [`MAX_CACHED_WORD`]) one document's table may hold and still be cleared
/// for the next document rather than replaced.
const DOCUMENT_TABLE_KEEP: usize = 1024;

/// Distinct words a [`WordCache`] holds before it starts over.
const WORD_CACHE_LIMIT: usize = 200_000;

/// Character n-gram slots a [`WordCache`] holds before it starts over: bounds its memory
/// (about 4 bytes each) on text made of many long distinct words.
const WORD_CACHE_GRAMS_LIMIT: usize = 4_000_000;

/// Words a full [`WordCache`] keeps when it starts over: the first ones it met, which in
/// Zipfian text are the most frequent, so the cache does not have to warm up again.
const WORD_CACHE_KEEP: usize = 50_000;

/// Words longer than this many bytes are not cached (they are almost always junk, such
/// as glued-together text, and would only fill the cache).
const MAX_CACHED_WORD: usize = 64;

/// Ids at and above this refer to a [`WordCache`]'s per-document entries of uncached
/// words.
const DOCUMENT_ENTRY: u32 = 1 << 31;

/// `WordEntry::unigram` when the word's unigram is not in the vocabulary.
const NO_FEATURE: u32 = u32::MAX;

/// What one distinct token text contributes, for one vocabulary: the slots of its
/// character n-grams (a range into the cache's arena), its stem's unigram hash and slot,
/// and its [`word_classes`].
#[derive(Debug, Clone, Copy)]
struct WordEntry {
    grams: (u32, u32),
    /// The unigram's hash, which [`chain_key`] extends to the word n-grams starting here.
    key: u64,
    unigram: u32,
    /// The word's id in its [`WordStore`]: the same for every token of the same text in a
    /// document.
    id: u32,
    /// With [`FeatureConfig::char_by_word`]: the squared norm of the word's character
    /// n-gram TF-IDF vector, then its dot product with each label's weights when the cache
    /// was filled for scoring (see [`Extractor::for_each_quad_tf`]); zeros otherwise.
    chars: [f32; 4],
    classes: u8,
    /// The word's stem's place in the vocabulary's word n-grams, as `LINK_*` bits (see
    /// [`Vocabulary::ngram_links`]): n-grams that cannot be in the vocabulary are not
    /// looked up.
    links: u8,
    /// Whether `grams` is a range of the per-document arena (an uncached word) rather
    /// than the cache's.
    document: bool,
}

/// log2 of the number of sets of two [`HotWord`]s: 4096 sets of 64 bytes (one cache
/// line each), small enough to stay in the CPU's L2 cache beside the rest of the scoring
/// data. A miss puts the word first in its set and moves the first one second; a hit on
/// the second moves it first. That keeps about 90% of the short tokens of English
/// comments (the frequent words keep coming back), against 80% for 4096 records mapped
/// directly.
const HOT_BITS: u32 = 12;

/// log2 of the number of [`HotSet`]s for words of 9 to 16 bytes (rarer than short ones).
const HOT_LONG_BITS: u32 = 10;

/// A word's bytes packed little-endian into whole `u64`s (the rest zero): the key of a
/// [`HotWord`], unique for words of the same length.
trait Packed: Copy + Default + PartialEq {
    /// The position of the key's [`HotSet`] among `1 << bits`.
    fn set_index(self, bits: u32) -> usize;
}

impl Packed for u64 {
    #[inline]
    fn set_index(self, bits: u32) -> usize {
        (self.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }
}

impl Packed for [u64; 2] {
    #[inline]
    fn set_index(self, bits: u32) -> usize {
        (self[0] ^ self[1].rotate_left(29)).set_index(bits)
    }
}

/// A cached word, keyed by its bytes packed into one or two `u64`s, with what counting
/// needs of it, so that a hit reads one small record: no probing of the [`WordTable`], no
/// key comparison against its key buffer, no second read of the entry.
#[derive(Debug, Clone, Copy, Default)]
struct HotWord<P> {
    /// The key's bytes (see [`Packed`]).
    packed: P,
    key: u64,
    chars: [f32; 4],
    grams: (u32, u32),
    unigram: u32,
    id: u32,
    /// The key's length; 0 marks an empty record (keys are never empty here).
    len: u8,
    classes: u8,
    links: u8,
}

impl<P: Packed> HotWord<P> {
    /// The record of key `packed` of `len` bytes whose entry (a cached one) is `e`.
    fn new(packed: P, len: usize, e: &WordEntry) -> Self {
        HotWord {
            packed,
            key: e.key,
            chars: e.chars,
            grams: e.grams,
            unigram: e.unigram,
            id: e.id,
            len: len as u8,
            classes: e.classes,
            links: e.links,
        }
    }

    fn entry(&self) -> WordEntry {
        WordEntry {
            grams: self.grams,
            key: self.key,
            unigram: self.unigram,
            id: self.id,
            chars: self.chars,
            classes: self.classes,
            links: self.links,
            document: false,
        }
    }
}

/// Two [`HotWord`]s, the more recently used first (for short words, in one cache line).
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct HotSet<P>([HotWord<P>; 2]);

/// Recently met words of one key size, in `1 << bits` sets (empty until first used).
#[derive(Debug, Default)]
struct HotWords<P> {
    sets: Vec<HotSet<P>>,
}

impl<P: Packed> HotWords<P> {
    /// Allocates the sets on first use.
    fn prepare(&mut self, bits: u32) {
        if self.sets.is_empty() {
            self.sets = vec![HotSet::default(); 1 << bits];
        }
    }

    /// Empties every record.
    fn forget(&mut self) {
        self.sets.iter_mut().for_each(|s| *s = HotSet::default());
    }

    /// The entry of the word with key `packed` of `len` bytes, if a record holds it; a hit
    /// on a set's second record moves it first.
    #[inline]
    fn find(&mut self, packed: P, len: usize, bits: u32) -> Option<WordEntry> {
        let HotSet([first, second]) = self.sets.get_mut(packed.set_index(bits))?;
        let is = |h: &HotWord<P>| h.packed == packed && usize::from(h.len) == len;
        if is(first) {
            return Some(first.entry());
        }
        if is(second) {
            std::mem::swap(first, second);
            return Some(first.entry());
        }
        None
    }

    /// The entry of the word with key `packed` of `len` bytes: from a record, or else
    /// from `miss`, and then recorded unless it is a per-document entry.
    #[inline]
    fn find_or_put(
        &mut self,
        packed: P,
        len: usize,
        bits: u32,
        miss: impl FnOnce() -> WordEntry,
    ) -> WordEntry {
        if let Some(e) = self.find(packed, len, bits) {
            return e;
        }
        let e = miss();
        if !e.document {
            self.put(packed, len, &e, bits);
        }
        e
    }

    /// Records the word with key `packed` of `len` bytes and cached entry `e` first in
    /// its set, moving the first record second.
    fn put(&mut self, packed: P, len: usize, e: &WordEntry, bits: u32) {
        if let Some(HotSet([first, second])) = self.sets.get_mut(packed.set_index(bits)) {
            *second = *first;
            *first = HotWord::new(packed, len, e);
        }
    }
}

/// The packed key of a placeholder token: `0xFF` (not UTF-8, so no word has it) and the
/// token kind, like its [`WordTable`] key.
#[inline]
fn placeholder_key(kind: TokenKind) -> [u8; 2] {
    [0xFF, kind as u8]
}

/// Per-vocabulary cache of [`WordEntry`]s by token text. Word frequencies are Zipfian, so
/// almost every token of a comment costs one lookup instead of a stem lookup, a unigram
/// lookup and one lookup per character n-gram.
#[derive(Debug, Default)]
struct WordCache {
    vocab_id: u64,
    /// Which weights the entries' [`WordEntry::chars`] were computed with (the id of the
    /// [`QuadTable`], 0 for none).
    weights_id: u64,
    /// Every word met, by text.
    store: WordStore,
    /// The recently met words of 1 to 8 bytes (see [`HotWord`]), in front of `store`.
    hot: HotWords<u64>,
    /// The same for words of 9 to 16 bytes.
    hot_long: HotWords<[u64; 2]>,
}

/// The entries of a [`WordCache`], by token text, and their character n-gram slots.
#[derive(Debug, Default)]
struct WordStore {
    /// Token text (or, for placeholders, `0xFF` and the token kind) -> id;
    /// `entries[id]` is its entry.
    table: WordTable,
    entries: Vec<WordEntry>,
    /// Entries of the current document's words too long to cache; their id is
    /// `DOCUMENT_ENTRY + k` for `document[k]`.
    document: Vec<WordEntry>,
    /// Gram slots of the document entries (cleared per document).
    document_grams: Vec<u32>,
    /// The texts of the document entries -> their `k`, so that every token of one text
    /// gets one id (cleared per document).
    document_table: WordTable,
    grams: Vec<u32>,
}

impl WordCache {
    /// Starts a document: forgets the last one's uncached words, and empties the cache if
    /// it was filled for another vocabulary or is full.
    fn prepare(&mut self, vocab_id: u64, weights_id: u64) {
        self.store.document.clear();
        self.store.document_grams.clear();
        // Clearing zeroes every slot, so a table grown by one document of many long words
        // is replaced rather than cleared for every document after it.
        match self.store.document_table.len() {
            0 => {}
            n if n <= DOCUMENT_TABLE_KEEP => self.store.document_table.clear(),
            _ => self.store.document_table = WordTable::default(),
        }
        self.hot.prepare(HOT_BITS);
        self.hot_long.prepare(HOT_LONG_BITS);
        // Entries computed without weights lack the labels' sums, and entries computed
        // with other weights have the wrong ones. (Scoring and explaining pass the same
        // table, so taking turns keeps the cache.)
        if (self.vocab_id, self.weights_id) != (vocab_id, weights_id) {
            self.store.clear();
            self.forget_hot();
            self.vocab_id = vocab_id;
            self.weights_id = weights_id;
        } else if self.store.entries.len() >= WORD_CACHE_LIMIT
            || self.store.grams.len() >= WORD_CACHE_GRAMS_LIMIT
        {
            self.shrink(WORD_CACHE_KEEP);
        }
    }

    /// Empties the hot records (their gram ranges point into an arena about to change).
    fn forget_hot(&mut self) {
        self.hot.forget();
        self.hot_long.forget();
    }

    /// Keeps the first `keep` entries, or none if they hold too many grams.
    fn shrink(&mut self, keep: usize) {
        self.forget_hot();
        self.store.shrink(keep);
    }

    /// The character n-gram slots of entry `e` (from this cache).
    #[inline]
    fn grams(&self, e: &WordEntry) -> &[u32] {
        self.store.grams(e)
    }

    /// The entry of the text of token `span` (of `tokens`), computing it on a miss.
    /// `packed` is the word's bytes packed by [`Tokens::packed`] when it has 1 to 8 of
    /// them, `long` by [`Tokens::packed_long`] when it has 9 to 16.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn lookup(
        &mut self,
        tokens: &Tokens,
        span: &TokenSpan,
        packed: Option<u64>,
        long: Option<[u64; 2]>,
        ctx: &EntryContext<'_>,
        stems: &mut StemCache,
        scratch: &mut CharScratch,
    ) -> WordEntry {
        let kind = span.kind;
        let (packed, len) = match kind {
            TokenKind::Word => (packed, span.text_len()),
            _ => (
                Some(u64::from(u16::from_le_bytes(placeholder_key(kind)))),
                2,
            ),
        };
        let store = &mut self.store;
        let mut miss = || store.lookup(tokens.text(span), kind, ctx, stems, scratch);
        if let Some(packed) = packed {
            return self.hot.find_or_put(packed, len, HOT_BITS, miss);
        }
        if let (TokenKind::Word, Some(long)) = (kind, long) {
            return self.hot_long.find_or_put(long, len, HOT_LONG_BITS, miss);
        }
        miss()
    }
}

impl WordStore {
    /// Forgets every entry.
    fn clear(&mut self) {
        self.table.clear();
        self.entries.clear();
        self.grams.clear();
    }

    /// Keeps the first `keep` entries, or none if they hold too many grams.
    fn shrink(&mut self, keep: usize) {
        // Entries add their grams in id order, so the kept ones own a prefix.
        let keep = keep.min(self.entries.len());
        let grams = self
            .entries
            .get(keep)
            .map_or(self.grams.len(), |e| e.grams.0 as usize);
        if grams > WORD_CACHE_GRAMS_LIMIT / 2 {
            // The kept words hold many grams themselves (long junk words).
            self.clear();
        } else {
            self.table.truncate(keep);
            self.entries.truncate(keep);
            self.grams.truncate(grams);
        }
    }

    /// The entry of id `id`.
    #[inline]
    fn entry(&self, id: u32) -> Option<&WordEntry> {
        match id.checked_sub(DOCUMENT_ENTRY) {
            None => self.entries.get(id as usize),
            Some(k) => self.document.get(k as usize),
        }
    }

    /// The character n-gram slots of entry `e` (from this store).
    #[inline]
    fn grams(&self, e: &WordEntry) -> &[u32] {
        let arena = if e.document {
            &self.document_grams
        } else {
            &self.grams
        };
        arena
            .get(e.grams.0 as usize..e.grams.1 as usize)
            .unwrap_or(&[])
    }

    /// The entry of token text `word` of kind `kind`, computing it on a miss.
    fn lookup(
        &mut self,
        word: &str,
        kind: TokenKind,
        ctx: &EntryContext<'_>,
        stems: &mut StemCache,
        scratch: &mut CharScratch,
    ) -> WordEntry {
        let id = self.id(word, kind, ctx, stems, scratch);
        let Some(&e) = self.entry(id) else {
            // Unreachable: ids come from `id`. Count nothing rather than fail.
            return WordEntry {
                grams: (0, 0),
                key: 0,
                unigram: NO_FEATURE,
                id: u32::MAX,
                chars: [0.0; 4],
                classes: 0,
                links: 0,
                document: false,
            };
        };
        e
    }

    /// The id of token text `word` of kind `kind`, computing its entry on a miss.
    #[inline]
    fn id(
        &mut self,
        word: &str,
        kind: TokenKind,
        ctx: &EntryContext<'_>,
        stems: &mut StemCache,
        scratch: &mut CharScratch,
    ) -> u32 {
        let placeholder = placeholder_key(kind);
        let key = match kind {
            TokenKind::Word => word.as_bytes(),
            _ => &placeholder[..],
        };
        match self.table.get(key) {
            Some(id) => id,
            None => self.miss(key, word, kind, ctx, stems, scratch),
        }
    }

    /// [`id`](Self::id) for a key not in the table: computes the entry, cached unless the
    /// word is too long.
    fn miss(
        &mut self,
        key: &[u8],
        word: &str,
        kind: TokenKind,
        ctx: &EntryContext<'_>,
        stems: &mut StemCache,
        scratch: &mut CharScratch,
    ) -> u32 {
        // Every cached entry is in the table and the two grow together, so a new
        // entry's id is the table's next id, `entries.len()`.
        let id = self.entries.len() as u32;
        if word.len() > MAX_CACHED_WORD || self.table.get_or_insert(key).is_none() {
            // The document table numbers its keys like `document` (both grow together
            // until it is full, which no document of under 4 billion words reaches).
            let k = self.document.len() as u32;
            if let Some((seen, false)) = self.document_table.get_or_insert(key) {
                return DOCUMENT_ENTRY + seen;
            }
            let mut e = compute_entry(word, kind, ctx, stems, scratch, &mut self.document_grams);
            e.document = true;
            e.id = DOCUMENT_ENTRY + k;
            self.document.push(e);
            return DOCUMENT_ENTRY + k;
        }
        let mut e = compute_entry(word, kind, ctx, stems, scratch, &mut self.grams);
        e.id = id;
        self.entries.push(e);
        id
    }
}

/// Computes the entry of a token text, appending its gram slots to `gram_arena`: a word is
/// stemmed (when configured) and split into character n-grams; a placeholder is its own
/// stem and has no character n-grams.
fn compute_entry(
    word: &str,
    kind: TokenKind,
    ctx: &EntryContext<'_>,
    stems: &mut StemCache,
    scratch: &mut CharScratch,
    gram_arena: &mut Vec<u32>,
) -> WordEntry {
    let vocab = ctx.vocab;
    let cfg = vocab.config();
    let stemmed = cfg.stem && kind == TokenKind::Word;
    let stem = if stemmed { stems.stem(word) } else { word };
    let key = unigram_hash(stem.as_bytes());
    let g0 = gram_arena.len();
    if kind == TokenKind::Word {
        let mut sink = CollectSink {
            vocab,
            out: gram_arena,
        };
        word_char_ngrams(word, 0, cfg.char_ngram_range, scratch, &mut sink);
    }
    // Arenas are cleared long before 4 GiB; saturating keeps ranges valid regardless.
    let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let chars = match (cfg.char_by_word, gram_arena.get_mut(g0..)) {
        (true, Some(grams)) => word_char_sums(grams, ctx),
        _ => [0.0; 4],
    };
    WordEntry {
        grams: (at(g0), at(gram_arena.len())),
        key,
        unigram: vocab.lookup_slot(key).unwrap_or(NO_FEATURE),
        id: 0,
        chars,
        classes: word_classes(word),
        links: vocab.ngram_links(key),
        document: false,
    }
}

/// What [`compute_entry`] needs beyond the word: the vocabulary and, when scoring with
/// [`FeatureConfig::char_by_word`], the model's rows by slot (`[idf, w0, w1, w2]`, see
/// [`Extractor::for_each_quad_tf`]), empty otherwise.
struct EntryContext<'a> {
    vocab: &'a Vocabulary,
    quads: &'a [[f32; 4]],
}

/// [`WordEntry::chars`] of a word whose character n-gram slots are `grams` (sorted here,
/// which changes no sum that uses them): the squared norm of its TF-IDF vector (a gram
/// the word holds `m` times weighs `m` times its idf), then with `ctx.quads` the dot
/// product of that vector with each label's weights.
fn word_char_sums(grams: &mut [u32], ctx: &EntryContext<'_>) -> [f32; 4] {
    grams.sort_unstable();
    let idf = ctx.vocab.idf();
    let mut sums = [0.0f32; 4];
    for run in grams.chunk_by(|a, b| a == b) {
        let Some(&slot) = run.first() else { continue };
        let m = run.len() as f32;
        let feature = ctx.vocab.feature_of_slot(slot) as usize;
        let weight = m * idf.get(feature).copied().unwrap_or(0.0);
        sums[0] += weight * weight;
        if let Some(quad) = ctx.quads.get(slot as usize) {
            for (sum, w) in sums[1..].iter_mut().zip(&quad[1..]) {
                *sum += weight * w;
            }
        }
    }
    sums
}

/// Counts the word n-grams of a document whose tokens have the [`WordEntry`]s `words`,
/// in the same order as [`word_ngrams`]: unigrams come from the cache, and longer n-grams
/// are looked up by their chained keys (see [`chain_key`]).
fn cached_word_ngrams(
    words: &[WordEntry],
    (lo, hi): (usize, usize),
    vocab: &Vocabulary,
    hits: &mut Hits,
) {
    if hi == 0 {
        return;
    }
    let n = words.len();
    for (i, w) in words.iter().enumerate() {
        if lo <= 1 && w.unigram != NO_FEATURE {
            hits.add(w.unigram);
        }
        if w.links & LINK_FIRST == 0 {
            continue;
        }
        let mut key = w.key;
        for (k, next) in words[i + 1..i + hi.min(n - i)].iter().enumerate() {
            // Nor can any longer n-gram through `next`.
            if next.links & LINK_LATER == 0 {
                break;
            }
            key = chain_key(key, next.key);
            if k + 2 >= lo
                && let Some(slot) = vocab.lookup_ngram(key)
            {
                hits.add(slot);
            }
        }
    }
}

/// The distinct words of a document that have character n-grams (by [`WordEntry::id`]),
/// and how often each occurs: what [`FeatureConfig::char_by_word`] weighs.
#[derive(Debug, Default)]
struct DistinctWords {
    /// Open addressing by id: (stamp, id, place in `words`); a slot whose stamp is not
    /// the current document's is empty, so nothing is cleared between documents.
    table: Vec<(u32, u32, u32)>,
    stamp: u32,
    /// (token index of the first occurrence, occurrences), in order of first occurrence.
    words: Vec<(u32, u32)>,
}

impl DistinctWords {
    /// Collects the distinct words among `entries` (a document's tokens' entries).
    fn collect(&mut self, entries: &[WordEntry]) {
        self.words.clear();
        // At most half full; only the first `size` slots are used, so a long document's
        // large table does not spread a short one's probes over memory.
        let size = (entries.len() * 2).next_power_of_two().max(64);
        if self.table.len() < size {
            self.table.resize(size, (0, 0, 0));
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.table.fill((0, 0, 0));
            self.stamp = 1;
        }
        let mask = size - 1;
        let bits = size.trailing_zeros();
        for (i, e) in entries.iter().enumerate() {
            if e.grams.0 == e.grams.1 {
                continue;
            }
            let mut at = Self::home(e.id, bits);
            loop {
                at &= mask;
                let Some((stamp, id, place)) = self.table.get_mut(at) else {
                    break;
                };
                if *stamp != self.stamp {
                    (*stamp, *id, *place) = (self.stamp, e.id, self.words.len() as u32);
                    self.words.push((i as u32, 1));
                    break;
                }
                if *id == e.id {
                    if let Some(w) = self.words.get_mut(*place as usize) {
                        w.1 += 1;
                    }
                    break;
                }
                at += 1;
            }
        }
    }

    /// Where the probe for `id` starts in a table of `1 << bits` slots: the hash's top
    /// `bits` bits, so that every slot can start a probe.
    #[inline]
    fn home(id: u32, bits: u32) -> usize {
        if bits == 0 {
            return 0;
        }
        (u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    /// The character n-gram block's squared norm and per-label sums: each distinct word's
    /// [`WordEntry::chars`] (computed with weights) times its term frequency `a` (`a`
    /// squared for the norm).
    #[inline]
    fn sums(&self, entries: &[WordEntry], tf: TermFrequency) -> [f32; 4] {
        let mut sums = [0.0f32; 4];
        for &(first, count) in &self.words {
            if let Some(e) = entries.get(first as usize) {
                let a = tf.of(count);
                let c = e.chars;
                sums = [
                    sums[0] + a * a * c[0],
                    sums[1] + a * c[1],
                    sums[2] + a * c[2],
                    sums[3] + a * c[3],
                ];
            }
        }
        sums
    }
}

/// How many tokens ahead [`Extractor::count`] prefetches gram slots (4 measured a little
/// better than 2).
const GRAM_PREFETCH_AHEAD: usize = 4;

/// Asks the processor to start loading the start of `slots` into its caches (on x86-64;
/// elsewhere it does nothing).
#[inline(always)]
fn prefetch(slots: &[u32]) {
    // SAFETY: a prefetch is only a hint: it reads nothing into the program and never
    // faults, whatever the address. SSE, which it needs, is part of every x86-64.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            slots.as_ptr().cast(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = slots;
}

/// A model's scoring rows by vocabulary slot (see [`Vocabulary::slot_order`]): for each
/// feature `[idf, w0, w1, w2]`, its idf and up to three labels' weights. Every table
/// built, and every clone, gets a fresh id, which per-word caches computed with its
/// weights are keyed on.
#[derive(Debug, Default)]
pub struct QuadTable {
    id: u64,
    rows: Vec<[f32; 4]>,
}

/// Source of [`QuadTable`] ids (0 is no table).
static NEXT_QUAD_TABLE_ID: AtomicU64 = AtomicU64::new(1);

impl QuadTable {
    /// A table of `rows`, one per slot.
    pub fn new(rows: Vec<[f32; 4]>) -> Self {
        QuadTable {
            id: NEXT_QUAD_TABLE_ID.fetch_add(1, Ordering::Relaxed),
            rows,
        }
    }

    /// The rows, by slot.
    pub fn rows(&self) -> &[[f32; 4]] {
        &self.rows
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Clone for QuadTable {
    fn clone(&self) -> Self {
        QuadTable::new(self.rows.clone())
    }
}

/// A text's dense signals as (feature index, if the vocabulary has the signal; value), in
/// [`DenseSignal::ALL`] order.
pub type DenseValues = [(Option<u32>, f32); DENSE_COUNT];

/// Turns texts into feature vectors. Owns a tokenizer, a [`StemCache`] and scratch buffers;
/// reuse one per thread across documents (it is cheap to create but its cache pays off).
#[derive(Debug, Default)]
pub struct Extractor {
    tokenizer: Tokenizer,
    tokens: Tokens,
    stems: StemCache,
    stem_buf: String,
    stem_ranges: Vec<(usize, usize)>,
    chars: CharScratch,
    hits: Hits,
    words: WordCache,
    /// The word entries of the last counted text's tokens.
    words_of_text: Vec<WordEntry>,
    /// With [`FeatureConfig::char_by_word`]: the last counted text's distinct words with
    /// character n-grams, ...
    distinct: DistinctWords,
    /// ... and, once built for the explicit vector, its character n-gram slots and their
    /// term frequencies (without idf), ...
    char_block: Vec<(u32, f32)>,
    /// ... summed per slot here (all zero between texts).
    char_tf: Vec<f32>,
    /// [`word_classes`] of the last tokenized text's tokens.
    classes: Vec<u8>,
}

impl Extractor {
    /// An extractor with empty caches.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tokens of the last processed text.
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// The TF-IDF feature vector of `text` over `vocab`.
    pub fn extract(&mut self, text: &str, vocab: &Vocabulary) -> SparseVec {
        let mut out = SparseVec::new();
        self.extract_into(text, vocab, &mut out);
        out
    }

    /// Like [`extract`](Self::extract), writing into `out` (cleared first) to reuse its
    /// allocations.
    pub fn extract_into(&mut self, text: &str, vocab: &Vocabulary, out: &mut SparseVec) {
        let cfg = vocab.config();
        self.count(text, vocab, None);
        let dense = if cfg.dense {
            dense_signals(text, &self.tokens, &self.classes, None)
        } else {
            [0.0; DENSE_COUNT]
        };
        let chars = self
            .char_block_by_word(vocab)
            .map(|norm2| (&self.char_block[..], norm2));
        vocab.vectorize(&mut self.hits, chars, &dense, out);
    }

    /// Tokenizes `text` and counts its vocabulary features into `self.hits`: character
    /// n-grams token by token, then word n-grams (the order features are first seen in,
    /// which scoring sums in).
    fn count(&mut self, text: &str, vocab: &Vocabulary, quads: Option<&QuadTable>) {
        let cfg = vocab.config();
        // Per-word sums with the model's weights only pay when scoring by word.
        let (quads, weights_id) = match quads {
            Some(table) if cfg.char_by_word && !table.is_empty() => (table.rows(), table.id),
            _ => (&[][..], 0),
        };
        self.tokenizer.tokenize_into(text, &mut self.tokens);
        self.hits.reset(vocab.len());
        self.words.prepare(vocab.id, weights_id);
        self.words_of_text.clear();
        self.classes.clear();
        let ctx = EntryContext { vocab, quads };
        for span in self.tokens.spans() {
            let packed = self.tokens.packed(span);
            let long = match packed {
                None => self.tokens.packed_long(span),
                Some(_) => None,
            };
            let e = self.words.lookup(
                &self.tokens,
                span,
                packed,
                long,
                &ctx,
                &mut self.stems,
                &mut self.chars,
            );
            self.words_of_text.push(e);
            self.classes.push(e.classes);
        }
        if cfg.char_by_word {
            // Callers sum the block or build it (see `char_sums`, `char_block_by_word`).
            self.distinct.collect(&self.words_of_text);
        } else {
            // Counting apart from the lookups lets the processor fetch the next words'
            // gram slots (scattered over a large arena) while it counts the current word's.
            for (i, e) in self.words_of_text.iter().enumerate() {
                if let Some(ahead) = self.words_of_text.get(i + GRAM_PREFETCH_AHEAD) {
                    prefetch(self.words.grams(ahead));
                }
                self.hits.add_all(self.words.grams(e));
            }
        }
        self.hits.mark_split();
        cached_word_ngrams(
            &self.words_of_text,
            cfg.word_ngram_range,
            vocab,
            &mut self.hits,
        );
    }

    /// With [`FeatureConfig::char_by_word`], the character n-gram block of the last
    /// counted text summed per word: its squared norm, then, if the words' entries were
    /// computed with weights, each label's sum (before normalization). `None` otherwise.
    fn char_sums(&self, vocab: &Vocabulary) -> Option<[f32; 4]> {
        let cfg = vocab.config();
        let tf = TermFrequency::new(cfg.sublinear_tf);
        cfg.char_by_word
            .then(|| self.distinct.sums(&self.words_of_text, tf))
    }

    /// With [`FeatureConfig::char_by_word`], builds the character n-gram block of the
    /// last counted text for the explicit vector: its slots with their term frequencies
    /// (each distinct word adding its tf times its count of the gram) into `char_block`;
    /// returns the block's squared norm (the words' own squared norms times their tf
    /// squared). `None` otherwise.
    fn char_block_by_word(&mut self, vocab: &Vocabulary) -> Option<f32> {
        let norm2 = self.char_sums(vocab)?[0];
        let tf = TermFrequency::new(vocab.config().sublinear_tf);
        if self.char_tf.len() < vocab.len() {
            self.char_tf.resize(vocab.len(), 0.0);
        }
        self.char_block.clear();
        for &(first, count) in &self.distinct.words {
            let Some(e) = self.words_of_text.get(first as usize) else {
                continue;
            };
            let a = tf.of(count);
            for &slot in self.words.grams(e) {
                if let Some(v) = self.char_tf.get_mut(slot as usize) {
                    if *v == 0.0 {
                        self.char_block.push((slot, 0.0));
                    }
                    *v += a;
                }
            }
        }
        for (slot, value) in &mut self.char_block {
            if let Some(v) = self.char_tf.get_mut(*slot as usize) {
                *value = std::mem::take(v);
            }
        }
        Some(norm2)
    }

    /// Feeds the features of `text` to `f` without building a vector: `f(index, weight)`
    /// gets each vocabulary feature's sublinear tf times idf, in no particular order, and
    /// the dense signals are returned (index, value). Dividing the weights by the root of
    /// their sum of squares gives exactly [`Extractor::extract`]'s values; scoring folds
    /// that into one pass instead of materializing the vector. With
    /// [`FeatureConfig::char_by_word`] only the word n-grams come: the character block is
    /// summed per word (see [`for_each_quad_tf`](Self::for_each_quad_tf)).
    pub fn for_each_weight(
        &mut self,
        text: &str,
        vocab: &Vocabulary,
        mut f: impl FnMut(u32, f32),
    ) -> DenseValues {
        let idf = vocab.idf();
        self.for_each_slot_tf(text, vocab, |_, slot, tf| {
            let index = vocab.feature_of_slot(slot);
            f(index, tf * idf.get(index as usize).copied().unwrap_or(0.0));
        })
    }

    /// Like [`for_each_weight`](Self::for_each_weight), but `f(block, slot, tf)` gets each
    /// feature's normalization block (see [`Vocabulary::block_of_slot`]), its slot (see
    /// [`Vocabulary::slot_order`]) and its term frequency (sublinear when configured)
    /// without the idf, so that a caller keeping the idf next to its own per-feature data,
    /// laid out by slot, reads one place per feature. The features come in the same order
    /// as in `for_each_weight`: all of block 0 before any of block 1.
    #[inline]
    pub fn for_each_slot_tf(
        &mut self,
        text: &str,
        vocab: &Vocabulary,
        mut f: impl FnMut(usize, u32, f32),
    ) -> DenseValues {
        let cfg = vocab.config();
        self.count(text, vocab, None);
        let tf = TermFrequency::new(cfg.sublinear_tf);
        // Character n-grams (block 0) were counted first, then the word n-grams.
        let word_block = vocab.word_block();
        self.hits
            .drain_parts(|part, slot, count| f(part * word_block, slot, tf.of(count)));
        self.dense_values(text, vocab)
    }

    /// Scoring's pass over `text` for a model whose per-feature data is `quads`:
    /// `f(block, &quad, tf)` for each counted feature, in the order of
    /// [`for_each_slot_tf`](Self::for_each_slot_tf); features whose slot has no quad are
    /// skipped. With [`FeatureConfig::char_by_word`] the character n-grams are not fed to
    /// `f` but summed per word, and returned: the block's squared norm, then each label's
    /// sum (before normalization). Also returns the dense signals.
    #[inline]
    pub fn for_each_quad_tf(
        &mut self,
        text: &str,
        vocab: &Vocabulary,
        quads: &QuadTable,
        mut f: impl FnMut(usize, &[f32; 4], f32),
    ) -> (Option<[f32; 4]>, DenseValues) {
        let cfg = vocab.config();
        self.count(text, vocab, Some(quads));
        let tf = TermFrequency::new(cfg.sublinear_tf);
        let word_block = vocab.word_block();
        self.hits.drain_rows(quads.rows(), |part, row, count| {
            f(part * word_block, row, tf.of(count))
        });
        (self.char_sums(vocab), self.dense_values(text, vocab))
    }

    /// The L2 norms of `text`'s two blocks of TF-IDF weights (character n-grams, word
    /// n-grams) before normalization: what [`FeatureConfig::norm_floor`] is compared with.
    pub fn block_norms(&mut self, text: &str, vocab: &Vocabulary) -> [f32; 2] {
        let mut norm2 = [0.0f32; 2];
        self.for_each_weight(text, vocab, |index, weight| {
            norm2[vocab.block(index)] += weight * weight;
        });
        if let Some(chars) = self.char_sums(vocab) {
            norm2[0] = chars[0];
        }
        norm2.map(f32::sqrt)
    }

    /// The dense signals of the last counted text, as (feature index, value).
    fn dense_values(&self, text: &str, vocab: &Vocabulary) -> DenseValues {
        let mut dense: DenseValues = [(None, 0.0); DENSE_COUNT];
        if vocab.config().dense {
            let values = dense_signals(text, &self.tokens, &self.classes, None);
            for signal in DenseSignal::ALL {
                dense[signal.slot()] = (vocab.dense_index(signal), values[signal.slot()]);
            }
        }
        dense
    }

    /// The feature vector of `text` plus, for each of its entries, the spans of the original
    /// text it came from.
    pub fn explain(&mut self, text: &str, vocab: &Vocabulary) -> Explanation {
        self.explain_scoring(text, vocab, None)
    }

    /// [`explain`](Self::explain) for a scorer that also calls
    /// [`for_each_quad_tf`](Self::for_each_quad_tf) with `quads`: the same result, and
    /// the word cache filled for scoring stays warm.
    pub fn explain_scoring(
        &mut self,
        text: &str,
        vocab: &Vocabulary,
        quads: Option<&QuadTable>,
    ) -> Explanation {
        let cfg = vocab.config();
        let mut char_norm2 = None;
        if cfg.char_by_word {
            // The character block by word; the word n-grams are counted again below.
            self.count(text, vocab, quads);
            char_norm2 = self.char_block_by_word(vocab);
            self.hits.drain(|_, _| {});
        }
        self.prepare(text, cfg);
        self.hits.reset(vocab.len());
        let doc = Doc {
            tokens: &self.tokens,
            stems: &self.stem_buf,
            ranges: &self.stem_ranges,
        };
        let mut sink = ExplainSink {
            vocab,
            doc,
            hits: &mut self.hits,
            count_chars: !cfg.char_by_word,
            occurrences: Vec::new(),
        };
        generate(doc, cfg, &mut self.chars, &mut sink);
        let mut occurrences = sink.occurrences;
        let mut dense_spans = DenseSpans::new();
        let dense = if cfg.dense {
            token_classes(&self.tokens, &mut self.classes);
            dense_signals(text, &self.tokens, &self.classes, Some(&mut dense_spans))
        } else {
            [0.0; DENSE_COUNT]
        };
        for (signal, start, end) in dense_spans {
            if let Some(feature) = vocab.dense_index(signal) {
                occurrences.push((feature, start, end));
            }
        }
        let mut features = SparseVec::new();
        let chars = char_norm2.map(|norm2| (&self.char_block[..], norm2));
        vocab.vectorize(&mut self.hits, chars, &dense, &mut features);
        let spans = group_spans(&features, occurrences);
        Explanation { features, spans }
    }

    /// The dense signals of `text`, in [`DenseSignal::ALL`] order.
    pub fn dense(&mut self, text: &str) -> [f32; DENSE_COUNT] {
        self.tokenizer.tokenize_into(text, &mut self.tokens);
        token_classes(&self.tokens, &mut self.classes);
        dense_signals(text, &self.tokens, &self.classes, None)
    }

    /// Raw counts of every sparse feature of `text` by hash, sorted by hash (training path).
    pub fn raw_counts(&mut self, text: &str, cfg: &FeatureConfig) -> Vec<(u64, u32)> {
        let mut hashes = Vec::new();
        self.collect_hashes(text, cfg, &mut hashes);
        hashes.sort_unstable();
        let mut counts: Vec<(u64, u32)> = Vec::new();
        for h in hashes {
            match counts.last_mut() {
                Some((last, n)) if *last == h => *n += 1,
                _ => counts.push((h, 1)),
            }
        }
        counts
    }

    /// Raw counts of every sparse feature of `text` by name, sorted by name. Slower than
    /// [`raw_counts`](Self::raw_counts); for inspection and tests.
    pub fn raw_named_counts(&mut self, text: &str, cfg: &FeatureConfig) -> Vec<(String, u32)> {
        self.prepare(text, cfg);
        let doc = Doc {
            tokens: &self.tokens,
            stems: &self.stem_buf,
            ranges: &self.stem_ranges,
        };
        let mut sink = NameCountSink {
            doc,
            counts: FxHashMap::default(),
        };
        generate(doc, cfg, &mut self.chars, &mut sink);
        let mut counts: Vec<(String, u32)> = sink.counts.into_iter().collect();
        counts.sort_unstable();
        counts
    }

    /// Appends the hash of every sparse n-gram occurrence of `text` to `out` (cleared first).
    fn collect_hashes(&mut self, text: &str, cfg: &FeatureConfig, out: &mut Vec<u64>) {
        out.clear();
        self.prepare(text, cfg);
        let doc = Doc {
            tokens: &self.tokens,
            stems: &self.stem_buf,
            ranges: &self.stem_ranges,
        };
        generate(doc, cfg, &mut self.chars, &mut HashSink(out));
    }

    /// Records names for the `wanted` hashes that occur in `text`.
    fn name_hashes(
        &mut self,
        text: &str,
        cfg: &FeatureConfig,
        wanted: &FxHashSet<u64>,
        names: &mut FxHashMap<u64, String>,
    ) {
        self.prepare(text, cfg);
        let doc = Doc {
            tokens: &self.tokens,
            stems: &self.stem_buf,
            ranges: &self.stem_ranges,
        };
        generate(
            doc,
            cfg,
            &mut self.chars,
            &mut NamingSink { doc, wanted, names },
        );
    }

    /// Tokenizes `text` and stems its words into `stem_buf`.
    fn prepare(&mut self, text: &str, cfg: &FeatureConfig) {
        self.tokenizer.tokenize_into(text, &mut self.tokens);
        self.stem_buf.clear();
        self.stem_ranges.clear();
        for span in self.tokens.spans() {
            let word = self.tokens.text(span);
            let stem = if cfg.stem && span.kind == TokenKind::Word {
                self.stems.stem(word)
            } else {
                word
            };
            let a = self.stem_buf.len();
            self.stem_buf.push_str(stem);
            self.stem_ranges.push((a, self.stem_buf.len()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/// The learned feature space: names, idf weights, and each label's selected features.
///
/// Sparse features come first, sorted by name; dense features (when enabled) follow in
/// [`DenseSignal::ALL`] order. Serializes as `{config, n_docs, names, idf, selected}`; the
/// hash index is rebuilt on load.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "VocabularyFile")]
pub struct Vocabulary {
    config: FeatureConfig,
    n_docs: usize,
    names: Vec<String>,
    idf: Vec<f32>,
    selected: Vec<Vec<u32>>,
    /// Feature hash -> slot.
    index: FeatureIndex,
    /// Chained key of word n-grams of two or more words -> slot (see [`chain_key`]).
    ngrams: FeatureIndex,
    /// Unigram hash of each stem in those n-grams -> its `LINK_*` bits.
    ngram_words: FxHashMap<u64, u8>,
    /// `order[slot]` is the feature index of a slot (see [`Vocabulary::slot_order`]).
    order: Vec<u32>,
    dense: [Option<u32>; DENSE_COUNT],
    /// With `block_norm`, features below this index are character n-grams and the rest
    /// word n-grams; without it, `u32::MAX` (one block).
    word_start: u32,
    /// The same boundary in slot order.
    word_slot_start: u32,
    /// Distinguishes vocabularies for per-vocabulary caches (fresh per construction).
    id: u64,
}

/// Source of [`Vocabulary`] ids.
static NEXT_VOCABULARY_ID: AtomicU64 = AtomicU64::new(1);

/// The serialized form of a [`Vocabulary`].
#[derive(Debug, Deserialize)]
struct VocabularyFile {
    config: FeatureConfig,
    n_docs: usize,
    names: Vec<String>,
    idf: Vec<f32>,
    selected: Vec<Vec<u32>>,
}

/// Borrowed serialized form, so serializing does not clone.
#[derive(Serialize)]
struct VocabularyFileRef<'a> {
    config: &'a FeatureConfig,
    n_docs: usize,
    names: &'a [String],
    idf: &'a [f32],
    selected: &'a [Vec<u32>],
}

impl Serialize for Vocabulary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        VocabularyFileRef {
            config: &self.config,
            n_docs: self.n_docs,
            names: &self.names,
            idf: &self.idf,
            selected: &self.selected,
        }
        .serialize(serializer)
    }
}

impl TryFrom<VocabularyFile> for Vocabulary {
    type Error = FeatureError;

    fn try_from(f: VocabularyFile) -> Result<Self, FeatureError> {
        Vocabulary::from_parts(f.config, f.n_docs, f.names, f.idf, f.selected)
    }
}

impl Vocabulary {
    /// Learns a vocabulary from training documents.
    ///
    /// `labels[d][l]` is document `d`'s label `l` (`None` = not labeled for `l`); every row
    /// must have the same length. Counts document frequencies over all documents, drops
    /// features outside `[min_df, max_df]`, then for each label keeps the `top_k` features
    /// with the highest chi-squared statistic (2x2 presence/label table over the documents
    /// labeled for that label; ties broken by hash). A label without both classes falls back
    /// to the `top_k` most frequent features. The vocabulary is the union; idf uses all
    /// documents. Dense features are added to every label's selection.
    ///
    /// Returns the vocabulary and, per label, its sorted selected feature indices (also
    /// available later from [`Vocabulary::selected`]).
    pub fn build<S: AsRef<str> + Sync>(
        docs: &[S],
        labels: &[Vec<Option<bool>>],
        config: &FeatureConfig,
    ) -> Result<(Self, Vec<Vec<u32>>), FeatureError> {
        config.validate()?;
        let n_labels = check_labels(docs.len(), labels)?;
        let stats = count_documents(docs, labels, n_labels, config);
        let mut candidates = stats.candidates(config);
        if config.stop_words {
            let stop = function_word_features(config);
            candidates.retain(|(h, _)| !stop.contains(h));
        }
        let picked: Vec<Vec<u64>> = (0..n_labels)
            .map(|l| stats.select(&candidates, l, config.top_k))
            .collect();
        let wanted: FxHashSet<u64> = picked.iter().flatten().copied().collect();
        let names = name_features(docs, config, &wanted);
        let vocab = assemble(config, &stats, &picked, &names)?;
        let selected = vocab.selected.clone();
        Ok((vocab, selected))
    }

    /// Assembles a vocabulary from stored parts, validating them and rebuilding the index.
    pub fn from_parts(
        config: FeatureConfig,
        n_docs: usize,
        names: Vec<String>,
        idf: Vec<f32>,
        mut selected: Vec<Vec<u32>>,
    ) -> Result<Self, FeatureError> {
        config.validate()?;
        let bad = |m: String| Err(FeatureError::Vocabulary(m));
        if names.len() != idf.len() {
            return bad(format!(
                "{} names but {} idf values",
                names.len(),
                idf.len()
            ));
        }
        if u32::try_from(names.len()).is_err() {
            return bad(format!("{} features is too many", names.len()));
        }
        if let Some(k) = idf.iter().position(|v| !v.is_finite()) {
            return bad(format!("idf of feature {k} is not finite"));
        }
        let (mut index, dense) = build_index(&names)?;
        let word_start = if config.block_norm {
            char_block_end(&names)?
        } else {
            u32::MAX
        };
        let order = slot_order(&names, &idf, word_start);
        let mut slots = vec![0u32; order.len()];
        for (slot, &feature) in (0u32..).zip(&order) {
            slots[feature as usize] = slot;
        }
        index.values_mut().for_each(|v| *v = slots[*v as usize]);
        // Slots keep the blocks apart too: character n-gram slots come first.
        let word_slot_start = order
            .iter()
            .position(|&f| f >= word_start)
            .map_or(u32::MAX, |p| p as u32);
        let ngrams = build_ngram_index(&names, &slots)?;
        let ngram_words = ngram_word_links(&names);
        for (label, sel) in selected.iter_mut().enumerate() {
            sel.sort_unstable();
            sel.dedup();
            if let Some(&i) = sel.iter().find(|&&i| i as usize >= names.len()) {
                return bad(format!(
                    "label {label} selects feature {i} but there are {}",
                    names.len()
                ));
            }
        }
        Ok(Self {
            config,
            n_docs,
            names,
            idf,
            selected,
            index,
            ngrams,
            ngram_words,
            order,
            dense,
            word_start,
            word_slot_start,
            id: NEXT_VOCABULARY_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no features.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The configuration features are generated with.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Sets the floors under the blocks' norms (see [`FeatureConfig::norm_floor`]).
    pub fn set_norm_floor(&mut self, floor: [f32; 2]) -> Result<(), FeatureError> {
        let config = FeatureConfig {
            norm_floor: floor,
            ..self.config.clone()
        };
        config.validate()?;
        self.config = config;
        Ok(())
    }

    /// Number of training documents the idf was computed on.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// All feature names, by index.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The name of feature `index`.
    pub fn name(&self, index: u32) -> Option<&str> {
        self.names.get(index as usize).map(String::as_str)
    }

    /// All idf weights, by index (1.0 for dense features).
    pub fn idf(&self) -> &[f32] {
        &self.idf
    }

    /// The index of the feature called `name`.
    pub fn index_of(&self, name: &str) -> Option<u32> {
        match name.strip_prefix(DENSE_PREFIX) {
            Some(_) => DenseSignal::from_name(name).and_then(|s| self.dense_index(s)),
            None => self
                .lookup_hash(feature_hash(name))
                .filter(|&i| self.name(i) == Some(name)),
        }
    }

    /// The index of the sparse feature whose name hashes to `hash`.
    #[inline]
    pub fn lookup_hash(&self, hash: u64) -> Option<u32> {
        self.lookup_slot(hash)
            .map(|slot| self.feature_of_slot(slot))
    }

    /// The slot of the sparse feature whose name hashes to `hash`.
    #[inline]
    pub fn lookup_slot(&self, hash: u64) -> Option<u32> {
        self.index.get(&hash).copied()
    }

    /// Where the stem of unigram hash `key` stands in the vocabulary's word n-grams of two
    /// or more words: [`LINK_FIRST`] if one starts with it, [`LINK_LATER`] if it comes
    /// later in one. A hash collision can only add bits, which costs a lookup, not a
    /// feature.
    fn ngram_links(&self, key: u64) -> u8 {
        self.ngram_words.get(&key).copied().unwrap_or(0)
    }

    /// The slot of the word n-gram (of two or more words) with chained key `key`.
    #[inline]
    fn lookup_ngram(&self, key: u64) -> Option<u32> {
        self.ngrams.get(&key).copied()
    }

    /// The feature index of a slot.
    #[inline]
    pub fn feature_of_slot(&self, slot: u32) -> u32 {
        self.order.get(slot as usize).copied().unwrap_or(slot)
    }

    /// Feature indices in slot order: `slot_order()[slot]` is the feature in `slot`.
    ///
    /// Counting works on slots rather than feature indices: the same features, numbered
    /// from the most common (lowest idf) to the rarest, so that the per-feature data a
    /// comment touches most sits together and stays in the CPU cache. Results never
    /// depend on the numbering.
    pub fn slot_order(&self) -> &[u32] {
        &self.order
    }

    /// The index of a dense signal, if the vocabulary has it.
    pub fn dense_index(&self, signal: DenseSignal) -> Option<u32> {
        self.dense[signal.slot()]
    }

    /// Number of labels the vocabulary was built for.
    pub fn n_labels(&self) -> usize {
        self.selected.len()
    }

    /// The sorted feature indices selected for `label` (empty for an unknown label).
    pub fn selected(&self, label: usize) -> &[u32] {
        self.selected.get(label).map_or(&[], Vec::as_slice)
    }

    /// The normalization block of feature `index`: 0 for character n-grams (and for every
    /// n-gram without `block_norm`), 1 for word n-grams.
    #[inline]
    pub fn block(&self, index: u32) -> usize {
        usize::from(index >= self.word_start)
    }

    /// The normalization block of every word n-gram: 1 when the blocks are normalized
    /// apart, else 0 like everything else.
    #[inline]
    pub fn word_block(&self) -> usize {
        usize::from(self.word_start != u32::MAX)
    }

    /// The normalization block of a slot (see [`Vocabulary::block`]).
    #[inline]
    pub fn block_of_slot(&self, slot: u32) -> usize {
        usize::from(slot >= self.word_slot_start)
    }

    /// Turns n-gram hits into a TF-IDF vector with the dense signals appended.
    fn vectorize(
        &self,
        hits: &mut Hits,
        chars: Option<(&[(u32, f32)], f32)>,
        dense: &[f32; DENSE_COUNT],
        out: &mut SparseVec,
    ) {
        out.clear();
        let sublinear = self.config.sublinear_tf;
        let term_frequency = TermFrequency::new(sublinear);
        let mut counted: Vec<(u32, f32)> = Vec::with_capacity(hits.n);
        hits.drain(|slot, count| {
            counted.push((self.feature_of_slot(slot), term_frequency.of(count)))
        });
        if let Some((block, _)) = chars {
            counted.extend(
                block
                    .iter()
                    .map(|&(slot, tf)| (self.feature_of_slot(slot), tf)),
            );
        }
        counted.sort_unstable_by_key(|&(index, _)| index);
        for (index, tf) in counted {
            out.push(
                index,
                tf * self.idf.get(index as usize).copied().unwrap_or(0.0),
            );
        }
        let mut norm2 = [0.0f32; 2];
        for (&i, &v) in out.indices.iter().zip(&out.values) {
            norm2[self.block(i)] += v * v;
        }
        if let Some((_, n2)) = chars {
            norm2[0] = n2;
        }
        let scale = self.config.norm_scale(norm2);
        for (&i, v) in out.indices.iter().zip(out.values.iter_mut()) {
            *v *= scale[self.block(i)];
        }
        if self.config.dense {
            for signal in DenseSignal::ALL {
                let value = dense[signal.slot()];
                if let Some(index) = self.dense_index(signal).filter(|_| value != 0.0) {
                    out.push(index, value);
                }
            }
        }
        out.sort_if_needed();
    }
}

/// Term frequencies of counts below this come from a table.
const TF_TABLE: usize = 64;

/// `1 + ln(n)` for `n` below [`TF_TABLE`] (and 1 for 0, which is never looked up).
static SUBLINEAR_TF: LazyLock<[f32; TF_TABLE]> = LazyLock::new(|| {
    let mut t = [1.0f32; TF_TABLE];
    for (n, v) in (0u16..).zip(t.iter_mut()).skip(1) {
        *v = 1.0 + f32::from(n).ln();
    }
    t
});

/// `n` for `n` below [`TF_TABLE`].
static LINEAR_TF: LazyLock<[f32; TF_TABLE]> = LazyLock::new(|| {
    let mut t = [0.0f32; TF_TABLE];
    for (n, v) in (0u16..).zip(t.iter_mut()) {
        *v = f32::from(n);
    }
    t
});

/// Turns counts into term frequencies, sublinear or not: one table read for the usual
/// small counts, without a branch on the count or on the setting.
#[derive(Clone, Copy)]
struct TermFrequency {
    table: &'static [f32; TF_TABLE],
    sublinear: bool,
}

impl TermFrequency {
    fn new(sublinear: bool) -> Self {
        let table = if sublinear {
            &*SUBLINEAR_TF
        } else {
            &*LINEAR_TF
        };
        TermFrequency { table, sublinear }
    }

    /// The term frequency of a feature counted `n` times (`n >= 1`).
    #[inline]
    fn of(self, n: u32) -> f32 {
        match self.table.get(n as usize) {
            Some(&v) => v,
            None if self.sublinear => 1.0 + (n as f32).ln(),
            None => n as f32,
        }
    }
}

/// Hashes of the word n-grams (lengths 1 and 2, as configured) made only of function words.
fn function_word_features(cfg: &FeatureConfig) -> FxHashSet<u64> {
    let mut cache = crate::text::StemCache::new();
    let stems: Vec<String> = crate::text::FUNCTION_WORDS
        .iter()
        .map(|w| {
            if cfg.stem {
                cache.stem(w).to_string()
            } else {
                (*w).to_string()
            }
        })
        .collect();
    let (lo, hi) = cfg.word_ngram_range;
    let mut hashes = FxHashSet::default();
    if lo <= 1 && 1 <= hi {
        for s in &stems {
            hashes.insert(feature_hash(&format!("{WORD_PREFIX}{s}")));
        }
    }
    if lo <= 2 && 2 <= hi {
        for a in &stems {
            for b in &stems {
                hashes.insert(feature_hash(&format!("{WORD_PREFIX}{a} {b}")));
            }
        }
    }
    hashes
}

/// How many leading names are character n-grams, checking that no later one is (a
/// `block_norm` vocabulary keeps them first).
fn char_block_end(names: &[String]) -> Result<u32, FeatureError> {
    let end = names
        .iter()
        .position(|n| !n.starts_with(CHAR_PREFIX))
        .unwrap_or(names.len());
    if let Some(k) = names[end..].iter().position(|n| n.starts_with(CHAR_PREFIX)) {
        return Err(FeatureError::Vocabulary(format!(
            "character n-gram {:?} (feature {}) follows the word n-grams",
            crate::error::clip(&names[end + k]),
            end + k
        )));
    }
    u32::try_from(end).map_err(|_| FeatureError::Vocabulary(format!("{end} features is too many")))
}

/// Slot order of a vocabulary (see [`Vocabulary::slot_order`]): sparse features by
/// normalization block (features from `word_start` on are the second), then increasing
/// idf (decreasing document frequency), ties by index; then dense features.
fn slot_order(names: &[String], idf: &[f32], word_start: u32) -> Vec<u32> {
    // Sort keys computed once: (dense?, block, idf in total order, index).
    let mut keys: Vec<(bool, bool, i32, u32)> = (0u32..)
        .zip(names.iter().zip(idf))
        .map(|(i, (name, &v))| {
            let bits = v.to_bits() as i32;
            // The key `f32::total_cmp` orders by.
            let total = bits ^ (((bits >> 31) as u32) >> 1) as i32;
            (name.starts_with(DENSE_PREFIX), i >= word_start, total, i)
        })
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|(_, _, _, i)| i).collect()
}

/// [`WordEntry::links`] bit: the stem starts a word n-gram of the vocabulary.
const LINK_FIRST: u8 = 1;
/// [`WordEntry::links`] bit: the stem comes second or later in a word n-gram of the
/// vocabulary.
const LINK_LATER: u8 = 2;

/// The `LINK_*` bits of every stem of the word n-grams of two or more words among `names`,
/// by unigram hash.
fn ngram_word_links(names: &[String]) -> FxHashMap<u64, u8> {
    let mut links = FxHashMap::default();
    let ngrams = names
        .iter()
        .filter_map(|name| name.strip_prefix(WORD_PREFIX))
        .filter(|stems| stems.contains(' '));
    for stems in ngrams {
        for (k, stem) in stems.split(' ').enumerate() {
            let bit = if k == 0 { LINK_FIRST } else { LINK_LATER };
            *links.entry(unigram_hash(stem.as_bytes())).or_insert(0) |= bit;
        }
    }
    links
}

/// Builds the index of word n-grams of two or more words by chained key (to slots).
fn build_ngram_index(names: &[String], slots: &[u32]) -> Result<FeatureIndex, FeatureError> {
    let mut index = FeatureIndex::default();
    for (name, &slot) in names.iter().zip(slots) {
        let Some(key) = ngram_key(name) else {
            continue;
        };
        if let Some(prev) = index.insert(key, slot) {
            let other = slots
                .iter()
                .position(|&s| s == prev)
                .and_then(|i| names.get(i))
                .map_or("", String::as_str);
            return Err(FeatureError::Vocabulary(format!(
                "features {:?} and {:?} share a hash (or are duplicates)",
                crate::error::clip(other),
                crate::error::clip(name)
            )));
        }
    }
    Ok(index)
}

/// Builds the hash index and dense slots from feature names.
fn build_index(
    names: &[String],
) -> Result<(FeatureIndex, [Option<u32>; DENSE_COUNT]), FeatureError> {
    let mut index = FeatureIndex::default();
    index.reserve(names.len());
    let mut dense = [None; DENSE_COUNT];
    for (i, name) in (0u32..).zip(names) {
        if name.starts_with(DENSE_PREFIX) {
            let signal = DenseSignal::from_name(name).ok_or_else(|| {
                FeatureError::Vocabulary(format!(
                    "unknown dense feature {:?}",
                    crate::error::clip(name)
                ))
            })?;
            if dense[signal.slot()].replace(i).is_some() {
                return Err(FeatureError::Vocabulary(format!(
                    "duplicate feature {:?}",
                    crate::error::clip(name)
                )));
            }
        } else if let Some(prev) = index.insert(feature_hash(name), i) {
            let other = names.get(prev as usize).map_or("", String::as_str);
            return Err(FeatureError::Vocabulary(format!(
                "features {:?} and {:?} share a hash (or are duplicates)",
                crate::error::clip(other),
                crate::error::clip(name)
            )));
        }
    }
    Ok((index, dense))
}

/// Checks the label table and returns the number of labels.
fn check_labels(n_docs: usize, labels: &[Vec<Option<bool>>]) -> Result<usize, FeatureError> {
    if labels.len() != n_docs {
        return Err(FeatureError::Labels(format!(
            "{n_docs} documents but {} label rows",
            labels.len()
        )));
    }
    let n_labels = labels.first().map_or(0, Vec::len);
    if let Some(row) = labels.iter().position(|r| r.len() != n_labels) {
        return Err(FeatureError::Labels(format!(
            "row {row} has {} labels, row 0 has {n_labels}",
            labels[row].len()
        )));
    }
    Ok(n_labels)
}

/// Per-feature document counts, overall and per label.
struct DocStats {
    n_labels: usize,
    /// Feature hash -> slot in `counts`.
    slots: FxHashMap<u64, usize>,
    /// Per slot: `[df, (labeled_with, positive_with) per label]`.
    counts: Vec<u32>,
    n_docs: usize,
    /// Per label: documents labeled, documents labeled positive.
    labeled: Vec<(u32, u32)>,
}

impl DocStats {
    fn new(n_labels: usize) -> Self {
        Self {
            n_labels,
            slots: FxHashMap::default(),
            counts: Vec::new(),
            n_docs: 0,
            labeled: vec![(0, 0); n_labels],
        }
    }

    fn stride(&self) -> usize {
        1 + 2 * self.n_labels
    }

    /// Adds one document's distinct feature hashes and its labels.
    fn add(&mut self, hashes: &[u64], labels: &[Option<bool>]) {
        self.n_docs += 1;
        for (l, v) in labels.iter().enumerate() {
            if let Some(v) = *v {
                self.labeled[l].0 += 1;
                self.labeled[l].1 += u32::from(v);
            }
        }
        for &h in hashes {
            let base = self.slot(h);
            self.counts[base] += 1;
            for (l, v) in labels.iter().enumerate() {
                if let Some(v) = *v {
                    self.counts[base + 1 + 2 * l] += 1;
                    self.counts[base + 2 + 2 * l] += u32::from(v);
                }
            }
        }
    }

    /// Base offset in `counts` of `h`'s slot, creating it if needed.
    fn slot(&mut self, h: u64) -> usize {
        let stride = self.stride();
        let next = self.slots.len();
        let slot = *self.slots.entry(h).or_insert(next);
        if slot == next {
            self.counts.resize(self.counts.len() + stride, 0);
        }
        slot * stride
    }

    fn merge(mut self, other: Self) -> Self {
        if self.slots.len() < other.slots.len() {
            return other.merge(self);
        }
        let stride = self.stride();
        for (&h, &slot) in &other.slots {
            let base = self.slot(h);
            let theirs = &other.counts[slot * stride..(slot + 1) * stride];
            for (mine, theirs) in self.counts[base..base + stride].iter_mut().zip(theirs) {
                *mine += theirs;
            }
        }
        self.n_docs += other.n_docs;
        for (mine, theirs) in self.labeled.iter_mut().zip(&other.labeled) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        self
    }

    fn df(&self, base: usize) -> u32 {
        self.counts.get(base).copied().unwrap_or(0)
    }

    /// Features within the document-frequency bounds, as `(hash, base)` sorted by hash.
    fn candidates(&self, cfg: &FeatureConfig) -> Vec<(u64, usize)> {
        let max_df = (cfg.max_df * self.n_docs as f64).floor();
        let stride = self.stride();
        let mut c: Vec<(u64, usize)> = self
            .slots
            .iter()
            .map(|(&h, &slot)| (h, slot * stride))
            .filter(|&(_, base)| {
                let df = self.df(base);
                df as usize >= cfg.min_df && (cfg.max_df >= 1.0 || f64::from(df) <= max_df)
            })
            .collect();
        c.sort_unstable();
        c
    }

    /// The `top_k` candidates for `label` by chi-squared (or by df without both classes).
    fn select(&self, candidates: &[(u64, usize)], label: usize, top_k: usize) -> Vec<u64> {
        let (n, pos) = self.labeled.get(label).copied().unwrap_or((0, 0));
        let mut scored: Vec<(f64, u64)> = if pos > 0 && pos < n {
            candidates
                .iter()
                .map(|&(h, base)| {
                    let with = f64::from(self.counts[base + 1 + 2 * label]);
                    let pos_with = f64::from(self.counts[base + 2 + 2 * label]);
                    (
                        chi2(
                            pos_with,
                            with - pos_with,
                            f64::from(pos),
                            f64::from(n - pos),
                        ),
                        h,
                    )
                })
                .filter(|&(s, _)| s > 0.0)
                .collect()
        } else {
            candidates
                .iter()
                .map(|&(h, base)| (f64::from(self.df(base)), h))
                .collect()
        };
        let by_score = |a: &(f64, u64), b: &(f64, u64)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > top_k && top_k > 0 {
            scored.select_nth_unstable_by(top_k - 1, by_score);
        }
        scored.truncate(top_k);
        scored.sort_unstable_by(by_score);
        scored.into_iter().map(|(_, h)| h).collect()
    }
}

/// Chi-squared statistic of a 2x2 table: `pos_with`/`neg_with` documents containing the
/// feature among `pos`/`neg` labeled documents.
fn chi2(pos_with: f64, neg_with: f64, pos: f64, neg: f64) -> f64 {
    let (a, b) = (pos_with, neg_with);
    let (c, d) = (pos - a, neg - b);
    let n = a + b + c + d;
    let den = (a + b) * (c + d) * (a + c) * (b + d);
    if den <= 0.0 {
        return 0.0;
    }
    let diff = a * d - b * c;
    n * diff * diff / den
}

/// Chunk size for parallel passes over `n` documents.
fn chunk_size(n: usize) -> usize {
    (n / (rayon::current_num_threads() * 4)).max(64)
}

/// Counts document frequencies (overall and per label) in parallel.
fn count_documents<S: AsRef<str> + Sync>(
    docs: &[S],
    labels: &[Vec<Option<bool>>],
    n_labels: usize,
    cfg: &FeatureConfig,
) -> DocStats {
    let chunk = chunk_size(docs.len());
    docs.par_chunks(chunk)
        .zip(labels.par_chunks(chunk))
        .map(|(docs, labels)| {
            let mut ex = Extractor::new();
            let mut stats = DocStats::new(n_labels);
            let mut hashes = Vec::new();
            for (doc, row) in docs.iter().zip(labels) {
                ex.collect_hashes(doc.as_ref(), cfg, &mut hashes);
                hashes.sort_unstable();
                hashes.dedup();
                stats.add(&hashes, row);
            }
            stats
        })
        .reduce(|| DocStats::new(n_labels), DocStats::merge)
}

/// Finds a name for each wanted hash with a second parallel pass. If two names ever share
/// a hash, the lexicographically smaller wins, so the result does not depend on scheduling.
fn name_features<S: AsRef<str> + Sync>(
    docs: &[S],
    cfg: &FeatureConfig,
    wanted: &FxHashSet<u64>,
) -> FxHashMap<u64, String> {
    if wanted.is_empty() {
        return FxHashMap::default();
    }
    docs.par_chunks(chunk_size(docs.len()))
        .map(|docs| {
            let mut ex = Extractor::new();
            let mut names = FxHashMap::default();
            for doc in docs {
                ex.name_hashes(doc.as_ref(), cfg, wanted, &mut names);
                if names.len() == wanted.len() {
                    break;
                }
            }
            names
        })
        .reduce(FxHashMap::default, |mut a, b| {
            for (h, name) in b {
                match a.entry(h) {
                    Entry::Vacant(e) => {
                        e.insert(name);
                    }
                    Entry::Occupied(mut e) if name < *e.get() => {
                        e.insert(name);
                    }
                    Entry::Occupied(_) => {}
                }
            }
            a
        })
}

/// Orders the selected features by name, computes idf and assembles the vocabulary.
fn assemble(
    cfg: &FeatureConfig,
    stats: &DocStats,
    picked: &[Vec<u64>],
    names: &FxHashMap<u64, String>,
) -> Result<Vocabulary, FeatureError> {
    let mut entries: Vec<(&str, u64, u32)> = names
        .iter()
        .filter_map(|(&h, name)| {
            stats
                .slots
                .get(&h)
                .map(|&slot| (name.as_str(), h, stats.df(slot * stats.stride())))
        })
        .collect();
    // Character n-grams first when they are normalized as their own block.
    entries.sort_unstable_by_key(|&(name, h, df)| {
        (
            cfg.block_norm && !name.starts_with(CHAR_PREFIX),
            name,
            h,
            df,
        )
    });
    let n = stats.n_docs as f32;
    let mut position: FxHashMap<u64, u32> = FxHashMap::default();
    let mut feature_names = Vec::with_capacity(entries.len() + DENSE_COUNT);
    let mut idf = Vec::with_capacity(entries.len() + DENSE_COUNT);
    for (i, &(name, h, df)) in (0u32..).zip(&entries) {
        position.insert(h, i);
        feature_names.push(name.to_string());
        idf.push(((1.0 + n) / (1.0 + df as f32)).ln() + 1.0);
    }
    let mut dense_indices = Vec::new();
    if cfg.dense {
        let first = u32::try_from(entries.len()).map_err(|_| {
            FeatureError::Vocabulary(format!("{} features is too many", entries.len()))
        })?;
        for (i, signal) in (first..).zip(DenseSignal::ALL) {
            dense_indices.push(i);
            feature_names.push(signal.name().to_string());
            idf.push(1.0);
        }
    }
    let selected = picked
        .iter()
        .map(|hashes| {
            let mut sel: Vec<u32> = hashes
                .iter()
                .filter_map(|h| position.get(h).copied())
                .collect();
            sel.extend(&dense_indices);
            sel
        })
        .collect();
    Vocabulary::from_parts(cfg.clone(), stats.n_docs, feature_names, idf, selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, cfg: &FeatureConfig) -> Vec<(String, u32)> {
        Extractor::new().raw_named_counts(text, cfg)
    }

    fn words_only() -> FeatureConfig {
        FeatureConfig {
            char_ngram_range: (0, 0),
            dense: false,
            min_df: 1,
            stop_words: false,
            ..FeatureConfig::default()
        }
    }

    fn chars_only(range: (usize, usize)) -> FeatureConfig {
        FeatureConfig {
            word_ngram_range: (0, 0),
            char_ngram_range: range,
            dense: false,
            ..FeatureConfig::default()
        }
    }

    /// One label for `n` documents: positive, negative, positive, ...
    fn alternating_labels(n: usize) -> Vec<Vec<Option<bool>>> {
        (0..n).map(|i| vec![Some(i % 2 == 0)]).collect()
    }

    fn build(docs: &[&str], labels: &[Vec<Option<bool>>], cfg: &FeatureConfig) -> Vocabulary {
        match Vocabulary::build(docs, labels, cfg) {
            Ok((v, _)) => v,
            Err(e) => panic!("build failed: {e}"),
        }
    }

    #[test]
    fn word_unigrams_and_bigrams_of_stems() {
        let got = names("The deep states, the DEEP state!", &words_only());
        let expect = [
            ("w:deep", 2),
            ("w:deep state", 2),
            ("w:state", 2),
            ("w:state the", 1),
            ("w:the", 2),
            ("w:the deep", 2),
        ];
        let expect: Vec<(String, u32)> = expect.iter().map(|(n, c)| (n.to_string(), *c)).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn placeholders_are_not_stemmed() {
        let got = names("see https://x.com 2017 @bob", &words_only());
        let unigrams: Vec<&str> = got
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !n.contains(' '))
            .collect();
        assert_eq!(unigrams, ["w:_num_", "w:_url_", "w:_user_", "w:see"]);
    }

    #[test]
    fn char_wb_ngrams() {
        let got = names("idiot", &chars_only((2, 5)));
        assert_eq!(got.len(), 6 + 5 + 4 + 3);
        assert!(got.iter().all(|(_, c)| *c == 1));
        for n in [
            "c: i", "c:id", "c:t ", "c: idi", "c:iot ", "c: idio", "c:diot ",
        ] {
            assert!(got.iter().any(|(g, _)| g == n), "missing {n:?}");
        }
        // Short words yield only n-grams that fit; non-ASCII counts characters.
        let got = names("a é", &chars_only((3, 4)));
        let grams: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(grams, ["c: a ", "c: é "]);
    }

    #[test]
    fn hashes_match_names() {
        let cfg = FeatureConfig::default();
        let mut ex = Extractor::new();
        let text = "You're a c l o w n, wake up sheeple — café 1d10t";
        let mut by_name: Vec<(u64, u32)> = ex
            .raw_named_counts(text, &cfg)
            .into_iter()
            .map(|(n, c)| (feature_hash(&n), c))
            .collect();
        by_name.sort_unstable();
        assert_eq!(ex.raw_counts(text, &cfg), by_name);
    }

    /// The vector of `text` computed from its n-grams by name, without any cache: the
    /// reference the cached counting must match.
    fn reference_vector(text: &str, vocab: &Vocabulary) -> SparseVec {
        let cfg = vocab.config();
        let mut entries: Vec<(u32, f32)> = Extractor::new()
            .raw_named_counts(text, cfg)
            .into_iter()
            .filter_map(|(name, n)| {
                let i = vocab.index_of(&name)?;
                let tf = if cfg.sublinear_tf {
                    1.0 + (n as f32).ln()
                } else {
                    n as f32
                };
                Some((i, tf * vocab.idf()[i as usize]))
            })
            .collect();
        entries.sort_by_key(|e| e.0);
        let mut norm2 = [0.0f32; 2];
        for &(i, x) in &entries {
            norm2[vocab.block(i)] += x * x;
        }
        let mut scale = [0.0f32; 2];
        for b in 0..2 {
            let norm = norm2[b].sqrt().max(cfg.norm_floor[b]);
            if norm > 0.0 {
                scale[b] = 1.0 / norm;
            }
        }
        scaled_with_dense(text, vocab, entries, scale)
    }

    /// A reference vector's end: `entries` (sorted by index) times their block's scale,
    /// then the dense signals of `text`.
    fn scaled_with_dense(
        text: &str,
        vocab: &Vocabulary,
        entries: Vec<(u32, f32)>,
        scale: [f32; 2],
    ) -> SparseVec {
        let mut v = SparseVec::new();
        for (i, x) in entries {
            v.push(i, x * scale[vocab.block(i)]);
        }
        let dense = Extractor::new().dense(text);
        for signal in DenseSignal::ALL {
            let value = dense[signal.slot()];
            if let Some(i) = vocab.dense_index(signal).filter(|_| value != 0.0) {
                v.push(i, value);
            }
        }
        v
    }

    /// [`FeatureConfig::char_by_word`]'s vector by its definition, from names: each
    /// distinct word's character n-grams (counted by name in the word alone) times
    /// `1 + ln(the word's count)`, the block divided by the root of the words' own
    /// squared norms times those factors squared; word n-grams as in [`reference_vector`].
    fn reference_vector_by_word(text: &str, vocab: &Vocabulary) -> SparseVec {
        let cfg = vocab.config();
        let idf = |i: u32| vocab.idf()[i as usize];
        let mut ex = Extractor::new();
        ex.dense(text);
        let mut words: Vec<(String, u32)> = Vec::new();
        for span in ex.tokens().spans() {
            if span.kind != TokenKind::Word {
                continue;
            }
            let word = ex.tokens().text(span).to_string();
            match words.iter_mut().find(|(w, _)| *w == word) {
                Some((_, n)) => *n += 1,
                None => words.push((word, 1)),
            }
        }
        let mut chars: Vec<(u32, f32)> = Vec::new();
        let mut char_norm2 = 0.0f32;
        for (word, count) in &words {
            let a = 1.0 + (*count as f32).ln();
            let mut own2 = 0.0f32;
            for (name, m) in Extractor::new().raw_named_counts(word, cfg) {
                let Some(i) = vocab
                    .index_of(&name)
                    .filter(|_| name.starts_with(CHAR_PREFIX))
                else {
                    continue;
                };
                own2 += (m as f32 * idf(i)).powi(2);
                match chars.iter_mut().find(|(j, _)| *j == i) {
                    Some((_, x)) => *x += a * m as f32 * idf(i),
                    None => chars.push((i, a * m as f32 * idf(i))),
                }
            }
            char_norm2 += a * a * own2;
        }
        let mut entries: Vec<(u32, f32)> = Extractor::new()
            .raw_named_counts(text, cfg)
            .into_iter()
            .filter(|(name, _)| !name.starts_with(CHAR_PREFIX))
            .filter_map(|(name, n)| {
                let i = vocab.index_of(&name)?;
                Some((i, (1.0 + (n as f32).ln()) * idf(i)))
            })
            .chain(chars)
            .collect();
        entries.sort_by_key(|e| e.0);
        let mut norm2 = [char_norm2, 0.0];
        for &(i, x) in &entries {
            if vocab.block(i) == 1 {
                norm2[1] += x * x;
            }
        }
        scaled_with_dense(text, vocab, entries, cfg.norm_scale(norm2))
    }

    /// Whether two vectors have the same features and values within `tol`.
    fn assert_close(got: &SparseVec, want: &SparseVec, tol: f32, what: &str) {
        let got: Vec<(u32, f32)> = got.iter().collect();
        let want: Vec<(u32, f32)> = want.iter().collect();
        assert_eq!(
            got.iter().map(|e| e.0).collect::<Vec<_>>(),
            want.iter().map(|e| e.0).collect::<Vec<_>>(),
            "{what}"
        );
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g.1 - w.1).abs() <= tol,
                "{what}: feature {} {} vs {}",
                g.0,
                g.1,
                w.1
            );
        }
    }

    #[test]
    fn characters_by_word_follow_their_definition() {
        let long = "x".repeat(70) + "yz";
        let docs = [
            "you are an idiot, an idiot and idiots, idiotic even @bob",
            "the deep state, the state of the deep media in 2017",
            &format!("{long} {long} and the {long}s again, again"),
            "thanks for the reply, banana bandana",
            "stuuupid idiots f**k off you clown 42 https://example.com",
        ];
        let labels: Vec<Vec<Option<bool>>> = (0..docs.len())
            .map(|i| vec![Some(i % 2 == 0), Some(i % 3 == 0)])
            .collect();
        for norm_floor in [[0.0, 0.0], [3.0, 2.0]] {
            let cfg = FeatureConfig {
                min_df: 1,
                char_by_word: true,
                ..FeatureConfig::default()
            };
            let mut vocab = build(&docs, &labels, &cfg);
            vocab.set_norm_floor(norm_floor).unwrap();
            let texts = docs.iter().copied().chain(["", "@x 7", "idiot", "a a a"]);
            // A warm extractor, twice over: cached words, long uncached words repeated in
            // a text, placeholders.
            let mut warm = Extractor::new();
            for text in texts.clone().chain(texts) {
                let want = reference_vector_by_word(text, &vocab);
                assert_close(&warm.extract(text, &vocab), &want, 1e-6, text);
                // Explanations carry the same values.
                assert_close(&warm.explain(text, &vocab).features, &want, 1e-6, text);
                // The block norms are what the floor is compared with.
                let norms = warm.block_norms(text, &vocab);
                let unfloored = reference_vector_by_word(text, &{
                    let mut v = vocab.clone();
                    v.set_norm_floor([0.0, 0.0]).unwrap();
                    v
                });
                let scale = vocab.config().norm_scale(norms.map(|n| n * n));
                for (i, x) in unfloored
                    .iter()
                    .filter(|&(i, _)| i < vocab.len() as u32 - DENSE_COUNT as u32)
                {
                    let want = want.get(i);
                    assert!(
                        (x * norms[vocab.block(i)] * scale[vocab.block(i)] - want).abs() < 1e-5,
                        "{text}: {i}"
                    );
                }
            }
        }
        // Without block norms the setting is refused.
        let cfg = FeatureConfig {
            char_by_word: true,
            block_norm: false,
            ..FeatureConfig::default()
        };
        assert!(cfg.validate().is_err());
    }

    /// A vocabulary weighing characters per word over `docs`, all but the second positive.
    fn by_word_vocabulary(docs: &[&str]) -> Vocabulary {
        let labels: Vec<Vec<Option<bool>>> = (0..docs.len()).map(|i| vec![Some(i != 1)]).collect();
        let cfg = FeatureConfig {
            min_df: 1,
            char_by_word: true,
            ..FeatureConfig::default()
        };
        build(docs, &labels, &cfg)
    }

    /// A scoring table over `vocab` giving every feature the weights `w` and `-w / 2`.
    fn uniform_table(vocab: &Vocabulary, w: f32) -> QuadTable {
        let rows = vocab
            .slot_order()
            .iter()
            .map(|&f| [vocab.idf()[f as usize], w, -w / 2.0, 0.0])
            .collect();
        QuadTable::new(rows)
    }

    #[test]
    fn per_word_sums_follow_the_table_they_are_computed_with() {
        let vocab = by_word_vocabulary(&[
            "you are an idiot",
            "what a lovely idea",
            "idiots everywhere",
        ]);
        let (a, b) = (uniform_table(&vocab, 1.0), uniform_table(&vocab, 0.5));
        let c = a.clone();
        let sums = |ex: &mut Extractor, t: &QuadTable| {
            ex.for_each_quad_tf("you idiot, an idiot", &vocab, t, |_, _, _| {})
                .0
                .unwrap()
        };
        let mut warm = Extractor::new();
        let want_a = sums(&mut Extractor::new(), &a);
        let want_b = sums(&mut Extractor::new(), &b);
        assert!(
            (want_a[1] - 2.0 * want_b[1]).abs() < 1e-4,
            "{want_a:?} {want_b:?}"
        );
        // One extractor switching tables (and to a clone) recomputes its words' sums.
        for (t, want) in [(&a, want_a), (&b, want_b), (&c, want_a), (&b, want_b)] {
            assert_eq!(sums(&mut warm, t), want);
        }
        assert_ne!(a.id, c.id, "a clone is another table");
    }

    #[test]
    fn scoring_and_explaining_in_turn_keep_the_word_cache_and_agree() {
        let docs = [
            "you are an idiot",
            "what a lovely idea",
            "idiots everywhere, idiots",
        ];
        let vocab = by_word_vocabulary(&docs);
        let table = uniform_table(&vocab, 1.0);
        let mut warm = Extractor::new();
        for text in docs {
            let sums = warm.for_each_quad_tf(text, &vocab, &table, |_, _, _| {}).0;
            let cached = warm.words.store.entries.len();
            let explained = warm.explain_scoring(text, &vocab, Some(&table));
            assert_eq!(warm.words.store.entries.len(), cached, "cache kept: {text}");
            assert_eq!(explained.features, Extractor::new().extract(text, &vocab));
            let again = warm.for_each_quad_tf(text, &vocab, &table, |_, _, _| {}).0;
            assert_eq!(again, sums, "{text}");
        }
    }

    #[test]
    fn distinct_word_probes_start_anywhere_in_a_large_table() {
        let top = (0..100_000u32)
            .map(|id| DistinctWords::home(id, 26))
            .max()
            .unwrap();
        assert!((1 << 25..1 << 26).contains(&top), "{top}");
        assert_eq!(DistinctWords::home(7, 0), 0);
    }

    #[test]
    fn a_document_of_many_long_words_leaves_no_large_table_behind() {
        // 70 letters without a run (stretched letters are squeezed), then k in letters.
        let long = |k: usize| {
            let tail: String = (0..4)
                .map(|d| char::from(b'a' + ((k / 26usize.pow(d)) % 26) as u8))
                .collect();
            format!("{}{tail}", "abcdefghij".repeat(7))
        };
        let big: Vec<String> = (0..5000).map(long).collect();
        let docs = ["you are an idiot", "what a lovely idea"];
        let labels: Vec<Vec<Option<bool>>> = (0..2).map(|i| vec![Some(i == 0)]).collect();
        let vocab = build(
            &docs,
            &labels,
            &FeatureConfig {
                min_df: 1,
                ..FeatureConfig::default()
            },
        );
        let mut ex = Extractor::new();
        ex.extract(&big.join(" "), &vocab);
        assert!(ex.words.store.document_table.capacity() > 10_000);
        ex.extract(&format!("idiot {}", long(1)), &vocab);
        assert!(ex.words.store.document_table.capacity() < 10_000);
    }

    #[test]
    fn repeated_words_weigh_sublinearly_and_shared_grams_add_up() {
        // "idiot idiot" is "idiot" once, scaled by 1 + ln 2 and normalized away; "idiot
        // idiots" counts the grams the two words share twice.
        let docs = ["idiot idiots", "idiot", "clown fool", "nice day"];
        let labels: Vec<Vec<Option<bool>>> = (0..4).map(|i| vec![Some(i < 2)]).collect();
        let cfg = FeatureConfig {
            char_by_word: true,
            ..chars_only((3, 3))
        };
        let cfg = FeatureConfig { min_df: 1, ..cfg };
        let vocab = build(&docs, &labels, &cfg);
        let mut ex = Extractor::new();
        let once = ex.extract("idiot", &vocab);
        assert_eq!(ex.extract("idiot idiot", &vocab), once);
        let both = ex.extract("idiot idiots", &vocab);
        let gram = vocab.index_of("c:dio").unwrap();
        let end = vocab.index_of("c:ot ").unwrap();
        // "dio" is in both words: twice its idf; "ot " only in "idiot": once.
        let ratio = both.get(gram) / both.get(end);
        let idf = |i: u32| vocab.idf()[i as usize];
        assert!((ratio - 2.0 * idf(gram) / idf(end)).abs() < 1e-5, "{ratio}");
    }

    #[test]
    fn slot_tf_gives_each_slot_its_block() {
        let docs = [
            "you are an idiot, wake up sheeple",
            "the deep state runs the media @bob 2017",
            "thanks for the thoughtful reply",
        ];
        let labels = vec![vec![Some(true)], vec![Some(false)], vec![Some(true)]];
        for block_norm in [true, false] {
            let cfg = FeatureConfig {
                min_df: 1,
                block_norm,
                ..FeatureConfig::default()
            };
            let vocab = build(&docs, &labels, &cfg);
            let mut ex = Extractor::new();
            for text in docs {
                let mut seen = Vec::new();
                ex.for_each_slot_tf(text, &vocab, |block, slot, _| seen.push((block, slot)));
                assert!(seen.len() > 3, "{text}");
                for &(block, slot) in &seen {
                    assert_eq!(block, vocab.block_of_slot(slot), "{text}");
                }
                assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "blocks in order");
                assert_eq!(seen.iter().any(|&(b, _)| b == 1), block_norm);
            }
        }
    }

    #[test]
    fn cached_counting_matches_counting_by_name() {
        let long = "x".repeat(70) + "yz";
        let docs = [
            "you are an idiot, see https://example.com and @bob_the_builder",
            "the deep state, 2017 and 1,000 sheeple at www.example.org",
            "thanks for the reply @alice, the report is at example.com/x",
            "stuuupid idiots idiots idiots f**k off you clown 42",
            &format!("{long} {long} and the {long}s again"),
            "wake up, the media lies about the war in 2022",
        ];
        let labels: Vec<Vec<Option<bool>>> = (0..docs.len())
            .map(|i| vec![Some(i % 2 == 0), Some(i % 3 == 0)])
            .collect();
        let cfg = FeatureConfig {
            min_df: 1,
            word_ngram_range: (1, 3),
            ..FeatureConfig::default()
        };
        let vocab = build(&docs, &labels, &cfg);
        // One warm extractor over every text, twice: cached entries (words, placeholders,
        // long words) must give what counting by name gives.
        let mut warm = Extractor::new();
        for text in docs
            .iter()
            .chain(docs.iter())
            .chain(["", "idiot idiot @x 7"].iter())
        {
            assert_eq!(
                warm.extract(text, &vocab),
                reference_vector(text, &vocab),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_norm_floor_damps_only_texts_whose_norm_is_below_it() {
        let docs = [
            "you are an idiot and a clown",
            "what a lovely day for a walk by the river",
            "idiot",
            "the council meets on tuesday to discuss the budget",
        ];
        let labels = alternating_labels(docs.len());
        let cfg = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let mut vocab = build(&docs, &labels, &cfg);
        let mut ex = Extractor::new();
        let short = ex.block_norms("idiot", &vocab);
        let long = ex.block_norms(docs[3], &vocab);
        assert!(short[0] > 0.0 && short[0] < long[0], "{short:?} {long:?}");
        // A floor between the two: the short text is divided by the floor, the long one
        // by its own norm.
        let floor = [(short[0] + long[0]) / 2.0, 0.0];
        vocab.set_norm_floor(floor).unwrap();
        let block_norm = |v: &SparseVec, vocab: &Vocabulary| {
            v.iter()
                .filter(|&(i, _)| {
                    vocab.block(i) == 0 && vocab.name(i).is_some_and(|n| n.starts_with("c:"))
                })
                .map(|(_, x)| x * x)
                .sum::<f32>()
                .sqrt()
        };
        let short_vector = ex.extract("idiot", &vocab);
        assert!((block_norm(&short_vector, &vocab) - short[0] / floor[0]).abs() < 1e-5);
        assert!((block_norm(&ex.extract(docs[3], &vocab), &vocab) - 1.0).abs() < 1e-5);
        // The cached path and counting by name agree under a floor too.
        for text in docs.iter().chain(["", "idiot idiot"].iter()) {
            assert_eq!(
                ex.extract(text, &vocab),
                reference_vector(text, &vocab),
                "{text:?}"
            );
        }
        // A floor that is negative or not a number is refused.
        for bad in [[-1.0, 0.0], [0.0, f32::NAN], [f32::INFINITY, 0.0]] {
            assert!(vocab.set_norm_floor(bad).is_err(), "{bad:?}");
        }
        assert_eq!(vocab.config().norm_floor, floor);
    }

    /// Many distinct short words, so that hot records are replaced and words whose
    /// records were taken over come back through the table.
    fn many_short_words(n: usize) -> Vec<String> {
        const SYLLABLES: [&str; 12] = [
            "id", "io", "t", "cl", "ow", "n", "de", "ep", "st", "a", "te", "s",
        ];
        (0..n)
            .map(|k| {
                let (a, b, c) = (k % 12, (k / 12) % 12, (k / 144) % 12);
                format!("{}{}{}", SYLLABLES[a], SYLLABLES[b], SYLLABLES[c])
            })
            .collect()
    }

    #[test]
    fn term_frequencies_from_the_tables_match_the_formulas() {
        for sublinear in [true, false] {
            let tf = TermFrequency::new(sublinear);
            for n in 1..300u32 {
                let expected = match n {
                    1 => 1.0,
                    n if sublinear => 1.0 + (n as f32).ln(),
                    n => n as f32,
                };
                assert_eq!(tf.of(n).to_bits(), expected.to_bits(), "{n} {sublinear}");
            }
        }
    }

    #[test]
    fn hot_words_count_like_counting_by_name() {
        let words = many_short_words(1728);
        let docs: Vec<String> = words.chunks(8).map(|c| c.join(" ")).collect();
        let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let labels = alternating_labels(docs.len());
        let cfg = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let vocab = build(&docs, &labels, &cfg);
        let mut warm = Extractor::new();
        // Twice over, then with the hot records emptied by a shrink, with placeholders,
        // words of exactly 8 and 9 bytes and many distinct ones of 8 to 14 mixed in.
        for round in 0..3 {
            if round == 2 {
                warm.words.shrink(100);
            }
            for (k, doc) in docs.iter().enumerate() {
                let text = format!(
                    "{doc} @bob 42 idiotsss idiotssss {} {1}x{1}q",
                    words[(k * 7) % words.len()],
                    words[(k * 11) % words.len()]
                );
                assert_eq!(
                    warm.extract(&text, &vocab),
                    reference_vector(&text, &vocab),
                    "{text:?}"
                );
            }
        }
        assert!(warm.words.hot.sets.iter().any(|h| h.0[1].len > 0));
        assert!(warm.words.hot_long.sets.iter().any(|h| h.0[0].len > 8));
    }

    #[test]
    fn hot_records_are_forgotten_with_the_vocabulary() {
        let docs = [
            "you idiot clown",
            "the deep state lies",
            "nice reply thanks",
        ];
        let labels = vec![vec![Some(true)], vec![Some(false)], vec![Some(false)]];
        let cfg = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let first = build(&docs, &labels, &cfg);
        let other = build(&docs[1..], &labels[1..], &cfg);
        let mut ex = Extractor::new();
        for vocab in [&first, &other, &first] {
            for text in docs {
                assert_eq!(ex.extract(text, vocab), reference_vector(text, vocab));
            }
        }
    }

    #[test]
    fn word_ngrams_are_found_whatever_place_their_words_take_elsewhere() {
        // "state" ends one n-gram and starts another, "the" starts one and continues
        // another; "lies" only ends one, "deep" only continues some.
        let docs = [
            "the deep state lies",
            "state the deep facts",
            "deep deep state the",
            "they said the deep state",
        ];
        let labels = alternating_labels(docs.len());
        let cfg = FeatureConfig {
            word_ngram_range: (1, 3),
            top_k: 1000,
            ..words_only()
        };
        let vocab = build(&docs, &labels, &cfg);
        let links = |stem: &str| vocab.ngram_links(unigram_hash(stem.as_bytes()));
        assert_eq!(links("state"), LINK_FIRST | LINK_LATER);
        assert_eq!(links("lie"), LINK_LATER);
        assert_eq!(links("they"), LINK_FIRST);
        assert_eq!(links("nowher"), 0);
        let mut ex = Extractor::new();
        let texts = docs.iter().map(|d| d.to_string()).chain([
            "lies the deep state state the deep".to_string(),
            "nowhere deep state lies deep the".to_string(),
        ]);
        for text in texts {
            let got = ex.extract(&text, &vocab);
            assert_eq!(got, reference_vector(&text, &vocab), "{text}");
        }
    }

    #[test]
    fn a_shrunk_word_cache_counts_the_same() {
        let docs = [
            "you are an idiot and a clown @bob",
            "the deep state runs the media, wake up sheeple",
            "thanks for the thoughtful reply, see example.com",
        ];
        let labels = vec![vec![Some(true)], vec![Some(false)], vec![Some(false)]];
        let cfg = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let vocab = build(&docs, &labels, &cfg);
        let mut ex = Extractor::new();
        for keep in [5, 0, 100] {
            for text in docs {
                assert_eq!(ex.extract(text, &vocab), reference_vector(text, &vocab));
            }
            let before = ex.words.store.entries.len();
            ex.words.shrink(keep);
            assert_eq!(ex.words.store.entries.len(), keep.min(before));
            assert_eq!(ex.words.store.table.len(), ex.words.store.entries.len());
        }
        for text in docs {
            assert_eq!(ex.extract(text, &vocab), reference_vector(text, &vocab));
        }
    }

    #[test]
    fn text_signals_match_plain_loops_on_long_text() {
        let text = "ABCdef!!?x ".repeat(100) + "Éé ß ǅ 😀 !!!!!";
        assert_eq!(caps_share(&text), plain_caps_share(&text));
        assert_eq!(longest_punct_run(&text), plain_punct_run(&text));
    }

    /// `caps_share` as one loop over chars (the reference).
    fn plain_caps_share(text: &str) -> f32 {
        let upper = text.chars().filter(|c| c.is_uppercase()).count();
        let lower = text.chars().filter(|c| c.is_lowercase()).count();
        if upper + lower == 0 {
            0.0
        } else {
            upper as f32 / (upper + lower) as f32
        }
    }

    /// `longest_punct_run` as one loop over bytes (the reference).
    fn plain_punct_run(text: &str) -> (usize, usize) {
        let (mut best, mut best_at, mut run) = (0, 0, 0);
        for (i, b) in text.bytes().enumerate() {
            if matches!(b, b'!' | b'?') {
                run += 1;
                if run > best {
                    best = run;
                    best_at = i + 1 - run;
                }
            } else {
                run = 0;
            }
        }
        (best, best_at)
    }

    proptest::proptest! {
        #[test]
        fn text_signals_match_plain_loops(text in "[a-zA-Z!? .éÉßǅ😀]{0,600}") {
            proptest::prop_assert_eq!(caps_share(&text), plain_caps_share(&text));
            proptest::prop_assert_eq!(longest_punct_run(&text), plain_punct_run(&text));
        }
    }

    #[test]
    fn dense_signals_are_scaled() {
        let mut ex = Extractor::new();
        let d = ex.dense("HELLO there?!?! you are a clown");
        assert!((d[DenseSignal::CapsShare.slot()] - 5.0 / 22.0).abs() < 1e-6);
        assert!((d[DenseSignal::PunctRun.slot()] - 0.75).abs() < 1e-6);
        assert!((d[DenseSignal::SecondPerson.slot()] - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(d[DenseSignal::Obfuscation.slot()], 0.0);
        assert!(d.iter().all(|v| (0.0..=1.0).contains(v)));
        let d = ex.dense("your kind. you idiot. people like you. you're a f*ck1ng joke");
        assert_eq!(d[DenseSignal::SecondPerson.slot()], 1.0);
        assert!(d[DenseSignal::Obfuscation.slot()] > 0.0);
    }

    #[test]
    fn group_slurs_count_slurs_and_their_two_word_forms_only() {
        let mut ex = Extractor::new();
        let slurs = |ex: &mut Extractor, text: &str| ex.dense(text)[DenseSignal::GroupSlurs.slot()];
        assert_eq!(slurs(&mut ex, "those towel heads again"), 0.5);
        assert_eq!(slurs(&mut ex, "go home, wetbacks and porch monkeys"), 1.0);
        // De-obfuscated before matching.
        assert_eq!(slurs(&mut ex, "a k1ke"), 0.5);
        // A two-word slur that ends in a one-word slur counts once.
        assert_eq!(slurs(&mut ex, "a sand nigger"), 0.5);
        // Innocent neighbours of slurs, and halves of two-word slurs, are not counted.
        for text in [
            "My guy is a Maine coon and a total cuddle bum",
            "a towel on my head, a monkey on the porch",
            "the jungle is full of bunnies",
            "a chink in the armour of the Redskins' honky tonk band",
            "you idiot",
            "",
        ] {
            assert_eq!(slurs(&mut ex, text), 0.0, "{text:?}");
        }
    }

    #[test]
    fn group_slur_entries_are_what_the_tokenizer_makes_of_them() {
        let mut tokenizer = Tokenizer::new();
        for phrase in GROUP_SLURS {
            let text = phrase.join(" ");
            let tokens: Vec<String> = tokenizer
                .tokenize(&text)
                .into_iter()
                .map(|t| t.text)
                .collect();
            assert_eq!(tokens, *phrase, "{text:?}");
        }
    }

    #[test]
    fn tfidf_on_hand_computed_example() {
        let cfg = FeatureConfig {
            word_ngram_range: (1, 1),
            ..words_only()
        };
        let names = vec!["w:idiot".to_string(), "w:moron".to_string()];
        let vocab = match Vocabulary::from_parts(cfg, 3, names, vec![1.0, 2.0], vec![vec![0, 1]]) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        let v = Extractor::new().extract("Idiots, idiot... moron and others", &vocab);
        // tf(idiot) = 2 -> 1 + ln 2; tf(moron) = 1 -> 1; times idf 1 and 2, then L2.
        let (a, b) = (1.0 + 2f32.ln(), 2.0);
        let norm = (a * a + b * b).sqrt();
        assert_eq!(v.indices, [0, 1]);
        assert!((v.values[0] - a / norm).abs() < 1e-6 && (v.values[1] - b / norm).abs() < 1e-6);
        assert!((v.norm() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn block_norm_normalizes_chars_and_words_apart() {
        let docs = ["you idiot clown", "idiot", "nice day", "a clown show"];
        let labels = vec![
            vec![Some(true)],
            vec![Some(true)],
            vec![Some(false)],
            vec![None],
        ];
        let cfg = FeatureConfig {
            min_df: 1,
            dense: false,
            ..FeatureConfig::default()
        };
        assert!(cfg.block_norm);
        let (vocab, _) = match Vocabulary::build(&docs, &labels, &cfg) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        // Character n-grams come first, then words, and `block` tells them apart.
        let first_word = vocab
            .names()
            .iter()
            .position(|n| !n.starts_with(CHAR_PREFIX))
            .unwrap_or(vocab.len());
        assert!(first_word > 0 && first_word < vocab.len());
        assert!(
            vocab.names()[first_word..]
                .iter()
                .all(|n| !n.starts_with(CHAR_PREFIX))
        );
        let v = Extractor::new().extract("you idiot clown", &vocab);
        let mut norm2 = [0.0f32; 2];
        for (i, x) in v.iter() {
            let is_char = vocab.name(i).is_some_and(|n| n.starts_with(CHAR_PREFIX));
            assert_eq!(vocab.block(i), usize::from(!is_char));
            norm2[vocab.block(i)] += x * x;
        }
        assert!(
            (norm2[0] - 1.0).abs() < 1e-5 && (norm2[1] - 1.0).abs() < 1e-5,
            "{norm2:?}"
        );
    }

    #[test]
    fn stop_words_leave_function_word_ngrams_out() {
        assert!(!FeatureConfig::default().stop_words, "off unless asked for");
        let docs = [
            "it was the idiot",
            "it was the idiot again",
            "you were the best",
            "so it was",
        ];
        let labels = vec![
            vec![Some(true)],
            vec![Some(true)],
            vec![Some(false)],
            vec![Some(false)],
        ];
        let names = |stop_words: bool| -> Vec<String> {
            let cfg = FeatureConfig {
                stop_words,
                ..words_only()
            };
            match Vocabulary::build(&docs, &labels, &cfg) {
                Ok((v, _)) => v.names().to_vec(),
                Err(e) => panic!("{e}"),
            }
        };
        let (with, without) = (names(false), names(true));
        for gone in ["w:it", "w:was", "w:the", "w:it was", "w:was the"] {
            assert!(
                with.iter().any(|n| n == gone),
                "{gone} should exist without stop words"
            );
            assert!(
                !without.iter().any(|n| n == gone),
                "{gone} should be left out"
            );
        }
        for kept in ["w:idiot", "w:the idiot", "w:you", "w:you were"] {
            assert!(without.iter().any(|n| n == kept), "{kept} should be kept");
        }
    }

    #[test]
    fn block_norm_vocabulary_rejects_interleaved_names() {
        let names = vec![
            "c: id".to_string(),
            "w:idiot".to_string(),
            "c:ot ".to_string(),
        ];
        let result = Vocabulary::from_parts(
            FeatureConfig::default(),
            3,
            names,
            vec![1.0; 3],
            vec![vec![0, 1, 2]],
        );
        assert!(matches!(result, Err(FeatureError::Vocabulary(m)) if m.contains("follows")));
    }

    #[test]
    fn configs_without_block_norm_load_as_one_block() {
        let cfg: FeatureConfig = match serde_json::from_str(r#"{"top_k": 10}"#) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        assert!(!cfg.block_norm);
        assert_eq!(cfg.top_k, 10);
    }

    #[test]
    fn build_computes_smooth_idf() {
        let docs = ["idiot clown", "idiot", "nice day"];
        let labels = vec![vec![None]; 3];
        let vocab = build(
            &docs,
            &labels,
            &FeatureConfig {
                word_ngram_range: (1, 1),
                ..words_only()
            },
        );
        let idf = |name: &str| vocab.index_of(name).map(|i| vocab.idf()[i as usize]);
        // n = 3: idf = ln(4 / (1 + df)) + 1.
        assert!((idf("w:idiot").unwrap_or(0.0) - ((4.0f32 / 3.0).ln() + 1.0)).abs() < 1e-6);
        assert!((idf("w:clown").unwrap_or(0.0) - (2.0f32.ln() + 1.0)).abs() < 1e-6);
        assert_eq!(vocab.n_docs(), 3);
    }

    #[test]
    fn chi2_selects_discriminative_features() {
        let mut docs = Vec::new();
        let mut labels = Vec::new();
        for i in 0..40 {
            let abusive = i % 2 == 0;
            let text = if abusive {
                format!("the idiot said thing {i}")
            } else {
                format!("the reader said thing {i}")
            };
            docs.push(text);
            labels.push(vec![Some(abusive), None]);
        }
        let cfg = FeatureConfig {
            word_ngram_range: (1, 1),
            top_k: 2,
            min_df: 2,
            ..words_only()
        };
        let (vocab, selected) = match Vocabulary::build(&docs, &labels, &cfg) {
            Ok(x) => x,
            Err(e) => panic!("{e}"),
        };
        let chosen: Vec<&str> = selected[0].iter().filter_map(|&i| vocab.name(i)).collect();
        assert_eq!(chosen, ["w:idiot", "w:reader"]);
        assert_eq!(selected[0], vocab.selected(0));
        // Label 1 has no labeled documents: falls back to the most frequent features.
        let fallback: Vec<&str> = selected[1].iter().filter_map(|&i| vocab.name(i)).collect();
        assert_eq!(fallback, ["w:said", "w:the"]);
        // min_df drops the per-document numbers (df 1 each... all map to _num_, df 40).
        assert!(vocab.index_of("w:_num_").is_none());
    }

    #[test]
    fn min_df_and_max_df_filter() {
        let docs = ["a common rare1", "a common", "a common"];
        let labels = vec![vec![Some(true)], vec![Some(false)], vec![Some(false)]];
        let cfg = FeatureConfig {
            word_ngram_range: (1, 1),
            min_df: 2,
            max_df: 0.9,
            ..words_only()
        };
        let vocab = build(&docs, &labels, &cfg);
        assert!(vocab.is_empty(), "{:?}", vocab.names());
    }

    #[test]
    fn vocabulary_serde_round_trip() {
        let docs = [
            "you are an idiot",
            "wake up sheeple",
            "nice article",
            "you idiot",
            "sheeple everywhere",
        ];
        let labels = vec![
            vec![Some(true), Some(false)],
            vec![Some(false), Some(true)],
            vec![Some(false), Some(false)],
            vec![Some(true), None],
            vec![None, Some(true)],
        ];
        let cfg = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let vocab = build(&docs, &labels, &cfg);
        let json = match serde_json::to_string(&vocab) {
            Ok(j) => j,
            Err(e) => panic!("{e}"),
        };
        let back: Vocabulary = match serde_json::from_str(&json) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(back.names(), vocab.names());
        assert_eq!(back.idf(), vocab.idf());
        assert_eq!(back.selected(1), vocab.selected(1));
        assert_eq!(back.config(), vocab.config());
        let text = "You are an IDIOT, wake up!!";
        assert_eq!(
            Extractor::new().extract(text, &back),
            Extractor::new().extract(text, &vocab)
        );
        for (i, name) in (0u32..).zip(back.names()) {
            assert_eq!(back.index_of(name), Some(i), "{name}");
        }
        assert!(back.dense_index(DenseSignal::CapsShare).is_some());
    }

    #[test]
    fn corrupt_vocabulary_is_rejected() {
        let cfg = FeatureConfig::default();
        let dup = vec!["w:a".to_string(), "w:a".to_string()];
        assert!(Vocabulary::from_parts(cfg.clone(), 1, dup, vec![1.0, 1.0], vec![]).is_err());
        let unknown = vec!["d:nope".to_string()];
        assert!(Vocabulary::from_parts(cfg.clone(), 1, unknown, vec![1.0], vec![]).is_err());
        let out_of_range = vec!["w:a".to_string()];
        assert!(
            Vocabulary::from_parts(cfg.clone(), 1, out_of_range, vec![1.0], vec![vec![3]]).is_err()
        );
        assert!(Vocabulary::from_parts(cfg, 1, vec![], vec![1.0], vec![]).is_err());
        let bad = FeatureConfig {
            char_ngram_range: (3, 2),
            ..FeatureConfig::default()
        };
        assert!(bad.validate().is_err());
        let labels = vec![vec![Some(true)], vec![]];
        assert!(Vocabulary::build(&["a", "b"], &labels, &FeatureConfig::default()).is_err());
    }

    #[test]
    fn explain_points_at_original_words() {
        let docs = [
            "you are an idiot",
            "what an idiot",
            "nice day",
            "what a day",
        ];
        let labels = vec![
            vec![Some(true)],
            vec![Some(true)],
            vec![Some(false)],
            vec![Some(false)],
        ];
        let cfg = FeatureConfig {
            min_df: 1,
            stop_words: false,
            ..FeatureConfig::default()
        };
        let vocab = build(&docs, &labels, &cfg);
        let text = "What ａn 1D10T!!!";
        let ex = Extractor::new().explain(text, &vocab);
        assert_eq!(ex.spans.len(), ex.features.len());
        let spans_of = |name: &str| {
            let index = vocab.index_of(name).unwrap_or(u32::MAX);
            let k = ex.features.indices.iter().position(|&i| i == index);
            k.map(|k| {
                ex.spans[k]
                    .iter()
                    .map(|&(a, b)| &text[a..b])
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(spans_of("w:idiot"), Some(vec!["1D10T"]));
        assert_eq!(spans_of("w:an idiot"), Some(vec!["ａn 1D10T"]));
        assert_eq!(spans_of("c: idi"), Some(vec!["1D10T"]));
        assert_eq!(spans_of("w:an"), Some(vec!["ａn"]));
        assert_eq!(spans_of("w:what"), None, "no chi2 signal, not selected");
        assert_eq!(spans_of("d:punct_run"), Some(vec!["!!!"]));
        assert_eq!(spans_of("d:obfuscated"), Some(vec!["ａn", "1D10T"]));
        assert_eq!(spans_of("d:caps_share"), Some(vec!["1D10T"]));
    }

    #[test]
    fn sparse_vec_helpers() {
        let v = SparseVec {
            indices: vec![1, 4],
            values: vec![0.5, 2.0],
        };
        assert_eq!(v.get(4), 2.0);
        assert_eq!(v.get(2), 0.0);
        assert_eq!(v.dot(&[1.0, 2.0, 3.0]), 1.0);
        assert_eq!(v.iter().collect::<Vec<_>>(), [(1, 0.5), (4, 2.0)]);
    }

    #[test]
    fn chi2_matches_formula() {
        // a=10 b=0 c=0 d=10 -> perfectly associated: chi2 = n = 20.
        assert!((chi2(10.0, 0.0, 10.0, 10.0) - 20.0).abs() < 1e-9);
        assert_eq!(chi2(5.0, 5.0, 10.0, 10.0), 0.0);
        assert_eq!(chi2(0.0, 0.0, 10.0, 10.0), 0.0);
    }
}
