"""Validation time and peak memory at 100k and 1M triples (and pySHACL at the curated size, for comparison).

The data is the published release scaled up: the findings, ligand-receptor pairs and references graphs are copied
N times under fresh IRIs (the ontology and gene graphs once), so the shapes meet the same mix of resources as in
the real graph. Each measurement runs in a fresh process so peak RSS is its own.

    .venv/bin/python bench/validate/bench.py                 # 100k and 1M triples, SPARQL-on-Oxigraph engine
    .venv/bin/python bench/validate/bench.py --pyshacl       # also pySHACL on the curated graph (~3 minutes)
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/evrdf/"
REPLICATED = ("graph/bian2019", "graph/biocell", "graph/cellphonedb", "graph/connectomedb2020", "graph/references")


def make_data(release_dump: Path, target: int, out: Path) -> int:
    lines = release_dump.read_text(encoding="utf-8").splitlines()
    once = [line for line in lines if not any(f"<{BASE}{g}>" in line for g in REPLICATED)]
    copied = [line for line in lines if line not in once]
    copies = max(1, -(-(target - len(once)) // max(1, len(copied))))  # ceiling
    pattern = re.compile(rf"<{re.escape(BASE)}(finding|pair|reference)/")
    with out.open("w", encoding="utf-8") as handle:
        handle.write("\n".join(once) + "\n")
        for i in range(copies):
            handle.write("\n".join(pattern.sub(lambda m, i=i: f"<{BASE}{m.group(1)}/c{i}-", line) for line in copied))
            handle.write("\n")
    return len(once) + copies * len(copied)


def measure(data: Path, engine: str) -> dict[str, float]:
    """In this (child) process: load the file, validate it, report seconds and peak RSS."""
    from evrdf.settings import Settings
    from evrdf.validate.run import validate_files

    started = time.perf_counter()
    report = validate_files([data], Settings(sources=ROOT / "ontology"), engine=engine)
    seconds = time.perf_counter() - started
    return {"triples": report.triples, "seconds": round(seconds, 2), "validate_seconds": round(report.seconds, 2),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "results": len(report.results), "violations": report.counts["Violation"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="110000,1130000")  # nominal; shared triples dedupe
    parser.add_argument("--pyshacl", action="store_true", help="also time pySHACL on the curated graph")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child[0]), args.child[1])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([sys.executable, "-m", "evrdf", "build", "--store", str(store), "--no-reason"], check=True,
                       capture_output=True)
        dump = store / "current" / "files" / "evrdf.nq"
        runs = [(int(size), "oxigraph") for size in args.sizes.split(",")]
        if args.pyshacl:
            runs.insert(0, (0, "pyshacl"))
        print(f"{'engine':<9} {'triples':>9} {'total s':>8} {'validate s':>10} {'peak RSS MiB':>12} {'results':>8}")
        for size, engine in runs:
            data = Path(tmp) / f"data-{size}.nq"
            if size:
                make_data(dump, size, data)
            else:
                data.write_bytes(dump.read_bytes())
            out = subprocess.run([sys.executable, __file__, "--child", str(data), engine], check=True,
                                 capture_output=True, text=True).stdout
            m = json.loads(out)
            print(f"{engine:<9} {m['triples']:>9} {m['seconds']:>8} {m['validate_seconds']:>10} "
                  f"{m['peak_rss_mib']:>12} {m['results']:>8}", flush=True)


if __name__ == "__main__":
    main()
