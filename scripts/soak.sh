#!/usr/bin/env bash
# Soak test: scores a ~1 GB export, then makes 10,000 scripted decisions through
# `threadguard label --batch` while SIGKILLing it at 50 random moments, and checks that
# every acknowledged decision is in the labels file exactly once and the file parses.
#
# Usage: scripts/soak.sh [MB] [DECISIONS] [KILLS]      (defaults: 1000 10000 50)
#   KEEP=1 keeps the big input in target/soak/ afterwards (it is deleted by default).
#
# The input is built from this repository's own texts (data/*.csv, repeated with fresh
# ids), not from ../shared. Needs python3; /usr/bin/time -v (Debian package `time`) for
# the peak RSS, else only the time is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-1000}
DECISIONS=${2:-10000}
KILLS=${3:-50}
WORK=target/soak
mkdir -p "$WORK"
cargo build --release --quiet
BIN=target/release/threadguard

echo "== 1. scoring a ${MB} MB export"
BIG="$WORK/corpus-${MB}mb.csv"
if [ ! -s "$BIG" ] || [ ! -s "$BIG.count" ]; then
    python3 scripts/soak_label.py make-corpus "$BIG" "$MB" > "$BIG.count"
fi
COMMENTS=$(cat "$BIG.count")
echo "input: $BIG, $(stat -c %s "$BIG") bytes, $COMMENTS comments"
# JSONL output: one line per comment (texts with line breaks included), easy to count.
if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$BIN" score "$BIG" --format jsonl > "$WORK/scores.jsonl" 2> "$WORK/time.txt" || {
        cat "$WORK/time.txt"; exit 1; }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
    cpu=$(sed -n 's/.*Percent of CPU this job got: //p' "$WORK/time.txt")
    user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
    sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
    echo "scored $(wc -l < "$WORK/scores.jsonl") comments in $wall wall clock, ${user} s user + ${sys} s system CPU ($cpu of the cores), peak RSS $((rss / 1024)) MB"
else
    start=$(date +%s.%N)
    "$BIN" score "$BIG" --format jsonl > "$WORK/scores.jsonl"
    end=$(date +%s.%N)
    echo "scored $(wc -l < "$WORK/scores.jsonl") comments in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }') (install the \`time\` package for the peak RSS)"
fi
rm -f "$WORK/scores.jsonl"
if [ "${KEEP:-0}" != 1 ]; then
    rm -f "$BIG" "$BIG.count"
fi

echo "== 2. ${DECISIONS} decisions through label --batch, killed ${KILLS} times"
python3 scripts/soak_label.py label "$BIN" "$WORK/label" "$DECISIONS" "$KILLS"
