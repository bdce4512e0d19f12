#!/usr/bin/env bash
# Honest quality figures on data the evaluated model never saw: each shared corpus is
# split 80/20 by id (scripts/split-by-id.py), a model is trained with the default
# settings on the 80% parts plus data/own_labels*.csv, and evaluated on each 20% part
# and on the seed labels. The shipped model is trained on everything, so it must not be
# evaluated on these splits; this script trains its own.
#
# Usage: scripts/eval-shared.sh [extra train flags]     (SHARED=... to override)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
WORK=target/eval-shared
scripts/import-corpora.sh "$SHARED" "$WORK" >/dev/null
TG=target/release/threadguard

rm -f "$WORK"/*.train.csv "$WORK"/*.test.csv   # stale splits would join the *.train.csv glob
for c in davidson psycomark toxic_spans_train toxic_spans_trial; do
    python3 scripts/split-by-id.py "$WORK/$c.csv" "$WORK/$c.train.csv" "$WORK/$c.test.csv"
done
# The same recipe as scripts/train-default.sh, on the 80% parts only. The project's own
# labels are all trained on (the seeds are their unseen test).
weights=(--weight "$WORK/davidson.train.csv=3")
for f in data/own_labels*.csv; do
    own="$WORK/$(basename "$f" .csv).train.csv"
    cp "$f" "$own"
    weights+=(--weight "$own=8" --calibrate-on "$own")
done
"$TG" train "$WORK"/*.train.csv --out "$WORK/model.tgm" "${weights[@]}" \
    --top-k 20000 --l2 3 "$@"

echo
echo "== Davidson, held-out 20% by id (abusive)"
"$TG" eval "$WORK/davidson.test.csv" --model "$WORK/model.tgm" --labels abusive
echo
echo "== PsyCoMark, held-out 20% by id (conspiratorial)"
"$TG" eval "$WORK/psycomark.test.csv" --model "$WORK/model.tgm" --labels conspiratorial
echo
echo "== Toxic spans, held-out 20% (abusive; all positive, so recall is what counts)"
"$TG" eval "$WORK/toxic_spans_train.test.csv" --model "$WORK/model.tgm" --labels abusive
echo
echo "== Seed labels (reader comments like the users'; never trained on)"
"$TG" eval data/seed_labels.csv --model "$WORK/model.tgm"
