"""Edited copies of a generated source directory, for rebuilds whose findings graph changed.

From ``--source`` (e.g. ``var/bench/src50``, written by ``generate.py``) it writes three copies beside it:
``<source>-edit1`` (every 100th row's ``statement`` gets the suffix " (edited)": 1% of the rows),
``<source>-add`` (those edits plus ten more copies of the curated rows, ids ``-c9001`` .. ``-c9010``) and
``<source>-remove`` (those edits less the last ten copies). Build them in that order into one store.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def _copy(source: Path, suffix: str, text: str) -> None:
    out = source.with_name(f"{source.name}-{suffix}")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    (out / "curated" / "findings.tsv").write_text(text, encoding="utf-8")


def _copy_number(row: str) -> int:
    return int(row.split("\t", 1)[0].rsplit("-c", 1)[1])


def edit(source: Path) -> dict[str, int]:
    """Write the three copies; returns how many rows were edited, added and removed."""
    lines = (source / "curated" / "findings.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    head = [line for line in lines if line.startswith("#")]
    data = [line for line in lines if line.strip() and not line.startswith("#")]
    header, rows = data[0], data[1:]
    columns = header.rstrip("\n").split("\t")
    statement, detailed = columns.index("statement"), columns.index("detailed_by")
    edited = []
    for n, row in enumerate(rows):
        if n % 100 == 0:
            cells = row.rstrip("\n").split("\t")
            cells[statement] += " (edited)"
            row = "\t".join(cells) + "\n"
        edited.append(row)
    _copy(source, "edit1", "".join(head + [header] + edited))
    first = [row for row in rows if _copy_number(row) == 1]
    added = []
    for copy in range(9001, 9011):
        for row in first:
            cells = row.rstrip("\n").split("\t")
            cells[0] = cells[0].rsplit("-c", 1)[0] + f"-c{copy}"
            cells[detailed] = "|".join(t.rsplit("-c", 1)[0] + f"-c{copy}" if t.endswith("-c1") else t
                                       for t in cells[detailed].split("|") if t)
            added.append("\t".join(cells) + "\n")
    _copy(source, "add", "".join(head + [header] + edited + added))
    last = max(_copy_number(row) for row in rows)
    kept = [row for row in edited if _copy_number(row) <= last - 10]
    _copy(source, "remove", "".join(head + [header] + kept))
    return {"edited": sum(1 for n in range(len(rows)) if n % 100 == 0), "added": len(added),
            "removed": len(edited) - len(kept)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, required=True)
    print(edit(parser.parse_args().source))


if __name__ == "__main__":
    main()
