#!/usr/bin/env bash
# Trains the shipped default model, models/default.tgm, from the public corpora in
# ../shared/data (imported into target/corpora, never committed) and the project's own
# labels in data/ -- never from the seed comments, which stay the unseen evaluation set.
# Then rebuilds the binary (the default model is embedded) and evaluates on the seeds.
#
# Usage: scripts/train-default.sh            (SHARED=path/to/shared/data to override)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
WORK=target/corpora

# shellcheck source=scripts/recipe.sh
source scripts/recipe.sh

scripts/import-corpora.sh "$SHARED" "$WORK"
TG=target/release/threadguard

notes=()
for f in davidson/labeled_data.csv psycomark/train.csv toxic_spans/tsd_train.csv toxic_spans/tsd_trial.csv; do
    notes+=(--note "corpus $f sha256 $(sha256sum "$SHARED/$f" | cut -d' ' -f1), imported with threadguard import")
done
notes+=(--note "davidson offensive class: ${DAVIDSON_OFFENSIVE:-drop}")

notes+=(--note "data/own_labels*.csv: reader comments written and labeled by the team per docs/labeling-guidelines.md; never the seed comments")
notes+=(--note "psycomark_relabels.csv: PsyCoMark comments relabeled conspiratorial or not by the team per the guidelines, data/by-id/psycomark_relabels.csv joined with their texts")
notes+=(--note "civil_consp.csv: real news comments (toxic-spans posts) labeled conspiratorial or not by the team per the guidelines, data/by-id/civil_labels.csv joined with their texts")

# The recipe (scripts/recipe.sh; README, "The default model"): the team's authored labels weigh 8x and
# set the thresholds; its conspiratorial labels of real news comments weigh 4x but do not
# set them (the posts were chosen by score, so their label rate is not a comment
# section's, and an F1-optimal threshold follows the label rate). Their abusive labels
# only evaluate: the posts were all rated toxic (73% abusive by our guidelines) and are
# already trained on as the toxic-spans import. Davidson weighs 3x (its hate-vs-neither
# signal otherwise drowns in the other abusive rows); 20k features per label; L2 3.
# PsyCoMark's comments train twice: with PsyCoMark's own labels (1x) and with the team's
# relabels per our guidelines (4x), which are narrower (14% conspiratorial against
# PsyCoMark's 43% on the same comments).
OWN=(data/own_labels*.csv)
inputs=("$WORK/davidson.csv" "$WORK/psycomark.csv" "$WORK/psycomark_relabels.csv"
    "$WORK/toxic_spans_train.csv" "$WORK/toxic_spans_trial.csv" "$WORK/civil_consp.csv")
weights=(--weight "$WORK/davidson.csv=$RECIPE_DAVIDSON_WEIGHT"
    --weight "$WORK/civil_consp.csv=$RECIPE_CIVIL_WEIGHT"
    --weight "$WORK/psycomark_relabels.csv=$RECIPE_PSY_RELABEL_WEIGHT")
# The team's relabels of Davidson tweets train only when the recipe weighs them.
if ! [[ $RECIPE_DAV_RELABEL_WEIGHT =~ ^(0|[1-9][0-9]*)$ ]]; then
    echo "train-default.sh: RECIPE_DAV_RELABEL_WEIGHT in scripts/recipe.sh must be a whole number, not '$RECIPE_DAV_RELABEL_WEIGHT'" >&2
    exit 2
fi
if [ "$RECIPE_DAV_RELABEL_WEIGHT" != 0 ]; then
    inputs+=("$WORK/davidson_relabels.csv")
    weights+=(--weight "$WORK/davidson_relabels.csv=$RECIPE_DAV_RELABEL_WEIGHT")
    notes+=(--note "davidson_relabels.csv: Davidson tweets relabeled abusive or not by the team per the guidelines, data/by-id/davidson_relabels.csv joined with their texts")
fi
for f in "${OWN[@]}"; do weights+=(--weight "$f=$RECIPE_OWN_WEIGHT" --calibrate-on "$f"); done
"$TG" train "${inputs[@]}" "${OWN[@]}" "${weights[@]}" \
    "${RECIPE_TRAIN_FLAGS[@]}" --out models/default.tgm "${notes[@]}" "$@"

cargo build --release --quiet
echo
echo "== the new default model on the seed labels (never trained on):"
"$TG" eval data/seed_labels.csv
