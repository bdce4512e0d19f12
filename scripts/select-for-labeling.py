#!/usr/bin/env python3
"""Pick public-corpus comments worth labeling, the way data/by-id/civil_labels.csv was made.

Usage: select-for-labeling.py CORPUS.csv OUT_DIR [--model M] [--exclude LABELS.csv]
           [--strata top=200,near=150,theme=150,random=100] [--near 0.35-0.6]
           [--batches 3] [--seed 7]

CORPUS.csv is a labels CSV written by `threadguard import` (for data/by-id/civil_labels.csv:
target/corpora/toxic_spans_train.csv, whose whole posts are Civil Comments news-site
reader comments; the `:clean` remainders are skipped). Every post is scored with
`threadguard score` (--model, default the built-in model) and, with the defaults, 600
are drawn:

  200  the highest conspiratorial scores (what the model flags: its false alarms and hits)
  150  scores between 0.35 and 0.6 (the model is least sure there; --near moves the band,
       e.g. around a retrained model's threshold, which `threadguard model show` prints)
  150  posts naming a conspiracy theme (word list below), whatever their score
  100  at random (the base rate)

in shuffled order, into OUT_DIR/batch1.csv .. batchN.csv (id,text) for the labelers,
and OUT_DIR/selection.csv (id, why, score) as the record. Labelers see only the id and
the text, never the score. --exclude skips posts already labeled (a labels CSV's ids),
so a later round draws the next ones from each stratum. A round is reproduced exactly
from the model file of its commit, e.g. for round 1 of data/by-id/civil_labels.csv:
  git show 1627b0e:models/default.tgm > /tmp/m.tgm
  select-for-labeling.py target/corpora/toxic_spans_train.csv OUT --model /tmp/m.tgm
"""
import argparse
import csv
import io
import os
import random
import re
import subprocess
import sys

THEMES = re.compile(
    r"conspir|cover.?up|agenda|elites?\b|soros|deep state|globalist|hoax|staged|false flag"
    r"|puppet|wake up|sheep|new world order|cabal|rigged|propaganda|brainwash|controlled by"
    r"|pulling the strings|behind the scenes|secret|illuminati|zionis|rothschild"
    r"|mainstream media|\bmsm\b|big pharma|chemtrail",
    re.I,
)


STRATA = ("top", "near", "theme", "random")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus")
    p.add_argument("out_dir")
    p.add_argument("--model")
    p.add_argument("--exclude", action="append", default=[])
    p.add_argument("--strata", default="top=200,near=150,theme=150,random=100")
    p.add_argument("--near", default="0.35-0.6", help="score band of the near stratum, LOW-HIGH")
    p.add_argument("--batches", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    strata = []
    for part in args.strata.split(","):
        name, _, n = part.partition("=")
        if name not in STRATA or not n.isdigit():
            p.error(f"--strata: `{part}` is not NAME=N with NAME one of {', '.join(STRATA)}")
        strata.append((name, int(n)))
    args.strata = strata
    if args.batches < 1:
        p.error("--batches must be at least 1")
    try:
        low, high = (float(x) for x in args.near.split("-"))
    except ValueError:
        p.error(f"--near: `{args.near}` is not LOW-HIGH")
    if not 0.0 <= low <= high <= 1.0:
        p.error(f"--near: `{args.near}` is not a band within 0-1")
    args.near = (low, high)
    return args


def main() -> None:
    args = parse_args()
    corpus, out_dir = args.corpus, args.out_dir
    model = ["--model", args.model] if args.model else []
    csv.field_size_limit(1 << 30)
    excluded = set()
    for path in args.exclude:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if "id" not in (reader.fieldnames or []):
                sys.exit(f"{path}:1: no `id` column to exclude by")
            excluded.update(r["id"] for r in reader)
    with open(corpus, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not {"id", "text"} <= set(reader.fieldnames or []):
            sys.exit(f"{corpus}:1: the corpus needs `id` and `text` columns")
        posts = {r["id"]: r["text"] for r in reader if not r["id"].endswith(":clean")}
    os.makedirs(out_dir, exist_ok=True)
    posts_csv = os.path.join(out_dir, "posts.csv")
    with open(posts_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows(posts.items())
    scored = subprocess.run(
        ["target/release/threadguard", "score", posts_csv, "--format", "csv", *model],
        check=True, capture_output=True, text=True).stdout
    score = {r["comment_id"]: float(r["conspiratorial"]) for r in csv.DictReader(io.StringIO(scored))}
    ids = list(score)
    rng = random.Random(args.seed)
    near = [i for i in ids if args.near[0] <= score[i] <= args.near[1]]
    rng.shuffle(near)
    theme = [i for i in ids if THEMES.search(posts[i])]
    rng.shuffle(theme)
    anything = ids[:]
    rng.shuffle(anything)
    pools = {"top": sorted(ids, key=lambda i: -score[i]), "near": near, "theme": theme,
             "random": anything}
    chosen, seen = [], set()
    for why, n in args.strata:
        taken = 0
        for i in pools[why]:
            if taken >= n:
                break
            if i in seen or i in excluded or len(posts[i]) < 20:
                continue
            seen.add(i)
            chosen.append((i, why))
            taken += 1
    rng.shuffle(chosen)
    with open(os.path.join(out_dir, "selection.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "why", "score"])
        w.writerows((i, why, f"{score[i]:.4f}") for i, why in chosen)
    size = -(-len(chosen) // args.batches)
    for b in range(args.batches):
        with open(os.path.join(out_dir, f"batch{b + 1}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "text"])
            w.writerows((i, posts[i]) for i, _ in chosen[b * size:(b + 1) * size])
    print(f"{len(chosen)} posts in {args.batches} batches in {out_dir}")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.exit(f"select-for-labeling.py: {e.filename}: {e.strerror}")
