#!/usr/bin/env bash
# Fuzzes threadguard's parsers, text stage and model loader with cargo-fuzz (libFuzzer),
# one target after another, each for SECONDS (default 600).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   targets: page_dump csv_export jsonl_export labels_csv text model_file (default: all)
#
# Stable toolchain: cargo-fuzz is installed when missing (`cargo install cargo-fuzz
# --locked`) and run with RUSTC_BOOTSTRAP=1 (cargo-fuzz assumes nightly) and
# `--sanitizer none` (no sanitizer runtime is needed: threadguard has no unsafe code, so
# what the targets look for are panics, arithmetic overflows and debug assertions, which
# the fuzz build keeps on). Targets run one at a time on one core (the machine is shared).
#
# Corpora grow in fuzz/corpus/<target> (seeded from seeds/, tests/fixtures/ and earlier
# findings in tests/fixtures/fuzz/<target>); crashes land in fuzz/artifacts/<target>, logs
# in fuzz/logs/<target>.log. Minimize a crash with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin --sanitizer none -O <target> <crash file>   (in fuzz/)
# then copy it to tests/fixtures/fuzz/<target>/ (tests/fuzz_regressions.rs replays those).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-600}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(page_dump csv_export jsonl_export labels_csv text model_file)
fi
export RUSTC_BOOTSTRAP=1
FUZZ_FLAGS=(--sanitizer none -O)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Seeds: copies of the repository's own inputs and of the inputs kept from earlier runs,
# (re)made before every run (a corpus keeps whatever else it has grown).
seed() {
    local target=$1 dir=fuzz/corpus/$1
    mkdir -p "$dir"
    if [ -d "tests/fixtures/fuzz/$target" ]; then
        cp tests/fixtures/fuzz/"$target"/* "$dir"/
    fi
    case $target in
        page_dump)
            # The first byte picks the format: 0 blog, 1 forum, 2 article, 3 auto.
            for f in seeds/*.txt; do
                for s in 0 1 2 3; do
                    { printf "\\x0$s"; cat "$f"; } > "$dir/$(basename "$f" .txt)-$s"
                done
            done ;;
        csv_export)
            cp tests/fixtures/ingest/export.csv tests/fixtures/import/*.csv \
                tests/fixtures/train/to_score.csv "$dir"/ ;;
        jsonl_export)
            cp tests/fixtures/ingest/export.jsonl "$dir"/
            sed 's/$/\r/' tests/fixtures/ingest/export.jsonl > "$dir/crlf.jsonl" ;;
        labels_csv)
            cp tests/fixtures/labels/*.csv tests/fixtures/train/small_labels.csv "$dir"/
            head -c 4000 data/seed_labels.csv > "$dir/seed_labels_head.csv" ;;
        text)
            cp seeds/*.txt "$dir"/
            tail -n +2 tests/fixtures/train/small_labels.csv | head -40 > "$dir/labels_text" ;;
        model_file)
            # Odd first byte: the whole file; even: a body given a valid header.
            cp tests/fixtures/model/v1.tgm "$dir/v1.tgm"
            { printf '\0'; tail -n +2 tests/fixtures/model/v1.tgm; } > "$dir/v1-body" ;;
    esac
}

(cd fuzz && cargo fuzz build "${FUZZ_FLAGS[@]}")
BIN=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release
mkdir -p fuzz/logs
for target in "${TARGETS[@]}"; do
    seed "$target"
    log=fuzz/logs/$target.log
    echo "== $target: ${SECONDS_PER_TARGET}s (log: $log)"
    status=0
    # The binary built above is run directly (not `cargo fuzz run`), so editing the
    # sources while a long run goes on does not rebuild it half way.
    mkdir -p "fuzz/artifacts/$target"
    # Texts are cut at 1 KB: scoring is the slowest target (about 10 ms for 4 KB with the
    # coverage instrumentation), and tokenizer bugs show in short inputs; the page and
    # export targets keep the size of the seeds they start from.
    max_len=()
    [ "$target" = text ] && max_len=(-max_len=1024)
    "$BIN/$target" "fuzz/corpus/$target" -artifact_prefix="fuzz/artifacts/$target/" \
        "${max_len[@]}" -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -rss_limit_mb=4096 \
        -print_final_stats=1 > "$log" 2>&1 || status=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    secs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    if [ "$status" -eq 0 ]; then
        echo "   ok: $execs executions ($secs/s), corpus $(ls "fuzz/corpus/$target" | wc -l) inputs"
    else
        echo "   FAILED (exit $status): see $log and fuzz/artifacts/$target/"
        grep -m3 -E 'panicked|ERROR|Test unit written' "$log" || true
    fi
done
