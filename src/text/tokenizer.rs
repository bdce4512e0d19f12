//! The word tokenizer: finds URLs, mentions, numbers and words in the original text, and
//! normalizes and de-obfuscates each word while keeping its original byte span.

use super::chars::{
    Symbol, fold_fullwidth, homoglyph, is_apostrophe, is_invisible, is_word_char,
    is_word_continuation, leet_letters, symbol,
};
use super::lexicon::{self, Pat};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalized text of URL tokens (including e-mail addresses and bare domains).
pub const URL_PLACEHOLDER: &str = "_url_";
/// Normalized text of `@mention` tokens.
pub const MENTION_PLACEHOLDER: &str = "_user_";
/// Normalized text of number tokens.
pub const NUMBER_PLACEHOLDER: &str = "_num_";

/// Longest candidate (in chars) that is matched against the lexicon; longer ones are never
/// disguised swear words.
const MAX_LEXICON_CANDIDATE: usize = 24;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenKind {
    /// A word (letters, possibly with digits such as "covid19" or "g20").
    Word,
    /// A number; its normalized text is [`NUMBER_PLACEHOLDER`].
    Number,
    /// A URL, bare domain or e-mail address; its normalized text is [`URL_PLACEHOLDER`].
    Url,
    /// An `@mention`; its normalized text is [`MENTION_PLACEHOLDER`].
    Mention,
}

impl TokenKind {
    /// The placeholder text tokens of this kind normalize to (`None` for words).
    pub fn placeholder(self) -> Option<&'static str> {
        match self {
            TokenKind::Word => None,
            TokenKind::Number => Some(NUMBER_PLACEHOLDER),
            TokenKind::Url => Some(URL_PLACEHOLDER),
            TokenKind::Mention => Some(MENTION_PLACEHOLDER),
        }
    }
}

/// Position and kind of one token; its normalized text is kept by the owning [`Tokens`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSpan {
    /// Byte offset of the token's start in the original text (a char boundary).
    pub start: usize,
    /// Byte offset just past the token's end in the original text (a char boundary).
    pub end: usize,
    /// What the token is.
    pub kind: TokenKind,
    /// Whether de-obfuscation changed it (masks, leetspeak, spaced letters, homoglyphs,
    /// invisible characters, styled Unicode letters).
    pub obfuscated: bool,
    /// Range of the normalized text in [`Tokens`]' shared buffer.
    text: (usize, usize),
    /// The normalized text's bytes packed little-endian when it has 1 to 8 of them
    /// (see [`Tokens::packed`]), else 0. Whatever sets or changes `text` sets this too.
    packed: u64,
}

impl TokenSpan {
    /// The length in bytes of the normalized text.
    #[inline]
    pub(crate) fn text_len(&self) -> usize {
        self.text.1.saturating_sub(self.text.0)
    }
}

/// A borrowed view of one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRef<'a> {
    /// The normalized token text.
    pub text: &'a str,
    /// Byte offset of the token's start in the original text.
    pub start: usize,
    /// Byte offset just past the token's end in the original text.
    pub end: usize,
    /// What the token is.
    pub kind: TokenKind,
    /// Whether de-obfuscation changed it.
    pub obfuscated: bool,
}

/// An owned token, convenient for tests and one-off use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalized token text.
    pub text: String,
    /// Byte offset of the token's start in the original text.
    pub start: usize,
    /// Byte offset just past the token's end in the original text.
    pub end: usize,
    /// What the token is.
    pub kind: TokenKind,
    /// Whether de-obfuscation changed it.
    pub obfuscated: bool,
}

/// Reusable token storage: spans plus one shared buffer holding every normalized token text.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    buf: String,
    spans: Vec<TokenSpan>,
}

impl Tokens {
    /// Empty storage.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes all tokens, keeping the allocations.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// All token spans in text order.
    pub fn spans(&self) -> &[TokenSpan] {
        &self.spans
    }

    /// The normalized text of a span from this storage.
    pub fn text(&self, span: &TokenSpan) -> &str {
        self.buf.get(span.text.0..span.text.1).unwrap_or("")
    }

    /// When the normalized text of a span is 1 to 8 bytes long, those bytes packed
    /// little-endian into a `u64` (the rest zero), as the tokenizer stored them in the
    /// span: no read of the text, and no `&str` (with its char boundary checks), which a
    /// lookup only needs when it misses.
    #[inline]
    pub(crate) fn packed(&self, span: &TokenSpan) -> Option<u64> {
        debug_assert_eq!(
            span.packed,
            self.buf
                .as_bytes()
                .get(span.text.0..span.text.1)
                .map_or(0, span_packed),
            "a span's packed bytes are its text's"
        );
        (1..=8).contains(&span.text_len()).then_some(span.packed)
    }

    /// Like [`packed`](Self::packed) for tokens of 9 to 16 bytes: their bytes
    /// packed little-endian into two `u64`s (the rest zero).
    #[inline]
    pub(crate) fn packed_long(&self, span: &TokenSpan) -> Option<[u64; 2]> {
        let len = span.text_len();
        if !(9..=16).contains(&len) {
            return None;
        }
        let sixteen = self
            .buf
            .as_bytes()
            .get(span.text.0..)
            .and_then(|b| b.first_chunk::<16>());
        let packed = match sixteen {
            Some(sixteen) => {
                let (a, b) = sixteen.split_at(8);
                let word = |half: &[u8]| half.try_into().map_or(0, u64::from_le_bytes);
                [word(a), word(b) & LOW_BYTES_MASK[len - 8]]
            }
            None => {
                let bytes = self.text(span).as_bytes();
                let (a, b) = bytes.split_at(8.min(bytes.len()));
                [pack_bytes(a), pack_bytes(b)]
            }
        };
        Some(packed)
    }

