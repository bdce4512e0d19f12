#!/usr/bin/env bash
# Honest quality figures on data the evaluated model never saw: each shared corpus is
# split 80/20 by id or text (scripts/split-by-id.py), a model is trained with the default
# settings on the 80% parts plus data/own_labels*.csv, and evaluated on each 20% part
# and on the seed labels. The shipped model is trained on everything, so it must not be
# evaluated on these splits; this script trains its own.
#
# Usage: scripts/eval-shared.sh [extra train flags]     (SHARED=... to override)
#   CIVIL_WEIGHT=N weighs the team's conspiratorial labels of Civil Comments posts (default
#   the recipe's, scripts/recipe.sh; 0 leaves them out of training).
#   PSY_LABELS=theirs|ours|both: which conspiratorial labels of the PsyCoMark comments train:
#   PsyCoMark's own, the team's relabels per our guidelines (data/by-id/psycomark_relabels.csv,
#   their train parts), or both (default: both, as in train-default.sh). PSY_RELABEL_WEIGHT=N
#   weighs the relabels (default: the recipe's, scripts/recipe.sh).
#   The team's relabels of Davidson tweets per our guidelines (data/by-id/davidson_relabels.csv)
#   are split like the corpus: each test part scores the model by our labels (and fold 0
#   also on the tweets where both label sets agree). DAV_RELABEL_WEIGHT=N weighs their
#   train parts (default: the recipe's, scripts/recipe.sh; 0 leaves them out of training).
#   FOLDS=5 scripts/eval-shared.sh   also runs folds 1..4 of a 5-fold cross-validation
#   (every corpus's test part is a different fifth, by id or, for Davidson and
#   PsyCoMark, by text) and prints the ROC-AUC of each
#   fold and their mean and spread: one 20% split of a few hundred rows moves by a few
#   hundredths from split to split, which the mean shows.
set -euo pipefail
shopt -s inherit_errexit   # a failing $(...) stops the script too
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
FOLDS=${FOLDS:-1}
case $FOLDS in
    1 | 5) ;;
    *) echo "eval-shared.sh: FOLDS must be 1 or 5 (the test parts are fifths), not '$FOLDS'" >&2; exit 2 ;;
esac
WORK=target/eval-shared
TG=target/release/threadguard
# shellcheck source=scripts/recipe.sh
source scripts/recipe.sh
CORPORA=(davidson davidson_relabels psycomark psycomark_relabels toxic_spans_train toxic_spans_trial civil_labels civil_consp)
CIVIL_WEIGHT=${CIVIL_WEIGHT:-$RECIPE_CIVIL_WEIGHT}
PSY_LABELS=${PSY_LABELS:-both}
PSY_RELABEL_WEIGHT=${PSY_RELABEL_WEIGHT:-$RECIPE_PSY_RELABEL_WEIGHT}
DAV_RELABEL_WEIGHT=${DAV_RELABEL_WEIGHT:-$RECIPE_DAV_RELABEL_WEIGHT}
case $PSY_LABELS in
    theirs | ours | both) ;;
    *) echo "eval-shared.sh: PSY_LABELS must be theirs, ours or both, not '$PSY_LABELS'" >&2; exit 2 ;;
esac
if ! [[ $DAV_RELABEL_WEIGHT =~ ^(0|[1-9][0-9]*)$ ]]; then
    echo "eval-shared.sh: DAV_RELABEL_WEIGHT must be a whole number (0 leaves the relabels out of training), not '$DAV_RELABEL_WEIGHT'" >&2
    exit 2
fi
if ! [[ $PSY_RELABEL_WEIGHT =~ ^[1-9][0-9]*$ ]]; then
    echo "eval-shared.sh: PSY_RELABEL_WEIGHT must be a whole number from 1 (PSY_LABELS=theirs leaves the relabels out), not '$PSY_RELABEL_WEIGHT'" >&2
    exit 2
fi

scripts/import-corpora.sh "$SHARED" "$WORK" >/dev/null

