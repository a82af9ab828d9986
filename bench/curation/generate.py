"""Write a copy of ontology/ whose findings.tsv is the curated findings repeated up to a size (default 50 MB).

Each copy of a row gets a new id (`<id>-c<n>`) and its detailed_by links point at the same copy's rows, so every
row passes the strict reader, the kind and reference checks and the coverage shapes exactly as the original does.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate(out: Path, megabytes: float) -> int:
    """Copy ontology/ to ``out`` and grow its findings.tsv; returns the number of data rows written."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "ontology", out)
    path = out / "curated" / "findings.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    data = [line for line in lines if line and not line.startswith("#")]
    header, rows = data[0].split("\t"), [line.split("\t") for line in data[1:]]
    ids = {row[0] for row in rows}
    target = int(megabytes * 1_000_000)
    written, copy = 0, 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("\n".join(comments + [data[0]]) + "\n")
        size = handle.tell()
        detailed = header.index("detailed_by")
        while size < target:
            copy += 1
            for row in rows:
                cells = list(row)
                cells[0] = f"{row[0]}-c{copy}"
                cells[detailed] = "|".join(f"{t}-c{copy}" if t in ids else t for t in row[detailed].split("|") if t)
                line = "\t".join(cells) + "\n"
                handle.write(line)
                size += len(line.encode("utf-8"))
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "curation" / "ontology")
    parser.add_argument("--megabytes", type=float, default=50.0)
    args = parser.parse_args()
    rows = generate(args.out, args.megabytes)
    size = (args.out / "curated" / "findings.tsv").stat().st_size
    print(f"{args.out}/curated/findings.tsv: {rows} rows, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
