//! Benchmarks of the feature stage: extraction (as a vector, and as the weights scoring
//! uses) of one comment and of 100 KB of text with a vocabulary built from generated text,
//! and vocabulary building itself.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod common;
use threadguard::features::{Extractor, FeatureConfig, SparseVec, Vocabulary};

use common::COMMENT;

const WORDS: &[&str] = &[
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "you",
    "that",
    "it",
    "he",
    "was",
    "for",
    "on",
    "are",
    "as",
    "with",
    "his",
    "they",
    "at",
    "be",
    "this",
    "have",
    "from",
    "or",
    "one",
    "had",
    "by",
    "word",
    "but",
    "not",
    "what",
    "all",
    "were",
    "we",
    "when",
    "your",
    "can",
    "said",
    "there",
    "use",
    "an",
    "each",
    "which",
    "she",
    "do",
    "how",
    "their",
    "if",
    "will",
    "up",
    "other",
    "about",
    "out",
    "many",
    "then",
    "them",
    "these",
    "so",
    "some",
    "her",
    "would",
    "make",
    "like",
    "him",
    "into",
    "time",
    "has",
    "look",
    "two",
    "more",
    "write",
    "go",
    "see",
    "government",
    "media",
    "election",
    "war",
    "russia",
    "president",
    "minister",
    "policy",
    "article",
    "people",
    "money",
    "bank",
    "vote",
    "party",
    "truth",
    "lies",
    "official",
    "idiot",
    "moron",
    "clown",
    "stupid",
    "scum",
    "traitor",
    "liar",
    "loser",
    "pathetic",
    "globalist",
    "cabal",
    "deep",
    "state",
    "hoax",
    "staged",
    "sheeple",
    "wake",
    "elite",
    "agenda",
    "puppet",
    "strings",
    "theater",
    "false",
    "flag",
    "cover",
    "secret",
    "plan",
    "evidence",
    "investigation",
    "report",
    "question",
    "answer",
    "agree",
    "disagree",
];

/// Deterministic pseudo-random comments and labels (a tiny linear congruential generator).
fn corpus(n: usize) -> (Vec<String>, Vec<Vec<Option<bool>>>) {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut docs = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let len = 10 + next() % 60;
        let words: Vec<&str> = (0..len).map(|_| WORDS[next() % WORDS.len()]).collect();
        let text = words.join(" ");
        let abusive = ["idiot", "moron", "clown", "scum"]
            .iter()
            .any(|w| text.contains(w));
        let conspiracy = ["cabal", "hoax", "sheeple", "globalist"]
            .iter()
            .any(|w| text.contains(w));
        let labeled = next() % 4 != 0;
        labels.push(vec![
            labeled.then_some(abusive),
            labeled.then_some(conspiracy),
        ]);
        docs.push(text);
    }
    (docs, labels)
}

fn vocabulary() -> Vocabulary {
    let (docs, labels) = corpus(3000);
    let config = FeatureConfig {
        top_k: 5000,
        ..FeatureConfig::default()
    };
    match Vocabulary::build(&docs, &labels, &config) {
        Ok((vocab, _)) => vocab,
        Err(e) => panic!("benchmark vocabulary failed to build: {e}"),
    }
}

fn bench_extract(c: &mut Criterion) {
    let vocab = vocabulary();
    let mut extractor = Extractor::new();
    let mut out = SparseVec::new();
    let big: String = std::iter::repeat_n(COMMENT, 100)
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut group = c.benchmark_group("extract");
    for (name, text) in [("comment_1k", COMMENT), ("text_100k", big.as_str())] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                extractor.extract_into(black_box(text), &vocab, &mut out);
                black_box(out.len())
            })
        });
    }
    // The scoring path: counts and weights without building a vector.
    for (name, text) in [
        ("weights_comment_1k", COMMENT),
        ("weights_text_100k", big.as_str()),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0usize;
                extractor.for_each_weight(black_box(text), &vocab, |_, w| {
                    n += usize::from(w > 0.0);
                });
                black_box(n)
            })
        });
    }
    group.throughput(Throughput::Bytes(COMMENT.len() as u64));
    group.bench_function("explain_comment_1k", |b| {
        b.iter(|| black_box(extractor.explain(black_box(COMMENT), &vocab)))
    });
    group.finish();
}

fn bench_build(c: &mut Criterion) {
    let (docs, labels) = corpus(3000);
    let config = FeatureConfig::default();
    let mut group = c.benchmark_group("vocabulary");
    group.sample_size(10);
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.bench_function("build_3000_docs", |b| {
        b.iter(|| Vocabulary::build(black_box(&docs), &labels, &config).map(|(v, _)| v.len()))
    });
    group.finish();
}

criterion_group!(benches, bench_extract, bench_build);
criterion_main!(benches);
