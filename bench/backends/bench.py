"""Load time and query latency of the two store backends on the same data.

    .venv/bin/python bench/backends/bench.py [--triples 1000000] [--runs 20]

Starts a private Virtuoso (127.0.0.1, free ports, temporary database, stopped at the end), builds the curated
graph (no reasoner) into the embedded store, publishes that release to Virtuoso, then does the same with a
generated graph of --triples triples (findings-shaped: typed resources with labels, links and numbers).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from evrdf.pipeline.build import build
from evrdf.settings import Settings
from evrdf.store.oxigraph import OxigraphStore
from evrdf.store.oxigraph_write import new_release
from evrdf.store.publish_remote import publish
from evrdf.store.remote import Endpoints, RemoteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout: tests/ holds the Virtuoso launcher
from tests.virtuoso_server import VirtuosoServer  # noqa: E402  (test plumbing, from the checkout)

ROOT = Path(__file__).resolve().parents[2]
EX = "https://example.org/bench/"
QUERIES = {
    "count all (union)": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "lookup one resource": f"SELECT ?p ?o WHERE {{ <{EX}r/4242> ?p ?o }}",
    "join + filter (top 10)": f"SELECT ?r ?l WHERE {{ ?r a <{EX}Finding> ; <{EX}score> ?v ; "
                              f"<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(?v > 990) }} LIMIT 10",
    "group by type": "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) LIMIT 5",
    "construct one": f"CONSTRUCT {{ <{EX}r/4242> ?p ?o }} WHERE {{ <{EX}r/4242> ?p ?o }}",
}
CURATED = {
    "findings (union)": "SELECT (COUNT(?f) AS ?n) WHERE { ?f a <https://w3id.org/evrdf/ontology/Finding> }",
    "exosome describe": "CONSTRUCT { ?c ?p ?o } WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> "
                        "\"exosome\"@en ; ?p ?o }",
    "graphs + counts": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
}


def generated(n: int):  # type: ignore[no-untyped-def]
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    kinds = [ox.NamedNode(f"{EX}{k}") for k in ("Finding", "Cell", "Molecule", "Reference")]
    per = 5
    for i in range(n // per):
        r = ox.NamedNode(f"{EX}r/{i}")
        g = ox.NamedNode(f"{EX}graph/{i % 4}")
        yield ox.Quad(r, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), kinds[i % 4], g)
        yield ox.Quad(r, label, ox.Literal(f"resource {i}", language="en"), g)
        yield ox.Quad(r, ox.NamedNode(f"{EX}score"), ox.Literal(str(i % 1000), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), g)
        yield ox.Quad(r, ox.NamedNode(f"{EX}linksTo"), ox.NamedNode(f"{EX}r/{(i * 7919) % (n // per)}"), g)
        yield ox.Quad(r, ox.NamedNode(f"{EX}cites"), ox.NamedNode(f"{EX}ref/{i % 997}"), g)


def latency(store, sparql: str, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        result = store.query(sparql)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
        times.append((time.perf_counter() - t) * 1000)
    times = sorted(times[1:])  # the first run warms caches
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evrdf-bench-"))
    server = VirtuosoServer(work / "virtuoso").start()
    try:
        endpoints = Endpoints.for_virtuoso(server.url, "dba", server.password)
        rows = []
        # 1. the curated graph
        settings = Settings(store=work / "curated", sources=ROOT / "ontology")
        t = time.perf_counter()
        report = build(settings, reason=False)
        oxi_curated = time.perf_counter() - t
        remote = RemoteStore(endpoints, "https://w3id.org/evrdf/graph/published", 60, settings.store)
        done = publish(remote, (settings.store / "current").resolve())
        print(f"curated graph: {report.triples} triples; embedded build+publish {oxi_curated:.2f} s "
              f"(whole pipeline), Virtuoso publish of the same release {done.seconds:.2f} s")
        local = OxigraphStore(settings.store)
        for name, sparql in CURATED.items():
            rows.append(("curated", name, latency(local, sparql, args.runs), latency(remote, sparql, args.runs)))
        # 2. a generated graph
        t = time.perf_counter()
        with new_release(work / "big", {"ontology_version": "bench", "built": "bench"}) as writer:
            writer.extend(generated(args.triples))
        oxi_load = time.perf_counter() - t
        big = OxigraphStore(work / "big")
        n = big.count()
        remote_big = RemoteStore(endpoints, f"{EX}published", 120, work / "big")
        done = publish(remote_big, (work / "big" / "current").resolve())
        print(f"generated graph: {n} triples; embedded load {oxi_load:.1f} s ({n / oxi_load:,.0f} triples/s), "
              f"Virtuoso publish (GSP batches + count check + switch) {done.seconds:.1f} s "
              f"({n / done.seconds:,.0f} triples/s)")
        for name, sparql in QUERIES.items():
            rows.append(("generated", name, latency(big, sparql, args.runs), latency(remote_big, sparql, args.runs)))
        print(f"\nquery latency, ms, median / p95 of {args.runs} runs after one warm-up (same process, loopback)")
        print(f"{'data':<10} {'query':<24} {'oxigraph':>17} {'virtuoso (remote)':>19}")
        for data, name, (om, op), (vm, vp) in rows:
            print(f"{data:<10} {name:<24} {om:>8.2f} / {op:>6.2f} {vm:>9.2f} / {vp:>7.2f}")
        print(json.dumps({"triples": n}))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
