"""Serving a big release: `evrdf serve --store S --host 127.0.0.1 --port P` (the documented command), timed.

    .venv/bin/python bench/release/serve.py [--store var/bench/scale/5000000/store]

The store is one bench/release/scale.py built (its default work directory; `scale.py --sizes 5000000
--no-rebuild` builds it). Printed: the seconds from starting the server to its first answered query (a point
lookup) and to the service description saying it answers from memory (evs:servedFrom), the serving note, and the
PSS and RSS of the master and each worker once in memory and again after a batch of queries (every cache off,
EVRDF_CACHE_BYTES=0, so each query is evaluated), with the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EX = "https://example.org/evcargo/"  # scale.py's added records
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
POINT = f"SELECT ?p ?o WHERE {{ <{EX}record/R4242> ?p ?o }}"
BATCH = {
    "point": POINT,
    "count": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?r a <{EX}CargoRecord> }}",
    "group": f"SELECT ?c (COUNT(?r) AS ?n) (COUNT(DISTINCT ?g) AS ?genes) WHERE {{ ?r <{EX}cancer> ?c ; "
             f"<{EX}gene> ?g }} GROUP BY ?c",
    "join": f"SELECT ?r ?g ?l WHERE {{ ?r <{EX}cancer> <{EX}cancer/C3> ; <{EX}method> \"MS\" ; <{EX}gene> ?g . "
            f"OPTIONAL {{ ?g <{RDFS}label> ?l }} }} LIMIT 100",
    "contains": f"SELECT ?r ?l WHERE {{ ?r <{RDFS}label> ?l FILTER(CONTAINS(STR(?l), \"record 31337\")) }} LIMIT 5",
}


def get(url: str, accept: str = "application/sparql-results+json", timeout: float = 120) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()  # type: ignore[no-any-return]


def ask(sparql: str, query: str) -> bytes:
    return get(sparql + "?" + urllib.parse.urlencode({"query": query}))


def served_from(sparql: str) -> tuple[str, str]:
    """evs:servedFrom and evs:servingNote of the service description (N-Triples)."""
    found = {"servedFrom": "?", "servingNote": "?"}
    for line in get(sparql, "application/n-triples").decode().splitlines():
        for name in found:
            if line.startswith(f"<{sparql}> ") and f"/ns/service#{name}>" in line:
                found[name] = line.split('"', 1)[1].rsplit('"', 1)[0]
    return found["servedFrom"], found["servingNote"]


def memory_of(master: int) -> list[tuple[str, int, float, float]]:
    """(role, pid, PSS MiB, RSS MiB) of the master and each of its children (gunicorn's workers)."""
    children = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    rows = []
    for role, pid in [("master", master)] + [("worker", c) for c in children]:
        fields = {line.split(":")[0]: int(line.split()[1]) for line in
                  Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]}
        rows.append((role, pid, fields["Pss"] / 1024, fields["Rss"] / 1024))
    return rows


def print_memory(when: str, master: int) -> None:
    rows = memory_of(master)
    print(f"  memory {when}: " + ", ".join(f"{role} {pid} PSS {pss:.0f} MiB RSS {rss:.0f} MiB"
                                           for role, pid, pss, rss in rows))
    print(f"    total: PSS {sum(r[2] for r in rows):.0f} MiB, RSS {sum(r[3] for r in rows):.0f} MiB "
          f"({len(rows) - 1} worker(s)); load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench" / "scale" / "5000000" / "store")
    parser.add_argument("--rounds", type=int, default=3, help="times the batch of queries is sent")
    args = parser.parse_args()
    port = free_port()
    sparql = f"http://127.0.0.1:{port}/sparql"
    command = ["evrdf", "serve", "--store", str(args.store), "--host", "127.0.0.1", "--port", str(port)]
    print(f"$ {' '.join(command)}   (EVRDF_CACHE_BYTES=0; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} cores)", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "evrdf", *command[1:]], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=dict(os.environ, EVRDF_CACHE_BYTES="0"))
    try:
        while True:
            try:
                answer = ask(sparql, POINT)
                break
            except (OSError, urllib.error.HTTPError):
                if proc.poll() is not None or time.monotonic() - started > 600:
                    raise
                time.sleep(0.1)
        first = time.monotonic() - started
        mode, note = served_from(sparql)
        print(f"  first answered query (point lookup, {len(answer)} bytes): {first:.1f} s after `evrdf serve`, "
              f"served from {mode}", flush=True)
        while mode != "memory":
            if time.monotonic() - started > 900 or ("copying" not in note and "not copied" not in note):
                break
            time.sleep(0.5)
            mode, note = served_from(sparql)
        print(f"  served from {mode}: {time.monotonic() - started:.1f} s after `evrdf serve`", flush=True)
        print(f"  serving note: {note}", flush=True)
        print_memory("once in memory" if mode == "memory" else "settled", proc.pid)
        for number in range(args.rounds):
            timings = []
            for name, query in BATCH.items():
                t = time.perf_counter()
                ask(sparql, f"{query}\n# {number}")
                timings.append(f"{name} {1000 * (time.perf_counter() - t):.0f} ms")
            print(f"  batch {number + 1}: {', '.join(timings)}", flush=True)
        print_memory(f"after {args.rounds} batches", proc.pid)
    finally:
        proc.terminate()
        proc.wait(60)


if __name__ == "__main__":
    main()
