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
mkdir -p "$WORK"

cargo build --release --quiet
TG=target/release/threadguard

"$TG" import --from davidson "$SHARED/davidson/labeled_data.csv" --out "$WORK/davidson.csv" --davidson-offensive "${DAVIDSON_OFFENSIVE:-drop}"
"$TG" import --from psycomark "$SHARED/psycomark/train.csv" --out "$WORK/psycomark.csv"
"$TG" import --from toxic-spans "$SHARED/toxic_spans/tsd_train.csv" --out "$WORK/toxic_spans_train.csv"
"$TG" import --from toxic-spans "$SHARED/toxic_spans/tsd_trial.csv" --out "$WORK/toxic_spans_trial.csv"

notes=()
for f in davidson/labeled_data.csv psycomark/train.csv toxic_spans/tsd_train.csv toxic_spans/tsd_trial.csv; do
    notes+=(--note "corpus $f sha256 $(sha256sum "$SHARED/$f" | cut -d' ' -f1), imported with threadguard import")
done
notes+=(--note "davidson offensive class: ${DAVIDSON_OFFENSIVE:-drop}")

notes+=(--note "data/own_labels.csv and data/own_labels_b.csv: reader comments written and labeled by the team per docs/labeling-guidelines.md; never the seed comments")

# The recipe (see README, "The default model"): in-domain labels weigh 8x and set the
# thresholds; 20k features per label.
"$TG" train "$WORK/davidson.csv" "$WORK/psycomark.csv" "$WORK/toxic_spans_train.csv" \
    "$WORK/toxic_spans_trial.csv" data/own_labels.csv data/own_labels_b.csv \
    --weight data/own_labels.csv=8 --weight data/own_labels_b.csv=8 \
    --calibrate-on data/own_labels.csv --calibrate-on data/own_labels_b.csv \
    --top-k 20000 --out models/default.tgm "${notes[@]}" "$@"

cargo build --release --quiet
echo
echo "== the new default model on the seed labels (never trained on):"
"$TG" eval data/seed_labels.csv
