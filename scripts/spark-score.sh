#!/usr/bin/env bash
# Scores comments under Apache Spark with `rdd.pipe` and checks that the result equals
# `threadguard score --format jsonl -` run as one process on the same file (same lines as
# a multiset, each partition's lines in its input order). Exits non-zero on a mismatch.
#
# Installs PySpark (pinned, scripts/spark-requirements.txt) into target/spark-venv, and a
# Java 17 runtime with apt-get when no Java 17+ is found. The input is JSONL made with
# `threadguard parse --format jsonl` from seeds/, data/ and the first LINES comments of
# the benchmark corpus (scripts/make-bench-corpus.py, from the shared corpora).
#
# Usage: scripts/spark-score.sh [LINES]    (default 20000; PARTITIONS=4, MASTER=local[2],
#                                          CLUSTER_MASTER=local-cluster[2,1,1024] or empty,
#                                          SHARED=path/to/shared/data to override)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
LINES=${1:-20000}
PARTITIONS=${PARTITIONS:-4}
MASTER=${MASTER:-local[2]}
CLUSTER_MASTER=${CLUSTER_MASTER-local-cluster[2,1,1024]}
VENV=target/spark-venv
WORK=target/spark
mkdir -p "$WORK"

java_major() {
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
    echo "spark-score: no Java 17+; installing openjdk-17-jre-headless with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless
fi
echo "java: $(java -version 2>&1 | head -n1)"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/spark-requirements.txt

cargo build --release --quiet
TG=$PWD/target/release/threadguard

CORPUS=target/bench/corpus-100mb.csv
if [ ! -s "$CORPUS.stats" ]; then
    mkdir -p target/bench
    python3 scripts/make-bench-corpus.py "$SHARED" "$CORPUS" 100 > "$CORPUS.stats"
fi
# The first LINES rows of the corpus (rows may span lines, so cut with a CSV reader).
python3 - "$CORPUS" "$WORK/bench-head.csv" "$LINES" <<'PY'
import csv, sys
src, dest, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
csv.field_size_limit(1 << 30)
with open(src, newline="", encoding="utf-8") as f, open(dest, "w", newline="", encoding="utf-8") as out:
    reader, writer = csv.reader(f), csv.writer(out)
    for i, row in enumerate(reader):
        if i > n:
            break
        writer.writerow(row)
PY
INPUT=$WORK/comments.jsonl
# data/*.csv, not data/: data/by-id/ holds ids without texts, which parse refuses.
"$TG" parse seeds/ data/*.csv "$WORK/bench-head.csv" --format jsonl > "$INPUT"
echo "input: $INPUT: $(wc -l < "$INPUT") comments"

# The reference: one process, stdout kept apart from stderr.
"$TG" score --format jsonl - < "$INPUT" > "$WORK/expected.jsonl" 2> "$WORK/expected.stderr"
if [ -s "$WORK/expected.stderr" ]; then
    echo "single-process stderr (warnings, kept off stdout):"
    sed 's/^/    /' "$WORK/expected.stderr"
fi

"$VENV/bin/python" scripts/spark-score.py --tg "$TG" --input "$INPUT" \
    --expected "$WORK/expected.jsonl" --partitions "$PARTITIONS" --master "$MASTER" \
    --cluster-master "$CLUSTER_MASTER"