    /// The `i`-th token.
    pub fn get(&self, i: usize) -> Option<TokenRef<'_>> {
        self.spans.get(i).map(|s| self.view(s))
    }

    /// Iterates over the tokens in text order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = TokenRef<'_>> + '_ {
        self.spans.iter().map(|s| self.view(s))
    }

    /// Copies the tokens out as owned [`Token`]s.
    pub fn to_vec(&self) -> Vec<Token> {
        self.iter()
            .map(|t| Token {
                text: t.text.to_string(),
                start: t.start,
                end: t.end,
                kind: t.kind,
                obfuscated: t.obfuscated,
            })
            .collect()
    }

    fn view(&self, s: &TokenSpan) -> TokenRef<'_> {
        TokenRef {
            text: self.text(s),
            start: s.start,
            end: s.end,
            kind: s.kind,
            obfuscated: s.obfuscated,
        }
    }

    /// Appends a token whose text is `text`.
    fn push(&mut self, start: usize, end: usize, kind: TokenKind, obfuscated: bool, text: &str) {
        let t0 = self.buf.len();
        self.buf.push_str(text);
        self.finish(start, end, kind, obfuscated, t0);
    }

    /// Appends the plain ASCII word `bytes[s..e]` (letters and inner `'`) lowercased, when
    /// it has at most 8 bytes, 8 bytes of text follow `s`, and it has no stretched letters
    /// (see [`has_packed_triple`]); returns whether it did.
    #[inline(always)]
    fn push_short_plain_word(&mut self, bytes: &[u8], s: usize, e: usize) -> bool {
        let len = e - s;
        let Some(&eight) = bytes.get(s..).and_then(|b| b.first_chunk::<8>()) else {
            return false;
        };
        if len > 8 {
            return false;
        }
        // Setting bit 5 lowercases the letters and leaves `'` as it is.
        let word = (u64::from_le_bytes(eight) | 0x2020_2020_2020_2020) & LOW_BYTES_MASK[len];
        if has_packed_triple(word, len) || !push_packed_ascii(&mut self.buf, word, len) {
            return false;
        }
        let t0 = self.buf.len() - len;
        self.finish_packed(s, e, TokenKind::Word, false, t0, word);
        true
    }

    /// Like [`push_short_plain_word`](Self::push_short_plain_word) for words of 9 to 16
    /// bytes with 16 bytes of text from `s` on.
    fn push_long_plain_word(&mut self, bytes: &[u8], s: usize, e: usize) -> bool {
        let len = e - s;
        let eight_at = |i: usize| bytes.get(i..).and_then(|b| b.first_chunk::<8>());
        let (Some(a), Some(b)) = (eight_at(s), eight_at(s + 8)) else {
            return false;
        };
        if !(9..=16).contains(&len) {
            return false;
        }
        let lowered = |half: &[u8; 8]| u64::from_le_bytes(*half) | 0x2020_2020_2020_2020;
        let (low, high) = (lowered(a), lowered(b) & LOW_BYTES_MASK[len - 8]);
        // Bytes 6 to 13 hold every run of three that crosses from one half to the other.
        let middle = (low >> 48) | (high << 16);
        let stretched = has_packed_triple(low, 8)
            || has_packed_triple(middle, (len - 6).min(8))
            || has_packed_triple(high, len - 8);
        if stretched || !push_packed_ascii(&mut self.buf, low, 8) {
            return false;
        }
        if !push_packed_ascii(&mut self.buf, high, len - 8) {
            self.buf.truncate(self.buf.len() - 8);
            return false;
        }
        let t0 = self.buf.len() - len;
        self.finish_packed(s, e, TokenKind::Word, false, t0, 0);
        true
    }

    /// Appends a token whose text was written to the buffer from `t0` on.
    fn finish(&mut self, start: usize, end: usize, kind: TokenKind, obfuscated: bool, t0: usize) {
        let packed = self.buf.as_bytes().get(t0..).map_or(0, span_packed);
        self.finish_packed(start, end, kind, obfuscated, t0, packed);
    }

    /// [`finish`](Self::finish) for a token whose packed text (see [`TokenSpan::packed`])
    /// the caller has.
    #[inline]
    fn finish_packed(
        &mut self,
        start: usize,
        end: usize,
        kind: TokenKind,
        obfuscated: bool,
        t0: usize,
        packed: u64,
    ) {
        let text = (t0, self.buf.len());
        self.spans.push(TokenSpan {
            start,
            end,
            kind,
            obfuscated,
            text,
            packed,
        });
    }
}

/// [`TokenSpan::packed`] of a token whose normalized text is `text`: its bytes packed
/// when it has 1 to 8 of them, else 0.
fn span_packed(text: &[u8]) -> u64 {
    if (1..=8).contains(&text.len()) {
        pack_bytes(text)
    } else {
        0
    }
}

/// Up to 8 bytes packed little-endian into a `u64` (the rest zero).
#[inline]
fn pack_bytes(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .enumerate()
        .fold(0, |v, (i, &b)| v | u64::from(b) << (8 * i))
}

/// One normalized character and the original byte span it came from.
#[derive(Debug, Clone, Copy)]
struct NChar {
    c: char,
    start: usize,
    end: usize,
}

/// Tokenizer with reusable scratch buffers. Create once, call
/// [`tokenize_into`](Self::tokenize_into) per text.
///
/// Pipeline per word candidate (a run of letters, digits, mask symbols, inner apostrophes,
/// combining marks and invisible characters): NFKC per grapheme, lowercase, drop invisible
/// characters and leftover combining marks, map homoglyphs, resolve masks/leetspeak against
/// the lexicon, then substitute `$ @ ! ¢ €` and clear leetspeak, split what is left at
/// remaining symbols, and collapse stretched letters. Plain ASCII words take a fast path.
/// A final pass merges spaced-out letters ("i d i o t").
#[derive(Debug, Clone, Default)]
pub struct Tokenizer {
    chars: Vec<NChar>,
    pat: Vec<Pat>,
    scratch: String,
    /// Skip the plain-ASCII fast paths (tests compare both paths).
    general_only: bool,
}