# Splits every corpus for fold $1 into $2/*.train.csv and $2/*.test.csv and trains
# $2/model.tgm with the same recipe as scripts/train-default.sh on the train parts. The
# project's own labels are all trained on (the seeds are their unseen test). Each step
# returns on failure itself: called as `train_fold ... || ...`, set -e is off inside.
train_fold() {
    local fold=$1 dir=$2
    mkdir -p "$dir" || return 1
    rm -f "$dir"/*.train.csv "$dir"/*.test.csv "$dir"/*.unused || return 1   # stale splits would join the glob
    for c in "${CORPORA[@]}"; do
        local by_text=()
        case $c in davidson | davidson_relabels | psycomark | psycomark_relabels) by_text=(--by-text) ;; esac
        python3 scripts/split-by-id.py "${by_text[@]}" "$WORK/$c.csv" "$dir/$c.train.csv" "$dir/$c.test.csv" 20 "$fold" || return 1
    done
    local weights=(--weight "$dir/davidson.train.csv=$RECIPE_DAVIDSON_WEIGHT")
    # civil_labels (both labels) is for evaluation; civil_consp (the same posts, only
    # their conspiratorial label) is what trains.
    rm "$dir/civil_labels.train.csv" "$dir/civil_consp.test.csv" || return 1
    if [ "$DAV_RELABEL_WEIGHT" = 0 ]; then
        rm "$dir/davidson_relabels.train.csv" || return 1
    else
        weights+=(--weight "$dir/davidson_relabels.train.csv=$DAV_RELABEL_WEIGHT")
    fi
    # PsyCoMark's test part is always scored by its own labels and by the team's relabels;
    # which of the two label sets trains is PSY_LABELS.
    case $PSY_LABELS in
        theirs) rm "$dir/psycomark_relabels.train.csv" || return 1 ;;
        ours) mv "$dir/psycomark.train.csv" "$dir/psycomark.train.unused" || return 1 ;;
    esac
    if [ -e "$dir/psycomark_relabels.train.csv" ]; then
        weights+=(--weight "$dir/psycomark_relabels.train.csv=$PSY_RELABEL_WEIGHT")
    fi
    if [ "$CIVIL_WEIGHT" = 0 ]; then
        rm "$dir/civil_consp.train.csv" || return 1
    else
        weights+=(--weight "$dir/civil_consp.train.csv=$CIVIL_WEIGHT")
    fi
    for f in data/own_labels*.csv; do
        local own
        own="$dir/$(basename "$f" .csv).train.csv"
        cp "$f" "$own" || return 1
        weights+=(--weight "$own=$RECIPE_OWN_WEIGHT" --calibrate-on "$own")
    done
    shift 2
    "$TG" train "$dir"/*.train.csv --out "$dir/model.tgm" "${weights[@]}" \
        "${RECIPE_TRAIN_FLAGS[@]}" "$@"
}

# Figure $4 (`ROC-AUC` or `F1`) of `threadguard eval` for label $3 of file $1 under model
# $2; stops the script when there is none (a failed eval, or NaN for a one-class part),
# so the fold table never shifts a column.
figure() {
    local out value
    out=$("$TG" eval "$1" --model "$2" --labels "$3")
    value=$(sed -nE "s/.* $4 ([0-9.]+) .*/\1/p" <<<"$out" | head -1)
    if [ -z "$value" ]; then
        echo "eval-shared.sh: no $4 for $3 on $1" >&2
        exit 1
    fi
    echo "$value"
}

train_fold 0 "$WORK" "$@"

