"""Curated-table scaling: findings.tsv at several sizes through the read+check+RDF stage and the full build.

Per size: `generate.py` writes a copy of ontology/ with a findings.tsv of that size; `stage.py` runs the curated
stage as a child process (its own peak RSS); `evrdf build --no-reason` builds and publishes it into a fresh
store, timed as a child (wall time and peak RSS from os.wait4). Prints a table and writes results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def child(command: list[str]) -> tuple[float, int, str, int]:
    """Run ``command``; return wall seconds, peak RSS in MB, its stdout and its exit status."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read() if process.stdout else ""
    err = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        print(err, file=sys.stderr)
    return seconds, usage.ru_maxrss // 1024, out, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=float, nargs="+", default=[5.0, 20.0, 50.0], help="findings.tsv MB")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "curation")
    parser.add_argument("--no-build", action="store_true", help="only the read+check+RDF stage")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        sources = args.work / f"ontology-{size:g}mb"
        rows = generate(sources, size)
        _, stage_rss, out, code = child([sys.executable, str(HERE / "stage.py"), str(sources)])
        assert code == 0, "stage failed"
        result = {"megabytes": size, "rows": rows, "stage": json.loads(out), "stage_peak_mb": stage_rss}
        if not args.no_build:
            store = args.work / f"store-{size:g}mb"
            subprocess.run(["rm", "-rf", str(store)], check=True)
            seconds, rss, _, code = child([sys.executable, "-m", "evrdf", "build", "--no-reason", "--store",
                                           str(store), "--sources", str(sources)])
            result.update(build_s=round(seconds, 1), build_peak_mb=rss, build_ok=code == 0)
        results.append(result)
        stage = result["stage"]
        print(f"{size:>5g} MB  {rows:>7} rows  {stage['triples']:>9} triples  stage {stage['total_s']:>6} s "
              f"(read+check {stage['read_check_s']} s, RDF {stage['rdf_s']} s, N-Triples {stage['ntriples_s']} s, "
              f"CPU {stage['cpu_s']} s) {result['stage_peak_mb']:>5} MB"
              + (f"  | build {result['build_s']} s {result['build_peak_mb']} MB"
                 f"{'' if result['build_ok'] else ' FAILED'}" if not args.no_build else ""), flush=True)
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