impl Tokenizer {
    /// A tokenizer with empty scratch buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tokenizes `text` into `out` (cleared first).
    pub fn tokenize_into(&mut self, text: &str, out: &mut Tokens) {
        out.clear();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if !ASCII_WORD[usize::from(b)] {
                    i += 1;
                    continue;
                }
                i = self.token_at(text, i, out);
                continue;
            }
            let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
                break;
            };
            if is_word_char(c) {
                i = self.token_at(text, i, out);
            } else {
                i += c.len_utf8();
            }
        }
        merge_spaced(text, out, &mut self.scratch);
    }

    /// Tokenizes `text` into owned tokens.
    pub fn tokenize(&mut self, text: &str) -> Vec<Token> {
        let mut out = Tokens::new();
        self.tokenize_into(text, &mut out);
        out.to_vec()
    }

    /// Reads the token starting at `s` (a word character) and returns where scanning resumes.
    /// Short plain words, most of any text, take a path small enough to inline into the
    /// scanning loop; the rest go to [`other_token_at`](Self::other_token_at).
    #[inline(always)]
    fn token_at(&mut self, text: &str, s: usize, out: &mut Tokens) -> usize {
        let bytes = text.as_bytes();
        let plain_end = match bytes[s].is_ascii_alphabetic() && !self.general_only {
            true => plain_word_end(bytes, s),
            false => None,
        };
        match plain_end {
            Some(end) if out.push_short_plain_word(bytes, s, end) => end,
            _ => self.other_token_at(text, s, plain_end, out),
        }
    }

    /// [`token_at`](Self::token_at) for all but short plain words; `plain_end` is
    /// [`plain_word_end`] at `s` if it was computed.
    #[inline(never)]
    fn other_token_at(
        &mut self,
        text: &str,
        s: usize,
        plain_end: Option<usize>,
        out: &mut Tokens,
    ) -> usize {
        let bytes = text.as_bytes();
        let b = bytes[s];
        if !self.general_only {
            if b.is_ascii_alphabetic() {
                if let Some(end) = plain_end {
                    self.push_plain_word(text, s, end, out);
                    return end;
                }
                if let Some((end, resume)) = word_before_punctuation(bytes, s) {
                    self.push_plain_word(text, s, end, out);
                    return resume;
                }
            } else if b.is_ascii_digit()
                && let Some(end) = plain_number_end(bytes, s)
            {
                out.push(s, end, TokenKind::Number, false, NUMBER_PLACEHOLDER);
                return end;
            } else if b == b'#'
                && let Some(end) = numeric_entity_end(bytes, s)
            {
                // The general path drops the `#` and keeps the digits as a number.
                out.push(s + 1, end, TokenKind::Number, false, NUMBER_PLACEHOLDER);
                return end;
            }
        }
        self.general_token_at(text, s, out)
    }

    /// Appends the plain ASCII word `text[s..e]` (letters and inner `'`), lowercased and
    /// with stretched letters collapsed: what the general path makes of it.
    fn push_plain_word(&mut self, text: &str, s: usize, e: usize, out: &mut Tokens) {
        if out.push_short_plain_word(text.as_bytes(), s, e)
            || out.push_long_plain_word(text.as_bytes(), s, e)
        {
            return;
        }
        // Words of more than 16 bytes, near the end of the text, or with stretched letters.
        let t0 = out.buf.len();
        out.buf.push_str(text.get(s..e).unwrap_or(""));
        let stretched = out.buf.get_mut(t0..).is_some_and(|word| {
            word.make_ascii_lowercase();
            has_ascii_stretch(word.as_bytes())
        });
        if stretched {
            collapse_stretched(&mut out.buf, t0, &mut self.scratch);
        }
        out.finish(s, e, TokenKind::Word, false, t0);
    }

    /// [`token_at`](Self::token_at) without the plain-ASCII fast paths.
    fn general_token_at(&mut self, text: &str, s: usize, out: &mut Tokens) -> usize {
        let bytes = text.as_bytes();
        let b = bytes[s];
        if b == b'@' {
            if let Some(end) = mention_end(bytes, s) {
                out.push(s, end, TokenKind::Mention, false, MENTION_PLACEHOLDER);
                return end;
            }
        } else if b.is_ascii_alphanumeric()
            && let Some(end) = link_end(bytes, s)
        {
            out.push(s, end, TokenKind::Url, false, URL_PLACEHOLDER);
            return end;
        }
        let end = candidate_end(text, s);
        if end <= s {
            return s + text
                .get(s..)
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8);
        }
        self.candidate(text, s, end, out);
        end
    }

    /// Turns the word candidate `text[s..e]` into zero or more tokens.
    fn candidate(&mut self, text: &str, s: usize, e: usize, out: &mut Tokens) {
        let Some((s, e)) = trim_candidate(text, s, e) else {
            return;
        };
        let raw = &text.as_bytes()[s..e];
        if raw.iter().all(|&b| b.is_ascii_alphabetic() || b == b'\'') {
            let t0 = out.buf.len();
            out.buf
                .extend(raw.iter().map(|&b| char::from(b.to_ascii_lowercase())));
            collapse_stretched(&mut out.buf, t0, &mut self.scratch);
            out.finish(s, e, TokenKind::Word, false, t0);
            return;
        }
        if raw
            .iter()
            .all(|&b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b':'))
        {
            out.push(s, e, TokenKind::Number, false, NUMBER_PLACEHOLDER);
            return;
        }
        self.slow_candidate(text, s, e, out);
    }

    /// The general path for candidates with non-ASCII characters, digits or symbols.
    fn slow_candidate(&mut self, text: &str, s: usize, e: usize, out: &mut Tokens) {
        let mut obfuscated = self.load(text, s, e);
        obfuscated |= self.map_homoglyphs();
        if self.chars.is_empty() {
            return;
        }
        if let Some(word) = self.resolve_lexicon() {
            out.push(s, e, TokenKind::Word, true, word);
            return;
        }
        obfuscated |= self.substitute(text);
        self.emit_pieces(out, obfuscated);
    }

    /// Loads `text[s..e]` into `self.chars`: NFKC per grapheme, lowercase, apostrophes unified,
    /// invisible characters and leftover combining marks dropped. Returns whether anything
    /// looked like obfuscation (dropped characters, styled letters folded to ASCII).
    fn load(&mut self, text: &str, s: usize, e: usize) -> bool {
        self.chars.clear();
        let raw = text.get(s..e).unwrap_or("");
        let mut obfuscated = false;
        let mut it = raw.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let mut j = i + c.len_utf8();
            while let Some(&(k, m)) = it.peek() {
                if !is_word_continuation(m) {
                    break;
                }
                j = k + m.len_utf8();
                it.next();
            }
            let (start, end) = (s + i, s + j);
            if c.is_ascii() && j == i + 1 {
                self.chars.push(NChar {
                    c: c.to_ascii_lowercase(),
                    start,
                    end,
                });
                continue;
            }
            for n in raw[i..j].nfkc() {
                for l in n.to_lowercase() {
                    if is_combining_mark(l) || is_invisible(l) {
                        obfuscated = true;
                        continue;
                    }
                    obfuscated |= l.is_ascii_alphabetic() && !c.is_ascii();
                    let l = if is_apostrophe(l) { '\'' } else { l };
                    self.chars.push(NChar { c: l, start, end });
                }
            }
        }
        obfuscated
    }

    /// Maps Cyrillic/Greek/small-capital look-alikes to Latin letters when the word mixes
    /// them with ASCII letters or consists only of look-alikes. Returns whether it mapped.
    fn map_homoglyphs(&mut self) -> bool {
        let (mut ascii, mut glyph, mut other) = (false, false, false);
        for n in &self.chars {
            if n.c.is_ascii_alphabetic() {
                ascii = true;
            } else if homoglyph(n.c).is_some() {
                glyph = true;
            } else if n.c.is_alphabetic() {
                other = true;
            }
        }
        let mixed_or_pure = ascii || !other;
        if !glyph || !mixed_or_pure {
            return false;
        }
        for n in &mut self.chars {
            if let Some(l) = homoglyph(n.c) {
                n.c = l;
            }
        }
        true
    }

    /// Matches candidates with digits or symbols against the lexicon ("f*ck", "sh1t", "a$$").
    fn resolve_lexicon(&mut self) -> Option<&'static str> {
        let chars = &self.chars;
        if chars.len() > MAX_LEXICON_CANDIDATE
            || !chars.iter().any(|n| n.c.is_ascii_alphabetic())
            || chars.iter().all(|n| n.c.is_alphabetic())
        {
            return None;
        }
        self.pat.clear();
        self.pat.extend(chars.iter().map(|n| pattern_of(n.c)));
        lexicon::resolve(&self.pat)
    }

    /// Substitutes look-alike symbols and clear leetspeak in place. Returns whether it did.
    fn substitute(&mut self, text: &str) -> bool {
        let chars = &mut self.chars;
        if !chars.iter().any(|n| n.c.is_alphabetic()) {
            return false;
        }
        let mut changed = false;
        let n = chars.len();
        // `$ ¢ €` attached to letters on either side; forward then backward covers runs.
        for i in (0..n).chain((0..n).rev()) {
            let to = match chars[i].c {
                '$' => 's',
                '¢' => 'c',
                '€' => 'e',
                _ => continue,
            };
            if alpha_at(chars, i.wrapping_sub(1)) || alpha_at(chars, i + 1) {
                chars[i].c = to;
                changed = true;
            }
        }
        for i in 1..n {
            let between = alpha_at(chars, i - 1) && alpha_at(chars, i + 1);
            match chars[i].c {
                '@' if between => chars[i].c = 'a',
                '!' if between && bang_inside_word(text, chars, i) => chars[i].c = 'i',
                _ => continue,
            }
            changed = true;
        }
        changed | decode_leet(chars)
    }

    /// Splits `self.chars` at non-word characters and emits words and numbers.
    fn emit_pieces(&mut self, out: &mut Tokens, obfuscated: bool) {
        let chars = &self.chars;
        let n = chars.len();
        let mut i = 0;
        while i < n {
            if !chars[i].c.is_alphanumeric() {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && continues_piece(chars, j) {
                j += 1;
            }
            emit_piece(&chars[i..j], out, obfuscated, &mut self.scratch);
            i = j;
        }
    }
}

