#!/usr/bin/env python3
"""Build a scoring benchmark corpus: the shared corpora's comment texts, repeated until
the texts add up to at least TARGET_MB megabytes, as a CSV (id,thread_id,text).

Usage: make-bench-corpus.py SHARED_DATA_DIR OUT.csv [TARGET_MB]
Prints: rows text_bytes
"""
import csv
import sys


def texts(shared):
    csv.field_size_limit(1 << 30)
    sources = [
        ("davidson/labeled_data.csv", "tweet"),
        ("psycomark/train.csv", "text"),
        ("toxic_spans/tsd_train.csv", "text"),
        ("toxic_spans/tsd_trial.csv", "text"),
    ]
    out = []
    for path, column in sources:
        with open(f"{shared}/{path}", newline="", encoding="utf-8") as f:
            out.extend(row[column] for row in csv.DictReader(f))
    return out


def main() -> None:
    shared, dest = sys.argv[1:3]
    target = int(float(sys.argv[3] if len(sys.argv) > 3 else 100) * 1_000_000)
    pool = texts(shared)
    rows = text_bytes = 0
    with open(dest, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "thread_id", "text"])
        while text_bytes < target:
            for text in pool:
                w.writerow([f"b{rows}", f"t{rows // 50}", text])
                rows += 1
                text_bytes += len(text.encode("utf-8"))
                if text_bytes >= target:
                    break
    print(rows, text_bytes)


if __name__ == "__main__":
    main()
