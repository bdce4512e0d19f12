"""Reading and writing labels CSVs in the project's scripts: one-line errors naming file
and line, and atomic writes.

Imported by scripts/join-text.py, scripts/label-sets-auc.py and
scripts/where-labels-agree.py (run as `python3 scripts/NAME.py`, so this file sits beside
them on Python's path).
"""
import csv
import os
import sys
import tempfile

csv.field_size_limit(1 << 30)


def read_rows(path, script, required):
    """The header and the rows (as dicts, with their line numbers) of the CSV at `path`.

    Exits with `script: path:line: problem` when a column of `required` is missing, a row
    has more fields than the header, the CSV is malformed or the file is not UTF-8.
    """
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        try:
            fields = reader.fieldnames or []
            for field in required:
                if field not in fields:
                    sys.exit(f"{script}: {path}:1: no `{field}` column")
            for row in reader:
                if None in row:
                    sys.exit(f"{script}: {path}:{reader.line_num}: more fields than the header has")
                rows.append((reader.line_num, row))
        except csv.Error as e:
            sys.exit(f"{script}: {path}:{reader.line_num}: {e}")
        except UnicodeDecodeError:
            sys.exit(f"{script}: {path}:{first_non_utf8_line(path)}: not UTF-8")
    return fields, rows


def first_non_utf8_line(path):
    """The line of the first byte of `path` that is not UTF-8."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        data.decode("utf-8")
        return 1
    except UnicodeDecodeError as e:
        return data.count(b"\n", 0, e.start) + 1


def decided(path, label, script):
    """id -> "0"/"1" for the rows of `path` that decide `label` (the last row per id wins).
    Any other non-empty value is an error naming its line."""
    values = {}
    _, rows = read_rows(path, script, ("id", label))
    for line, row in rows:
        value = (row[label] or "").strip()
        if value in ("0", "1"):
            values[row["id"]] = value
        elif value:
            sys.exit(f"{script}: {path}:{line}: {label} is '{value}', not 0, 1 or empty")
    return values


def write_atomically(out_path, fields, rows):
    """Writes the CSV to a temporary file beside `out_path` and renames it into place, so a
    failed run leaves neither a half file nor the temporary one."""
    out_dir = os.path.dirname(os.path.abspath(out_path))
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
    except BaseException:
        os.unlink(tmp)
        raise