/// Tokenizes `text` with a fresh [`Tokenizer`] into owned tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    Tokenizer::new().tokenize(text)
}

/// The normalized token texts of `text` joined by single spaces (handy for debugging).
pub fn normalize(text: &str) -> String {
    let mut tokens = Tokens::new();
    Tokenizer::new().tokenize_into(text, &mut tokens);
    let mut s = String::with_capacity(text.len());
    for (k, t) in tokens.iter().enumerate() {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(t.text);
    }
    s
}

/// ASCII bytes that can start or continue a word candidate.
const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'*' | b'#' | b'%' | b'$' | b'@' | b'!');
        b += 1;
    }
    t
};

/// End of the plain word starting at the ASCII letter `bytes[s]`, when the general path
/// would make exactly one word token of ASCII letters and inner apostrophes from it and
/// nothing else: no link, mask, digit or non-ASCII character is involved. `None` sends
/// the candidate down the general path.
#[inline]
fn plain_word_end(bytes: &[u8], s: usize) -> Option<usize> {
    let mut j = s;
    let mut first_run = true;
    loop {
        j = letters_end(bytes, j);
        let Some(&next) = bytes.get(j) else {
            return Some(j);
        };
        match next {
            // An inner apostrophe between letters continues the word.
            b'\'' => match bytes.get(j + 1) {
                Some(b) if b.is_ascii_alphabetic() => {
                    j += 1;
                    first_run = false;
                }
                Some(b) if b.is_ascii_alphanumeric() || *b >= 0x80 => return None,
                _ => return Some(j),
            },
            // A sentence end: not a domain, since what follows the dot is not part of it.
            b'.' if first_run => match bytes.get(j + 1) {
                None => return Some(j),
                Some(b) if b.is_ascii_whitespace() => return Some(j),
                _ => return None,
            },
            // After the first letters these may start a link (`example.com`, `me@x.org`).
            b':' | b'@' | b'-' | b'_' if first_run => return None,
            b'.' | b':' | b'-' | b'_' => return Some(j),
            b'`' => return None,
            b if b >= 0x80 || ASCII_WORD[usize::from(b)] => return None,
            _ => return Some(j),
        }
    }
}

/// End of the run of ASCII letters starting at `j`: 8 bytes at a time while 8 follow.
#[inline]
fn letters_end(bytes: &[u8], mut j: usize) -> usize {
    while let Some(eight) = bytes.get(j..).and_then(|b| b.first_chunk::<8>()) {
        let n = leading_letters(u64::from_le_bytes(*eight));
        j += n;
        if n < 8 {
            return j;
        }
    }
    while bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
        j += 1;
    }
    j
}

/// How many of the 8 bytes packed little-endian in `v` are ASCII letters before the first
/// byte that is not: a byte-parallel `is_ascii_alphabetic`.
#[inline]
fn leading_letters(v: u64) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Setting bit 5 maps both cases of a letter to `a..=z` (0x61 to 0x7a); each byte's
    // low 7 bits plus 0x1f (0x05) reach bit 7 exactly when they are at least 0x61 (0x7b),
    // and no sum carries into the next byte.
    let low = (v | 0x2020_2020_2020_2020) & LOW7;
    let from_a = low + 0x1f1f_1f1f_1f1f_1f1f;
    let past_z = low + 0x0505_0505_0505_0505;
    // Non-ASCII bytes (bit 7 set in `v`) are not letters.
    let letter = from_a & !past_z & !v & HIGH;
    ((!letter & HIGH).trailing_zeros() / 8) as usize
}

/// End of the plain number starting at the ASCII digit `bytes[s]` (digits only, followed
/// by a character that neither extends it nor makes it part of a link); `None` sends it
/// down the general path.
#[inline]
fn plain_number_end(bytes: &[u8], s: usize) -> Option<usize> {
    let mut j = s;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    match bytes.get(j) {
        None => Some(j),
        Some(&b) if b >= 0x80 || ASCII_WORD[usize::from(b)] => None,
        Some(b'.' | b',' | b':' | b'@' | b'-' | b'_' | b'\'' | b'`') => None,
        Some(_) => Some(j),
    }
}

/// Whether `b` (the byte after a candidate's last `!` or digit) ends the word candidate
/// for certain: an ASCII character that is neither a word character nor an apostrophe or
/// digit separator that could join what follows.
#[inline]
fn ends_candidate(b: Option<&u8>) -> bool {
    match b {
        None => true,
        Some(&b) => {
            b < 0x80
                && !ASCII_WORD[usize::from(b)]
                && !matches!(b, b'\'' | b'`' | b'.' | b',' | b':')
        }
    }
}

/// For a plain ASCII word starting at the letter `bytes[s]` that [`plain_word_end`] left
/// to the general path because of the punctuation after it, `(word end, resume)` when the
/// general path would still make exactly that one word token and resume at `resume`:
/// trailing bangs ("wow!!", which the general path reads as part of the candidate and
/// trims off) and `. : - _` that cannot start a link ("word:", "wait...", "well-").
/// `None` leaves the candidate to the general path.
fn word_before_punctuation(bytes: &[u8], s: usize) -> Option<(usize, usize)> {
    let mut j = s;
    let mut first_run = true;
    loop {
        while bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
            j += 1;
        }
        let inner_apostrophe =
            bytes.get(j) == Some(&b'\'') && bytes.get(j + 1).is_some_and(u8::is_ascii_alphabetic);
        if !inner_apostrophe {
            break;
        }
        j += 1;
        first_run = false;
    }
    match bytes.get(j)? {
        b'!' => {
            let bangs = bytes[j..].iter().take_while(|&&b| b == b'!').count();
            ends_candidate(bytes.get(j + bangs)).then_some((j, j + bangs))
        }
        b'.' | b':' | b'-' | b'_' if first_run && !may_start_link(bytes, s, j) => Some((j, j)),
        _ => None,
    }
}

