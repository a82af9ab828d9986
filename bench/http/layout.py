"""Which gunicorn layout serves a release from memory faster: N workers x T threads or 1 worker x N*T threads.

N workers each hold their own in-memory copy; one worker holds the one copy of the whole server.

    .venv/bin/python bench/http/layout.py --triples 1000000 --rounds 3

One generated graph (bench/http/shapes.py), published once with `evrdf build --store S --base-iri B --add F`;
then, per round, each layout in turn: `evrdf serve --workers W --threads T` with every cache off
(EVRDF_CACHE_BYTES=0, a unique comment per request, the per-client budget off as in bench.py), waited for until
its service description says it answers from memory, a 3 s warm-up, mixed throughput of --clients threads cycling
through every shape for --seconds, and the server's PSS (master + workers) after it. Layouts alternate within a
round, so a busy moment of the shared machine does not fall on one layout only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import Target, evrdf_build, free_port, served_from, throughput, tree_pss_mib, wait_for, write_nt  # noqa: E402

LAYOUTS = [(2, 4), (1, 8)]  # (workers, threads)


def serve(store: Path, workers: int, threads: int, log: Path) -> tuple[subprocess.Popen[bytes], str, float, float]:
    """A server in one layout: (process, its URL, seconds to its first answer, seconds until served from memory)."""
    port = free_port()
    env = dict(os.environ, EVRDF_CACHE_BYTES="0", EVRDF_BUDGET_S="0", EVRDF_MAX_EXPENSIVE="0")
    t = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(store), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--threads", str(threads)], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}/sparql"
    wait_for(url, proc, 300)
    first = time.monotonic() - t
    in_a_row = 0  # service descriptions in a row saying memory, whichever worker answers
    while in_a_row < 6:
        if time.monotonic() - t > 300:
            raise RuntimeError(f"{url} was not served from memory within 300 s")
        in_a_row = in_a_row + 1 if served_from(url) == "memory" else 0
        time.sleep(0.1)
    return proc, url, first, time.monotonic() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evrdf-bench-layout-"))
    try:
        nt = work / "generated.nt"
        write_nt(nt, args.triples)
        print(f"{args.triples:,} generated triples; evrdf build: {evrdf_build(work / 'store', nt):.1f} s; "
              f"{args.clients} clients, caches off, {args.seconds:g} s per throughput run", flush=True)
        figures: dict[tuple[int, int], list[float]] = {layout: [] for layout in LAYOUTS}
        for number in range(1, args.rounds + 1):
            for workers, threads in LAYOUTS:
                proc, url, first, memory = serve(work / "store", workers, threads, work / f"serve-{number}.log")
                try:
                    target = Target("evrdf", url, unique=True)
                    throughput(target.get, args.clients, 3)
                    rate = throughput(target.get, args.clients, args.seconds)
                    pss = tree_pss_mib(proc.pid)
                finally:
                    proc.terminate()
                    proc.wait(30)
                failed = sum(len(v) for v in target.errors.values())
                figures[(workers, threads)].append(rate)
                print(f"round {number}: {workers} worker(s) x {threads} threads: {rate:6.1f} req/s, {failed} failed; "
                      f"first answer {first:.1f} s, from memory at {memory:.1f} s; PSS {pss:.0f} MiB; load average "
                      f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        for (workers, threads), rates in figures.items():
            print(f"{workers} worker(s) x {threads} threads: {' '.join(f'{r:.1f}' for r in rates)} req/s "
                  f"(median {sorted(rates)[len(rates) // 2]:.1f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
