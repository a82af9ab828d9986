"""The live evrdf server the W3C suites talk to: a store built with the documented CLI for a loopback base IRI,
with every test dataset added (`evrdf build --store S --base-iri http://127.0.0.1:PORT/ --add suites.nq`), served
with the documented options only: `evrdf serve --store S --host 127.0.0.1 --port PORT`, and once more with
`--workers 2` (the production path: gunicorn, queries evaluated in the request threads)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import LoopbackStore, build_loopback, live_server
from tests.w3c import manifests, sparql

HERE = Path(__file__).resolve().parent
QUERY_MANIFESTS = ["sparql10/manifest-evaluation.ttl", "sparql10/manifest-syntax.ttl"] + [
    f"sparql11/{suite}/manifest.ttl" for suite in (
        "aggregates", "bind", "bindings", "construct", "csv-tsv-res", "exists", "functions", "grouping", "json-res",
        "negation", "project-expression", "property-path", "subquery", "syntax-query")]
SERVERS = {"dev": ["--workers", "0"], "workers2": ["--workers", "2"]}
# The servers run with the default limits: the per-client query-time budget never throttles a suite's hundreds of
# cheap queries in sequence (serve/limits.py).


def query_entries() -> list[manifests.Entry]:
    return [e for m in QUERY_MANIFESTS for e in manifests.read(HERE / m)]


@pytest.fixture(scope="session")
def w3c_store(tmp_path_factory: pytest.TempPathFactory) -> LoopbackStore:
    directory = tmp_path_factory.mktemp("w3c")
    data = directory / "w3c-suites.nq"
    data.write_bytes(sparql.all_test_quads(query_entries()) + protocol_quads())
    return build_loopback(directory, data)


def protocol_quads() -> bytes:
    """The protocol tests' three graphs (ut:graphData of the protocol manifest): each names itself a foaf:Document."""
    lines = [f"<http://kasei.us/2009/09/sparql/data/data{n}.rdf> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
             f"<http://xmlns.com/foaf/0.1/Document> <http://kasei.us/2009/09/sparql/data/data{n}.rdf> .\n"
             for n in (1, 2, 3)]
    return "".join(lines).encode("utf-8")


@pytest.fixture(scope="session", params=list(SERVERS))
def endpoint(request: pytest.FixtureRequest, w3c_store: LoopbackStore) -> Iterator[str]:
    """http://127.0.0.1:PORT/sparql of a live server (the port the store's base IRI names)."""
    with live_server(w3c_store.path, *SERVERS[request.param], port=w3c_store.port):
        yield f"http://127.0.0.1:{w3c_store.port}/sparql"