echo
echo "== Davidson, held-out 20% by text (abusive)"
"$TG" eval "$WORK/davidson.test.csv" --model "$WORK/model.tgm" --labels abusive
echo
echo "== The same held-out Davidson tweets, relabeled by the team per our guidelines (abusive)"
"$TG" eval "$WORK/davidson_relabels.test.csv" --model "$WORK/model.tgm" --labels abusive
echo
echo "== Davidson held-out, the tweets whose label the team's relabels agree with (abusive)"
python3 scripts/where-labels-agree.py "$WORK/davidson_relabels.test.csv" "$WORK/davidson.test.csv" abusive "$WORK/davidson_agreed.test.csv"
"$TG" eval "$WORK/davidson_agreed.test.csv" --model "$WORK/model.tgm" --labels abusive
echo
echo "== PsyCoMark, held-out 20% by text (conspiratorial)"
"$TG" eval "$WORK/psycomark.test.csv" --model "$WORK/model.tgm" --labels conspiratorial
echo
echo "== The same held-out PsyCoMark comments, relabeled by the team per our guidelines (conspiratorial)"
"$TG" eval "$WORK/psycomark_relabels.test.csv" --model "$WORK/model.tgm" --labels conspiratorial
echo
echo "== Civil Comments posts labeled by the team, held-out 20% by id (real news comments)"
"$TG" eval "$WORK/civil_labels.test.csv" --model "$WORK/model.tgm"
echo
echo "== Toxic spans, held-out 20% (abusive; all positive, so recall is what counts)"
"$TG" eval "$WORK/toxic_spans_train.test.csv" --model "$WORK/model.tgm" --labels abusive
echo
echo "== Explanations of the same held-out toxic-spans posts against their gold spans (abusive)"
python3 scripts/eval-explanations.py --model "$WORK/model.tgm" --threadguard "$TG" \
    "$WORK/toxic_spans_train.test.csv" "$WORK/toxic_spans_trial.test.csv"
echo
echo "== Seed labels (reader comments like the users'; never trained on)"
"$TG" eval data/seed_labels.csv --model "$WORK/model.tgm"
echo
echo "== Short comments (240 short replies written for evaluation; never trained on)"
"$TG" eval data/short_comments_eval.csv --model "$WORK/model.tgm"

if [ "$FOLDS" -gt 1 ]; then
    echo
    echo "== $FOLDS-fold cross-validation (ROC-AUC, and the F1 at the threshold where"
    echo "   named; fold 0 is the split above)"
    fold_row() {  # fold, directory
        local d dr p pr ca cc cf
        d=$(figure "$2/davidson.test.csv" "$2/model.tgm" abusive ROC-AUC)
        dr=$(figure "$2/davidson_relabels.test.csv" "$2/model.tgm" abusive ROC-AUC)
        p=$(figure "$2/psycomark.test.csv" "$2/model.tgm" conspiratorial ROC-AUC)
        pr=$(figure "$2/psycomark_relabels.test.csv" "$2/model.tgm" conspiratorial ROC-AUC)
        ca=$(figure "$2/civil_labels.test.csv" "$2/model.tgm" abusive ROC-AUC)
        cc=$(figure "$2/civil_labels.test.csv" "$2/model.tgm" conspiratorial ROC-AUC)
        cf=$(figure "$2/civil_labels.test.csv" "$2/model.tgm" conspiratorial F1)
        echo "$1 $d $dr $p $pr $ca $cc $cf"
    }
    row=$(fold_row 0 "$WORK")
    rows=("$row")
    for fold in $(seq 1 $((FOLDS - 1))); do
        dir="$WORK/fold$fold"
        train_fold "$fold" "$dir" "$@" >"$dir.log" 2>&1 || { tail -3 "$dir.log"; exit 1; }
        row=$(fold_row "$fold" "$dir")
        rows+=("$row")
    done
    # Widths count bytes (LC_ALL=C, as mawk always does): "±" takes two, hence %20s.
    printf '%s\n' "${rows[@]}" | LC_ALL=C awk '
        BEGIN {
            split("Davidson abusive|Davidson relabeled|PsyCoMark consp.|PsyCoMark relabeled|Civil abusive|Civil consp.|Civil consp. F1", head, "|")
            printf "fold"
            for (c = 1; c <= 7; c++) printf "  %19s", head[c]
            print ""
        }
        {
            printf "%4s", $1
            for (c = 2; c <= 8; c++) { printf "  %19s", $c; v[NR, c] = $c; sum[c] += $c }
            print ""
        }
        END {
            printf "mean"
            for (c = 2; c <= 8; c++) {
                m = sum[c] / NR; var = 0
                for (i = 1; i <= NR; i++) var += (v[i, c] - m) ^ 2
                printf "  %20s", sprintf("%.3f ± %.3f", m, sqrt(var / (NR - 1)))
            }
            print "\n(± = standard deviation over folds)"
        }'
fi
