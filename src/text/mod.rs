//! The text stage: Unicode normalization, de-obfuscation, tokenization with original byte
//! offsets, and cached Snowball stemming.
//!
//! ```
//! use threadguard::text::{tokenize, TokenKind};
//!
//! let text = "You 1d10t, see https://x.com/a @bob: f**k off";
//! let tokens = tokenize(text);
//! let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
//! assert_eq!(words, ["you", "idiot", "see", "_url_", "_user_", "fuck", "off"]);
//! assert_eq!(&text[tokens[1].start..tokens[1].end], "1d10t");
//! assert_eq!(tokens[3].kind, TokenKind::Url);
//! ```
//!
//! Every token keeps the byte span of the original text it came from (always on char
//! boundaries), so later stages can point at the words that moved a score. Normalization is
//! done per token: NFKC per grapheme (base character plus combining marks), lowercasing,
//! dropping invisible characters and leftover combining marks (zalgo), and mapping look-alike
//! letters. Plain ASCII words take a fast path that only lowercases and checks for stretched
//! letters.
//!
//! For speed, use one [`Tokenizer`] and one [`Tokens`] per thread and call
//! [`Tokenizer::tokenize_into`]: token texts live in one shared buffer and no allocation
//! happens per token once the buffers have grown.

mod chars;
mod lexicon;
mod stem;
mod tokenizer;

