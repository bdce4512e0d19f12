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

/// The shipped model, loaded once.
static MODEL: LazyLock<threadguard::model::Model> =
    LazyLock::new(|| match threadguard::model::default_model() {
        Ok(model) => model,
        Err(e) => panic!("the embedded model does not load: {e}"),
    });

/// One generated comment of a thread: ids are made unique by the caller.
#[derive(Debug, Clone)]
struct GenComment {
    parent: Option<prop::sample::Index>,
    author: Option<String>,
    parent_author: Option<String>,
    timestamp: Option<String>,
    text: String,
}

/// Optional, non-empty cell values (an empty cell reads back as "absent").
fn cell() -> impl Strategy<Value = Option<String>> {
    prop::option::of("\\PC{1,12}|[a-z ,\"\n]{1,12}")
}

fn gen_comment() -> impl Strategy<Value = GenComment> {
    (
        prop::option::of(any::<prop::sample::Index>()),
        cell(),
        cell(),
        cell(),
        prop_oneof![any::<String>(), TRICKY, "[ ,\"\r\n\ta-z]{0,40}"],
    )
        .prop_map(
            |(parent, author, parent_author, timestamp, text)| GenComment {
                parent,
                author,
                parent_author,
                timestamp,
                text,
            },
        )
}

/// Threads with unique non-empty ids whose parents point at earlier comments of the same
/// thread, depths set as a reader sets them.
fn threads_from(spec: Vec<(String, Vec<GenComment>)>) -> Vec<threadguard::Thread> {
    spec.into_iter()
        .enumerate()
        .map(|(t, (name, comments))| {
            let id = format!("{t}{name}");
            let mut built: Vec<threadguard::Comment> = Vec::new();
            for (i, g) in comments.into_iter().enumerate() {
                let parent_id = g
                    .parent
                    .filter(|_| i > 0)
                    .map(|p| built[p.index(i)].id.clone());
                built.push(threadguard::Comment {
                    id: format!("{id}/{i}"),
                    parent_id,
                    author: g.author,
                    parent_author: g.parent_author,
                    timestamp: g.timestamp,
                    text: g.text,
                    ..threadguard::Comment::default()
                });
            }
            threadguard::thread::set_depths(&mut built);
            threadguard::Thread {
                id,
                source: "gen.csv".to_string(),
                comments: built,
                ..threadguard::Thread::default()
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn scoring_is_deterministic_and_probabilities_lie_in_0_1(
        text in prop_oneof![any::<String>(), TRICKY],
        other in ".{0,60}",
    ) {
        let mut warm = MODEL.scorer();
        let mut first = Vec::new();
        warm.score(&text, &mut first);
        warm.score(&other, &mut Vec::new());
        let mut again = Vec::new();
        warm.score(&text, &mut again);
        let mut fresh = Vec::new();
        MODEL.scorer().score(&text, &mut fresh);
        prop_assert_eq!(first.len(), 2);
        prop_assert!(first.iter().all(|p| (0.0..=1.0).contains(p)), "{:?}", first);
        let bits = |v: &[f32]| v.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&first), bits(&again));
        prop_assert_eq!(bits(&first), bits(&fresh));
    }

    #[test]
    fn parse_write_csv_parse_again_gives_the_same_comments(
        spec in prop::collection::vec(
            ("[a-z_-]{0,6}", prop::collection::vec(gen_comment(), 1..6)),
            1..4,
        )
    ) {
        let threads = threads_from(spec);
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = dir.path().join("parsed.csv");
        let mut csv = Vec::new();
        threadguard::report::write_parsed(
            &mut csv,
            &threads,
            threadguard::report::OutputFormat::Csv,
            80,
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        std::fs::write(&path, &csv).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = threadguard::ingest::read_all(
            &[path],
            threadguard::ingest::InputFormat::Auto,
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(again.warnings.is_empty());
        let comments = |ts: &[threadguard::Thread]| -> Vec<(String, threadguard::Comment)> {
            ts.iter()
                .flat_map(|t| t.comments.iter().map(|c| (t.id.clone(), c.clone())))
                .collect()
        };
        prop_assert_eq!(comments(&threads), comments(&again.threads));
    }
}