/// Whether [`link_end`] might find a link at `s`, where `bytes[s..j]` are ASCII letters:
/// a scheme ("www.", "http:"), an `@` (e-mail), or a dot with a label character on both
/// sides (a domain needs one) in the run of URL characters. `false` means certainly not.
fn may_start_link(bytes: &[u8], s: usize, j: usize) -> bool {
    let word = &bytes[s..j];
    if [&b"www"[..], b"http", b"https", b"ftp"]
        .iter()
        .any(|scheme| word.eq_ignore_ascii_case(scheme))
    {
        return true;
    }
    // Too long a run holds no link for `link_end` either.
    let Some(run_len) = link_run_len(bytes, s) else {
        return false;
    };
    let run = &bytes[s..s + run_len];
    let label_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    run.contains(&b'@')
        || run
            .windows(3)
            .any(|w| w[1] == b'.' && label_char(&w[0]) && label_char(&w[2]))
}

/// End of a numeric HTML entity's body `#128514` at `s` (the `&` and `;` are not word
/// characters), when nothing glued to it extends the candidate: the general path makes one
/// number token of its digits. `None` sends it down the general path (`#x1F600`, `#12a`).
#[inline]
fn numeric_entity_end(bytes: &[u8], s: usize) -> Option<usize> {
    let digits = bytes
        .get(s + 1..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = s + 1 + digits;
    (digits > 0 && ends_candidate(bytes.get(end))).then_some(end)
}

/// Whether the ASCII-or-Unicode char `c` is a word character.
#[inline]
fn word_char(c: char) -> bool {
    match u8::try_from(c) {
        Ok(b) if b < 0x80 => ASCII_WORD[usize::from(b)],
        _ => is_word_char(c),
    }
}

/// End of the word candidate starting at `s`.
fn candidate_end(text: &str, s: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = s;
    let mut prev: Option<char> = None;
    while i < bytes.len() {
        let b = bytes[i];
        let c = if b < 0x80 {
            char::from(b)
        } else {
            match text.get(i..).and_then(|t| t.chars().next()) {
                Some(c) => c,
                None => break,
            }
        };
        let len = c.len_utf8();
        if word_char(c) {
            prev = Some(c);
            i += len;
            continue;
        }
        let Some(p) = prev else { break };
        if is_word_continuation(c) {
            i += len;
            continue;
        }
        let next = text.get(i + len..).and_then(|t| t.chars().next());
        let inner_apostrophe =
            is_apostrophe(c) && p.is_alphanumeric() && next.is_some_and(char::is_alphanumeric);
        let digit_separator = matches!(c, '.' | ',' | ':')
            && p.is_ascii_digit()
            && next.is_some_and(|n| n.is_ascii_digit());
        if !(inner_apostrophe || digit_separator) {
            break;
        }
        i += len;
    }
    i
}

/// Strips edge characters that are punctuation rather than masks: leading `!` and marks,
/// trailing `!`, `@` and invisible characters.
fn trim_candidate(text: &str, mut s: usize, mut e: usize) -> Option<(usize, usize)> {
    while let Some(c) = text.get(s..e).and_then(|t| t.chars().next()) {
        if fold_fullwidth(c) != '!' && !is_word_continuation(c) {
            break;
        }
        s += c.len_utf8();
    }
    while let Some(c) = text.get(s..e).and_then(|t| t.chars().next_back()) {
        if !matches!(fold_fullwidth(c), '!' | '@') && !is_invisible(c) {
            break;
        }
        e -= c.len_utf8();
    }
    (s < e).then_some((s, e))
}

/// End of an `@mention` at `s`, unless the "mention" is really a disguised word ("@ss").
fn mention_end(bytes: &[u8], s: usize) -> Option<usize> {
    let body = bytes.get(s + 1..)?;
    let len = body
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if len == 0 {
        return None;
    }
    let end = s + 1 + len;
    let glued = bytes
        .get(end)
        .is_some_and(|&b| matches!(b, b'*' | b'$' | b'#' | b'%'));
    if glued || looks_like_masked_word(&body[..len]) {
        return None;
    }
    Some(end)
}

/// Whether `a` + `body` (lowercased) is a lexicon word, e.g. "@ss" -> "ass".
fn looks_like_masked_word(body: &[u8]) -> bool {
    let mut buf = [0u8; 32];
    if body.len() + 1 > buf.len() {
        return false;
    }
    buf[0] = b'a';
    for (d, b) in buf[1..].iter_mut().zip(body) {
        *d = b.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..=body.len()]).is_ok_and(lexicon::is_abusive_word)
}

/// Top-level domains recognized in bare domains ("example.com/page").
const TLDS: &[&str] = &[
    "com", "org", "net", "gov", "edu", "mil", "int", "io", "co", "uk", "us", "ru", "de", "fr",
    "info", "biz", "tv", "ly", "ca", "au", "eu", "news", "ch", "nl", "es", "jp", "cn", "ua", "pl",
    "se", "no", "be", "ie", "nz", "za", "br", "mx", "in", "it", "me", "gl", "gg", "to",
];

/// The longest run of URL characters taken for a link. Every word of a long run without
/// spaces ("a:a:a:...") asks whether a link starts there; without a cap each would scan
/// the rest of the run, quadratic in its length (a 200 KB comment took 30 s).
pub const MAX_LINK_LEN: usize = 2048;

/// Length of the run of URL characters at `s`, or `None` when it is longer than
/// [`MAX_LINK_LEN`] (then no link starts at `s`).
fn link_run_len(bytes: &[u8], s: usize) -> Option<usize> {
    let run = bytes
        .get(s..)?
        .iter()
        .take(MAX_LINK_LEN + 1)
        .take_while(|&&b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"'))
        .count();
    (run <= MAX_LINK_LEN).then_some(run)
}

/// End of a URL, bare domain or e-mail address starting at `s`, if there is one.
fn link_end(bytes: &[u8], s: usize) -> Option<usize> {
    let alnum = bytes[s..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if !matches!(bytes.get(s + alnum), Some(b'.' | b':' | b'@' | b'-' | b'_')) {
        return None;
    }
    let run = link_run_len(bytes, s)?;
    let mut run = &bytes[s..s + run];
    while let Some((&last, rest)) = run.split_last() {
        if !matches!(
            last,
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b')' | b']' | b'}' | b'*'
        ) {
            break;
        }
        run = rest;
    }
    let schemes: [&[u8]; 4] = [b"http://", b"https://", b"ftp://", b"www."];
    if schemes
        .iter()
        .any(|p| run.len() > p.len() && run[..p.len()].eq_ignore_ascii_case(p))
    {
        return Some(s + run.len());
    }
    let host_len = run
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b':'))
        .unwrap_or(run.len());
    let host = &run[..host_len];
    let is_link = match host.iter().position(|&b| b == b'@') {
        Some(at) => {
            let local = &host[..at];
            !local.is_empty()
                && local
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(b))
                && is_domain(&host[at + 1..])
        }
        None => is_domain(host),
    };
    is_link.then_some(s + run.len())
}

/// Whether `host` is `label(.label)+` ending in a known TLD.
fn is_domain(host: &[u8]) -> bool {
    let mut labels = 0;
    for label in host.split(|&b| b == b'.') {
        if label.is_empty()
            || !label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return false;
        }
        labels += 1;
    }
    let tld = host.rsplit(|&b| b == b'.').next().unwrap_or_default();
    labels >= 2 && TLDS.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(tld))
}

