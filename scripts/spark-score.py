#!/usr/bin/env python3
"""Scores a JSONL file of comments with threadguard under Spark's rdd.pipe and checks the
result against the single-process output. Run by scripts/spark-score.sh.

Checks, each a non-zero exit on failure:
  1. the single-process output is JSON Lines only, one object per input line, with the
     input's comment ids in input order;
  2. rdd.pipe("<abs path>/threadguard score --format jsonl -") over several partitions
     gives the same lines as a multiset, every partition's lines in the order of its
     input lines, and so the partitions in order give exactly the single-process output;
  3. an empty partition (a threadguard fed no lines) succeeds with checkCode=True;
  4. the binary shipped with SparkContext.addFile (as spark-submit --files does) to
     executors in their own processes (local-cluster master), run as ./threadguard,
     gives the same lines, also from a DataFrame (to_json, pipe, read.json).
"""
import argparse
import json
import shlex
import sys
import time
from collections import Counter


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tg", required=True, help="absolute path of the threadguard binary")
    p.add_argument("--input", required=True, help="JSONL comments")
    p.add_argument("--expected", required=True, help="single-process score output")
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--cluster-master", default="local-cluster[2,1,1024]",
                   help="master with separate executor processes for the shipped-binary "
                   "check ('' skips it)")
    return p.parse_args()


def fail(message):
    sys.exit(f"spark-score: FAIL: {message}")


def check_expected(inputs, expected):
    """Check 1: the single-process stdout is JSON Lines only, aligned with the input."""
    if len(expected) != len(inputs):
        fail(f"single-process output has {len(expected)} lines for {len(inputs)} inputs")
    for n, (line_in, line_out) in enumerate(zip(inputs, expected), 1):
        try:
            out = json.loads(line_out)
        except ValueError:
            fail(f"line {n} of the single-process stdout is not JSON: {line_out[:80]!r}")
        if not isinstance(out, dict) or "abusive" not in out:
            fail(f"line {n} of the single-process stdout is not a scored comment")
        source = json.loads(line_in)
        want = source.get("id", source.get("comment_id"))
        if out["comment_id"] != want:
            fail(f"line {n}: output comment {out['comment_id']!r}, input {want!r}")
    print(f"ok: single-process stdout is {len(expected)} JSON lines, one per input, in order")


def compare(name, parts_in, parts_out, expected):
    """Check 2: same multiset, per-partition order, concatenation == expected."""
    got = [line for part in parts_out for line in part]
    if Counter(got) != Counter(expected):
        missing = Counter(expected) - Counter(got)
        extra = Counter(got) - Counter(expected)
        fail(f"{name}: lines differ as multisets ({sum(missing.values())} missing, "
             f"{sum(extra.values())} extra), e.g. {next(iter(extra or missing))[:120]!r}")
    offset = 0
    for i, (lines_in, lines_out) in enumerate(zip(parts_in, parts_out)):
        want = expected[offset:offset + len(lines_in)]
        if lines_out != want:
            fail(f"{name}: partition {i} ({len(lines_in)} lines) is not in input order")
        offset += len(lines_in)
    sizes = [len(p) for p in parts_in]
    print(f"ok: {name}: {len(got)} lines equal the single-process output as a multiset "
          f"and in order within each of {len(sizes)} partitions (sizes {sizes})")


def canonical(line):
    """A JSON line as sorted keys without nulls (Spark's to_json leaves nulls out)."""
    value = {k: v for k, v in json.loads(line).items() if v is not None}
    return json.dumps(value, sort_keys=True)


def session(master):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("threadguard-pipe-check")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def check_shipped(args, inputs, expected):
    """Check 4: the binary shipped with the job (SparkContext.addFile, as spark-submit
    --files does) to executors in processes of their own, run as ./threadguard from each
    executor's working directory, where Spark puts added files."""
    spark = session(args.cluster_master)
    sc = spark.sparkContext
    sc.addFile(args.tg)
    comments = sc.textFile(args.input, minPartitions=args.partitions)
    parts_in = comments.glom().collect()
    command = "./threadguard score --format jsonl -"
    parts_out = comments.pipe(command, checkCode=True).glom().collect()
    compare(f"shipped with addFile, {args.cluster_master}, rdd.pipe({command!r})",
            parts_in, parts_out, expected)

    # From a DataFrame and back, as the README shows.
    from pyspark.sql import functions as F

    df = spark.read.json(args.input)
    lines = df.select(F.to_json(F.struct("*"))).rdd.map(lambda row: row[0])
    scored = spark.read.json(lines.pipe(command, checkCode=True))
    got = scored.select(F.to_json(F.struct("*"))).rdd.map(lambda row: row[0]).collect()
    got, want = Counter(map(canonical, got)), Counter(map(canonical, expected))
    if got != want:
        fail(f"DataFrame round trip: {len(got)} scored rows differ from the single-process "
             f"output ({len(want)} lines)")
    print(f"ok: DataFrame -> to_json -> pipe -> read.json: {len(expected)} rows equal the "
          f"single-process output (as JSON values)")
    spark.stop()


def main():
    args = parse_args()
    with open(args.input, encoding="utf-8") as f:
        inputs = f.read().splitlines()
    with open(args.expected, encoding="utf-8") as f:
        expected = f.read().splitlines()
    check_expected(inputs, expected)

    spark = session(args.master)
    sc = spark.sparkContext
    comments = sc.textFile(args.input, minPartitions=args.partitions)
    parts_in = comments.glom().collect()
    if sum(1 for p in parts_in if p) < 2:
        fail(f"the input landed in fewer than 2 non-empty partitions: {len(parts_in)}")
    if [line for p in parts_in for line in p] != inputs:
        fail("Spark read the input lines differently from the file")

    # Installed on every worker: an absolute path (pipe runs it without a shell or PATH).
    command = f"{shlex.quote(args.tg)} score --format jsonl -"
    start = time.perf_counter()
    parts_out = comments.pipe(command, checkCode=True).glom().collect()
    seconds = time.perf_counter() - start
    compare(f"rdd.pipe({command!r})", parts_in, parts_out, expected)
    print(f"    ({seconds:.1f} s with {args.master}, {len(inputs) / seconds:.0f} comments/s "
          f"including Spark's overhead)")

    # An empty partition: threadguard gets no lines and must succeed with no output.
    emptied = comments.mapPartitionsWithIndex(lambda i, it: iter([]) if i == 1 else it)
    parts_out = emptied.pipe(command, checkCode=True).glom().collect()
    if parts_out[1]:
        fail(f"the empty partition produced {len(parts_out[1])} lines")
    rest_in = [p if i != 1 else [] for i, p in enumerate(parts_in)]
    offset = len(parts_in[0])
    rest_expected = expected[:offset] + expected[offset + len(parts_in[1]):]
    compare("with partition 1 emptied", rest_in, parts_out, rest_expected)
    spark.stop()

    if args.cluster_master:
        check_shipped(args, inputs, expected)
    print("spark-score: all checks passed")


if __name__ == "__main__":
    main()
