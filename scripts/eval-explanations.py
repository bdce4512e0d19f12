#!/usr/bin/env python3
"""How well `threadguard score --explain` points at the words that make a comment abusive.

The toxic-spans corpus marks, in each post, the characters annotators found toxic: the
gold standard for "which words made it abusive". This scores held-out posts with
`--format jsonl --explain` and compares the characters of the abusive label's
`highlights` (the words its score rests on) with the gold ones, as SemEval-2021 Task 5
did: per post F1 over character offsets (0 when the post is not flagged, so it gets no
explanation), averaged over the posts. It also prints the character-level precision and
recall over all posts, and two references: the words of the top features (the union of
their `spans`, what explanations pointed at before highlights), and the whole text.

Usage: scripts/eval-explanations.py [--model PATH] [--explain-top N] TEST_CSV...
  TEST_CSV: labels CSVs with a `spans` column, as `threadguard import --from toxic-spans`
  writes and `scripts/eval-shared.sh` splits them (target/eval-shared/toxic_spans_*.test.csv,
  scored with that split's model, target/eval-shared/model.tgm); rows without spans (the
  clean remainders) are left out.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

csv.field_size_limit(sys.maxsize)


def read_posts(paths):
    """(id, text, gold character set) of every row with a non-empty `spans` list."""
    posts = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if "spans" not in (reader.fieldnames or []):
                sys.exit(f"eval-explanations: {path}: no 'spans' column")
            for line, row in enumerate(reader, start=2):
                try:
                    spans = json.loads(row["spans"] or "[]")
                except json.JSONDecodeError as e:
                    sys.exit(f"eval-explanations: {path}:{line}: spans: {e}")
                if not isinstance(spans, list) or not all(isinstance(i, int) for i in spans):
                    sys.exit(f"eval-explanations: {path}:{line}: spans: not a list of character offsets")
                if spans:
                    # Numbered here, so that ids repeated across files cannot mix.
                    posts.append((str(len(posts)), row["text"] or "", set(spans)))
    return posts


def explained_chars(tg, model, top, posts):
    """Per post id: the characters of its abusive highlights, those of its top features, and
    whether it was flagged."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "posts.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "thread_id", "text"])
            for pid, text, _ in posts:
                w.writerow([pid, "eval", text])
        cmd = [tg, "score", path, "--format", "jsonl", "--explain", "--explain-top", str(top), "--jobs", "1"]
        if model:
            cmd += ["--model", model]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"eval-explanations: {' '.join(cmd)} failed:\n{run.stderr.strip()}")
        out = run.stdout
    result = {}
    for line in out.splitlines():
        row = json.loads(line)
        highlighted, featured = set(), set()
        for word in row.get("highlights", {}).get("abusive", []):
            highlighted.update(range(word["start"], word["end"]))
        for feature in row.get("explanation", {}).get("abusive", []):
            for start, end in feature["spans"]:
                featured.update(range(start, end))
        result[row["comment_id"]] = (highlighted, featured, "abusive" in row["flags"])
    return result


def f1(predicted, gold):
    if not predicted and not gold:
        return 1.0
    if not predicted or not gold:
        return 0.0
    both = len(predicted & gold)
    if both == 0:
        return 0.0
    p, r = both / len(predicted), both / len(gold)
    return 2 * p * r / (p + r)


def report(name, pairs):
    """pairs: (predicted, gold) character sets per post."""
    if not pairs:
        print(f"{name:<46} no posts")
        return
    mean_f1 = sum(f1(p, g) for p, g in pairs) / len(pairs)
    hit = sum(len(p & g) for p, g in pairs)
    predicted = sum(len(p) for p, _ in pairs)
    gold = sum(len(g) for _, g in pairs)
    precision = hit / predicted if predicted else float("nan")
    print(f"{name:<46} F1 {mean_f1:.3f} · characters: precision {precision:.3f} recall {hit / gold:.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tests", nargs="+", metavar="TEST_CSV")
    ap.add_argument("--model", help="model file (default: the one built into the binary)")
    ap.add_argument("--explain-top", type=int, default=5, metavar="N", help="features per explanation (default 5, as `score`)")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--threadguard", default=os.path.join(repo, "target", "release", "threadguard"),
                    help="the binary (default: this checkout's target/release/threadguard)")
    args = ap.parse_args()
    posts = read_posts(args.tests)
    if not posts:
        sys.exit("eval-explanations: no rows with spans")
    explained = explained_chars(args.threadguard, args.model, args.explain_top, posts)
    none = (set(), set(), False)
    flagged = [explained.get(pid, none)[2] for pid, _, _ in posts]
    print(f"{len(posts)} posts with toxic spans; {sum(flagged)} flagged abusive ({sum(flagged) / len(posts):.0%})")
    highlights = [(explained.get(pid, none)[0], gold) for pid, _, gold in posts]
    report("--explain highlights", highlights)
    report("  the same, flagged posts only", [p for p, f in zip(highlights, flagged) if f])
    report(f"reference: the top {args.explain_top} features' words", [(explained.get(pid, none)[1], gold) for pid, _, gold in posts])
    report("reference: the whole text", [(set(range(len(text))), gold) for _, text, gold in posts])

if __name__ == "__main__":
    main()