/// The lexicon pattern element for a normalized character.
fn pattern_of(c: char) -> Pat {
    match symbol(c) {
        Some(Symbol::Wild) => Pat::Wild,
        _ => leet_letters(c).map_or(Pat::Lit(c), Pat::OneOf),
    }
}

/// Whether `chars[i]` exists and is a letter.
#[inline]
fn alpha_at(chars: &[NChar], i: usize) -> bool {
    chars.get(i).is_some_and(|n| n.c.is_alphabetic())
}

/// Whether a `!` between letters at `chars[i]` stands for an `i` ("st!ll", "stup!d") rather
/// than ending a sentence glued to the next one ("wow!really", "Now!Then"): the next
/// original letter is lowercase and one side is at most two letters long.
fn bang_inside_word(text: &str, chars: &[NChar], i: usize) -> bool {
    let next_lower = chars
        .get(i + 1)
        .and_then(|n| text.get(n.start..n.end))
        .and_then(|t| t.chars().next())
        .is_some_and(char::is_lowercase);
    let left = chars[..i]
        .iter()
        .rev()
        .take_while(|n| n.c.is_alphabetic())
        .count();
    let right = chars[i + 1..]
        .iter()
        .take_while(|n| n.c.is_alphabetic())
        .count();
    next_lower && left.min(right) <= 2
}

/// Decodes leetspeak digits when they sit between letters, every digit has a leet reading,
/// and letters outnumber digits ("h3ll0" -> "hello"; "9x19", "covid19", "g20" stay).
fn decode_leet(chars: &mut [NChar]) -> bool {
    let letters = chars.iter().filter(|n| n.c.is_alphabetic()).count();
    let digits = chars.iter().filter(|n| n.c.is_ascii_digit()).count();
    if digits == 0 || letters < 3 || letters <= digits {
        return false;
    }
    let all_leet = chars
        .iter()
        .filter(|n| n.c.is_ascii_digit())
        .all(|n| leet_letters(n.c).is_some());
    let interleaved = (1..chars.len())
        .any(|i| chars[i].c.is_ascii_digit() && alpha_at(chars, i - 1) && alpha_at(chars, i + 1));
    if !(all_leet && interleaved) {
        return false;
    }
    for n in chars.iter_mut() {
        if let Some(&[l, ..]) = leet_letters(n.c).filter(|_| n.c.is_ascii_digit()) {
            n.c = l;
        }
    }
    true
}

/// Whether `chars[j]` continues the current piece: alphanumerics, apostrophes between
/// alphanumerics, and `. , :` between digits.
fn continues_piece(chars: &[NChar], j: usize) -> bool {
    let c = chars[j].c;
    if c.is_alphanumeric() {
        return true;
    }
    let (Some(prev), Some(next)) = (chars.get(j.wrapping_sub(1)), chars.get(j + 1)) else {
        return false;
    };
    (c == '\'' && prev.c.is_alphanumeric() && next.c.is_alphanumeric())
        || (matches!(c, '.' | ',' | ':') && prev.c.is_ascii_digit() && next.c.is_ascii_digit())
}

/// Emits one piece as a number or a word.
fn emit_piece(piece: &[NChar], out: &mut Tokens, obfuscated: bool, scratch: &mut String) {
    let (Some(first), Some(last)) = (piece.first(), piece.last()) else {
        return;
    };
    if is_number(piece) {
        out.push(
            first.start,
            last.end,
            TokenKind::Number,
            obfuscated,
            NUMBER_PLACEHOLDER,
        );
        return;
    }
    let t0 = out.buf.len();
    out.buf.extend(piece.iter().map(|n| n.c));
    collapse_stretched(&mut out.buf, t0, scratch);
    out.finish(first.start, last.end, TokenKind::Word, obfuscated, t0);
}

/// Digits with separators, optionally with an ordinal or plural suffix ("1st", "1990s").
fn is_number(piece: &[NChar]) -> bool {
    let digits = piece
        .iter()
        .take_while(|n| n.c.is_ascii_digit() || matches!(n.c, '.' | ',' | ':'))
        .count();
    if digits == 0 {
        return false;
    }
    let rest = &piece[digits..];
    let suffix =
        |s: &str| rest.len() == s.len() && rest.iter().zip(s.chars()).all(|(n, c)| n.c == c);
    rest.is_empty() || ["st", "nd", "rd", "th", "s"].into_iter().any(suffix)
}

/// Whether the ASCII word `b` has a run of three or more equal letters.
#[inline(never)]
fn has_ascii_stretch(b: &[u8]) -> bool {
    b.windows(3)
        .any(|w| w[0] == w[1] && w[1] == w[2] && w[0].is_ascii_alphabetic())
}

/// Whether the `len` (1 to 8) bytes packed in `v` hold three equal letters in a row,
/// a byte-parallel [`has_ascii_stretch`]: compares each byte with the next and looks for
/// two equal pairs in a row.
#[inline]
fn has_packed_triple(v: u64, len: usize) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if len < 3 {
        return false;
    }
    // Byte i of `next` is zero exactly when bytes i and i + 1 are equal.
    let next = v ^ (v >> 8);
    let equal = !(((next & LOW7) + LOW7) | next) & HIGH;
    // Byte i: bytes i, i + 1 and i + 2 are equal, for the i whose i + 2 is in the word.
    let triples = equal & (equal >> 8) & LOW_BYTES_MASK[len - 2];
    // Check the letters the plain way, only in the rare words that have a triple.
    triples != 0 && has_ascii_stretch(&v.to_le_bytes()[..len])
}

/// Appends the `len` (1 to 8) bytes packed little-endian in `word` (the rest zero) when
/// all of them are ASCII, and returns whether it did. One fixed 8-byte copy, where
/// appending a `&str` of `len` bytes would call `memcpy`.
#[inline]
fn push_packed_ascii(buf: &mut String, word: u64, len: usize) -> bool {
    if word & 0x8080_8080_8080_8080 != 0 || !(1..=8).contains(&len) {
        return false;
    }
    let t0 = buf.len();
    // SAFETY: every byte appended is ASCII (checked above), so the buffer stays UTF-8,
    // and cutting it at `t0 + len` cuts between ASCII bytes.
    let bytes = unsafe { buf.as_mut_vec() };
    bytes.extend_from_slice(&word.to_le_bytes());
    bytes.truncate(t0 + len);
    true
}

/// Masks keeping the low `n` bytes of a `u64` (index = `n`, 0..=8): for words packed
/// little-endian into a `u64`, here and in the feature hashes.
pub(crate) const LOW_BYTES_MASK: [u64; 9] = {
    let mut m = [u64::MAX; 9];
    let mut n = 0;
    while n < 8 {
        m[n] = (1u64 << (8 * n)) - 1;
        n += 1;
    }
    m
};

/// Whether `word` has a run of three or more equal letters.
fn has_stretch(word: &str) -> bool {
    let b = word.as_bytes();
    if b.is_ascii() {
        return has_ascii_stretch(b);
    }
    let mut run = 0;
    let mut prev = None;
    for c in word.chars() {
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        if run >= 3 && c.is_alphabetic() {
            return true;
        }
    }
    false
}

