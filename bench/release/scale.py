"""Benchmark: `evrdf build` at 1M, 2M and 5M triples, stage by stage, with peak memory.

    .venv/bin/python bench/release/scale.py [--sizes 1000000 2000000 5000000] [--work var/bench/scale]
    .venv/bin/python bench/release/scale.py --sizes 1000000 --profile     # the build under cProfile

Per size, in a fresh store: half the triples come from a Vesiclepedia-format download (bench/import/generate.py)
converted and staged with `evrdf import` (not timed: importing is its own command), the other half from a
synthetic N-Triples file of EV cargo records passed with `--add`; the curated graphs come on top. Then the
documented command runs as a child process, twice:

    evrdf build --store S --base-iri B --add F

"first" publishes the store's first release; "rebuild" builds again with the added file changed in 1% of its
lines, so the changelog compares the million-triple graphs with the previous release's. Recorded: wall time,
the child's CPU time (user + system) and peak RSS (os.wait4), the per-stage times the build prints, and the
machine's 1-minute load average when the build ended (on a shared machine the CPU time is the steadier
figure). With ``--profile`` the builds run under cProfile and the top entries by cumulative and by own time are
printed.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "bench" / "import")]

from generate import generate  # noqa: E402

BASE = "https://w3id.org/evrdf/"
EX = "https://example.org/evcargo/"
QUADS_PER_ENTRY = 11.4  # a Vesiclepedia entry becomes ~11.4 quads (bench/import/README.md)
STAGE = re.compile(r"^\s*stage (?P<name>[\w+-]+): (?P<seconds>[0-9.]+) s", re.M)


def write_added(path: Path, triples: int, seed: int = 11, changed_every: int = 0) -> int:
    """EV cargo records in their own vocabulary (so evrdf's shapes do not target them): 8 triples a record.
    With ``changed_every``, every n-th record has another label (a corrected file)."""
    rng = random.Random(seed)
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    written = 0
    with path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        for i in range(triples // 8):
            s = f"<{EX}record/R{i}>"
            text = f"cargo record {i}" + (" (corrected)" if changed_every and i % changed_every == 0 else "")
            out.write(f"{s} {rdf_type} <{EX}CargoRecord> .\n"
                      f"{s} {label} \"{text}\"@en .\n"
                      f"{s} <{EX}gene> <{BASE}gene/HGNC_{rng.randrange(1, 600)}> .\n"
                      f"{s} <{EX}vesicle> <{EX}vesicle/V{i % 5000}> .\n"
                      f"{s} <{EX}cancer> <{EX}cancer/C{rng.randrange(40)}> .\n"
                      f"{s} <{EX}method> \"{rng.choice(('MS', 'WB', 'ELISA', 'FACS'))}\" .\n"
                      f"{s} <{EX}score> \"{rng.random():.4f}\"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n"
                      f"{s} <{EX}pmid> \"{rng.randrange(10_000_000, 39_000_000)}\" .\n")
            written += 8
    return written


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str, str]:
    """A child process: (wall s, CPU s user+system, peak RSS MB, stdout, stderr), reaped with os.wait4 for its
    own resource usage. CPU seconds are the steadier figure on a shared machine."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if status:
        raise SystemExit(f"{' '.join(args)} failed ({status}):\n{stderr[-4000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, stdout, stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 2_000_000, 5_000_000])
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "scale")
    parser.add_argument("--profile", action="store_true", help="run the builds under cProfile")
    parser.add_argument("--no-rebuild", action="store_true", help="only the first build")
    parser.add_argument("--reason", action="store_true", help="also run HermiT (the documented default; off here "
                        "because its time does not depend on the data size: the curated ontology only)")
    args = parser.parse_args()
    evrdf = [sys.executable, "-m", "evrdf"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    rows = []
    for size in args.sizes:
        work = (args.work / str(size)).resolve()
        shutil.rmtree(work, ignore_errors=True)
        sources, store, inputs = work / "ontology", work / "store", work / "input"
        shutil.copytree(ROOT / "ontology", sources)
        entries = int(size / 2 / QUADS_PER_ENTRY)
        content, experiments = generate(entries, inputs)
        run_child(evrdf + ["import", "vesiclepedia", str(content), "--experiments", str(experiments),
                           "--store", str(store), "--sources", str(sources), "--base-iri", BASE, "--no-validate"], env)
        staged = sum(int(json.loads(p.open(encoding="utf-8").readline()[len("# evrdf-import "):])["quads"])
                     for p in (store / "imports").glob("*.nq"))
        added = inputs / "cargo.nt"
        added_triples = write_added(added, max(0, size - staged))
        command = ["build", "--store", str(store), "--base-iri", BASE, "--sources", str(sources), "--add", str(added)]
        if not args.reason:
            command.append("--no-reason")
        for name in ["first"] + ([] if args.no_rebuild else ["rebuild"]):
            if name == "rebuild":
                write_added(added, max(0, size - staged), changed_every=100)
            prefix = evrdf
            if args.profile:
                prefix = [sys.executable, "-m", "cProfile", "-o", str(work / f"build-{name}.prof"), "-m", "evrdf"]
            seconds, cpu, rss, stdout, stderr = run_child(prefix + command, env)
            stages = {m["name"]: float(m["seconds"]) for m in STAGE.finditer(stderr)}
            total = re.search(r"^\s*(\d+) triples in", stdout, re.M)
            row = {"size": size, "build": name, "triples": int(total.group(1)) if total else None,
                   "staged_import": staged, "added": added_triples, "wall_s": round(seconds, 1), "cpu_s": round(cpu, 1), "peak_rss_mb": rss,
                   "load_average": round(os.getloadavg()[0], 1),
                   "stages": stages}
            print(json.dumps(row), flush=True)
            rows.append(row)
            if args.profile:
                stats = pstats.Stats(str(work / f"build-{name}.prof"))
                stats.sort_stats("cumulative").print_stats(30)
                stats.sort_stats("tottime").print_stats(20)
    names = list(dict.fromkeys(n for r in rows for n in r["stages"]))  # type: ignore[attr-defined]
    if not args.profile:
        (HERE / "scale.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print()
    print("| triples | build | wall s | CPU s | peak RSS MB | " + " | ".join(f"{n} s" for n in names) + " |")
    print("|---|---|---|---|---|" + "---|" * len(names))
    for row in rows:
        stages = row["stages"]
        print(f"| {row['triples'] or row['size']:,} | {row['build']} | {row['wall_s']} | {row['cpu_s']} | {row['peak_rss_mb']} | "
              + " | ".join(str(stages.get(n, "")) for n in names) + " |")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
