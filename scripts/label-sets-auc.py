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
import sys

from labelcsv import decided


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[-1])
    predicting, truth, label = sys.argv[1:]
    a = {i: int(v) for i, v in decided(predicting, label, "label-sets-auc.py").items()}
    b = {i: int(v) for i, v in decided(truth, label, "label-sets-auc.py").items()}
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
        sys.exit(f"label-sets-auc.py: {e.filename}: {e.strerror}")
