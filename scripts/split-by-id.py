#!/usr/bin/env python3
"""Split a labels CSV into train and test parts by a stable hash of each row's group.

Usage: split-by-id.py [--by-text] IN.csv TRAIN.csv TEST.csv [TEST_PERCENT [FOLD]]
A row's group is its `thread_id` when it has one, else its `id`: rows sharing either
always land on the same side (the toxic-spans import gives each post a second row,
`<id>:clean`, in the post's thread, and the two must not be split). With --by-text, a
row without a thread is grouped by its text instead (lowercased, whitespace collapsed):
PsyCoMark and Davidson repeat some texts under different ids, and a test text must not
be trained on under another id. (Files whose ids must match another file's thread ids,
such as the team's labels of toxic-spans posts, are split without it.) The test part is the hash buckets
[FOLD * TEST_PERCENT, (FOLD + 1) * TEST_PERCENT) of 100 (FOLD defaults to 0), so folds
0..4 at 20% are the five disjoint test parts of a 5-fold cross-validation.
"""
import csv
import hashlib
import sys


def main() -> None:
    args = sys.argv[1:]
    by_text = bool(args) and args[0] == "--by-text"
    if by_text:
        args = args[1:]
    if not 3 <= len(args) <= 5:
        sys.exit("usage: split-by-id.py [--by-text] IN.csv TRAIN.csv TEST.csv [TEST_PERCENT [FOLD]]")
    src, train_path, test_path = args[:3]
    try:
        percent = int(args[3]) if len(args) > 3 else 20
        fold = int(args[4]) if len(args) > 4 else 0
    except ValueError:
        sys.exit(f"split-by-id.py: TEST_PERCENT and FOLD must be whole numbers, not {' '.join(args[3:])!r}")
    if not (0 < percent <= 100 and 0 <= fold and (fold + 1) * percent <= 100):
        sys.exit(f"split-by-id.py: fold {fold} of {percent}% does not fit in 100 buckets")
    low, high = fold * percent, (fold + 1) * percent
    csv.field_size_limit(1 << 30)
    with open(src, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        # Checked before the outputs are opened, so a bad input truncates neither.
        if not reader.fieldnames or "id" not in reader.fieldnames:
            sys.exit(f"{src}:1: no `id` column")
        if by_text and "text" not in reader.fieldnames:
            sys.exit(f"{src}:1: --by-text, but no `text` column")
        with open(train_path, "w", newline="", encoding="utf-8") as tr, \
                open(test_path, "w", newline="", encoding="utf-8") as te:
            split(reader, tr, te, low, high, src, by_text)


def text_group(text: str) -> str:
    """The group of a row grouped by its text: copies of one comment under different ids,
    up to case and whitespace, share it."""
    return "text:" + " ".join(text.lower().split())


def split(reader, tr, te, low, high, src, by_text) -> None:
    """Writes each row of `reader` to `te` when its group's bucket is in [low, high),
    else to `tr`."""
    writers = [csv.DictWriter(out, fieldnames=reader.fieldnames) for out in (tr, te)]
    for w in writers:
        w.writeheader()
    counts = [0, 0]
    for row in reader:
        group = row.get("thread_id") or (text_group(row["text"]) if by_text else row["id"])
        bucket = int(hashlib.sha256(group.encode()).hexdigest(), 16) % 100
        side = 1 if low <= bucket < high else 0
        writers[side].writerow(row)
        counts[side] += 1
    print(f"{src}: {counts[0]} train, {counts[1]} test rows")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.exit(f"split-by-id.py: {e.filename}: {e.strerror}")
