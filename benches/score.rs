//! Scoring speed with the shipped default model: one comment, and the seed threads (comment
//! by comment, and as whole threads the way `threadguard score` does).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

const COMMENT: &str = "A raving lunatic might have a few moments of coherence, but they are still a \
lunatic. Their true state is insanity and it would be irresponsible in the extreme to take a few \
moments of lucidity as a recovery. I just listened to an interview: this is the sort of scum that \
runs the show, and the sheeple still believe the whole thing isn't staged theater.";

fn scoring(c: &mut Criterion) {
    let model = match threadguard::model::default_model() {
        Ok(model) => model,
        Err(e) => {
            eprintln!("skipping scoring benches: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Bytes(COMMENT.len() as u64));
    let mut scorer = model.scorer();
    let mut probabilities = Vec::new();
    group.bench_function("one_comment", |b| {
        b.iter(|| {
            scorer.score(black_box(COMMENT), &mut probabilities);
            black_box(&probabilities);
        })
    });
    group.bench_function("explain_one_comment", |b| {
        b.iter(|| black_box(scorer.explain(black_box(COMMENT), 0, 5)))
    });
    let threads = threadguard::ingest::read_all(
        &[PathBuf::from("seeds")],
        threadguard::ingest::InputFormat::Auto,
    )
    .map(|c| c.threads)
    .unwrap_or_default();
    let bytes: usize = threads
        .iter()
        .flat_map(|t| &t.comments)
        .map(|c| c.text.len())
        .sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("seed_threads", |b| {
        b.iter(|| {
            for thread in &threads {
                for comment in &thread.comments {
                    scorer.score(&comment.text, &mut probabilities);
                    black_box(&probabilities);
                }
            }
        })
    });
    // What `threadguard score --jobs 1` does per thread chunk.
    group.bench_function("seed_threads_score_thread", |b| {
        b.iter(|| {
            for thread in &threads {
                black_box(scorer.score_thread(thread.clone(), None));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