/// Collapses runs of 3+ equal letters in `buf[t0..]` to one or two letters, preferring a
/// variant from the lexicon ("stuuupid" -> "stupid", "gooood" -> "good"), else one letter.
fn collapse_stretched(buf: &mut String, t0: usize, scratch: &mut String) {
    let Some(word) = buf.get(t0..) else { return };
    if !has_stretch(word) {
        return;
    }
    let runs = stretch_runs(word).min(6);
    let mut chosen = 0;
    for mask in 0..(1u32 << runs) {
        build_variant(word, mask, scratch);
        if lexicon::is_known_word(scratch) {
            chosen = mask;
            break;
        }
    }
    build_variant(word, chosen, scratch);
    buf.truncate(t0);
    buf.push_str(scratch);
}

/// Number of runs of 3+ equal letters.
fn stretch_runs(word: &str) -> u32 {
    let mut runs = 0;
    for_each_run(word, |c, n| {
        if n >= 3 && c.is_alphabetic() {
            runs += 1;
        }
    });
    runs
}

/// Writes `word` with its `r`-th long run collapsed to two letters if bit `r` of `mask` is
/// set and to one letter otherwise.
fn build_variant(word: &str, mask: u32, out: &mut String) {
    out.clear();
    let mut r = 0u32;
    for_each_run(word, |c, n| {
        let keep = if n >= 3 && c.is_alphabetic() {
            let two = r < 32 && (mask >> r) & 1 == 1;
            r += 1;
            if two { 2 } else { 1 }
        } else {
            n
        };
        out.extend(std::iter::repeat_n(c, keep));
    });
}

/// Calls `f(char, run_length)` for each run of equal characters.
fn for_each_run(word: &str, mut f: impl FnMut(char, usize)) {
    let mut chars = word.chars();
    let Some(mut cur) = chars.next() else { return };
    let mut n = 1;
    for c in chars {
        if c == cur {
            n += 1;
        } else {
            f(cur, n);
            cur = c;
            n = 1;
        }
    }
    f(cur, n);
}

/// Whether token `i` is a single letter.
fn is_single_letter(tokens: &Tokens, i: usize) -> bool {
    let Some(span) = tokens.spans.get(i) else {
        return false;
    };
    let mut chars = tokens.text(span).chars();
    span.kind == TokenKind::Word
        && chars.next().is_some_and(char::is_alphabetic)
        && chars.next().is_none()
}

