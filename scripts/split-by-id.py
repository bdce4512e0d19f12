#!/usr/bin/env python3
"""Split a labels CSV into train and test parts by a stable hash of the `id` column.

Usage: split-by-id.py IN.csv TRAIN.csv TEST.csv [TEST_PERCENT]
Rows sharing an id always land on the same side.
"""
import csv
import hashlib
import sys


def main() -> None:
    src, train_path, test_path = sys.argv[1:4]
    percent = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    csv.field_size_limit(1 << 30)
    with open(src, newline="", encoding="utf-8") as f, \
            open(train_path, "w", newline="", encoding="utf-8") as tr, \
            open(test_path, "w", newline="", encoding="utf-8") as te:
        reader = csv.DictReader(f)
        writers = [csv.DictWriter(out, fieldnames=reader.fieldnames) for out in (tr, te)]
        for w in writers:
            w.writeheader()
        counts = [0, 0]
        for row in reader:
            bucket = int(hashlib.sha256(row["id"].encode()).hexdigest(), 16) % 100
            side = 1 if bucket < percent else 0
            writers[side].writerow(row)
            counts[side] += 1
    print(f"{src}: {counts[0]} train, {counts[1]} test rows")


if __name__ == "__main__":
    main()
