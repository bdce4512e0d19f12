#!/usr/bin/env python3
"""Give a text-less labels file its texts from imported corpora, by id.

Usage: join-text.py [--only LABEL,...] LABELS.csv OUT.csv CORPUS.csv [CORPUS.csv ...]

LABELS.csv has an `id` column and label columns (`abusive`, `conspiratorial`, ...) but
no `text`: the project keeps its own labels of public-corpus comments this way, so that
the corpus's texts are never committed (data/README.md). Each id is looked up in the
CORPUS files (labels CSVs written by `threadguard import`) and OUT.csv gets the labels
file's columns with `text` after `id`. An id found in no corpus is an error naming the
line, so a changed corpus cannot silently shrink the training set. With --only, the
other label columns (`abusive`, `conspiratorial`) are left empty: "not labeled".
"""
import csv
import sys

from labelcsv import write_atomically


def texts_by_id(paths):
    texts = {}
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if not {"id", "text"} <= set(reader.fieldnames or []):
                sys.exit(f"{path}:1: a corpus needs `id` and `text` columns")
            for row in reader:
                texts.setdefault(row["id"], row["text"])
    return texts


LABELS = ("abusive", "conspiratorial")


def main() -> None:
    args = sys.argv[1:]
    only = None
    if args[:1] == ["--only"] and len(args) > 1:
        only = set(args[1].split(","))
        if not only <= set(LABELS):
            sys.exit(f"join-text.py: --only takes labels among {', '.join(LABELS)}")
        args = args[2:]
    if len(args) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    labels_path, out_path, corpora = args[0], args[1], args[2:]
    csv.field_size_limit(1 << 30)
    texts = texts_by_id(corpora)
    with open(labels_path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            sys.exit(f"{labels_path}:1: no `id` column")
        if only is not None and not only <= set(reader.fieldnames):
            missing = ", ".join(sorted(only - set(reader.fieldnames)))
            sys.exit(f"{labels_path}:1: no `{missing}` column for --only")
        fields = ["id", "text"] + [c for c in reader.fieldnames if c not in ("id", "text")]
        rows = []
        for row in reader:
            if None in row:
                sys.exit(f"{labels_path}:{reader.line_num}: more fields than the header has")
            text = texts.get(row["id"])
            if text is None:
                sys.exit(f"{labels_path}:{reader.line_num}: id {row['id']!r} is in none of "
                         f"{', '.join(corpora)}")
            row["text"] = text
            for label in LABELS:
                if only is not None and label not in only and label in row:
                    row[label] = ""
            rows.append(row)
    write_atomically(out_path, fields, rows)
    print(f"{out_path}: {len(rows)} rows from {labels_path}")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.exit(f"join-text.py: {e.filename}: {e.strerror}")