/// Whether three single-letter tokens follow each other somewhere: most texts have none,
/// and then [`merge_spaced`] has nothing to do.
fn has_three_single_letters(tokens: &Tokens) -> bool {
    let mut run = 0;
    for (i, span) in tokens.spans.iter().enumerate() {
        // A one-byte char is ASCII, and a longer one (at most 4 bytes) starts with a
        // non-ASCII byte: cheap tests before the full one.
        let first = tokens.buf.as_bytes().get(span.text.0).copied().unwrap_or(0);
        let single = match span.text.1 - span.text.0 {
            1 => span.kind == TokenKind::Word && first.is_ascii_alphabetic(),
            2..=4 if first >= 0x80 => is_single_letter(tokens, i),
            _ => false,
        };
        if single {
            run += 1;
            if run >= 3 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Whether the original text between two letters is one space, dot, hyphen, underscore or
/// mask, as in "i d i o t", "i.d.i.o.t", "f-u-c-k".
fn spaced_gap(text: &str, a: usize, b: usize) -> bool {
    matches!(text.get(a..b), Some(" " | "." | "-" | "_" | "*"))
}

/// Merges runs of three or more spaced single letters into one word.
fn merge_spaced(text: &str, out: &mut Tokens, scratch: &mut String) {
    let n = out.spans.len();
    if n < 3 || !has_three_single_letters(out) {
        return;
    }
    let (mut w, mut i) = (0, 0);
    while i < n {
        let mut j = i + 1;
        if is_single_letter(out, i) {
            while j < n
                && is_single_letter(out, j)
                && out.spans[j].text.0 == out.spans[j - 1].text.1
                && spaced_gap(text, out.spans[j - 1].end, out.spans[j].start)
            {
                j += 1;
            }
        }
        if j - i >= 3 {
            out.spans[w] = merged_span(out, i, j, scratch);
            i = j;
        } else {
            out.spans[w] = out.spans[i];
            i += 1;
        }
        w += 1;
    }
    out.spans.truncate(w);
}

/// One word span covering tokens `i..j`, with stretched letters collapsed.
fn merged_span(out: &mut Tokens, i: usize, j: usize, scratch: &mut String) -> TokenSpan {
    let (first, last) = (out.spans[i], out.spans[j - 1]);
    let mut text = (first.text.0, last.text.1);
    if out.buf.get(text.0..text.1).is_some_and(has_stretch) {
        let mut word = String::new();
        word.push_str(&out.buf[text.0..text.1]);
        let t0 = out.buf.len();
        out.buf.push_str(&word);
        collapse_stretched(&mut out.buf, t0, scratch);
        text = (t0, out.buf.len());
    }
    let packed = out
        .buf
        .as_bytes()
        .get(text.0..text.1)
        .map_or(0, span_packed);
    TokenSpan {
        start: first.start,
        end: last.end,
        kind: TokenKind::Word,
        obfuscated: true,
        text,
        packed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Tokens of `text` with or without the plain-ASCII fast paths.
    fn tokens(text: &str, general_only: bool) -> Vec<Token> {
        let mut tokenizer = Tokenizer {
            general_only,
            ..Tokenizer::default()
        };
        tokenizer.tokenize(text)
    }

    #[test]
    fn leading_letters_agrees_with_is_ascii_alphabetic_on_every_byte() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut eight = *b"abcdefgh";
                eight[at] = b;
                let expected = if b.is_ascii_alphabetic() { 8 } else { at };
                assert_eq!(
                    leading_letters(u64::from_le_bytes(eight)),
                    expected,
                    "{b:#x} at {at}"
                );
            }
        }
        assert_eq!(letters_end(b"Hello, world", 0), 5);
        assert_eq!(letters_end(b"abcdefghijklm", 2), 13);
        assert_eq!(letters_end(b"abcdefghijkl9", 0), 12);
    }

    #[test]
    fn packed_holds_the_bytes_of_tokens_up_to_16_bytes() {
        let mut out = Tokens::new();
        // Words of 1 to 17 bytes, a placeholder, and words at the very end where fewer
        // than 8 or 16 bytes of the buffer follow them.
        let text = "a bc def ghij klmno pqrstu vwxyzab cdefghij klmnopqrs tuvwxyzabc 42 café \
            abcdefghijklmnop abcdefghijklmnopq x yz klmnopqrstuvwxyz";
        Tokenizer::new().tokenize_into(text, &mut out);
        assert_eq!(out.len(), 17);
        for span in out.spans() {
            let (word, packed) = (out.text(span), out.packed(span));
            assert_eq!(word.len(), span.text_len());
            let mut expected = [0u8; 16];
            let short = (1..=8).contains(&word.len());
            let long = (9..=16).contains(&word.len());
            if short || long {
                expected[..word.len()].copy_from_slice(word.as_bytes());
            }
            let half = |k: usize| {
                let mut eight = [0u8; 8];
                eight.copy_from_slice(&expected[8 * k..8 * k + 8]);
                u64::from_le_bytes(eight)
            };
            assert_eq!(packed, short.then(|| half(0)), "{word:?}");
            assert_eq!(
                out.packed_long(span),
                long.then(|| [half(0), half(1)]),
                "{word:?}"
            );
        }
    }

    #[test]
    fn fast_paths_match_the_general_path_on_examples() {
        for text in [
            "Hello, World! It's well-known. don't it's' 'quoted' rock'n'roll",
            "end. U.S. e.g. example.com me@x.org foo-bar foo_bar a:b 10:30 3.5 1,000 2017.",
            "see https://example.com/a?b=1, http://x.co ftp://f.org www.foo.org bar.com/x.",
            "mail me@x.co.uk @jane_d jane@ ab_cd@x.com x-y.net 1st 2nd 9x19 g20 mp3",
            "stuuupid aaa'bbb Soooo gooood, yesss!!! wow!really sh1t f**k a$$ @ss ok`s",
            "don’t café naïve 𝐢𝐝𝐢𝐨𝐭 i d i o t word1 1st 9/11 50% $100 #tag x",
        ] {
            assert_eq!(tokens(text, false), tokens(text, true), "{text:?}");
        }
    }

    #[test]
    fn long_plain_words_match_the_general_path_wherever_their_stretch_is() {
        let letters = "abcdefghijklmnop";
        for len in 9..=16 {
            // Without a stretch, then with a run of three at every position, in both
            // halves of the 16 bytes and across them.
            let plain = letters[..len].to_string();
            let mut words = vec![plain.clone(), plain.to_uppercase()];
            for at in 0..len - 2 {
                let mut w: Vec<u8> = plain.clone().into_bytes();
                w[at + 1] = w[at];
                w[at + 2] = w[at].to_ascii_uppercase();
                words.push(String::from_utf8(w).unwrap());
            }
            for word in words {
                let text = format!("{word} and what follows it");
                assert_eq!(tokens(&text, false), tokens(&text, true), "{text:?}");
            }
        }
    }

    #[test]
    fn a_run_of_url_characters_longer_than_the_cap_holds_no_link() {
        let kinds = |text: &str| -> Vec<TokenKind> {
            Tokenizer::new()
                .tokenize(text)
                .iter()
                .map(|t| t.kind)
                .collect()
        };
        let long_path = "a".repeat(MAX_LINK_LEN);
        let within = format!("http://example.com/{}", &long_path[..MAX_LINK_LEN - 19]);
        assert_eq!(within.len(), MAX_LINK_LEN);
        assert_eq!(kinds(&within), [TokenKind::Url]);
        // One byte longer, the link no longer starts at "http" (a shorter one starts at
        // the domain).
        let beyond = format!("{within}a");
        assert_eq!(kinds(&beyond), [TokenKind::Word, TokenKind::Url]);
        // Every word of a long run asks for a link; each is told no after the cap.
        let run = "ab:".repeat(MAX_LINK_LEN);
        assert_eq!(Tokenizer::new().tokenize(&run).len(), MAX_LINK_LEN);
        assert_eq!(tokens(&run, false), tokens(&run, true));
    }

    #[test]
    fn punctuation_and_entity_fast_paths_match_the_general_path() {
        for text in [
            "&#128514; &amp; &#x1F600; &#12 &#12a &#1.5 &#1,2 &#1'2 &#1é ## #1 x&#128514;",
            "end&#128514",
            "@ @@x @jane @ss @@ a@ x@y.com",
            "wait... wait...and wait..x@y.com www... http: https://x.org ftp:// word:",
            "foo:bar foo.com foo.-com foo-.com well- under_ score_ x:y.com\u{301} no.",
            "wow!! wow!!! wow!!!really don't!! don'!! sooo!!! yes!!é yes!!\u{200B} ok!!",
            "word...é word:é word!!!",
        ] {
            assert_eq!(tokens(text, false), tokens(text, true), "{text:?}");
        }
    }

    #[test]
    fn punctuation_fast_path_takes_the_common_cases() {
        let at = |text: &str| word_before_punctuation(text.as_bytes(), 0);
        assert_eq!(at("wow!! x"), Some((3, 5)));
        assert_eq!(at("wow!!!"), Some((3, 6)));
        assert_eq!(at("don't!!"), Some((5, 7)));
        assert_eq!(at("wait...and"), Some((4, 4)));
        assert_eq!(at("word: x"), Some((4, 4)));
        assert_eq!(at("wow!!really"), None);
        assert_eq!(at("www.x"), None);
        assert_eq!(at("foo.com"), None);
        assert_eq!(at("wait...x@y.com"), None);
        assert_eq!(at("word!!é"), None);
    }

    #[test]
    fn entity_fast_path_takes_decimal_entities_only() {
        let at = |text: &str| numeric_entity_end(text.as_bytes(), 0);
        assert_eq!(at("#128514;"), Some(7));
        assert_eq!(at("#128514"), Some(7));
        assert_eq!(at("#12"), Some(3));
        assert_eq!(at("#x1F600;"), None);
        assert_eq!(at("#"), None);
        assert_eq!(at("#1.5"), None);
        assert_eq!(at("#12é"), None);
    }

    proptest! {
        #[test]
        fn fast_paths_match_the_general_path(
            text in "[a-zA-Z0-9 *#%$@!?.,:;'`’/_\\-\"()іо\u{200B}\u{0301}ｆé\n]{0,60}"
        ) {
            prop_assert_eq!(tokens(&text, false), tokens(&text, true));
        }

        /// Entities, mentions, links and words glued to punctuation, the shapes the
        /// punctuation and entity fast paths take.
        #[test]
        fn fast_paths_match_the_general_path_around_punctuation(
            text in "([a-cwx]{1,4}|&#[0-9x]{0,3};?|[@#!.:_\\-/ '`é]|www|com|\u{301}){0,12}"
        ) {
            prop_assert_eq!(tokens(&text, false), tokens(&text, true));
        }

        /// Few letters, so that stretched words ("sooo", "AAAaa") and short words at the
        /// end of the text are common.
        #[test]
        fn fast_paths_match_the_general_path_on_stretched_words(
            text in "[aAoOz' .!]{0,40}"
        ) {
            prop_assert_eq!(tokens(&text, false), tokens(&text, true));
        }

        /// Words of 9 to 16 bytes, the long plain word path, with and without room for
        /// 16 bytes after their start.
        #[test]
        fn fast_paths_match_the_general_path_on_long_words(
            text in "([aAbB']{9,16}[ .]?){1,3}[a-z ]{0,8}"
        ) {
            prop_assert_eq!(tokens(&text, false), tokens(&text, true));
        }

        #[test]
        fn packed_triples_match_the_plain_loop(word in "[abAB'1]{1,8}") {
            let packed = pack_bytes(word.as_bytes());
            prop_assert_eq!(
                has_packed_triple(packed, word.len()),
                has_ascii_stretch(word.as_bytes())
            );
        }
    }
}
