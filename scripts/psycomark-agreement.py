#!/usr/bin/env python3
"""How often PsyCoMark's annotators agree with each other on the same comment.

PsyCoMark has one row per annotator decision. Repeated ids are one annotator's duplicate
rows, but the same text also appears under different ids (cross-posts), labeled
separately. Those texts show how consistent the labels themselves are: every pair of
decided labels (Yes/No majority per id, as `threadguard import` merges them) of one text
is compared. Prints the pairs, their agreement, Cohen's kappa, and the ROC-AUC of one
label used as a yes/no prediction of the other (each pair counted both ways): how well a
second annotator's decision ranks a comment by the first one's. It is a reference, not a
ceiling: a model's graded score can rank better than one yes/no decision. The 80 texts
are cross-posts, not a random sample.

Usage: scripts/psycomark-agreement.py [../shared/data/psycomark/train.csv]
"""
import collections
import csv
import itertools
import sys


def merged_labels(path):
    """Per id: (text, 1/0 by the majority of Yes against No votes, or None on a tie)."""
    votes = collections.defaultdict(dict)
    texts = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            votes[row["id"]][row["annotator"]] = row["conspiracy"]
            texts[row["id"]] = row["text"]
    labels = {}
    for pid, by_annotator in votes.items():
        yes = sum(v == "Yes" for v in by_annotator.values())
        no = sum(v == "No" for v in by_annotator.values())
        labels[pid] = (texts[pid], 1 if yes > no else 0 if no > yes else None)
    return labels


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/psycomark/train.csv"
    by_text = collections.defaultdict(list)
    for text, label in merged_labels(path).values():
        if label is not None:
            by_text[" ".join(text.split())].append(label)
    pairs = [p for labels in by_text.values() for p in itertools.combinations(labels, 2)]
    texts = sum(1 for labels in by_text.values() if len(labels) > 1)
    if not pairs:
        sys.exit("psycomark-agreement: no text has two decided ids")
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    yes = sum(a + b for a, b in pairs) / (2 * n)
    chance = yes * yes + (1 - yes) * (1 - yes)
    kappa = (agree - chance) / (1 - chance)
    both_yes = sum(a == b == 1 for a, b in pairs)
    both_no = sum(a == b == 0 for a, b in pairs)
    split = n - both_yes - both_no
    # Each pair both ways: a split pair is one false negative and one false positive.
    tpr = 2 * both_yes / (2 * both_yes + split)
    tnr = 2 * both_no / (2 * both_no + split)
    print(f"{texts} texts under two or more decided ids: {n} pairs of labels")
    print(f"agreement {agree:.3f} · Cohen's kappa {kappa:.3f} · share Yes {yes:.3f}")
    print(f"one label as a yes/no prediction of the other: ROC-AUC {(tpr + tnr) / 2:.3f}")


if __name__ == "__main__":
    main()
