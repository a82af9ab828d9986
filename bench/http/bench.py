"""HTTP endpoint vs in-process Oxigraph (the floor) on a generated EV graph: latency per query and mixed throughput.

    .venv/bin/python bench/http/bench.py --triples 1000000 --clients 4 --seconds 10

Starts `evrdf serve --workers N` twice (cache off, cache on) on a generated release; rdflib-endpoint and Virtuoso
are not measured yet. Prints one table; ratios are HTTP / in-process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from evrdf.store.oxigraph import OxigraphStore, new_release

E = "https://w3id.org/evrdf/"
MIX = {
    "point": f"SELECT ?p ?o WHERE {{ <{E}finding/F42> ?p ?o }}",
    "join": f"SELECT ?f ?c WHERE {{ ?f a <{E}ontology/Finding> ; <{E}ontology/cargo> ?c ; <{E}ontology/cancer> <{E}cancer/C7> }}",
    "aggregate": f"SELECT ?c (COUNT(?f) AS ?n) WHERE {{ ?f <{E}ontology/cargo> ?c }} GROUP BY ?c ORDER BY DESC(?n) LIMIT 10",
}


def generate(root: Path, triples: int) -> None:
    findings = triples // 5
    def quads():
        for i in range(findings):
            f = ox.NamedNode(f"{E}finding/F{i}")
            g = ox.NamedNode(f"{E}graph/generated")
            yield ox.Quad(f, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(f"{E}ontology/Finding"), g)
            yield ox.Quad(f, ox.NamedNode(f"{E}ontology/cargo"), ox.NamedNode(f"{E}gene/G{i % 500}"), g)
            yield ox.Quad(f, ox.NamedNode(f"{E}ontology/cancer"), ox.NamedNode(f"{E}cancer/C{i % 40}"), g)
            yield ox.Quad(f, ox.NamedNode(f"{E}ontology/evType"), ox.NamedNode(f"{E}ontology/EV{i % 7}"), g)
            yield ox.Quad(f, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(f"finding {i}"), g)
    with new_release(root, {"built": "2026-01-01T00:00:00+00:00", "ontology_version": "bench"}) as writer:
        writer.extend(quads())


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(); samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def serve(root: Path, port: int, cache: bool, workers: int) -> subprocess.Popen:
    env = dict(os.environ, EVRDF_CACHE_BYTES=str(64 << 20 if cache else 0), EVRDF_RATE_PER_S="0")
    p = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(root), "--port", str(port),
                          "--workers", str(workers), "--threads", "4"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=5).read(); break
        except OSError:
            time.sleep(0.2)
    return p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="evrdf-bench-"))
    generate(root, args.triples)
    store = OxigraphStore(root)
    fmt = ox.QueryResultsFormat.JSON
    floor = {name: timed(lambda q=q: store.query(q).serialize(format=fmt), 20) for name, q in MIX.items()}
    print(f"{args.triples} triples, {args.clients} clients, {args.workers} gunicorn workers")
    for cache in (False, True):
        port = 18000 + int(cache)
        proc = serve(root, port, cache, args.workers)
        try:
            url = lambda q: f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": q})
            get = lambda q: urllib.request.urlopen(url(q), timeout=60).read()
            for name, q in MIX.items():
                # cache off: a unique comment per call defeats nothing else; cache on: same text each time
                n = iter(range(10**9))
                http = timed(lambda: get(q if cache else f"{q} # {next(n)}"), 20)
                print(f"  cache {'on ' if cache else 'off'} {name:<10} in-process {floor[name]*1000:7.2f} ms  "
                      f"HTTP {http*1000:7.2f} ms  ratio {http/floor[name]:5.2f}  added {1000*(http-floor[name]):6.2f} ms")
            queries = list(MIX.values())
            def client(i: int) -> int:
                done, end = 0, time.monotonic() + args.seconds
                while time.monotonic() < end:
                    q = queries[done % len(queries)]
                    get(q if cache else f"{q} # {i}-{done}"); done += 1
                return done
            with ThreadPoolExecutor(args.clients) as pool:
                total = sum(pool.map(client, range(args.clients)))
            t0 = time.monotonic(); done = 0
            while time.monotonic() - t0 < args.seconds / 2:
                for q in queries:
                    store.query(q).serialize(format=fmt); done += 1
            print(f"  cache {'on ' if cache else 'off'} mixed throughput HTTP {total/args.seconds:7.1f} req/s; "
                  f"in-process single thread {done/(time.monotonic()-t0):7.1f} q/s")
        finally:
            proc.terminate(); proc.wait(10)


if __name__ == "__main__":
    main()
