#!/usr/bin/env python3
"""Soak helpers for scripts/soak.sh.

make-corpus OUT.csv MB
    Writes a CSV export (id,thread_id,parent_id,text) of about MB megabytes from the
    texts of data/*.csv, repeated with fresh ids, and prints the number of comments.

label THREADGUARD WORKDIR DECISIONS KILLS
    Writes a 2,000-comment input and DECISIONS scripted decisions (labels, clean, skip,
    undo), then feeds them to `THREADGUARD label --batch`, SIGKILLing it at KILLS random
    moments and restarting it with the decisions not yet in the file. `label --batch`
    prints `ok <line> <decision>` once a decision is synced; a decision that was written
    but not acknowledged when the process died is found by counting the file's rows and
    is not sent again. Afterwards it checks that the file parses (with `threadguard eval`,
    which reads it with threadguard's own reader), that its rows are exactly the
    decisions in order (so every acknowledged decision is there exactly once), and that
    latest-wins gives each comment its last decision. Exits non-zero on any mismatch.
"""
import csv
import glob
import os
import random
import signal
import subprocess
import sys
import time

LABELS = ["abusive", "conspiratorial"]
ANNOTATOR = "soak"


def texts():
    out = []
    for path in sorted(glob.glob("data/*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            out.extend(row["text"] for row in csv.DictReader(f) if row["text"].strip())
    return out


def make_corpus(dest, mb):
    pool = texts()
    target = int(float(mb) * 1_000_000)
    rows = 0
    with open(dest, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "thread_id", "parent_id", "text"])
        while f.tell() < target:
            for text in pool:
                parent = f"k{rows - 1}" if rows % 5 else ""
                w.writerow([f"k{rows}", f"t{rows // 40}", parent, text])
                rows += 1
    print(rows)


def make_decisions(n, ids, rng):
    """Decision lines `<id>,<spec>`, with labels, clean, skip and undo rows."""
    out = []
    for _ in range(n):
        comment = rng.choice(ids)
        r = rng.random()
        if r < 0.12:
            spec = "undo"
        elif r < 0.24:
            spec = "skip"
        else:
            spec = ";".join(l for l in LABELS if rng.random() < 0.35)
        out.append(f"{comment},{spec}")
    return out


def writing_decisions(decisions):
    """Which decisions write a row: all but a `skip` of a comment whose current
    decision carries labels (clean included), which keeps them and writes nothing."""
    labeled, writes = set(), []
    for d in decisions:
        comment, spec = d.rsplit(",", 1)
        if spec == "skip":
            writes.append(comment not in labeled)
        elif spec == "undo":
            labeled.discard(comment)
            writes.append(True)
        else:
            labeled.add(comment)
            writes.append(True)
    return writes


def read_rows(path):
    """The labels file's header and complete rows (cut rows are counted apart)."""
    if not os.path.exists(path):
        return None, [], 0
    with open(path, newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    if not records:
        return None, [], 0
    header, body = records[0], records[1:]
    whole = [r for r in body if len(r) == len(header)]
    return header, whole, len(body) - len(whole)


def expected_cells(spec):
    if spec == "undo":
        return ["", ""], "undo"
    if spec == "skip":
        return ["", ""], None
    chosen = spec.split(";") if spec else []
    return ["1" if l in chosen else "0" for l in LABELS], None


def row_matches(header, row, decision):
    comment, spec = decision.rsplit(",", 1)
    cells, source = expected_cells(spec)
    got = dict(zip(header, row))
    if got["id"] != comment or got["annotator"] != ANNOTATOR:
        return False
    if [got[l] for l in LABELS] != cells:
        return False
    return (got["source"] == "undo") == (source == "undo")


def count_lines(path):
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def kill_at_random(proc, ack_path, remaining, kills_left, rng):
    """SIGKILLs `proc` at a random moment before it has made `remaining` decisions: after a
    random number of acknowledgements (at most its share of what is left, so every kill
    happens before the end) plus a random delay of up to about two decisions, or during
    start-up.
    Returns whether it was killed."""
    # One kill in five lands during start-up (reading the inputs and the labels file).
    wait_for = 0 if rng.random() < 0.2 else rng.randint(1, max(1, remaining // kills_left))
    if wait_for == 0:
        deadline = time.monotonic() + rng.uniform(0.0, 0.03)
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.001)
    else:
        while proc.poll() is None and count_lines(ack_path) < wait_for:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0.0, 0.004))
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    return True


def label(threadguard, work, n_decisions, n_kills):
    os.makedirs(work, exist_ok=True)
    rng = random.Random(20261121)
    pool = texts()
    ids = [f"s{i}" for i in range(2000)]
    comments = os.path.join(work, "comments.csv")
    with open(comments, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "thread_id", "text"])
        for i, comment in enumerate(ids):
            w.writerow([comment, f"t{i // 25}", pool[i % len(pool)]])
    decisions = make_decisions(n_decisions, ids, rng)
    writes = writing_decisions(decisions)
    # The decisions that write a row, in order: the file's rows, one each.
    written = [i for i, w in enumerate(writes) if w]
    out = os.path.join(work, "labels.csv")
    for stale in (out, os.path.join(work, "acks.txt")):
        if os.path.exists(stale):
            os.remove(stale)

    acked = set()
    next_index = 0
    kills = runs = unacked_durable = 0
    started = time.monotonic()
    while next_index < n_decisions:
        runs += 1
        stdin_path = os.path.join(work, "stdin.txt")
        with open(stdin_path, "w", encoding="utf-8") as f:
            f.write("".join(d + "\n" for d in decisions[next_index:]))
        ack_path = os.path.join(work, "acks.txt")
        with open(stdin_path, "rb") as stdin, open(ack_path, "wb") as stdout:
            proc = subprocess.Popen(
                [threadguard, "label", comments, "--out", out, "--annotator", ANNOTATOR,
                 "--batch"],
                stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
            killed = False
            if kills < n_kills:
                killed = kill_at_random(proc, ack_path, n_decisions - next_index,
                                        n_kills - kills, rng)
            _, stderr = proc.communicate()
        if killed:
            kills += 1
        elif proc.returncode != 0:
            sys.exit(f"run {runs}: label --batch failed: {stderr.decode(errors='replace')}")
        with open(ack_path, encoding="utf-8") as f:
            ack_lines = [l for l in f.read().splitlines() if l.startswith("ok ")]
        last_acked = next_index - 1
        rows_before = sum(writes[:next_index])
        acked_writing = 0
        for ack in ack_lines:
            _, line, decision = ack.split(" ", 2)
            index = next_index + int(line) - 1
            if decisions[index] != decision:
                sys.exit(f"ack {ack!r} does not match decision {index}: {decisions[index]!r}")
            acked.add(index)
            last_acked = index
            acked_writing += writes[index]
        header, rows, _ = read_rows(out)
        in_file = len(rows)
        if os.environ.get("SOAK_DEBUG"):
            print(f"run {runs}: killed={killed} acks={len(ack_lines)} new rows={in_file - rows_before}")
        if in_file == rows_before + acked_writing + 1:
            unacked_durable += 1  # written and synced, killed before the ack
        elif in_file != rows_before + acked_writing:
            sys.exit(f"run {runs}: {in_file} rows in the file after {rows_before} + "
                     f"{acked_writing} acknowledged decisions that write a row")
        # Resume after the last acknowledged decision, or after the last written one if
        # that came later; a skip that wrote nothing may be sent again harmlessly.
        after_written = written[in_file - 1] + 1 if in_file else 0
        next_index = max(last_acked + 1, after_written)
    total = time.monotonic() - started

    # Verification.
    header, rows, cut = read_rows(out)
    failures = []
    if len(rows) != len(written):
        failures.append(f"{len(rows)} rows for {len(written)} decisions that write one")
    mismatched = [k for k, (row, i) in enumerate(zip(rows, written))
                  if not row_matches(header, row, decisions[i])]
    if mismatched:
        failures.append(f"{len(mismatched)} rows differ from their decision, first at {mismatched[0]}")
    row_of = {i: k for k, i in enumerate(written)}
    missing = [i for i in acked
               if writes[i] and (row_of[i] >= len(rows) or row_of[i] in mismatched)]
    if missing:
        failures.append(f"{len(missing)} acknowledged decisions are not in the file")
    # Latest wins: the file's last row per id against the last decision per id that
    # wrote a row (a skip that kept labels changed nothing).
    want, got = {}, {}
    for d, w in zip(decisions, writes):
        comment, spec = d.rsplit(",", 1)
        if w:
            want[comment] = expected_cells(spec)
    for row in rows:
        r = dict(zip(header, row))
        got[r["id"]] = ([r[l] for l in LABELS], "undo" if r["source"] == "undo" else None)
    if want != got:
        failures.append("latest-wins state differs from the decisions")
    check = subprocess.run([threadguard, "eval", out], capture_output=True, text=True)
    if check.returncode != 0 or "warning" in check.stderr:
        failures.append(f"threadguard eval on the file: {check.stderr.strip()}")
    labeled = sum(1 for cells, source in want.values() if source is None and any(cells))

    print(f"decisions: {n_decisions} in {runs} runs, {kills} SIGKILLs, {total:.1f} s; "
          f"{n_decisions - len(written)} skips of labeled comments wrote nothing")
    print(f"acknowledged: {len(acked)}; written but killed before the ack (not resent): "
          f"{unacked_durable};"
          f" cut rows: {cut}")
    print(f"file: {len(rows)} rows, {len(got)} comments after latest-wins, {labeled} labeled;"
          f" threadguard eval reads it: {'yes' if check.returncode == 0 else 'NO'}")
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("verified: every acknowledged decision that writes a row is in the file exactly once, in order, "
          "latest-wins matches, and the file parses")


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "make-corpus":
        make_corpus(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "label":
        label(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
