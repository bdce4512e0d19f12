//! Benchmarks of the text stage: normalization + tokenization of a realistic ~1 KB comment,
//! of a 100 KB mixed text and of 100 KB of plain ASCII English, plus cached stemming.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod common;
use threadguard::text::{StemCache, Tokenizer, Tokens};

use common::COMMENT;

/// About 100 KB of comment-like text: varied comments, some obfuscated, some non-ASCII.
fn long_text() -> String {
    let extra = [
        "What a st00pid take. Y o u  a r e  a  c l o w n and everyone here knows it.",
        "Thanks for the thoughtful reply \u{2014} I hadn\u{2019}t considered the budget side. \
         Numbers from 2019 show a 3.5% rise.",
        "This is a false flag, plain and simple. Follow the money and the \u{0456}d\u{0456}\u{043E}ts \
         who fund it.",
        "Правительство опять врёт. Ｆｕｌｌ ｗｉｄｔｈ text and 𝐛𝐨𝐥𝐝 letters appear too.",
        "Holy sh!t, that result was close. Well played by both teams, honestly.",
    ];
    let mut s = String::with_capacity(101 * 1024);
    let mut k = 0;
    while s.len() < 100 * 1024 {
        s.push_str(COMMENT);
        s.push_str("\n\n");
        s.push_str(extra[k % extra.len()]);
        s.push_str("\n\n");
        k += 1;
    }
    s
}

/// About 100 KB of plain ASCII English, the common case the tokenizer's fast path serves.
fn plain_text() -> String {
    let comment = "I read the whole report last night and I don't think it says what the \
        headline claims. The numbers are fine, but the conclusion is a stretch, and nobody who \
        wrote this piece seems to have talked to the people involved. Still, it's worth a read.";
    let mut s = String::with_capacity(101 * 1024);
    while s.len() < 100 * 1024 {
        s.push_str(comment);
        s.push('\n');
    }
    s
}

fn bench_tokenize(c: &mut Criterion) {
    let mut group = c.benchmark_group("normalize_tokenize");
    for (name, text) in [
        ("comment_1k", COMMENT.to_string()),
        ("text_100k", long_text()),
        ("plain_100k", plain_text()),
        // 100 KB without a space: every word asks whether a link starts there.
        ("no_space_run_100k", "ab:".repeat(34_000)),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        let mut tokenizer = Tokenizer::new();
        let mut tokens = Tokens::new();
        group.bench_function(name, |b| {
            b.iter(|| {
                tokenizer.tokenize_into(black_box(&text), &mut tokens);
                black_box(tokens.len())
            })
        });
    }
    group.finish();
}

fn bench_stem(c: &mut Criterion) {
    let mut tokenizer = Tokenizer::new();
    let mut tokens = Tokens::new();
    tokenizer.tokenize_into(COMMENT, &mut tokens);
    let words: Vec<String> = tokens.iter().map(|t| t.text.to_string()).collect();
    let mut cache = StemCache::new();
    let mut group = c.benchmark_group("stem");
    group.throughput(Throughput::Elements(words.len() as u64));
    group.bench_function("cached_comment_words", |b| {
        b.iter(|| {
            words
                .iter()
                .map(|w| cache.stem(black_box(w)).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_tokenize, bench_stem);
criterion_main!(benches);
