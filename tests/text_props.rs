//! Property tests of the text and feature stages: tokenizing never panics, offsets are
//! valid char boundaries in order, and extraction is deterministic.

use proptest::prelude::*;
use std::sync::LazyLock;
use threadguard::features::{Extractor, FeatureConfig, Vocabulary};
use threadguard::text::{Tokenizer, Tokens};

/// Characters that exercise every tokenizer path: masks, leet digits, apostrophes, dots,
/// URLs, homoglyphs, invisible characters, combining marks, full-width and styled letters.
const TRICKY: &str =
    "[a-zA-Z0-9 *#%$@!?.,:'’/_\\-іоаеѕ\u{200B}\u{0301}\u{0338}ｆＡ𝐢ﬁ½²€¢İ😀\n]{0,80}";

/// Checks the token invariants for `text`.
fn check_tokens(text: &str) -> Result<(), TestCaseError> {
    let mut tokenizer = Tokenizer::new();
    let mut tokens = Tokens::new();
    tokenizer.tokenize_into(text, &mut tokens);
    let mut prev_start = 0;
    for t in tokens.iter() {
        prop_assert!(
            t.start <= t.end && t.end <= text.len(),
            "bad span {}..{}",
            t.start,
            t.end
        );
        prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        prop_assert!(t.start >= prev_start, "tokens out of order");
        prop_assert!(!t.text.is_empty());
        prev_start = t.start;
    }
    Ok(())
}

static VOCAB: LazyLock<Vocabulary> = LazyLock::new(|| {
    let docs = [
        "you are an idiot and a clown",
        "the deep state runs the media, wake up sheeple",
        "thanks for the thoughtful reply",
        "what a st00pid take, you m0ron",
        "globalists staged the whole thing, it is a hoax",
        "I disagree with the policy but respect the argument",
        "f**k off you clown",
        "the report asks for an independent investigation",
    ];
    let labels: Vec<Vec<Option<bool>>> = (0..docs.len())
        .map(|i| vec![Some(matches!(i, 0 | 3 | 6)), Some(matches!(i, 1 | 4))])
        .collect();
    let config = FeatureConfig {
        min_df: 1,
        ..FeatureConfig::default()
    };
    match Vocabulary::build(&docs, &labels, &config) {
        Ok((vocab, _)) => vocab,
        Err(e) => panic!("test vocabulary failed to build: {e}"),
    }
});

proptest! {
    #[test]
    fn tokenizing_arbitrary_strings_is_safe(text in any::<String>()) {
        check_tokens(&text)?;
    }

    #[test]
    fn tokenizing_tricky_strings_is_safe(text in TRICKY) {
        check_tokens(&text)?;
    }

    #[test]
    fn extraction_is_deterministic(text in TRICKY, other in ".{0,60}") {
        let mut warm = Extractor::new();
        let first = warm.extract(&text, &VOCAB);
        let _ = warm.extract(&other, &VOCAB);
        let again = warm.extract(&text, &VOCAB);
        let fresh = Extractor::new().extract(&text, &VOCAB);
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(&first, &fresh);
        prop_assert!(first.indices.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(first.values.iter().all(|v| v.is_finite()));
        let explained = Extractor::new().explain(&text, &VOCAB);
        prop_assert_eq!(&explained.features, &first);
        prop_assert_eq!(explained.spans.len(), first.len());
        for &(start, end) in explained.spans.iter().flatten() {
            prop_assert!(start <= end && end <= text.len());
            prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        }
    }
}
