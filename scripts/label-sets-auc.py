#!/usr/bin/env python3
"""How well one label set predicts another, as a ceiling for a model that learns the first.

Joins two labels CSVs on `id` (the last decided 0/1 value per id in each) and prints, for
LABEL, the confusion of the two, their agreement and Cohen's kappa, and the ROC-AUC that
the first set's yes/no scores against the second (for a yes/no score that is the mean of
the true positive and true negative rates). A model that reproduced the first set
exactly would score that ROC-AUC on the second.

Usage: scripts/label-sets-auc.py PREDICTING.csv TRUTH.csv LABEL
   e.g. scripts/label-sets-auc.py target/corpora/psycomark_relabels.csv \\
            target/corpora/psycomark.csv conspiratorial
"""
import csv
import sys


def decided(path, label):
    """id -> 0/1 for the rows of `path` that decide `label` (the last row per id wins)."""
    values = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for field in ("id", label):
            if field not in (reader.fieldnames or []):
                sys.exit(f"label-sets-auc.py: {path}: no '{field}' column")
        for line, row in enumerate(reader, start=2):
            value = (row[label] or "").strip()
            if value in ("0", "1"):
                values[row["id"]] = int(value)
            elif value:
                sys.exit(f"label-sets-auc.py: {path}, line {line}: {label} is '{value}', not 0, 1 or empty")
    return values


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[-1])
    predicting, truth, label = sys.argv[1:]
    a, b = decided(predicting, label), decided(truth, label)
    common = [i for i in a if i in b]
    if not common:
        sys.exit("label-sets-auc.py: the two files decide no common id")
    tp = sum(1 for i in common if a[i] and b[i])
    fp = sum(1 for i in common if a[i] and not b[i])
    fn = sum(1 for i in common if not a[i] and b[i])
    tn = len(common) - tp - fp - fn
    n = len(common)
    agreement = (tp + tn) / n
    expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
    kappa = (agreement - expected) / (1 - expected) if expected < 1 else float("nan")
    tpr = tp / (tp + fn) if tp + fn else float("nan")
    tnr = tn / (tn + fp) if tn + fp else float("nan")
    print(f"{label}: {n} ids decided in both {predicting} and {truth}")
    print(f"  both 1: {tp} · first 1, second 0: {fp} · first 0, second 1: {fn} · both 0: {tn}")
    print(f"  agreement {agreement:.3f} · Cohen's kappa {kappa:.3f}")
    print(f"  ROC-AUC of the first set's yes/no against the second: {(tpr + tnr) / 2:.3f}")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.exit(f"label-sets-auc.py: {e}")
