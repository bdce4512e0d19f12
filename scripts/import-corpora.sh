#!/usr/bin/env bash
# Imports the shared public corpora into labels CSVs, as scripts/train-default.sh does:
# davidson.csv, psycomark.csv, toxic_spans_train.csv, toxic_spans_trial.csv in OUT_DIR,
# and the team's own labels of corpus comments, kept in data/ as ids without texts, joined
# with their texts: civil_labels.csv (toxic-spans posts, data/by-id/civil_labels.csv, both
# labels, for evaluation), civil_consp.csv (the same posts with only their conspiratorial
# label, for training), psycomark_relabels.csv (PsyCoMark comments relabeled
# conspiratorial or not per our guidelines, data/by-id/psycomark_relabels.csv) and
# davidson_relabels.csv (Davidson tweets relabeled abusive or not per our guidelines,
# data/by-id/davidson_relabels.csv, for evaluation).
#
# Usage: scripts/import-corpora.sh [SHARED_DATA_DIR] [OUT_DIR]
#        (defaults ../shared/data and target/corpora; DAVIDSON_OFFENSIVE=drop|votes|positive|negative,
#        the values of `threadguard import --davidson-offensive`)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${1:-../shared/data}
OUT=${2:-target/corpora}
mkdir -p "$OUT"
cargo build --release --quiet
TG=target/release/threadguard
"$TG" import --from davidson "$SHARED/davidson/labeled_data.csv" --out "$OUT/davidson.csv" --davidson-offensive "${DAVIDSON_OFFENSIVE:-drop}"
"$TG" import --from psycomark "$SHARED/psycomark/train.csv" --out "$OUT/psycomark.csv"
"$TG" import --from toxic-spans "$SHARED/toxic_spans/tsd_train.csv" --out "$OUT/toxic_spans_train.csv"
"$TG" import --from toxic-spans "$SHARED/toxic_spans/tsd_trial.csv" --out "$OUT/toxic_spans_trial.csv"
python3 scripts/join-text.py data/by-id/civil_labels.csv "$OUT/civil_labels.csv" "$OUT/toxic_spans_train.csv"
python3 scripts/join-text.py --only conspiratorial data/by-id/civil_labels.csv "$OUT/civil_consp.csv" "$OUT/toxic_spans_train.csv"
python3 scripts/join-text.py data/by-id/psycomark_relabels.csv "$OUT/psycomark_relabels.csv" "$OUT/psycomark.csv"
python3 scripts/join-text.py data/by-id/davidson_relabels.csv "$OUT/davidson_relabels.csv" "$OUT/davidson.csv"
