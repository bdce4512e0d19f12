#!/usr/bin/env python3
"""The rows of a labels CSV whose label a second labels CSV agrees with.

Usage: where-labels-agree.py OTHER.csv LABELS.csv LABEL OUT.csv

Writes to OUT.csv the rows of LABELS.csv (a labels CSV with texts, such as a held-out
part of an imported corpus) whose LABEL is 0 or 1 and whose id OTHER.csv decides the same
way (the last decided row per id in OTHER.csv). scripts/eval-shared.sh uses it to score
Davidson's held-out tweets on those where the team's relabels per our guidelines and
Davidson's labels agree, which separates the model's errors from the label sets'
disagreement. Prints how many rows were kept of how many decided in both.
"""
import sys

from labelcsv import decided, read_rows, write_atomically

SCRIPT = "where-labels-agree.py"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.split("\n\n")[1])
    other_path, labels_path, label, out_path = sys.argv[1:]
    other = decided(other_path, label, SCRIPT)
    fields, rows = read_rows(labels_path, SCRIPT, ("id", "text", label))
    both = [row for _, row in rows if (row[label] or "").strip() in ("0", "1") and row["id"] in other]
    kept = [row for row in both if row[label].strip() == other[row["id"]]]
    write_atomically(out_path, fields, kept)
    print(f"{out_path}: {len(kept)} of the {len(both)} rows decided in both agree on {label}")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.exit(f"{SCRIPT}: {e.filename}: {e.strerror}")
