"""/sparql over HTTP against the in-process floor, rdflib-endpoint and Virtuoso, on one generated EV graph.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/http/bench.py --triples 1000000 --rdflib-triples 100000 --clients 4 --seconds 20

In ONE run, on the same generated graph (findings with cargo, cancer, EV type, label):
  * in-process pyoxigraph: query + SPARQL-JSON serialization in this process (the floor);
  * evrdf under gunicorn (`evrdf serve --workers N`), caches off (EVRDF_CACHE_BYTES=0 and a unique comment per
    request) and caches on (the per-release result cache; the same text each time);
  * Virtuoso (tests/virtuoso_server.py VirtuosoServer, private, 127.0.0.1), loaded with its bulk loader;
  * rdflib-endpoint (FastAPI + uvicorn over an in-memory rdflib Graph), optionally on a smaller prefix of the
    same graph (--rdflib-triples), since rdflib evaluates aggregates over a million triples in tens of seconds.
Every HTTP client is urllib (a new connection per request, as SPARQLWrapper does), Accept SPARQL JSON results.
Latency: median of sequential calls per query class; throughput: --clients threads cycling through the three
classes for --seconds. Ratios: latency / in-process, throughput / Virtuoso.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from evrdf.store.oxigraph import OxigraphStore, new_release

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout: tests/ holds the Virtuoso launcher
from tests.virtuoso_server import VirtuosoServer, bulk_load  # noqa: E402  (test plumbing, from the checkout)

E = "https://w3id.org/evrdf/"
GRAPH = f"{E}graph/generated"
MIX = {
    "point": f"SELECT ?p ?o WHERE {{ <{E}finding/F42> ?p ?o }}",
    "join": f"SELECT ?f ?c WHERE {{ ?f a <{E}ontology/Finding> ; <{E}ontology/cargo> ?c ; <{E}ontology/cancer> <{E}cancer/C7> }}",
    "aggregate": f"SELECT ?c (COUNT(?f) AS ?n) WHERE {{ ?f <{E}ontology/cargo> ?c }} GROUP BY ?c ORDER BY DESC(?n) LIMIT 10",
}
ACCEPT = "application/sparql-results+json"
HERE = Path(__file__).resolve().parent


def triples(n: int) -> Iterator[ox.Triple]:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    cargo, cancer, ev = (ox.NamedNode(f"{E}ontology/{p}") for p in ("cargo", "cancer", "evType"))
    finding = ox.NamedNode(f"{E}ontology/Finding")
    for i in range(n // 5):
        f = ox.NamedNode(f"{E}finding/F{i}")
        yield ox.Triple(f, rdf_type, finding)
        yield ox.Triple(f, cargo, ox.NamedNode(f"{E}gene/G{i % 500}"))
        yield ox.Triple(f, cancer, ox.NamedNode(f"{E}cancer/C{i % 40}"))
        yield ox.Triple(f, ev, ox.NamedNode(f"{E}ontology/EV{i % 7}"))
        yield ox.Triple(f, label, ox.Literal(f"finding {i}"))


def generate(root: Path, n: int) -> None:
    """A real evrdf release (what `evrdf serve` opens) holding the graph in one named graph."""
    g = ox.NamedNode(GRAPH)
    with new_release(root, {"built": "2026-01-01T00:00:00+00:00", "ontology_version": "bench"}) as writer:
        writer.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples(n))


def write_nt(path: Path, n: int) -> None:
    ox.serialize(triples(n), output=str(path), format=ox.RdfFormat.N_TRIPLES)


def timed(fn: Callable[[], object], repeat: int, budget_s: float = 30.0) -> float:
    """Median seconds of up to ``repeat`` calls (at least 3) within ``budget_s``, after one warm-up call."""
    fn()
    samples: list[float] = []
    end = time.monotonic() + budget_s
    while len(samples) < repeat and (len(samples) < 3 or time.monotonic() < end):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def wait_for(url: str, proc: subprocess.Popen[bytes] | None, timeout_s: float) -> None:
    end = time.monotonic() + timeout_s
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(probe, timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


def evrdf_server(root: Path, port: int, cache: bool, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, EVRDF_CACHE_BYTES=str(64 << 20 if cache else 0))
    proc = subprocess.Popen([sys.executable, "-m", "evrdf", "serve", "--store", str(root), "--port", str(port),
                             "--workers", str(workers), "--threads", "4"], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(root.parent / f"evrdf-{port}.log", "wb"))
    wait_for(f"http://127.0.0.1:{port}/sparql", proc, 120)
    return proc


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Target:
    """One SPARQL endpoint over HTTP; ``unique`` adds a fresh comment per request so no result cache can help."""

    def __init__(self, name: str, url: str, unique: bool):
        self.name, self.url, self.unique, self._n = name, url, unique, count()
        self.errors: list[str] = []  # failed requests: counted and reported, never retried

    def get(self, query: str) -> bytes:
        if self.unique:
            query = f"{query}\n# {next(self._n)}"
        request = urllib.request.Request(self.url + "?" + urllib.parse.urlencode({"query": query}),
                                         headers={"Accept": ACCEPT})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                body = response.read()
        except OSError as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return b""
        if b'"bindings"' not in body:
            raise RuntimeError(f"{self.name} answered without bindings: {body[:200]!r}")
        return body


def throughput(fn: Callable[[str], object], clients: int, seconds: float) -> float:
    queries = list(MIX.values())

    def client(i: int) -> int:
        done, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            fn(queries[(i + done) % len(queries)])
            done += 1
        return done

    t0 = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        total = sum(pool.map(client, range(clients)))
    return total / (time.monotonic() - t0)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="evrdf-bench-http-"))
    try:
        run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--rdflib-triples", type=int, default=100_000,
                    help="rdflib-endpoint's graph: the first N triples of the same graph (0 = skip it)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers for evrdf")
    args = ap.parse_args()
    t = time.monotonic()
    generate(work / "store", args.triples)
    print(f"{args.triples} triples generated into an evrdf release in {time.monotonic() - t:.1f} s; "
          f"{args.clients} clients, {args.workers} gunicorn workers, {args.seconds:g} s per throughput run")
    store = OxigraphStore(work / "store")
    fmt = ox.QueryResultsFormat.JSON
    lat: dict[str, dict[str, float]] = {}
    tput: dict[str, float] = {}
    lat["in-process"] = {name: timed(lambda q=q: store.query(q).serialize(format=fmt), args.repeat)
                         for name, q in MIX.items()}

    def in_process(q: str) -> None:
        store.query(q).serialize(format=fmt)
    tput["in-process"] = throughput(in_process, args.clients, args.seconds)

    def measure(target: Target) -> None:
        throughput(target.get, args.clients, 3)  # warm-up: every server worker and query process started
        lat[target.name] = {name: timed(lambda q=q: target.get(q), args.repeat) for name, q in MIX.items()}
        tput[target.name] = throughput(target.get, args.clients, args.seconds)
        failed = f"; {len(target.errors)} failed requests, first: {target.errors[0]}" if target.errors else ""
        print(f"  measured {target.name}{failed}", flush=True)

    for cache in (False, True):
        port = free_port()
        proc = evrdf_server(work / "store", port, cache, args.workers)
        try:
            measure(Target(f"evrdf cache {'on' if cache else 'off'}", f"http://127.0.0.1:{port}/sparql",
                           unique=not cache))
        finally:
            proc.terminate()
            proc.wait(30)

    server = VirtuosoServer(work / "virtuoso")
    try:
        server.start()
        t = time.monotonic()
        write_nt(server.load_dir / "generated.nt", args.triples)
        bulk_load(server.port, server.password, server.load_dir, "*.nt", GRAPH)
        print(f"  Virtuoso bulk load (write N-Triples + ld_dir/rdf_loader_run/checkpoint) "
              f"{time.monotonic() - t:.1f} s")
        measure(Target("virtuoso", f"{server.url}/sparql", unique=True))
    finally:
        server.stop()

    rdflib_n = args.rdflib_triples
    if rdflib_n:
        nt = work / "rdflib.nt"
        write_nt(nt, rdflib_n)
        port = free_port()
        t = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(HERE / "rdflib_server.py"), str(nt), str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{port}/sparql", proc, 1800)
            print(f"  rdflib-endpoint loaded {rdflib_n} triples in {time.monotonic() - t:.1f} s")
            measure(Target(f"rdflib-endpoint @{rdflib_n // 1000}k", f"http://127.0.0.1:{port}/sparql",
                           unique=True))
        finally:
            proc.terminate()
            proc.wait(30)

    floor = lat["in-process"]
    print(f"\nlatency, median ms of up to {args.repeat} sequential calls (ratio to in-process; added ms)")
    print(f"{'':<22}" + "".join(f"{name:>30}" for name in MIX))
    for who, row in lat.items():
        cells = "".join(f"{row[n] * 1000:>10.2f} ({row[n] / floor[n]:6.2f}x {1000 * (row[n] - floor[n]):+7.2f})"
                        for n in MIX)
        print(f"{who:<22}{cells}")
    base = tput.get("virtuoso")
    print(f"\nmixed throughput, {args.clients} clients, req/s (ratio to Virtuoso)")
    for who, rate in tput.items():
        print(f"{who:<22}{rate:>10.1f}" + (f"  ({rate / base:5.2f}x)" if base else ""))


if __name__ == "__main__":
    main()
