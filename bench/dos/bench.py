"""Cheap queries while attackers hold the server: latency of a cheap query with 200 idle connections (opened,
nothing sent) and 2 runaway queries open, against the same server quiet, for the production server
(`evrdf serve --workers 2`) and the development server, in one run.

    .venv/bin/python bench/dos/bench.py [--queries 500] [--idle 200] [--runaways 2]

Each address on 127.0.0.0/8 is a client of its own: the runaway queries come from 127.0.0.2, the idle
connections from 127.0.0.4, the measured client (one request at a time, a new connection each, as urllib does)
from 127.0.0.3. The store is the curated release, built into a temporary folder.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = {"ASK {}": "ASK {}",
         "lookup": "SELECT ?l WHERE { <https://w3id.org/evrdf/gene/HGNC_10672> "
                   "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, query: str, source: str, timeout: float = 120) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", "/sparql?query=" + urllib.parse.quote(query),
                     headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError:
        return 0, time.perf_counter() - started
    finally:
        conn.close()


def serve(store: Path, options: list[str]) -> tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    port = free_port()
    env = {**os.environ, "EVRDF_CACHE_BYTES": "0"}
    process = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(store), "--host",
                                "127.0.0.1", "--port", str(port), "--timeout", "120", *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while get(port, "ASK {}", "127.0.0.1", 5)[0] != 200:
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.2)
    for i in range(20):  # warm every worker and query process
        get(port, f"ASK {{}} # warm {i}", "127.0.0.1")
    return process, port


def measure(port: int, queries: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for name, query in CHEAP.items():
        times = []
        for i in range(queries):
            status, seconds = get(port, f"{query} # {i}", "127.0.0.3")
            times.append(seconds if status == 200 else float("inf"))
        out[name] = times
    return out


def figures(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    failed = sum(t == float("inf") for t in times)
    return (f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
            f"max {ordered[-1] * 1000:7.1f} ms" + (f"  ({failed} failed)" if failed else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--runaways", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from evrdf.pipeline.build import build
    from evrdf.settings import Settings

    with tempfile.TemporaryDirectory(prefix="evrdf-dos-") as tmp:
        store = Path(tmp) / "store"
        build(Settings(store=store, sources=ROOT / "ontology"), reason=False)
        print(f"cheap queries, {args.queries} each, one at a time from 127.0.0.3; attack: {args.idle} idle "
              f"connections + {args.runaways} runaway queries ({RUNAWAY})")
        for label, options in (("evrdf serve --workers 2", ["--workers", "2"]), ("development server", ["--workers", "0"])):
            process, port = serve(store, options)
            try:
                quiet = measure(port, args.queries)
                idle = [socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.4", 0))
                        for _ in range(args.idle)]
                runaways = [threading.Thread(target=get, args=(port, f"{RUNAWAY} # {i}", "127.0.0.2"), daemon=True)
                            for i in range(args.runaways)]
                for thread in runaways:
                    thread.start()
                time.sleep(1.5)  # the runaways are evaluating (past the free 0.25 s), the idle connections open
                attacked = measure(port, args.queries)
                running = sum(t.is_alive() for t in runaways)
                for sock in idle:
                    sock.close()
            finally:
                process.terminate()  # a runaway query may hold gunicorn's graceful stop: then kill it
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=30)
            print(f"\n{label} (runaway queries still running at the end: {running}/{args.runaways})")
            for name in CHEAP:
                print(f"  {name:<8} quiet     {figures(quiet[name])}")
                print(f"  {name:<8} attacked  {figures(attacked[name])}")


if __name__ == "__main__":
    main()