pub use lexicon::{ABUSIVE_WORDS, FUNCTION_WORDS, is_abusive_word};
pub use stem::{DEFAULT_STEM_CACHE_LIMIT, StemCache};
pub(crate) use tokenizer::LOW_BYTES_MASK;
pub use tokenizer::{
    MENTION_PLACEHOLDER, NUMBER_PLACEHOLDER, Token, TokenKind, TokenRef, TokenSpan, Tokenizer,
    Tokens, URL_PLACEHOLDER, normalize, tokenize,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    fn spans(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn lowercases_and_splits() {
        assert_eq!(
            words("Hello, World! It's well-known."),
            ["hello", "world", "it's", "well", "known"]
        );
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        assert_eq!(
            words("don't they’re 'quoted'"),
            ["don't", "they're", "quoted"]
        );
    }

    #[test]
    fn placeholders() {
        let t = tokenize(
            "See https://example.com/a?b=1, www.foo.org and bar.com/x. Mail me@x.co.uk @jane_d 1,000.50 2017 3rd",
        );
        let got: Vec<(&str, TokenKind)> = t.iter().map(|t| (t.text.as_str(), t.kind)).collect();
        assert_eq!(
            got,
            [
                ("see", TokenKind::Word),
                ("_url_", TokenKind::Url),
                ("_url_", TokenKind::Url),
                ("and", TokenKind::Word),
                ("_url_", TokenKind::Url),
                ("mail", TokenKind::Word),
                ("_url_", TokenKind::Url),
                ("_user_", TokenKind::Mention),
                ("_num_", TokenKind::Number),
                ("_num_", TokenKind::Number),
                ("_num_", TokenKind::Number),
            ]
        );
        assert_eq!(
            spans("see https://example.com/a)."),
            ["see", "https://example.com/a"]
        );
    }

    #[test]
    fn not_links() {
        assert_eq!(
            words("e.g. U.S. end.Then 10:30"),
            ["e", "g", "u", "s", "end", "then", "_num_"]
        );
    }

    #[test]
    fn leetspeak() {
        assert_eq!(
            words("sh1t 1d10t b1tch l0ser h3ll0"),
            ["shit", "idiot", "bitch", "loser", "hello"]
        );
        assert_eq!(
            words("9x19 covid19 2017 g20 mp3 4chan"),
            ["9x19", "covid19", "_num_", "g20", "mp3", "4chan"]
        );
        assert!(tokenize("sh1t")[0].obfuscated);
        assert!(!tokenize("covid19")[0].obfuscated);
    }

    #[test]
    fn masks() {
        assert_eq!(
            words("f*ck f**k a$$ sh!t b*tch f***"),
            ["fuck", "fuck", "ass", "shit", "bitch", "fuck"]
        );
        assert_eq!(
            words("@ss @$$hole a**hole f#ck"),
            ["ass", "asshole", "asshole", "fuck"]
        );
        assert_eq!(
            words("*sigh* ca$h b@d $100 100%"),
            ["sigh", "cash", "bad", "_num_", "_num_"]
        );
        assert_eq!(
            words("wow!really Now!Then wh!te st!ll"),
            ["wow", "really", "now", "then", "white", "still"]
        );
    }

    #[test]
    fn spaced_letters() {
        assert_eq!(words("you i d i o t"), ["you", "idiot"]);
        assert_eq!(words("what an i.d.i.o.t."), ["what", "an", "idiot"]);
        assert_eq!(words("a b is fine"), ["a", "b", "is", "fine"]);
        let text = "ok f u c k off";
        let t = tokenize(text);
        assert_eq!(&text[t[1].start..t[1].end], "f u c k");
        assert!(t[1].obfuscated);
    }

    #[test]
    fn stretched_letters() {
        assert_eq!(
            words("stuuupid sooo goooood yesss idiooooot cooool"),
            ["stupid", "so", "good", "yes", "idiot", "cool"]
        );
        assert_eq!(words("assssss hole"), ["ass", "hole"]);
    }

    #[test]
    fn homoglyphs_and_nfkc() {
        // Cyrillic і, о in "іdіоt"; full-width; math bold; ligature.
        assert_eq!(words("\u{0456}d\u{0456}\u{043E}t"), ["idiot"]);
        assert_eq!(words("ｉｄｉｏｔ 𝐦𝐨𝐫𝐨𝐧"), ["idiot", "moron"]);
        assert_eq!(words("ѕсum"), ["scum"]);
        assert_eq!(words("путин"), ["путин"]);
        assert_eq!(words("caf\u{0065}\u{0301} naïve"), ["café", "naïve"]);
        assert_eq!(words("f¢k c€ll"), ["fck", "cell"]);
        assert!(tokenize("іdіоt")[0].obfuscated);
    }

    #[test]
    fn invisible_and_zalgo() {
        assert_eq!(words("id\u{200B}iot"), ["idiot"]);
        assert_eq!(words("i\u{0338}d\u{0336}iot"), ["idiot"]);
    }

    #[test]
    fn offsets_point_at_original_words() {
        let text = "Ｙｏｕ ａｒｅ an 𝐢𝐝𝐢𝐨𝐭, café-owner ﬁne";
        let t = tokenize(text);
        let got: Vec<(&str, &str)> = t
            .iter()
            .map(|t| (t.text.as_str(), &text[t.start..t.end]))
            .collect();
        assert_eq!(
            got,
            [
                ("you", "Ｙｏｕ"),
                ("are", "ａｒｅ"),
                ("an", "an"),
                ("idiot", "𝐢𝐝𝐢𝐨𝐭"),
                ("café", "café"),
                ("owner", "owner"),
                ("fine", "ﬁne"),
            ]
        );
    }

    #[test]
    fn offsets_with_multibyte_neighbours() {
        let text = "« Спасибо » — “sh1t” 😀idiot😀";
        let t = tokenize(text);
        let got: Vec<&str> = t.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(got, ["Спасибо", "sh1t", "idiot"]);
        assert_eq!(t[1].text, "shit");
    }

    #[test]
    fn tokenize_into_reuses_buffers() {
        let mut tk = Tokenizer::new();
        let mut out = Tokens::new();
        tk.tokenize_into("first text here", &mut out);
        assert_eq!(out.len(), 3);
        tk.tokenize_into("second", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out.get(0).map(|t| t.text), Some("second"));
        assert_eq!(normalize("The  F*CK?!"), "the fuck");
    }

    #[test]
    fn empty_and_symbol_only() {
        assert!(tokenize("").is_empty());
        assert!(tokenize("!!! *** ... @ #").is_empty());
    }

    #[test]
    fn stemming_through_cache() {
        let mut cache = StemCache::new();
        let stems: Vec<String> = tokenize("Conspiracies about globalists running things")
            .iter()
            .map(|t| cache.stem(&t.text).to_string())
            .collect();
        assert_eq!(stems, ["conspiraci", "about", "globalist", "run", "thing"]);
    }
}
