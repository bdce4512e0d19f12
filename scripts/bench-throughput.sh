#!/usr/bin/env bash
# Scoring throughput on one core: builds a corpus of >= 100 MB of comment text from the
# shared corpora (repeated), then times `threadguard score --format csv --jobs 1` over it
# RUNS times (default 5) and reports the median as comments/s and MB/s of comment text.
#
# Usage: scripts/bench-throughput.sh [MB] [JOBS]     (SHARED=..., RUNS=... to override)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
MB=${1:-100}
JOBS=${2:-1}
RUNS=${RUNS:-5}
WORK=target/bench
mkdir -p "$WORK"
cargo build --release --quiet
CORPUS="$WORK/corpus-${MB}mb.csv"
if [ ! -s "$CORPUS.stats" ]; then
    python3 scripts/make-bench-corpus.py "$SHARED" "$CORPUS" "$MB" > "$CORPUS.stats"
fi
read -r ROWS TEXT_BYTES < "$CORPUS.stats"
echo "corpus: $CORPUS: $ROWS comments, $TEXT_BYTES bytes of comment text ($(du -m "$CORPUS" | cut -f1) MB file)"
times=()
for i in $(seq "$RUNS"); do
    start=$(date +%s.%N)
    target/release/threadguard score "$CORPUS" --format csv --jobs "$JOBS" > /dev/null
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    times+=("$t")
    printf 'run %d: %.2f s\n' "$i" "$t"
done
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
awk -v t="$median" -v rows="$ROWS" -v bytes="$TEXT_BYTES" -v jobs="$JOBS" -v runs="$RUNS" 'BEGIN {
    printf "median of %s runs, --jobs %s: %.2f s · %.0f comments/s · %.1f MB/s of comment text\n", runs, jobs, t, rows / t, bytes / t / 1e6
}'
