"""Where a caches-off query's time goes, shape by shape: the floor (in-memory pyoxigraph loaded from the file),
evrdf's store on its in-memory copy and on disk (query + serialization, in-process), the Flask app in-process
(production's runner: threads on the app's store), and `evrdf serve --workers 1` over HTTP. The differences are
the store, evrdf's request handling, and the HTTP hop.

    .venv/bin/python bench/http/profile.py --store S --nt generated.nt [--repeat 15]

S is a store published with `evrdf build --store S --add generated.nt` (bench.py makes the same).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evrdf.serve import runner  # noqa: E402
from evrdf.serve.app import create_app  # noqa: E402
from evrdf.settings import Settings  # noqa: E402
from evrdf.store.oxigraph import OxigraphStore  # noqa: E402
from shapes import GRAPH, SHAPES, kind  # noqa: E402

ACCEPT = {"select": "application/sparql-results+json", "ask": "application/sparql-results+json",
          "graph": "text/turtle"}


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def serialize(result: Any, shape: str) -> bytes:
    fmt = ox.RdfFormat.TURTLE if kind(shape) == "graph" else ox.QueryResultsFormat.JSON
    return result.serialize(format=fmt)  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--nt", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    floor = ox.Store()
    floor.bulk_load(path=str(args.nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    memory = OxigraphStore(args.store, memory_budget=8 << 30)
    assert memory.preload() == "memory", memory.memory_note
    disk = OxigraphStore(args.store)
    base = str(memory.release()["base_iri"])
    runner.retire_on_overrun(lambda: None)  # production's runner: threads of this process on the app's store
    settings = Settings(store=args.store, base_iri=base, cache_bytes=0, budget_s=0, max_expensive=0)
    client = create_app(settings, memory).test_client()
    port = 5000 + os.getpid() % 1000
    env = dict(os.environ, EVRDF_CACHE_BYTES="0", EVRDF_BUDGET_S="0", EVRDF_MAX_EXPENSIVE="0")
    server = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(args.store), "--port",
                               str(port), "--workers", "1", "--threads", "4"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    n = iter(range(10**9))
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)

        def app(shape: str) -> None:
            r = client.get("/sparql", query_string={"query": f"{SHAPES[shape]}\n# {next(n)}"},
                           headers={"Accept": ACCEPT[kind(shape)]})
            assert r.status_code == 200, r.data[:200]

        def http(shape: str) -> None:
            query = urllib.parse.urlencode({"query": f"{SHAPES[shape]}\n# {next(n)}"})
            request = urllib.request.Request(f"{url}?{query}", headers={"Accept": ACCEPT[kind(shape)]})
            urllib.request.urlopen(request, timeout=300).read()

        print(f"median ms of {args.repeat} calls; {memory.memory_note}")
        print(f"{'shape':<10}{'floor':>9}{'memory':>9}{'disk':>9}{'app':>9}{'HTTP':>9}   store/floor  app-store  HTTP-app")
        for shape, text in SHAPES.items():
            f = median_ms(lambda: serialize(floor.query(text, use_default_graph_as_union=True), shape), args.repeat)  # noqa: B023
            m = median_ms(lambda: serialize(memory.query(text), shape), args.repeat)  # noqa: B023
            d = median_ms(lambda: serialize(disk.query(text), shape), args.repeat)  # noqa: B023
            a = median_ms(lambda: app(shape), args.repeat)  # noqa: B023
            h = median_ms(lambda: http(shape), args.repeat)  # noqa: B023
            print(f"{shape:<10}{f:>9.2f}{m:>9.2f}{d:>9.2f}{a:>9.2f}{h:>9.2f}   {m / f:>9.2f}x  {a - m:>+8.2f}  {h - a:>+8.2f}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
