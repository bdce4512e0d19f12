#!/usr/bin/env bash
# Honest quality figures on data the evaluated model never saw: each shared corpus is
# split 80/20 by id (scripts/split-by-id.py), a model is trained with the default
# settings on the 80% parts plus data/own_labels*.csv, and evaluated on each 20% part
# and on the seed labels. The shipped model is trained on everything, so it must not be
# evaluated on these splits; this script trains its own.
#
# Usage: scripts/eval-shared.sh [extra train flags]     (SHARED=... to override)
#   FOLDS=5 scripts/eval-shared.sh   also runs folds 1..4 of a 5-fold cross-validation
#   (every corpus's test part is a different fifth, by id) and prints the ROC-AUC of each
#   fold and their mean and spread: one 20% split of a few hundred rows moves by a few
#   hundredths from split to split, which the mean shows.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
FOLDS=${FOLDS:-1}
WORK=target/eval-shared
scripts/import-corpora.sh "$SHARED" "$WORK" >/dev/null
TG=target/release/threadguard
CORPORA=(davidson psycomark toxic_spans_train toxic_spans_trial)

# Splits every corpus for fold $1 into $2/*.train.csv and $2/*.test.csv and trains
# $2/model.tgm with the same recipe as scripts/train-default.sh on the train parts. The
# project's own labels are all trained on (the seeds are their unseen test).
train_fold() {
    local fold=$1 dir=$2
    mkdir -p "$dir"
    rm -f "$dir"/*.train.csv "$dir"/*.test.csv   # stale splits would join the glob
    for c in "${CORPORA[@]}"; do
        python3 scripts/split-by-id.py "$WORK/$c.csv" "$dir/$c.train.csv" "$dir/$c.test.csv" 20 "$fold"
    done
    local weights=(--weight "$dir/davidson.train.csv=3")
    for f in data/own_labels*.csv; do
        local own
        own="$dir/$(basename "$f" .csv).train.csv"
        cp "$f" "$own"
        weights+=(--weight "$own=8" --calibrate-on "$own")
    done
    shift 2
    "$TG" train "$dir"/*.train.csv --out "$dir/model.tgm" "${weights[@]}" \
        --top-k 20000 --l2 3 "$@"
}

# The ROC-AUC of `threadguard eval` for label $3 of file $1 under model $2.
roc_auc() {
    "$TG" eval "$1" --model "$2" --labels "$3" | sed -nE 's/.*ROC-AUC ([0-9.]+).*/\1/p' | head -1
}

train_fold 0 "$WORK" "$@"

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

if [ "$FOLDS" -gt 1 ]; then
    echo
    echo "== $FOLDS-fold cross-validation by id (ROC-AUC; fold 0 is the split above)"
    rows=("0 $(roc_auc "$WORK/davidson.test.csv" "$WORK/model.tgm" abusive) $(roc_auc "$WORK/psycomark.test.csv" "$WORK/model.tgm" conspiratorial)")
    for fold in $(seq 1 $((FOLDS - 1))); do
        dir="$WORK/fold$fold"
        train_fold "$fold" "$dir" "$@" >"$dir.log" 2>&1 || { tail -3 "$dir.log"; exit 1; }
        rows+=("$fold $(roc_auc "$dir/davidson.test.csv" "$dir/model.tgm" abusive) $(roc_auc "$dir/psycomark.test.csv" "$dir/model.tgm" conspiratorial)")
    done
    printf '%s\n' "${rows[@]}" | awk '
        BEGIN { print "fold  Davidson (abusive)  PsyCoMark (conspiratorial)" }
        { printf "%4s  %18s  %26s\n", $1, $2, $3; d[NR] = $2; p[NR] = $3; sd += $2; sp += $3 }
        END {
            md = sd / NR; mp = sp / NR
            for (i = 1; i <= NR; i++) { vd += (d[i] - md) ^ 2; vp += (p[i] - mp) ^ 2 }
            printf "mean  %12.3f ± %.3f  %20.3f ± %.3f   (± = standard deviation over folds)\n",
                md, sqrt(vd / (NR - 1)), mp, sqrt(vp / (NR - 1))
        }'
fi
